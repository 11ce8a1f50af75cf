/**
 * The AWS stores against real emulators: the shared contract suites (unchanged) against
 * DynamoDB Local, s3rver and the SSM fake, then what only the AWS backends have to get right:
 * concurrency, idempotent retries, BatchGetItem pages and UnprocessedKeys, throttling,
 * the round-trip budget of a check run, and FPR with reviewers read back.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { createS3Client, createSSMClient } from '../../src/aws/clients.js';
import { computeDemotions, ruleStats } from '../../src/oracle/calibration.js';
import { ensureTables } from '../../src/store/aws/create-tables.js';
import { DynamoDBBlockCounter } from '../../src/store/aws/dynamodb-block-counter.js';
import { DynamoDBCalibrationStore } from '../../src/store/aws/dynamodb-calibration-store.js';
import { DynamoDBConsentStore } from '../../src/store/aws/dynamodb-consent-store.js';
import { DynamoDBFPStore } from '../../src/store/aws/dynamodb-fp-store.js';
import { S3BaselineStore } from '../../src/store/aws/s3-baseline-store.js';
import { SsmNonceSource } from '../../src/store/aws/ssm-nonce-source.js';
import { BLOCK_COUNTER, FP_EVENTS, tableDefinitions } from '../../src/store/aws/tables.js';
import { StoreError, type FPEvent } from '../../src/store/types.js';
import { createTestTables, dynamoClient, FAST_RETRY, memoryLog, SHORT_RETRY } from '../../test-support/aws-test-env.js';
import { releaseDynamoDBLocal, useDynamoDBLocal } from '../../test-support/dynamodb-local.js';
import { startFaultProxy, type FaultProxy } from '../../test-support/fault-proxy.js';
import { S3RVER_CREDENTIALS, startS3rver, type RunningS3rver } from '../../test-support/s3rver.js';
import { startSsmFake, type SsmFake } from '../../test-support/ssm-fake.js';
import {
  baselineStoreContract,
  blockCounterContract,
  calibrationStoreContract,
  consentStoreContract,
  fpStoreContract,
  nonceSourceContract
} from './contract.js';

let endpoint: string;
let tables: Awaited<ReturnType<typeof createTestTables>>;
let client: DynamoDBClient;
let proxy: FaultProxy;
let proxied: DynamoDBClient;
let s3rver: RunningS3rver;
let ssm: SsmFake;
const BUCKET = 'pm-baselines';
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  endpoint = await useDynamoDBLocal();
  [tables, s3rver, ssm] = await Promise.all([createTestTables(endpoint), startS3rver([BUCKET]), startSsmFake()]);
  client = await dynamoClient(endpoint);
  proxy = await startFaultProxy(endpoint);
  proxied = await dynamoClient(proxy.endpoint);
  clients.push(client, proxied);
  const hex = () => randomBytes(32).toString('hex');
  ssm.put('/guardian/test/redaction_nonce_v1', hex());
  ssm.put('/guardian/test/redaction_nonce_v2', hex());
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([proxy?.stop(), s3rver?.stop(), ssm?.stop()]);
  await releaseDynamoDBLocal();
});

const opts = { retry: FAST_RETRY };

// ── the shared contracts, unchanged ──────────────────────────────────────────────────────────
fpStoreContract(
  'dynamodb',
  async () => new DynamoDBFPStore(client, tables.fp, opts),
  async () => new DynamoDBFPStore(client, tables.fp, opts)
);
blockCounterContract('dynamodb', async () => new DynamoDBBlockCounter(client, tables.blockCounter, opts));
consentStoreContract('dynamodb', async () => new DynamoDBConsentStore(client, tables.consent, opts));
calibrationStoreContract('dynamodb', async () => new DynamoDBCalibrationStore(client, tables.calibration, opts));
baselineStoreContract('s3', async () => {
  const s3 = await createS3Client({ endpointUrl: s3rver.endpoint, region: 'us-east-1', env: {}, credentials: S3RVER_CREDENTIALS });
  clients.push(s3);
  return new S3BaselineStore(s3, BUCKET, opts);
});
nonceSourceContract('ssm', async () => {
  const c = await createSSMClient({ endpointUrl: ssm.endpoint, region: 'us-east-1', env: {}, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  clients.push(c);
  return new SsmNonceSource(c, '/guardian/test/', opts);
});

// ── helpers ──────────────────────────────────────────────────────────────────────────────────
const uid = (p: string) => `${p}-${randomBytes(5).toString('hex')}`;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

function event(ruleId: string, findingId: string, n: number, extra: Partial<FPEvent> = {}): FPEvent {
  return {
    eventId: `${findingId}-e${n}`,
    findingId,
    ruleId,
    ruleVersion: '1.0.0',
    repository: 'octo/widgets',
    runId: String(5000 + n),
    observedAt: new Date(T0 + n * 1000).toISOString(),
    outcome: 'pending',
    ...extra
  };
}

function expectStoreError(e: unknown, transient: boolean): StoreError {
  expect(e).toBeInstanceOf(StoreError);
  expect((e as StoreError).transient).toBe(transient);
  return e as StoreError;
}

// ── tables ───────────────────────────────────────────────────────────────────────────────────
describe('tables', () => {
  it('have the key schemas, GSI and TTL attributes of DESIGN §7, and creating them again changes nothing', async () => {
    const again = await ensureTables(client, tables);
    expect(again.every((t) => !t.created)).toBe(true);
    const fp = (await client.send(new DescribeTableCommand({ TableName: tables.fp }))).Table!;
    expect(fp.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' }
    ]);
    expect(fp.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'RuleIndex',
      Projection: { ProjectionType: 'ALL' },
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' }
      ]
    });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tables.fp }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: FP_EVENTS.ttlAttribute });
    const bc = await client.send(new DescribeTimeToLiveCommand({ TableName: tables.blockCounter }));
    expect(bc.TimeToLiveDescription?.AttributeName).toBe(BLOCK_COUNTER.ttlAttribute);
    const consent = (await client.send(new DescribeTableCommand({ TableName: tables.consent }))).Table!;
    expect(consent.KeySchema?.map((k) => k.AttributeName)).toEqual(['orgId', 'sk']);
    expect(tableDefinitions(tables).map((d) => d.create.TableName).sort()).toEqual(Object.values(tables).sort());
  });
});

// ── FP store ─────────────────────────────────────────────────────────────────────────────────
describe('DynamoDBFPStore', () => {
  it('reads events back with their reviewer, so FPR = FP / (total − pending) is right (upstream read FPR 0)', async () => {
    const store = new DynamoDBFPStore(client, tables.fp, opts);
    const rule = uid('MD-001');
    const events: FPEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const reviewed = i < 24;
      events.push(
        event(rule, uid('f'), i, reviewed ? { outcome: i < 18 ? 'false_positive' : 'true_positive', reviewer: `rev${i % 3}`, ticket: 'SEC-9', reviewedAt: new Date(T0 + 99_000).toISOString() } : {})
      );
    }
    await store.recordEvents(events);
    const w = (await store.window([rule], { count: 200 })).get(rule)!;
    expect(w).toHaveLength(30);
    for (const e of w.filter((x) => x.outcome !== 'pending')) expect(e.reviewer).toMatch(/^rev\d$/);
    expect(ruleStats(w)).toEqual({ total: 30, falsePositives: 18, pending: 6, reviewed: 24, fpr: 0.75 });
    const reviewedOnly = (await store.window([rule], { count: 200, reviewedOnly: true })).get(rule)!;
    expect(reviewedOnly).toHaveLength(24);
    const meta = { id: rule, version: '1.0.0', fpCeiling: 0.1 } as Parameters<typeof computeDemotions>[0][number];
    const demotions = computeDemotions([meta], { [rule]: 'block' }, {}, new Map([[rule, reviewedOnly]]));
    expect(demotions).toEqual([expect.objectContaining({ ruleId: rule, fpr: 0.75, reviewed: 24 })]);
  });

  it('applies marks made later (by finding id only) to the events, reviewer included, in the FPR', async () => {
    const store = new DynamoDBFPStore(client, tables.fp, opts);
    const rule = uid('MD-007');
    const findings = Array.from({ length: 20 }, () => uid('f'));
    await store.recordEvents(findings.map((f, i) => event(rule, f, i)));
    for (const [i, f] of findings.entries()) {
      if (i < 15) await store.mark({ findingId: f, outcome: i < 5 ? 'false_positive' : 'true_positive', reviewer: 'alice', markedAt: new Date(T0 + 500_000).toISOString() });
    }
    const w = (await new DynamoDBFPStore(client, tables.fp, opts).window([rule], { reviewedOnly: true })).get(rule)!;
    expect(w).toHaveLength(15);
    expect(w.every((e) => e.reviewer === 'alice')).toBe(true);
    expect(ruleStats(w).fpr).toBeCloseTo(5 / 15);
  });

  it('a mark by finding id made before any event reaches the events recorded after it in the same run', async () => {
    const rule = uid('MD-005');
    const f = uid('f');
    await new DynamoDBFPStore(client, tables.fp, opts).mark({ findingId: f, outcome: 'false_positive', reviewer: 'bob', markedAt: new Date(T0).toISOString() });
    const run = new DynamoDBFPStore(client, tables.fp, opts); // a later check run
    expect((await run.lookupMarks([f])).get(f)?.reviewer).toBe('bob');
    await run.recordEvents([event(rule, f, 1)]);
    const [e] = (await run.window([rule], {})).get(rule)!;
    expect(e).toMatchObject({ outcome: 'false_positive', reviewer: 'bob' });
  });

  it('windows are paginated: reviewed events behind more pending ones than a page still come back, marked', async () => {
    const store = new DynamoDBFPStore(client, tables.fp, opts);
    const viaProxy = new DynamoDBFPStore(proxied, tables.fp, opts);
    const rule = uid('MD-006');
    const marked = Array.from({ length: 102 }, () => uid('f'));
    await store.recordEvents(marked.map((f, i) => event(rule, f, i)));
    await Promise.all(marked.map((f) => store.mark({ findingId: f, ruleId: rule, outcome: 'false_positive', reviewer: 'carol', markedAt: new Date(T0 + 9e6).toISOString() })));
    // 250 newer pending events: one finding's head and 249 further events, which take the head's (absent) mark.
    const other = uid('f');
    const fresh = Array.from({ length: 250 }, (_, i) => event(rule, other, 500 + i));
    await store.recordEvents(fresh);
    proxy.resetCounts();
    const newest = (await viaProxy.window([rule], { count: 252 })).get(rule)!;
    expect(newest.slice(0, 250).map((e) => e.eventId)).toEqual(fresh.map((e) => e.eventId).reverse());
    expect(newest.slice(250).map((e) => e.eventId)).toEqual([`${marked[101]}-e101`, `${marked[100]}-e100`]);
    expect(newest[250]).toMatchObject({ outcome: 'false_positive', reviewer: 'carol' });
    proxy.resetCounts();
    const since = (await viaProxy.window([rule], { since: new Date(T0 + 97_000), reviewedOnly: true, count: 5 })).get(rule)!;
    expect(proxy.counts().Query).toBeGreaterThan(1); // 100 per page: three pages of pending events first
    expect(since.map((e) => e.eventId)).toEqual([101, 100, 99, 98, 97].map((n) => `${marked[n]}-e${n}`));
  });

  it('finds marks for 150 findings across BatchGetItem pages, and retries UnprocessedKeys', async () => {
    const store = new DynamoDBFPStore(client, tables.fp, opts);
    const rule = uid('MD-002');
    const ids = Array.from({ length: 150 }, () => uid('f'));
    await Promise.all(ids.map((f, i) => store.mark({ findingId: f, ruleId: rule, outcome: 'false_positive', reviewer: `r${i}`, markedAt: new Date(T0).toISOString() })));
    const viaProxy = new DynamoDBFPStore(proxied, tables.fp, opts);
    proxy.resetCounts();
    const marks = await viaProxy.lookupMarks([...ids, uid('unmarked')]);
    expect(marks.size).toBe(150);
    expect(marks.get(ids[149])?.reviewer).toBe('r149');
    expect(proxy.counts()).toEqual({ BatchGetItem: 2 });

    proxy.resetCounts();
    proxy.fail('unprocessed', 2, 'BatchGetItem');
    const again = await viaProxy.lookupMarks(ids);
    expect(again.size).toBe(150);
    expect(proxy.counts().BatchGetItem).toBeGreaterThan(2);
    proxy.clear();
  });

  /** One check run's events: one per finding (a stable id), observed at this run's time. */
  function runEvents(runId: string, offsetSeconds: number, findings: { id: string; rule: string }[]): FPEvent[] {
    return findings.map((f, i) => event(f.rule, f.id, 0, { eventId: `${f.id}-ev`, runId, observedAt: new Date(T0 + (offsetSeconds + i) * 1000).toISOString() }));
  }

  it('a check run on 100 findings of three blocking rules, recorded by an earlier run, makes exactly 4 DynamoDB requests (marks, windows, counter, the new events)', async () => {
    const rules = [uid('MD-001'), uid('MD-005'), uid('MD-007')];
    const findings = Array.from({ length: 100 }, (_, i) => ({ id: uid('f'), rule: rules[i % 3] }));
    const seed = new DynamoDBFPStore(client, tables.fp, opts);
    await seed.recordEvents(runEvents('70', 0, findings.slice(0, 97))); // an earlier run saw 97 of them
    for (const f of findings.slice(0, 12)) await seed.mark({ findingId: f.id, ruleId: f.rule, outcome: 'false_positive', reviewer: 'alice', markedAt: new Date(T0 + 1e6).toISOString() });

    const fp = new DynamoDBFPStore(proxied, tables.fp, opts);
    const blocks = new DynamoDBBlockCounter(proxied, tables.blockCounter, opts);
    proxy.resetCounts();
    const marks = await fp.lookupMarks(findings.map((f) => f.id));
    const windows = await fp.window(rules, { count: 200, reviewedOnly: true });
    await blocks.increment(uid('octo/repo'), '77.1', new Date());
    await fp.recordEvents(runEvents('77', 1000, findings)); // the same event ids, this run's time
    expect(marks.size).toBe(12);
    expect(rules.map((r) => windows.get(r)?.length)).toEqual([4, 4, 4]);
    expect(windows.get(rules[0])?.[0]).toMatchObject({ outcome: 'false_positive', reviewer: 'alice' });
    // Only the 3 findings the earlier run had not seen are written: one small transaction.
    expect(proxy.counts()).toEqual({ BatchGetItem: 2, UpdateItem: 1, TransactWriteItems: 1 });
    expect(proxy.requests).toHaveLength(4);
    const all = [...(await fp.window(rules, { count: 200 })).values()].flat();
    expect(all).toHaveLength(100);
    expect(all.filter((e) => e.runId === '70')).toHaveLength(97);
    expect(all.filter((e) => e.runId === '77').map((e) => e.findingId).sort()).toEqual(findings.slice(97).map((f) => f.id).sort());

    // The run after that: every finding recorded, so no write at all.
    const next = new DynamoDBFPStore(proxied, tables.fp, opts);
    proxy.resetCounts();
    await next.lookupMarks(findings.map((f) => f.id));
    await next.window(rules, { count: 200, reviewedOnly: true });
    await next.recordEvents(runEvents('78', 2000, findings));
    expect(proxy.counts()).toEqual({ BatchGetItem: 2 });
  });

  it('the first check run of 100 new findings makes 4 DynamoDB requests: its events are one transaction of 100 head claims', async () => {
    const rules = [uid('MD-001'), uid('MD-005'), uid('MD-007')];
    const findings = Array.from({ length: 100 }, (_, i) => ({ id: uid('f'), rule: rules[i % 3] }));
    const fp = new DynamoDBFPStore(proxied, tables.fp, opts);
    const blocks = new DynamoDBBlockCounter(proxied, tables.blockCounter, opts);
    proxy.resetCounts();
    expect((await fp.lookupMarks(findings.map((f) => f.id))).size).toBe(0);
    expect([...(await fp.window(rules, { count: 200, reviewedOnly: true })).values()].flat()).toEqual([]);
    await blocks.increment(uid('octo/repo'), '1.1', new Date());
    await fp.recordEvents(runEvents('1', 0, findings));
    expect(proxy.counts()).toEqual({ BatchGetItem: 2, UpdateItem: 1, TransactWriteItems: 1 });
    expect(proxy.requests).toHaveLength(4);
    expect([...(await fp.window(rules, { count: 200 })).values()].flat()).toHaveLength(100);
    // 150 findings: still one read per 100 heads and one transaction per 100 new findings.
    const more = Array.from({ length: 150 }, (_, i) => ({ id: uid('f'), rule: rules[i % 3] }));
    const run2 = new DynamoDBFPStore(proxied, tables.fp, opts);
    proxy.resetCounts();
    await run2.lookupMarks(more.map((f) => f.id));
    await run2.recordEvents(runEvents('2', 0, more));
    expect(proxy.counts()).toEqual({ BatchGetItem: 2, TransactWriteItems: 2 });
  });

  it('a reviewed-only window over several rules is one BatchGetItem of their window items; count and since windows are one Query per rule', async () => {
    const store = new DynamoDBFPStore(client, tables.fp, opts);
    const rules = [uid('MD-001'), uid('MD-005'), uid('MD-007')];
    // Many pending events and few reviewed ones: a Query would page through all of them.
    for (const r of rules) await store.recordEvents(Array.from({ length: 150 }, (_, i) => event(r, uid('f'), i)));
    const reviewed = uid('f');
    await store.recordEvents([event(rules[0], reviewed, 1)]);
    await store.mark({ findingId: reviewed, outcome: 'false_positive', reviewer: 'alice', markedAt: new Date(T0).toISOString() });
    const fp = new DynamoDBFPStore(proxied, tables.fp, opts);
    proxy.resetCounts();
    const w = await fp.window(rules, { reviewedOnly: true });
    expect([...w.keys()]).toEqual(rules);
    expect(w.get(rules[0])).toEqual([{ ...event(rules[0], reviewed, 1), outcome: 'false_positive', reviewer: 'alice', reviewedAt: new Date(T0).toISOString() }]);
    expect(w.get(rules[1])).toEqual([]);
    expect(proxy.counts()).toEqual({ BatchGetItem: 1 });
    for (const options of [{ count: 50 }, { reviewedOnly: true, since: new Date(T0) }, { reviewedOnly: true, count: 201 }]) {
      proxy.resetCounts();
      const q = await fp.window(rules, options);
      expect(proxy.counts()).toEqual({ Query: 3 });
      expect(q.get(rules[0])?.length).toBe('count' in options && options.count === 50 ? 50 : 1);
    }
  });

  it('a cancelled transaction teaches the store what another run wrote: duplicates are dropped, the rest written', async () => {
    const rule = uid('MD-003');
    const [f, g, h, k] = [uid('f'), uid('f'), uid('f'), uid('f')];
    await new DynamoDBFPStore(client, tables.fp, opts).recordEvents([event(rule, f, 1), event(rule, f, 2)]);
    const later = (e: FPEvent): FPEvent => ({ ...e, runId: '9', observedAt: new Date(T0 + 500_000).toISOString() });
    // A fresh store reads f's head (f-e1) and g's first; f-e2 is a further event it cannot know of:
    // its Put fails, the transaction is cancelled, and the next one writes only f-e3 and g-e4.
    proxy.resetCounts();
    await new DynamoDBFPStore(proxied, tables.fp, opts).recordEvents([later(event(rule, f, 1)), later(event(rule, f, 2)), event(rule, f, 3), event(rule, g, 4)]);
    expect(proxy.counts()).toEqual({ BatchGetItem: 1, TransactWriteItems: 2 });
    // A stale view: h was unknown when this run looked it up, then another run claimed its head.
    const stale = new DynamoDBFPStore(proxied, tables.fp, opts);
    await stale.lookupMarks([h, k]);
    await new DynamoDBFPStore(client, tables.fp, opts).recordEvents([event(rule, h, 5)]);
    proxy.resetCounts();
    await stale.recordEvents([later(event(rule, h, 5)), event(rule, k, 6)]);
    expect(proxy.counts()).toEqual({ TransactWriteItems: 2 });
    // Without the items' old images in the cancellation (ALL_OLD), the store reads the head.
    const withoutOldImage = {
      send: async (command: Parameters<DynamoDBClient['send']>[0]) => {
        try {
          return await proxied.send(command);
        } catch (e) {
          for (const r of (e as { CancellationReasons?: { Item?: unknown }[] }).CancellationReasons ?? []) delete r.Item;
          throw e;
        }
      }
    } as unknown as DynamoDBClient;
    const blind = new DynamoDBFPStore(withoutOldImage, tables.fp, opts);
    await blind.lookupMarks([k]);
    const m = uid('f');
    await blind.lookupMarks([m]);
    await new DynamoDBFPStore(client, tables.fp, opts).recordEvents([event(rule, m, 7)]);
    proxy.resetCounts();
    await blind.recordEvents([later(event(rule, m, 7)), later(event(rule, k, 6))]);
    expect(proxy.counts()).toEqual({ TransactWriteItems: 1, GetItem: 1 });
    const w = (await new DynamoDBFPStore(client, tables.fp, opts).window([rule], {})).get(rule)!;
    const owner = (n: number) => [f, f, f, g, h, k, m][n - 1];
    expect(w.map((e) => [e.eventId, e.observedAt])).toEqual([7, 6, 5, 4, 3, 2, 1].map((n) => [`${owner(n)}-e${n}`, new Date(T0 + n * 1000).toISOString()]));
  });

  it('further events are pinned to the head\'s event: when another run replaced it (its event expired), the check fails and the store writes against the new one', async () => {
    const rule = uid('MD-003');
    const f = uid('f');
    const run = new DynamoDBFPStore(proxied, tables.fp, opts);
    await run.recordEvents([event(rule, f, 1)]); // f-e1 is the head's event, as this run knows
    const in91Days = () => new Date(Date.now() + 91 * 86_400_000);
    await new DynamoDBFPStore(client, tables.fp, { ...opts, now: in91Days }).recordEvents([event(rule, f, 9)]); // f-e1 expired there: f-e9 claims the head
    proxy.resetCounts();
    await run.recordEvents([event(rule, f, 2)]);
    expect(proxy.counts()).toEqual({ TransactWriteItems: 2 });
    const items = (await new DynamoDBFPStore(client, tables.fp, opts).findingEvents([f])).get(f) ?? [];
    expect(items.map((e) => e.eventId).sort()).toEqual([`${f}-e2`, `${f}-e9`]);
    const head = (await client.send(new GetItemCommand({ TableName: tables.fp, Key: { pk: { S: `finding#${f}` }, sk: { S: 'head' } } }))).Item!;
    expect(head.ev?.M?.eventId?.S).toBe(`${f}-e9`);
  });

  it('a mark made between a run\'s lookup and its write is not given a TTL: the claim fails, and is made again without one', async () => {
    const rule = uid('MD-003');
    const f = uid('f');
    const run = new DynamoDBFPStore(proxied, tables.fp, opts);
    expect((await run.lookupMarks([f])).size).toBe(0);
    await new DynamoDBFPStore(client, tables.fp, opts).mark({ findingId: f, outcome: 'false_positive', reviewer: 'alice', markedAt: new Date(T0).toISOString() });
    proxy.resetCounts();
    await run.recordEvents([event(rule, f, 1)]);
    expect(proxy.counts().TransactWriteItems).toBe(2);
    const head = (await client.send(new GetItemCommand({ TableName: tables.fp, Key: { pk: { S: `finding#${f}` }, sk: { S: 'head' } } }))).Item!;
    expect(head.expiresAt).toBeUndefined();
    expect(head.ev?.M?.eventId?.S).toBe(`${f}-e1`);
    expect((await run.window([rule], { reviewedOnly: true })).get(rule)?.map((e) => [e.eventId, e.reviewer])).toEqual([[`${f}-e1`, 'alice']]);
  });

  it('runs recording the same findings at the same time write each event once', async () => {
    const rule = uid('MD-004');
    const findings = Array.from({ length: 60 }, () => ({ id: uid('f'), rule }));
    const runs = [1, 2, 3].map(() => new DynamoDBFPStore(client, tables.fp, opts));
    await Promise.all(runs.map((s, k) => s.recordEvents(runEvents(String(k), k * 100, findings))));
    const w = (await runs[0].window([rule], {})).get(rule)!;
    expect(w.map((e) => e.findingId).sort()).toEqual(findings.map((f) => f.id).sort());
  });

  it('a mark updates the finding head without erasing its event, removes its TTL, and is found by lookupMarks', async () => {
    const rule = uid('MD-002');
    const f = uid('f');
    const store = new DynamoDBFPStore(client, tables.fp, opts);
    await store.recordEvents([event(rule, f, 1)]);
    const key = { pk: { S: `finding#${f}` }, sk: { S: 'head' } };
    expect(Number((await client.send(new GetItemCommand({ TableName: tables.fp, Key: key }))).Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 89 * 86_400);
    expect((await new DynamoDBFPStore(client, tables.fp, opts).lookupMarks([f])).size).toBe(0); // a head, not a mark
    await store.mark({ findingId: f, outcome: 'true_positive', reviewer: 'bob', ticket: 'SEC-4', markedAt: new Date(T0).toISOString() });
    await store.mark({ findingId: f, outcome: 'false_positive', reviewer: 'carol', markedAt: new Date(T0 + 1000).toISOString() });
    const head = (await client.send(new GetItemCommand({ TableName: tables.fp, Key: key }))).Item!;
    expect(head.ev?.M?.eventId?.S).toBe(`${f}-e1`);
    expect(head.gsi1pk?.S).toBe(`rule#${rule}`);
    expect(head.gsi1sk?.S).toBe(`event#${new Date(T0 + 1000).toISOString()}#${f}-e1`);
    expect(head.ticket).toBeUndefined();
    expect(head.expiresAt).toBeUndefined();
    expect((await new DynamoDBFPStore(client, tables.fp, opts).lookupMarks([f])).get(f)).toEqual({ findingId: f, outcome: 'false_positive', reviewer: 'carol', markedAt: new Date(T0 + 1000).toISOString() });
  });

  it('past the event TTL: window entries are dropped on read, and the finding, seen again, is recorded anew', async () => {
    const rule = uid('MD-006');
    const f = uid('f');
    const store = new DynamoDBFPStore(client, tables.fp, opts);
    await store.recordEvents([event(rule, f, 1, { eventId: `${f}-ev` })]);
    await store.mark({ findingId: f, ruleId: rule, outcome: 'false_positive', reviewer: 'alice', markedAt: new Date(T0).toISOString() });
    expect((await store.window([rule], { reviewedOnly: true })).get(rule)).toHaveLength(1);
    const in91Days = () => new Date(Date.now() + 91 * 86_400_000);
    const later = new DynamoDBFPStore(client, tables.fp, { ...opts, now: in91Days });
    expect((await later.window([rule], { reviewedOnly: true })).get(rule)).toEqual([]);
    expect((await later.window([rule], {})).get(rule)).toEqual([]); // the item TTL has not deleted yet is gone too
    expect((await later.lookupMarks([f])).get(f)?.reviewer).toBe('alice'); // marks do not expire
    await later.recordEvents([event(rule, f, 2, { eventId: `${f}-ev`, runId: 'later' })]);
    expect((await later.window([rule], {})).get(rule)?.map((e) => [e.runId, e.outcome])).toEqual([['later', 'false_positive']]);
    expect((await later.window([rule], { reviewedOnly: true })).get(rule)?.map((e) => e.runId)).toEqual(['later']);
  });

  it('marks made at once, from two processes, on one rule lose no window entry', async () => {
    const rule = uid('MD-008');
    const findings = Array.from({ length: 40 }, () => uid('f'));
    await new DynamoDBFPStore(client, tables.fp, opts).recordEvents(findings.map((f, i) => event(rule, f, i)));
    const [a, b] = [new DynamoDBFPStore(client, tables.fp, opts), new DynamoDBFPStore(client, tables.fp, opts)];
    await Promise.all(findings.map((f, i) => (i % 2 ? a : b).mark({ findingId: f, outcome: 'false_positive', reviewer: `r${i}`, markedAt: new Date(T0).toISOString() })));
    const w = (await new DynamoDBFPStore(client, tables.fp, opts).window([rule], { reviewedOnly: true })).get(rule)!;
    expect(w.map((e) => e.reviewer).sort()).toEqual(findings.map((_, i) => `r${i}`).sort());
  });

  it('an unreadable window item reads as empty, with a warning, and the next mark rewrites it', async () => {
    const rule = uid('MD-009');
    const f = uid('f');
    await client.send(new PutItemCommand({ TableName: tables.fp, Item: { pk: { S: `rule#${rule}` }, sk: { S: '_window' }, entries: { S: '{not json' }, version: { N: '3' } } }));
    const log = memoryLog();
    const store = new DynamoDBFPStore(client, tables.fp, { ...opts, log });
    expect((await store.window([rule], { reviewedOnly: true })).get(rule)).toEqual([]);
    expect(log.lines.join('\n')).toMatch(/reviewed window of rule .* is unreadable/);
    await store.recordEvents([event(rule, f, 1)]);
    await store.mark({ findingId: f, outcome: 'false_positive', reviewer: 'alice', markedAt: new Date(T0).toISOString() });
    expect((await store.window([rule], { reviewedOnly: true })).get(rule)?.map((e) => e.eventId)).toEqual([`${f}-e1`]);
  });

  it('rides out throttling and 5xx, then succeeds, writing each event once', async () => {
    const fp = new DynamoDBFPStore(proxied, tables.fp, opts);
    const rule = uid('MD-004');
    const events = Array.from({ length: 5 }, (_, i) => event(rule, uid('f'), i));
    proxy.resetCounts();
    proxy.fail('throttling', 1, 'TransactWriteItems');
    proxy.fail('provisioned', 1, 'TransactWriteItems');
    proxy.fail('server', 1, 'TransactWriteItems');
    await fp.recordEvents(events);
    expect(proxy.counts().TransactWriteItems).toBe(4);
    proxy.fail('throttling', 2, 'Query');
    const w = (await fp.window([rule], {})).get(rule)!;
    expect(w.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    proxy.clear();
  });

  it('a write whose answer was lost is retried without duplicating anything', async () => {
    const fp = new DynamoDBFPStore(proxied, tables.fp, opts);
    const rule = uid('MD-004');
    const events = Array.from({ length: 3 }, (_, i) => event(rule, uid('f'), i));
    proxy.fail('lost', 1, 'TransactWriteItems');
    await fp.recordEvents(events);
    expect((await fp.window([rule], {})).get(rule)).toHaveLength(3);
    proxy.clear();
  });

  it('a lost answer on a marked finding\'s first event: the retry finds its own write, and the reviewed window still gets the event', async () => {
    const fp = new DynamoDBFPStore(proxied, tables.fp, opts);
    const rule = uid('MD-004');
    const f = uid('f');
    await fp.mark({ findingId: f, outcome: 'false_positive', reviewer: 'alice', markedAt: new Date(T0).toISOString() });
    proxy.resetCounts();
    proxy.fail('lost', 1, 'TransactWriteItems');
    await fp.recordEvents([event(rule, f, 1)]);
    proxy.clear();
    expect(proxy.counts().TransactWriteItems).toBe(2); // the write, then its retry failing on itself
    const w = (await new DynamoDBFPStore(client, tables.fp, opts).window([rule], { reviewedOnly: true })).get(rule)!;
    expect(w.map((e) => [e.eventId, e.reviewer])).toEqual([[`${f}-e1`, 'alice']]);
  });

  it('throttled beyond the budget: a transient StoreError, nothing half-written, and a replay records everything once', async () => {
    const fp = new DynamoDBFPStore(proxied, tables.fp, { retry: SHORT_RETRY });
    const rule = uid('MD-001');
    const events = Array.from({ length: 40 }, (_, i) => event(rule, uid('f'), i));
    await fp.lookupMarks(events.map((e) => e.findingId)); // as a check run does first
    proxy.failForever('throttling');
    let error: unknown;
    try {
      await fp.recordEvents(events);
    } catch (e) {
      error = e;
    }
    expect(expectStoreError(error, true).message).toMatch(/TransactWriteItems on table .* ThrottlingException/);
    await expect(fp.lookupMarks(['x'])).rejects.toMatchObject({ name: 'StoreError', transient: true });
    await expect(fp.window([rule], {})).rejects.toMatchObject({ name: 'StoreError', transient: true });
    proxy.clear();
    expect((await fp.window([rule], {})).get(rule)).toEqual([]);
    await fp.recordEvents(events);
    await fp.recordEvents(events);
    expect((await fp.window([rule], {})).get(rule)).toHaveLength(40);
  });

  it('access denied is not retried and says which permission is missing', async () => {
    const fp = new DynamoDBFPStore(proxied, tables.fp, opts);
    proxy.resetCounts();
    proxy.fail('denied', 1);
    const e = await fp.lookupMarks(['abc']).catch((x: unknown) => x);
    expect(expectStoreError(e, false).message).toContain('dynamodb:BatchGetItem');
    expect(proxy.requests).toHaveLength(1);
    proxy.clear();
  });

  it('a missing table is a clear, permanent error', async () => {
    const fp = new DynamoDBFPStore(client, 'no-such-table', opts);
    const e = await fp.window(['MD-001'], {}).catch((x: unknown) => x);
    expect(expectStoreError(e, false).message).toMatch(/no-such-table.*npm run tables/);
  });

  it('rejects invalid events before any call', async () => {
    const fp = new DynamoDBFPStore(proxied, tables.fp, opts);
    proxy.resetCounts();
    await expect(fp.recordEvents([{ ...event('r', 'f', 1), observedAt: 'yesterday' }])).rejects.toMatchObject({ transient: false });
    expect(proxy.requests).toHaveLength(0);
  });
});

