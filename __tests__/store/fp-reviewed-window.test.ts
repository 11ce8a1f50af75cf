/**
 * The pure parts of the DynamoDB FP store's write and window plans: how new events are cut into
 * transactions, and how a rule's reviewed window item is merged, trimmed and read.
 */
import { describe, expect, it } from '@jest/globals';
import { chunkActions, findingChunks, planTransactions, TRANSACT_MAX } from '../../src/store/aws/dynamodb-fp-store.js';
import { decodeEntries, encodeEntries, liveEvents, mergeEntries, WINDOW_BYTES_MAX, WINDOW_ENTRIES_MAX, type WindowEntry } from '../../src/store/aws/fp-reviewed-window.js';
import type { FPEvent } from '../../src/store/types.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const NOW = T0 / 1000 + 10_000;

function ev(findingId: string, n: number, extra: Partial<FPEvent> = {}): FPEvent {
  return { eventId: `${findingId}-e${n}`, findingId, ruleId: 'MD-001', ruleVersion: '1.0.0', repository: 'octo/widgets', runId: String(n), observedAt: iso(n), outcome: 'pending', ...extra };
}

const reviewed = (e: FPEvent, reviewer: string, at: number, expiresAt = NOW + 1000): WindowEntry => ({
  event: { ...e, outcome: 'false_positive', reviewer, reviewedAt: iso(at) },
  expiresAt
});

describe('planTransactions', () => {
  const chunksOf = (events: FPEvent[]) => {
    const byFinding = new Map<string, FPEvent[]>();
    for (const e of events) byFinding.set(e.findingId, [...(byFinding.get(e.findingId) ?? []), e]);
    return [...byFinding].map(([id, group]) => findingChunks(id, group, null));
  };

  it('puts the first events of 100 new findings in one transaction: one head claim each', () => {
    const waves = planTransactions(chunksOf(Array.from({ length: 100 }, (_, i) => ev(`f${i}`, i))));
    expect(waves).toHaveLength(1);
    expect(waves[0]).toHaveLength(1);
    expect(waves[0][0].map(chunkActions).reduce((a, b) => a + b)).toBe(TRANSACT_MAX);
    expect(waves[0][0].every((c) => c.claim !== null && c.own.length === 0)).toBe(true);
  });

  it('a finding with many events: the first claims the head, the rest are own items pinned to it, chunk by chunk', () => {
    const events = Array.from({ length: 230 }, (_, i) => ev('big', i));
    const chunks = findingChunks('big', events, null);
    expect(chunks.map((c) => [c.claim?.eventId ?? null, c.expectHead, c.own.length])).toEqual([
      ['big-e0', null, 99],
      [null, 'big-e0', 99],
      [null, 'big-e0', 31]
    ]);
    // A live head event: every event is an own item, each chunk pinned to it.
    expect(findingChunks('big', events.slice(0, 3), 'x').map((c) => [c.claim, c.expectHead, c.own.length])).toEqual([[null, 'x', 3]]);
  });

  it('never puts a finding twice in one wave, nor more than 100 actions in a transaction, and loses no event', () => {
    const events = [...Array.from({ length: 230 }, (_, i) => ev('big', i)), ...Array.from({ length: 70 }, (_, i) => ev(`f${i % 35}`, 1000 + i))];
    const waves = planTransactions(chunksOf(events));
    for (const wave of waves) {
      const findings = wave.map((t) => t.map((c) => c.findingId));
      const flat = findings.flat();
      expect(new Set(flat).size).toBe(flat.length);
      for (const t of wave) expect(t.map(chunkActions).reduce((a, b) => a + b)).toBeLessThanOrEqual(TRANSACT_MAX);
    }
    expect(waves).toHaveLength(3); // `big` spreads over three waves
    const written = waves.flat(2).flatMap((c) => [...(c.claim ? [c.claim] : []), ...c.own]);
    expect(written.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
  });
});

describe('reviewed window entries', () => {
  it('keep one entry per event id with the newest verdict, whatever the order they arrive in', () => {
    const e = ev('f', 1);
    const older = reviewed(e, 'alice', 10);
    const newer = reviewed(e, 'bob', 20);
    for (const [first, second] of [
      [older, newer],
      [newer, older]
    ]) {
      const merged = mergeEntries(mergeEntries([], [first], NOW), [second], NOW);
      expect(merged.map((x) => x.event.reviewer)).toEqual(['bob']);
    }
  });

  it('are newest first, drop pending and expired events, and hold at most 200', () => {
    const many = Array.from({ length: 250 }, (_, i) => reviewed(ev(`f${i}`, i), 'alice', 500));
    const merged = mergeEntries([], [...many, { event: ev('p', 999), expiresAt: NOW + 1000 }, reviewed(ev('old', 998), 'alice', 500, NOW)], NOW);
    expect(merged).toHaveLength(WINDOW_ENTRIES_MAX);
    expect(merged[0].event.eventId).toBe('f249-e249');
    expect(merged[199].event.eventId).toBe('f50-e50');
  });

  it('stay under the item size limit when reviewers write long tickets', () => {
    const ticket = 'x'.repeat(5_000);
    const merged = mergeEntries([], Array.from({ length: 200 }, (_, i) => ({ ...reviewed(ev(`f${i}`, i), 'alice', 500), event: { ...ev(`f${i}`, i), outcome: 'false_positive' as const, reviewer: 'alice', ticket } })), NOW);
    expect(Buffer.byteLength(encodeEntries(merged))).toBeLessThanOrEqual(WINDOW_BYTES_MAX);
    expect(merged.length).toBeGreaterThan(60);
    expect(merged[0].event.eventId).toBe('f199-e199'); // the oldest go first
  });

  it('round-trip through JSON with every FPEvent field, the rule coming from the item', () => {
    const entry = reviewed(ev('f', 3, { ticket: 'SEC-1' }), 'alice', 5);
    const json = encodeEntries([entry]);
    expect(json).not.toContain('MD-001');
    expect(decodeEntries(json, 'MD-001')).toEqual([entry]);
    expect(() => decodeEntries('[{"eventId":"x"}]', 'MD-001')).toThrow(/malformed/);
    expect(() => decodeEntries('{}', 'MD-001')).toThrow(/not a list/);
  });

  it('read back live only, at most count', () => {
    const entries = [reviewed(ev('a', 1), 'alice', 5, NOW - 1), reviewed(ev('b', 2), 'alice', 5), reviewed(ev('c', 3), 'alice', 5)];
    expect(liveEvents(entries, NOW, 200).map((e) => e.eventId)).toEqual(['c-e3', 'b-e2']);
    expect(liveEvents(entries, NOW, 1).map((e) => e.eventId)).toEqual(['c-e3']);
    expect(liveEvents(entries, NOW, 0)).toEqual([]);
  });
});
