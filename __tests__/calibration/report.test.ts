import { beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  adviceFor,
  calibrationJson,
  calibrationMarkdown,
  countWitnesses,
  runCalibrate,
  snapshotScope,
  writeCalibrationReport
} from '../../src/pipeline/calibrate.js';
import { createLocalStores, type LocalStores } from '../../src/store/local/index.js';
import { StoreError, type FPEvent, type Stores } from '../../src/store/types.js';
import { at, event, memoryLog, settingsFor, tempDir } from './helpers.js';

let ws: string;
let stores: LocalStores;
const DAY = 24 * 60;

beforeEach(async () => {
  ws = await tempDir();
  stores = await createLocalStores(path.join(ws, '.phase-mirror'));
});

/** Records events and marks them: outcome per event, reviewed at `reviewedAt` minutes. */
async function seed(ruleId: string, spec: { minutes: number; outcome?: FPEvent['outcome']; version?: string; reviewedAt?: number; reviewer?: string }[]): Promise<FPEvent[]> {
  const events = spec.map((s) => event(ruleId, s.minutes, { ruleVersion: s.version ?? '1' }));
  await stores.fp.recordEvents(events);
  for (const [i, s] of spec.entries()) {
    if (!s.outcome || s.outcome === 'pending') continue;
    await stores.fp.mark({ findingId: events[i].findingId, ruleId, outcome: s.outcome, reviewer: s.reviewer ?? 'alice', markedAt: at(s.reviewedAt ?? s.minutes + 1).toISOString() });
  }
  return events;
}

const row = (r: Awaited<ReturnType<typeof runCalibrate>>, ruleId: string) => r.rows.find((x) => x.ruleId === ruleId)!;
const times = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

describe('calibration report numbers', () => {
  it('total, FP, pending and FPR = FP / (total − pending) per window, with the rule version mix', async () => {
    // 30+ days ago: 4 events (2 FP) — only in the count window.
    await seed('MD-004', [
      { minutes: 0, outcome: 'false_positive' },
      { minutes: 1, outcome: 'false_positive' },
      { minutes: 2, outcome: 'true_positive' },
      { minutes: 3 }
    ]);
    // Recent: 6 events, 1 FP, 2 TP, 3 pending; two of them from rule version 2.
    await seed('MD-004', [
      { minutes: 35 * DAY, outcome: 'false_positive', version: '2' },
      { minutes: 35 * DAY + 1, outcome: 'true_positive', version: '2' },
      { minutes: 35 * DAY + 2, outcome: 'true_positive' },
      { minutes: 35 * DAY + 3 },
      { minutes: 35 * DAY + 4 },
      { minutes: 35 * DAY + 5 }
    ]);
    const r = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(40 * DAY) });
    const md4 = row(r, 'MD-004');
    expect(md4.byCount).toEqual({ total: 10, falsePositives: 3, pending: 4, reviewed: 6, fpr: 0.5, versions: { '1': 8, '2': 2 } });
    expect(md4.bySince).toEqual({ total: 6, falsePositives: 1, pending: 3, reviewed: 3, fpr: 1 / 3, versions: { '1': 4, '2': 2 } });
    expect(md4).toMatchObject({ configuredAction: 'warn', effectiveAction: 'warn', ceiling: 0.1, breach: true });
    expect(r.windows).toEqual({ count: 200, sinceDays: 30, since: at(10 * DAY).toISOString() });
    // A rule without events: zeros, FPR unknown, no breach.
    expect(row(r, 'MD-001')).toMatchObject({ byCount: { total: 0, fpr: null }, breach: false, advice: 'insufficient_data' });

    const small = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(40 * DAY), countWindow: 5, sinceDays: 365 });
    expect(row(small, 'MD-004').byCount).toMatchObject({ total: 5, pending: 3, falsePositives: 0, fpr: 0 });
    expect(row(small, 'MD-004').bySince.total).toBe(10);

    const md = calibrationMarkdown(r);
    expect(md).toContain('| MD-004 | warn | 10 | 3 | 4 | 0.500 | 6 | 0.333 | 1: 8, 2: 2 | 0.1 | yes |');
    const json = JSON.parse(calibrationJson(r, 'acme/widgets'));
    expect(json.rules.find((x: { rule_id: string }) => x.rule_id === 'MD-004').by_count).toEqual({
      total: 10,
      false_positives: 3,
      pending: 4,
      reviewed: 6,
      fpr: 0.5,
      rule_versions: { '1': 8, '2': 2 }
    });
    const file = await writeCalibrationReport(settingsFor(ws), r);
    expect(file).toBe(path.join(ws, 'calibration_report.json'));
    expect(JSON.parse(await readFile(file, 'utf8')).repository).toBe('acme/widgets');
  });

  it('records the input marks first (reviewer required), with the rule id when the finding is known', async () => {
    const [e] = await seed('MD-004', [{ minutes: 0 }]);
    await expect(runCalibrate(settingsFor(ws, { 'false-positive': e.findingId }), stores, memoryLog(), { now: at(10) })).rejects.toThrow(/needs 'reviewer'/);
    const log = memoryLog();
    const r = await runCalibrate(settingsFor(ws, { 'false-positive': `${e.findingId} 00000000deadbeef`, reviewer: 'bob', ticket: 'SEC-7' }), stores, log, { now: at(10) });
    expect(r.marked).toEqual([e.findingId, '00000000deadbeef']);
    expect(r.markedUnseen).toEqual(['00000000deadbeef']);
    expect((await stores.fp.lookupMarks([e.findingId])).get(e.findingId)).toMatchObject({ ruleId: 'MD-004', reviewer: 'bob', ticket: 'SEC-7' });
    expect(row(r, 'MD-004').byCount).toMatchObject({ total: 1, falsePositives: 1, fpr: 1 });
    expect(log.lines.some((l) => l.includes('00000000deadbeef has no recorded event'))).toBe(true);
    expect(calibrationMarkdown(r)).toContain('Not seen in the store');
  });
});