// ── block counter ────────────────────────────────────────────────────────────────────────────
describe('DynamoDBBlockCounter', () => {
  it('20 concurrent runs incrementing one counter count exactly 20', async () => {
    const repo = uid('octo/repo');
    const at = new Date();
    const counters = Array.from({ length: 4 }, () => new DynamoDBBlockCounter(client, tables.blockCounter, opts));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => counters[i % 4].increment(repo, `${9000 + i}.1`, at)));
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await counters[0].read(repo, at)).toBe(20);
  });

  it('the same run retried (concurrently, again, or after a lost answer) is counted once', async () => {
    const repo = uid('octo/repo');
    const at = new Date();
    const c = new DynamoDBBlockCounter(proxied, tables.blockCounter, opts);
    const first = await Promise.all([c.increment(repo, '42.1', at), c.increment(repo, '42.1', at), c.increment(repo, '42.1', at)]);
    expect(first).toEqual([1, 1, 1]);
    proxy.resetCounts();
    expect(await c.increment(repo, '42.1', at)).toBe(1);
    expect(proxy.counts()).toEqual({ UpdateItem: 1 }); // the count comes back with the failed condition
    proxy.fail('lost', 1, 'UpdateItem');
    expect(await c.increment(repo, '43.1', at)).toBe(2);
    expect(await c.increment(repo, '42.1', at)).toBe(2);
    expect(await c.read(repo, at)).toBe(2);
    proxy.clear();
  });

  it('sets the TTL attribute to hours ahead', async () => {
    const repo = uid('octo/repo');
    const now = new Date();
    await new DynamoDBBlockCounter(client, tables.blockCounter, opts).increment(repo, '1.1', now);
    const item = (await client.send(new GetItemCommand({ TableName: tables.blockCounter, Key: { bucketKey: { S: `${repo}#${now.toISOString().slice(0, 13)}` } } }))).Item!;
    const expires = Number(item.expiresAt.N);
    expect(expires * 1000).toBeGreaterThan(now.getTime() + 2 * 3600_000);
    expect(item.runs.SS).toEqual(['1.1']);
    expect(item.count.N).toBe('1');
  });

  it('throttled forever: a transient StoreError after the budget', async () => {
    const c = new DynamoDBBlockCounter(proxied, tables.blockCounter, { retry: SHORT_RETRY });
    proxy.failForever('throttling', 'UpdateItem');
    const e = await c.increment(uid('octo/repo'), '1.1', new Date()).catch((x: unknown) => x);
    expectStoreError(e, true);
    proxy.clear();
  });
});

