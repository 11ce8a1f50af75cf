/**
 * The check pipeline on the DynamoDB stores (through the fault proxy): its store round trips,
 * and a DynamoDB that throttles forever — the run still decides, says degraded, and the report
 * holds every event that could not be written, ready to replay.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../../src/config/settings.js';
import { runCheck } from '../../src/pipeline/check.js';
import { silentLog } from '../../src/pipeline/log.js';
import { DynamoDBBlockCounter } from '../../src/store/aws/dynamodb-block-counter.js';
import { DynamoDBFPStore } from '../../src/store/aws/dynamodb-fp-store.js';
import { scopedFPStore } from '../../src/store/scoped-fp.js';
import { createLocalStores } from '../../src/store/local/index.js';
import type { FPEvent, Stores } from '../../src/store/types.js';
import { createTestTables, dynamoClient, FAST_RETRY, SHORT_RETRY } from '../../test-support/aws-test-env.js';
import { releaseDynamoDBLocal, useDynamoDBLocal } from '../../test-support/dynamodb-local.js';
import { startFaultProxy, type FaultProxy } from '../../test-support/fault-proxy.js';

let tables: Awaited<ReturnType<typeof createTestTables>>;
let proxy: FaultProxy;
let client: DynamoDBClient;
const dirs: string[] = [];

beforeAll(async () => {
  const endpoint = await useDynamoDBLocal();
  tables = await createTestTables(endpoint);
  proxy = await startFaultProxy(endpoint);
  client = await dynamoClient(proxy.endpoint);
}, 90_000);

afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  await releaseDynamoDBLocal();
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-check-ddb-'));
  dirs.push(dir);
  await cp(path.join('samples', 'over-privileged'), dir, {
    recursive: true,
    filter: (src) => !/[/\\](\.phase-mirror|dissonance_report\.json|phase-mirror\.sarif)$/.test(src)
  });
  return dir;
}

/** Each test its own repository: event ids are stable per finding and repository. */
async function setup(runId: string, retry = FAST_RETRY, repository = `acme/widgets-${randomBytes(4).toString('hex')}`) {
  const ws = await workspace();
  const settings = parseSettings(() => undefined, { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: '1', GITHUB_EVENT_NAME: 'pull_request' }, ws);
  const local = await createLocalStores(settings.dataDir);
  // Scoped by repository, as createStores does: finding ids repeat across repositories.
  const fp = scopedFPStore(new DynamoDBFPStore(client, tables.fp, { retry }), repository);
  const stores: Stores = { ...local, fp, blocks: new DynamoDBBlockCounter(client, tables.blockCounter, { retry }) };
  return { settings, stores, fp };
}