describe('demote / promote advice', () => {
  it('a blocking rule over its ceiling with ≥ 20 reviewed events is demoted (runs as warn) and advised so', async () => {
    await seed('MD-001', [...times(10, { minutes: 0, outcome: 'false_positive' as const }), ...times(15, { minutes: 1, outcome: 'true_positive' as const })]);
    const r = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(60) });
    expect(row(r, 'MD-001')).toMatchObject({ configuredAction: 'block', effectiveAction: 'warn', advice: 'demote', reviewedWindow: 25, reviewedFpr: 0.4 });
    expect(calibrationMarkdown(r)).toContain('| MD-001 | block → warn |');
    expect(calibrationMarkdown(r)).toContain('**MD-001: demote**');
  });

  it('a policy ceiling override is honoured; too few reviewed events give insufficient_data', async () => {
    await mkdir(path.join(ws, '.github'), { recursive: true });
    await writeFile(path.join(ws, '.github', 'phase-mirror.yml'), 'rules:\n  MD-001:\n    fp-ceiling: 0.5\n  MD-002:\n    action: off\n');
    await seed('MD-001', [...times(10, { minutes: 0, outcome: 'false_positive' as const }), ...times(15, { minutes: 1, outcome: 'true_positive' as const })]);
    const r = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(60) });
    expect(row(r, 'MD-001')).toMatchObject({ ceiling: 0.5, effectiveAction: 'block', advice: 'keep', breach: false });
    expect(row(r, 'MD-002')).toMatchObject({ configuredAction: 'off', advice: 'off' });
  });

  it('a warn rule is promoted only with ≥ 200 reviewed events, FPR under the ceiling and 14 days in warn (from the snapshots)', async () => {
    await seed('MD-004', [...times(199, { minutes: 0, outcome: 'true_positive' as const }), { minutes: 0, outcome: 'false_positive' }]);
    const first = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(60) });
    expect(row(first, 'MD-004')).toMatchObject({ advice: 'keep', daysInWarn: 0, warnSince: at(60).toISOString() });
    expect(row(first, 'MD-004').adviceReason).toContain('0/14 days in warn');
    const later = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(60 + 15 * DAY) });
    expect(row(later, 'MD-004')).toMatchObject({ advice: 'promote', daysInWarn: 15, warnSince: at(60).toISOString(), reviewedWindow: 200 });
    expect(calibrationMarkdown(later)).toContain('**MD-004: promote**');
  });

  it('adviceFor covers each branch', () => {
    const base = { ceiling: 0.1, demoted: false, daysInWarn: 20 };
    expect(adviceFor({ ...base, configuredAction: 'warn', reviewed: 150, fpr: 0.01 }).advice).toBe('insufficient_data');
    expect(adviceFor({ ...base, configuredAction: 'warn', reviewed: 200, fpr: 0.2 })).toMatchObject({ advice: 'keep' });
    expect(adviceFor({ ...base, configuredAction: 'warn', reviewed: 200, fpr: 0.1 }).reason).toContain('not under the ceiling');
    expect(adviceFor({ ...base, configuredAction: 'warn', reviewed: 200, fpr: 0.05, daysInWarn: null }).reason).toContain('0/14 days');
    expect(adviceFor({ ...base, configuredAction: 'block', reviewed: 30, fpr: 0.05 }).advice).toBe('keep');
  });
});