// ── S3 baseline ──────────────────────────────────────────────────────────────────────────────
describe('S3BaselineStore', () => {
  it('stores at <owner>/<repo>/integrity-baseline.json; malformed JSON is an error and the object stays as it was', async () => {
    const s3 = await createS3Client({ endpointUrl: s3rver.endpoint, region: 'us-east-1', env: {}, credentials: S3RVER_CREDENTIALS });
    clients.push(s3);
    const store = new S3BaselineStore(s3, BUCKET, opts);
    const owner = uid('octo');
    expect(store.objectKey(owner, 'widgets')).toBe(`${owner}/widgets/integrity-baseline.json`);
    await store.save(owner, 'widgets', { v: 1 });
    const { GetObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const raw = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${owner}/widgets/integrity-baseline.json` }))).Body!.transformToString();
    expect(JSON.parse(raw)).toEqual({ v: 1 });

    const broken = '{"v": 1, "files": {';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${owner}/broken/integrity-baseline.json`, Body: broken }));
    const e = await store.load(owner, 'broken').catch((x: unknown) => x);
    expect(expectStoreError(e, false).message).toMatch(/not valid JSON.*left untouched/);
    const after = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${owner}/broken/integrity-baseline.json` }))).Body!.transformToString();
    expect(after).toBe(broken);
  });

  it('honours the baseline-key input', async () => {
    const s3 = await createS3Client({ endpointUrl: s3rver.endpoint, region: 'us-east-1', env: {}, credentials: S3RVER_CREDENTIALS });
    clients.push(s3);
    const store = new S3BaselineStore(s3, BUCKET, { ...opts, key: 'baselines/<owner>--<repo>.json' });
    await store.save('o', 'r', { x: 1 });
    expect(store.objectKey('o', 'r')).toBe('baselines/o--r.json');
    expect(await store.load('o', 'r')).toEqual({ x: 1 });
  });

  it('a missing bucket is an error, not "no baseline"', async () => {
    const s3 = await createS3Client({ endpointUrl: s3rver.endpoint, region: 'us-east-1', env: {}, credentials: S3RVER_CREDENTIALS });
    clients.push(s3);
    const e = await new S3BaselineStore(s3, 'no-such-bucket', opts).load('o', 'r').catch((x: unknown) => x);
    expectStoreError(e, false);
  });
});

// ── SSM nonce ────────────────────────────────────────────────────────────────────────────────
describe('SsmNonceSource', () => {
  async function source(path: string, extra: Partial<ConstructorParameters<typeof SsmNonceSource>[2]> = {}) {
    const c = await createSSMClient({ endpointUrl: ssm.endpoint, region: 'us-east-1', env: {}, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(c);
    return new SsmNonceSource(c, path, { ...opts, ...extra });
  }
  const hex = () => randomBytes(32).toString('hex');

  it('pages through GetParametersByPath (decrypted), rejects bad hex, newest version first, masks every key', async () => {
    const path = `/${uid('env')}/`;
    const values: Record<number, string> = {};
    for (const v of [1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14]) ssm.put(`${path}redaction_nonce_v${v}`, (values[v] = hex()));
    ssm.put(`${path}redaction_nonce_v4`, 'not-hex-at-all');
    ssm.put(`${path}redaction_nonce_v6`, hex().slice(0, 60));
    ssm.put(`${path}other_parameter`, hex());
    ssm.put(`${path}nested/redaction_nonce_v99`, hex());
    const log = memoryLog();
    const masked: string[] = [];
    const s = await source(path, { log, setSecret: (x) => masked.push(x) });
    const before = ssm.calls.length;
    const { keys } = await s.load();
    expect(keys.map((k) => k.version)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 5, 3, 2, 1]);
    expect(keys[0].value).toBe(values[14]);
    const calls = ssm.calls.slice(before);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.every((c) => c.op === 'GetParametersByPath' && c.body.WithDecryption === true && c.body.Path === path.slice(0, -1))).toBe(true);
    expect(log.lines.join('\n')).toMatch(/redaction_nonce_v4 \(not 64 hex/);
    expect(log.lines.join('\n')).not.toContain('not-hex-at-all');
    expect(masked.sort()).toEqual(Object.values(values).sort());
  });

  it('caches for an hour, then reads again', async () => {
    const path = `/${uid('env')}/`;
    ssm.put(`${path}redaction_nonce_v1`, hex());
    let now = new Date('2026-11-28T10:00:00Z');
    const s = await source(path, { now: () => now });
    const first = await s.load();
    const calls = ssm.calls.length;
    now = new Date('2026-11-28T10:59:00Z');
    expect((await s.load()).loadedAt).toEqual(first.loadedAt);
    expect(ssm.calls.length).toBe(calls);
    ssm.put(`${path}redaction_nonce_v2`, hex());
    now = new Date('2026-11-28T11:00:01Z');
    const second = await s.load();
    expect(second.keys.map((k) => k.version)).toEqual([2, 1]);
    expect(second.loadedAt).toEqual(now);
  });

  it('no valid key is a permanent error; unreachable is a transient one', async () => {
    const path = `/${uid('env')}/`;
    ssm.put(`${path}redaction_nonce_v1`, 'zz'.repeat(32));
    const e = await (await source(path)).load().catch((x: unknown) => x);
    expect(expectStoreError(e, false).message).toMatch(/No valid redaction key under the SSM path/);
    ssm.fail('throttling', 100);
    const t = await (await source(path, { retry: SHORT_RETRY })).load().catch((x: unknown) => x);
    expectStoreError(t, true);
    ssm.clear();
    ssm.fail('server', 2);
    ssm.put(`${path}redaction_nonce_v2`, hex());
    expect((await (await source(path)).load()).keys.map((k) => k.version)).toEqual([2]);
    ssm.clear();
  });
});
