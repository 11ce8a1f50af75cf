import { describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../../src/config/settings.js';
import { runCheck } from '../../src/pipeline/check.js';
import { silentLog } from '../../src/pipeline/log.js';
import { createLocalStores } from '../../src/store/local/index.js';
import { StoreError, type Stores } from '../../src/store/types.js';

async function sample(name: string, policy?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-check-'));
  await cp(path.join('samples', name), dir, { recursive: true, filter: (src) => !/[/](\.phase-mirror|dissonance_report\.json|phase-mirror\.sarif)$/.test(src) });
  if (policy) await writeFile(path.join(dir, '.github', 'phase-mirror.yml'), policy);
  return dir;
}

const settingsFor = (ws: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}) =>
  parseSettings((n) => inputs[n], { GITHUB_REPOSITORY: 'acme/widgets', GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1', GITHUB_EVENT_NAME: 'pull_request', ...env }, ws);

/** A store whose every call fails the way an unreachable backend does. */
function downStores(base: Stores): Stores {
  const down = () => Promise.reject(new StoreError('connect ECONNREFUSED 127.0.0.1:8000', true));
  return { ...base, fp: { recordEvents: down, mark: down, lookupMarks: down, window: down, findingEvents: down }, blocks: { increment: down, read: down } };
}

describe('runCheck on the local store', () => {
  it('records one pending event per finding; a mark makes the next run treat it as a false positive', async () => {
    const ws = await sample('over-privileged');
    const s = settingsFor(ws);
    const stores = await createLocalStores(s.dataDir);
    const first = await runCheck(s, { stores, log: silentLog });
    expect(first.evaluation.findings.filter((f) => f.status === 'open')).toHaveLength(2);
    const target = first.evaluation.findings[0];
    const windows = await stores.fp.window([target.ruleId], { count: 10 });
    expect(windows.get(target.ruleId)!.map((e) => e.outcome)).toEqual(['pending', 'pending']);

    await stores.fp.mark({ findingId: target.id, outcome: 'false_positive', reviewer: 'alice', ticket: 'SEC-1', markedAt: new Date().toISOString() });
    const second = await runCheck(settingsFor(ws, {}, { GITHUB_RUN_ID: '8' }), { stores, log: silentLog });
    expect(second.evaluation.findings.find((f) => f.id === target.id)).toMatchObject({ status: 'false_positive' });
    expect(second.report.summary.false_positives).toBe(1);
    // Seen again in a later run: still one event per finding, now reviewed.
    const after = (await stores.fp.window([target.ruleId], { count: 10 })).get(target.ruleId)!;
    expect(after.map((e) => e.outcome).sort()).toEqual(['false_positive', 'pending']);
    expect(after.find((e) => e.findingId === target.id)).toMatchObject({ reviewer: 'alice', ticket: 'SEC-1' });
  });

  it('a blocked run increments the hour counter once per run attempt, and the breaker trips at the threshold', async () => {
    const ws = await sample('over-privileged', 'rules:\n  MD-004: block\n');
    const stores = await createLocalStores(path.join(ws, '.phase-mirror'));
    const runWith = (runId: string) => runCheck(settingsFor(ws, { strict: 'true', 'circuit-breaker-threshold': '2' }, { GITHUB_RUN_ID: runId }), { stores, log: silentLog });
    expect((await runWith('1')).evaluation.decision.outcome).toBe('block');
    expect((await runWith('1')).evaluation.decision.outcome).toBe('block'); // same run re-evaluated: counted once
    expect((await runWith('2')).evaluation.decision.outcome).toBe('block');
    const third = await runWith('3');
    expect(third.evaluation.decision).toMatchObject({ outcome: 'warn', degraded: true, degradedReasons: ['circuit_breaker_triggered'] });
    expect(await stores.blocks.read('acme/widgets', new Date())).toBe(3);
  });

  it('store down: the decision is still made, degraded fp_store_unavailable, every lost write in meta.unrecorded', async () => {
    const ws = await sample('over-privileged', 'rules:\n  MD-004: block\n');
    const s = settingsFor(ws, { strict: 'true' });
    const stores = downStores(await createLocalStores(s.dataDir));
    const r = await runCheck(s, { stores, log: silentLog });
    expect(r.evaluation.decision).toMatchObject({ outcome: 'warn', degraded: true });
    expect(r.evaluation.decision.degradedReasons).toContain('fp_store_unavailable');
    const report = JSON.parse(await readFile(s.reportPath, 'utf8'));
    const lost = report.meta.unrecorded.map((u: { store: string }) => u.store).sort();
    expect(lost).toEqual(['block-counter', 'fp-events']);
    const events = report.meta.unrecorded.find((u: { store: string }) => u.store === 'fp-events').payload;
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ outcome: 'pending', repository: 'acme/widgets', runId: '7' });
  });

  it('no SARIF when sarif-path is empty; report is written where asked', async () => {
    const ws = await sample('clean');
    const s = settingsFor(ws, { 'sarif-path': '', 'report-path': 'out/r.json' });
    const r = await runCheck(s, { stores: await createLocalStores(s.dataDir), log: silentLog });
    expect(r.sarifPath).toBeNull();
    expect(r.reportPath).toBe(path.join(ws, 'out', 'r.json'));
    expect(JSON.parse(await readFile(r.reportPath, 'utf8')).machine_decision.outcome).toBe('pass');
  });
});