describe('contraction witness (L0)', () => {
  it('a fall in FPR of more than 0.01 needs ≥ 10 reviewed events with a reviewer since the last snapshot', async () => {
    await seed('MD-004', [...times(5, { minutes: 0, outcome: 'false_positive' as const }), ...times(5, { minutes: 0, outcome: 'true_positive' as const })]);
    const first = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(60) });
    expect(first.outcome).toBe('pass');
    expect(first.l0).toEqual([expect.objectContaining({ check: 'contraction_witness', status: 'pass' })]);

    // Two more true positives: 5/12 = 0.417, a fall of 0.083 with 2 witnesses.
    await seed('MD-004', times(2, { minutes: 70, outcome: 'true_positive' as const }));
    const second = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(120) });
    expect(row(second, 'MD-004').contraction).toEqual({ previousFpr: 0.5, fpr: 5 / 12, witnesses: 2, ok: false });
    expect(second.outcome).toBe('block');
    expect(second.findings).toEqual([expect.objectContaining({ ruleId: 'L0-contraction-witness', severity: 'critical' })]);
    expect(second.findings[0].message).toContain('MD-004: FPR fell from 0.500 to 0.417 with only 2 reviewed events (need 10)');
    expect(calibrationMarkdown(second)).toContain('**not witnessed**');
    // The unwitnessed fall is not accepted: the snapshot keeps 0.5.
    expect((await stores.calibration.loadSnapshot(snapshotScope('acme/widgets')))?.rules['MD-004'].fpr).toBe(0.5);

    // Ten more reviewed events (with a reviewer) after that snapshot: witnessed.
    await seed('MD-004', times(10, { minutes: 130, outcome: 'true_positive' as const }));
    const third = await runCalibrate(settingsFor(ws), stores, memoryLog(), { now: at(180) });
    expect(row(third, 'MD-004').contraction).toMatchObject({ previousFpr: 0.5, witnesses: 10, ok: true });
    expect(third.outcome).toBe('pass');
    expect(calibrationMarkdown(third)).toContain('witnessed');
    expect((await stores.calibration.loadSnapshot(snapshotScope('acme/widgets')))?.rules['MD-004'].fpr).toBeCloseTo(5 / 22);
  });

  it('countWitnesses counts reviewed events with a reviewer reviewed after the snapshot', () => {
    const e = (extra: Partial<FPEvent>): FPEvent => ({ ...event('MD-004', 0), ...extra });
    const list = [
      e({ outcome: 'true_positive', reviewer: 'a', reviewedAt: at(10).toISOString() }),
      e({ outcome: 'true_positive', reviewer: 'a', reviewedAt: at(1).toISOString() }),
      e({ outcome: 'true_positive', reviewedAt: at(10).toISOString() }),
      e({ outcome: 'pending' })
    ];
    expect(countWitnesses(list, at(5).toISOString())).toBe(1);
    expect(countWitnesses(list, null)).toBe(2);
  });
});

describe('fails open on calibration reads and writes', () => {
  it('snapshot, nonce and calibration store failures are warnings; the report is still made', async () => {
    await seed('MD-004', [{ minutes: 0, outcome: 'false_positive' }]);
    const down = () => Promise.reject(new StoreError('connect ECONNREFUSED', true));
    const broken: Stores = { ...stores, nonce: { load: down }, calibration: { contribute: down, read: down, loadSnapshot: down, saveSnapshot: down } };
    const r = await runCalibrate(settingsFor(ws), broken, memoryLog(), { now: at(60) });
    expect(row(r, 'MD-004').byCount.fpr).toBe(1);
    expect(r.snapshot).toMatchObject({ saved: false, previousTakenAt: null });
    expect(r.contribution).toMatchObject({ status: 'skipped', reason: 'nonce_unavailable' });
    expect(r.crossOrgUnavailable).toContain('ECONNREFUSED');
    expect(r.warnings.length).toBeGreaterThanOrEqual(3);
    expect(calibrationMarkdown(r)).toContain('Unavailable: calibration store unreadable');
  });
});
