/**
 * The per-rule reviewed window item (tables.ts: pk `rule#<ruleId>`, sk `_window`): the newest
 * 200 reviewed events of a rule, verdicts applied, one entry per event id, newest first. It makes
 * the check's demotion read (`window(rules, { reviewedOnly: true })`) one BatchGetItem for every
 * blocking rule, instead of a Query per rule paging through the rule's partition when few of its
 * events are reviewed. Pure helpers; the store does the reads and the conditional writes.
 */
import type { FPEvent, FPOutcome } from '../types.js';

/** Entries kept per rule: the check's window (DESIGN §6, "last 200 reviewed events"). */
export const WINDOW_ENTRIES_MAX = 200;
/** Bytes of JSON kept, well under DynamoDB's 400 KB item limit (reviewers and tickets are free text). */
export const WINDOW_BYTES_MAX = 350_000;

/** One reviewed event of the rule, and when its event item expires (epoch seconds, the TTL). */
export interface WindowEntry {
  event: FPEvent;
  expiresAt: number;
}

const OUTCOMES: readonly FPOutcome[] = ['pending', 'false_positive', 'true_positive'];

/** Newest observation first; ties by event id, descending (the order of a descending Query on `event#<iso>#<id>`). */
export function newestFirst(a: FPEvent, b: FPEvent): number {
  return Date.parse(b.observedAt) - Date.parse(a.observedAt) || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0);
}

/** One entry's JSON: the event's fields but ruleId (the item's partition says it), plus expiresAt. */
function encodeEntry({ event: { ruleId: _r, ...rest }, expiresAt }: WindowEntry): string {
  return JSON.stringify({ ...rest, expiresAt });
}

/** The `entries` attribute: a JSON list of encodeEntry. */
export function encodeEntries(entries: readonly WindowEntry[]): string {
  return `[${entries.map(encodeEntry).join(',')}]`;
}

/** The entries of a stored item's JSON. Throws on anything that is not what encodeEntries wrote. */
export function decodeEntries(json: string, ruleId: string): WindowEntry[] {
  const raw: unknown = JSON.parse(json);
  if (!Array.isArray(raw)) throw new Error('entries is not a list');
  return raw.map((x: Record<string, unknown>) => {
    const str = (k: string) => (typeof x?.[k] === 'string' ? (x[k] as string) : undefined);
    const outcome = str('outcome') as FPOutcome;
    if (!str('eventId') || !str('observedAt') || !OUTCOMES.includes(outcome) || typeof x.expiresAt !== 'number') throw new Error('malformed entry');
    const event: FPEvent = {
      eventId: str('eventId') ?? '',
      findingId: str('findingId') ?? '',
      ruleId,
      ruleVersion: str('ruleVersion') ?? '',
      repository: str('repository') ?? '',
      runId: str('runId') ?? '',
      observedAt: str('observedAt') ?? '',
      outcome
    };
    for (const k of ['reviewer', 'ticket', 'reviewedAt'] as const) {
      const v = str(k);
      if (v !== undefined) event[k] = v;
    }
    return { event, expiresAt: x.expiresAt };
  });
}

/** When the entry's verdict was given; a verdict without a time loses to any timed one. */
function verdictTime(e: FPEvent): number {
  const t = e.reviewedAt === undefined ? NaN : Date.parse(e.reviewedAt);
  return Number.isNaN(t) ? -Infinity : t;
}

/**
 * The window after adding `incoming`: one entry per event id, the newest verdict winning
 * whatever order marks are written in (so two writers cannot bring an older verdict back),
 * entries whose event has expired dropped, newest first, at most 200 and WINDOW_BYTES_MAX.
 */
export function mergeEntries(current: readonly WindowEntry[], incoming: readonly WindowEntry[], nowSec: number): WindowEntry[] {
  const byId = new Map<string, WindowEntry>();
  for (const entry of [...current, ...incoming]) {
    if (entry.event.outcome === 'pending') continue;
    const prev = byId.get(entry.event.eventId);
    if (!prev || verdictTime(entry.event) >= verdictTime(prev.event)) byId.set(entry.event.eventId, entry);
  }
  const kept = [...byId.values()].filter((x) => x.expiresAt > nowSec).sort((a, b) => newestFirst(a.event, b.event));
  let bytes = 2; // the brackets
  let n = 0;
  for (; n < Math.min(kept.length, WINDOW_ENTRIES_MAX); n++) {
    bytes += Buffer.byteLength(encodeEntry(kept[n])) + (n > 0 ? 1 : 0);
    if (bytes > WINDOW_BYTES_MAX) break;
  }
  kept.length = n;
  return kept;
}

/** The events of a window item, live at `nowSec`, newest first, at most `count`. */
export function liveEvents(entries: readonly WindowEntry[], nowSec: number, count: number): FPEvent[] {
  return entries
    .filter((x) => x.expiresAt > nowSec)
    .sort((a, b) => newestFirst(a.event, b.event))
    .slice(0, Math.max(0, count))
    .map((x) => ({ ...x.event }));
}