describe('runCheck on DynamoDB', () => {
  /** Runs a check with the proxy counting; returns the result, the store calls the pipeline counted, and the requests. */
  async function countedRun(setupResult: Awaited<ReturnType<typeof setup>>) {
    const debug: string[] = [];
    proxy.resetCounts();
    const result = await runCheck(setupResult.settings, { stores: setupResult.stores, log: { ...silentLog, debug: (m: string) => void debug.push(m) } });
    const calls = Number(/store round trips: (\d+)/.exec(debug.join('\n'))?.[1]);
    return { result, calls, counts: proxy.counts(), requests: proxy.requests.length };
  }

  it('records the events in DynamoDB within the round-trip budget: 4 store calls, one BatchGetItem for the windows of the blocking rules', async () => {
    const run = await setup('3001');
    await writeFile(path.join(run.settings.workspace, '.github', 'phase-mirror.yml'), 'rules:\n  MD-004: block\n');
    const { result, calls, counts, requests } = await countedRun(run);
    expect(result.evaluation.decision.degraded).toBe(false);
    // Store calls as the pipeline counts them (DESIGN §7: at most 4 for up to 100 findings).
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(4);
    // At the wire: one BatchGetItem for the marks, one for the window items of every blocking
    // rule that found something, at most one UpdateItem, one TransactWriteItems (up to 100 new
    // findings) — nothing else, no pagination, no retries.
    const blocking = new Set(result.evaluation.findings.filter((f) => f.action === 'block' && !f.ruleId.startsWith('L0-')).map((f) => f.ruleId)).size;
    expect(blocking).toBe(1);
    expect(counts.BatchGetItem).toBe(2);
    expect(counts.Query).toBeUndefined();
    expect(counts.TransactWriteItems).toBe(1);
    expect(counts.UpdateItem ?? 0).toBeLessThanOrEqual(1);
    expect(Object.keys(counts).sort()).toEqual(Object.keys(counts).filter((op) => ['BatchGetItem', 'UpdateItem', 'TransactWriteItems'].includes(op)).sort());
    expect(requests).toBeLessThanOrEqual(4);
    const ruleIds = [...new Set(result.report.items.map((i) => i.rule_id).filter((r) => !r.startsWith('L0-')))];
    const w = await run.fp.window(ruleIds, {});
    const recorded = [...w.values()].flat().filter((e) => e.runId === '3001');
    expect(recorded.length).toBe(result.report.items.filter((i) => !i.rule_id.startsWith('L0-')).length);
  });

  it('a first run with 100 new findings, blocking: 4 requests at the wire (marks, windows, counter, one transaction)', async () => {
    const run = await setup('3201');
    const steps = Array.from({ length: 100 }, (_, i) => `      - uses: acme/tool-${i}@v1`).join('\n');
    const wf = `name: ci\non: [push]\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${steps}\n`;
    await rm(path.join(run.settings.workspace, '.github', 'workflows'), { recursive: true, force: true });
    await mkdir(path.join(run.settings.workspace, '.github', 'workflows'), { recursive: true });
    await writeFile(path.join(run.settings.workspace, '.github', 'workflows', 'ci.yml'), wf);
    await writeFile(path.join(run.settings.workspace, '.github', 'phase-mirror.yml'), 'rules:\n  MD-002: block\n');
    const { result, calls, counts, requests } = await countedRun(run);
    const recordedFindings = result.report.items.filter((i) => !i.rule_id.startsWith('L0-'));
    expect(recordedFindings).toHaveLength(100);
    expect(result.evaluation.decision.outcome).toBe('block');
    expect(calls).toBe(4);
    expect(counts).toEqual({ BatchGetItem: 2, UpdateItem: 1, TransactWriteItems: 1 });
    expect(requests).toBe(4);
    const w = (await run.fp.window(['MD-002'], { count: 1000 })).get('MD-002') ?? [];
    expect(w.filter((e) => e.runId === '3201')).toHaveLength(100);
  });

  it('a later run of the same repository records nothing again: one event per finding, the first run\'s, and no write', async () => {
    const first = await setup('3101');
    const later = await setup('3102', FAST_RETRY, first.settings.run.repository);
    for (const run of [first, later]) await writeFile(path.join(run.settings.workspace, '.github', 'phase-mirror.yml'), 'rules:\n  MD-004: block\n');
    const { result } = await countedRun(first);
    const findings = result.report.items.filter((i) => !i.rule_id.startsWith('L0-')).length;
    expect(findings).toBeGreaterThan(0);
    const { calls, counts, requests } = await countedRun(later);
    expect(calls).toBeLessThanOrEqual(4);
    // Marks and windows read; the block counter maybe; the events all known: no transaction.
    expect(counts.TransactWriteItems).toBeUndefined();
    expect(counts.BatchGetItem).toBe(2);
    expect(requests).toBeLessThanOrEqual(3);
    const ruleIds = [...new Set(result.report.items.map((i) => i.rule_id).filter((r) => !r.startsWith('L0-')))];
    const events = [...(await later.fp.window(ruleIds, {})).values()].flat().filter((e) => e.repository === first.settings.run.repository);
    expect(events).toHaveLength(findings);
    expect(events.every((e) => e.runId === '3101')).toBe(true);
  });

  it('throttled forever: the run still decides, says fp_store_unavailable, and spools every event for replay', async () => {
    const { settings, stores, fp } = await setup('3002', SHORT_RETRY);
    proxy.failForever('throttling');
    let result;
    try {
      result = await runCheck(settings, { stores, log: silentLog });
    } finally {
      proxy.clear();
    }
    expect(['pass', 'warn', 'block']).toContain(result.evaluation.decision.outcome);
    expect(result.evaluation.decision.degraded).toBe(true);
    expect(result.evaluation.decision.degradedReasons).toContain('fp_store_unavailable');
    const spooled = result.unrecorded.find((u) => u.store === 'fp-events');
    expect(spooled?.error).toMatch(/ThrottlingException/);
    const events = spooled!.payload as FPEvent[];
    expect(events.length).toBe(result.report.items.filter((i) => !i.rule_id.startsWith('L0-')).length);
    expect(JSON.parse(readFileSync(result.reportPath, 'utf8')).meta.unrecorded).toHaveLength(result.unrecorded.length);

    // Replaying the spooled payload loses nothing and duplicates nothing.
    await fp.recordEvents(events);
    await fp.recordEvents(events);
    const w = await fp.window([...new Set(events.map((e) => e.ruleId))], {});
    expect([...w.values()].flat().filter((e) => e.runId === '3002').map((e) => e.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
  });
});
