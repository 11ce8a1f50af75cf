/**
 * `dist/index.js` run the way the runner runs it, with `store: dynamodb` and `aws-role-arn`,
 * against loopback stand-ins for every AWS service it talks to (issue 5 item 8):
 *
 * - the GitHub OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL with `?api-version=2.0`, signed
 *   RS256 JWTs) and an STS fake that verifies signature, `aud` and `sub` like a trust policy;
 * - DynamoDB Local (the jest global setup's instance), tables made with `ensureTables`;
 * - s3rver for the baseline bucket, the SSM fake holding `redaction_nonce_v1`;
 * - the fault proxy in front of DynamoDB Local for "DynamoDB stopped mid-run".
 *
 * The policy makes MD-004 block and the run is strict, so a blocking run increments the block
 * counter. Build first: `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runAction, type ActionRun } from '../../test-support/action-runner.js';
import { createTestTables, dynamoClient } from '../../test-support/aws-test-env.js';
import { releaseDynamoDBLocal, useDynamoDBLocal } from '../../test-support/dynamodb-local.js';
import { startFaultProxy, type FaultProxy } from '../../test-support/fault-proxy.js';
import { startOidcFake, type OidcFake } from '../../test-support/oidc-fake.js';
import { startS3rver, type RunningS3rver } from '../../test-support/s3rver.js';
import { startSsmFake, type SsmFake } from '../../test-support/ssm-fake.js';
import { startStsFake, type StsFake } from '../../test-support/sts-fake.js';

const ROLE = 'arn:aws:iam::123456789012:role/pm-action-e2e';
// Event ids are per finding and repository (not per run): each test runs as its own repository.
const OWNER = 'acme';
const BUCKET = 'pm-e2e-baselines';
const NONCE_PATH = '/pm-e2e/guardian/';
const NONCE = randomBytes(32).toString('hex');

let ddbEndpoint: string;
let tables: Awaited<ReturnType<typeof createTestTables>>;
let client: DynamoDBClient;
let oidc: OidcFake;
let sts: StsFake;
let ssm: SsmFake;
let s3: RunningS3rver;
let proxy: FaultProxy;
const dirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.resolve('dist/index.js'))) throw new Error('dist/index.js is missing: run npm run build first');
  ddbEndpoint = await useDynamoDBLocal();
  tables = await createTestTables(ddbEndpoint, 'e2e');
  client = await dynamoClient(ddbEndpoint);
  oidc = await startOidcFake();
  // Random credentials (DynamoDB Local takes any): the masking assertions need values that
  // cannot occur on stdout by accident. A check run never touches the baseline bucket.
  sts = await startStsFake({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, roles: { [ROLE]: [`repo:${OWNER}/*:pull_request`, `repo:${OWNER}/*:ref:refs/heads/main`] } });
  ssm = await startSsmFake();
  ssm.put(`${NONCE_PATH}redaction_nonce_v1`, NONCE);
  s3 = await startS3rver([BUCKET]);
  proxy = await startFaultProxy(ddbEndpoint);
}, 90_000);

afterAll(async () => {
  client?.destroy();
  await Promise.allSettled([oidc?.stop(), sts?.stop(), ssm?.stop(), s3?.stop(), proxy?.stop()]);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  await releaseDynamoDBLocal();
});

/** samples/over-privileged with a policy that makes MD-004 block. */
async function workspace(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-aws-e2e-'));
  dirs.push(dir);
  await cp(path.join('samples', 'over-privileged'), dir, {
    recursive: true,
    filter: (src) => !/[/\\](\.phase-mirror|dissonance_report\.json|phase-mirror\.sarif)$/.test(src)
  });
  await writeFile(path.join(dir, '.github', 'phase-mirror.yml'), 'rules:\n  MD-004: block\n');
  return dir;
}

/** The inputs of a job configured for the organisation's tables. */
function awsInputs(): Record<string, string> {
  return {
    store: 'dynamodb',
    strict: 'true',
    cache: 'false',
    'aws-role-arn': ROLE,
    'aws-region': 'eu-west-1',
    // The input reaches DynamoDB; the per-service variables win for STS, S3 and SSM.
    'aws-endpoint-url': ddbEndpoint,
    'fp-table': tables.fp,
    'block-counter-table': tables.blockCounter,
    'consent-table': tables.consent,
    'calibration-table': tables.calibration,
    'baseline-bucket': BUCKET,
    'nonce-parameter-path': NONCE_PATH
  };
}

function serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_SSM: ssm.endpoint, ...extra };
}

/** Runs the action as a pull request of `repo`; the OIDC token's subject follows. */
async function runInRepo(ws: string, repo: string, runId: string, env: Record<string, string>): Promise<ActionRun> {
  oidc.claims = { sub: `repo:${repo}:pull_request`, repository: repo, ref: 'refs/pull/7/merge' };
  const r = await runAction({
    workspace: ws,
    inputs: awsInputs(),
    env: { PM_ACTION_AWS_RETRY_BUDGET_MS: '1500', GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: '1', ...env },
    event: { name: 'pull_request', payload: { pull_request: { number: 7, base: { ref: 'main' } }, repository: { default_branch: 'main' } } }
  });
  dirs.push(r.dir);
  return r;
}

async function scan(table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey }));
    items.push(...(out.Items ?? []));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

interface ReportItem {
  rule_id: string;
}
interface Report {
  machine_decision: { outcome: string; degraded: boolean };
  items: ReportItem[];
  meta: { degraded?: { reasons: string[] }; unrecorded?: { store: string; operation: string; error: string; payload: unknown }[] };
}

async function report(ws: string): Promise<Report> {
  return JSON.parse(await readFile(path.join(ws, 'dissonance_report.json'), 'utf8')) as Report;
}

/** Rule findings (L0 invariants are not recorded as FP events). */
function ruleItems(r: Report): ReportItem[] {
  return r.items.filter((i) => !i.rule_id.startsWith('L0-'));
}

/** A stack frame as V8 prints it, e.g. "    at run (file:///…/index.js:1:2)" or "%0A    at …". */
const STACK_FRAME = /(^|\n|%0A)\s+at .+(:\d+:\d+\)?|<anonymous>)/;

describe('dist/index.js with store: dynamodb and aws-role-arn', () => {
  it('assumes the role with OIDC, decides, records the events and the block count in DynamoDB, and never prints the credentials unmasked', async () => {
    const [REPO, RUN_ID, RUN_KEY] = [`${OWNER}/widgets`, '1001', '1001.1'];
    const ws = await workspace();
    const issuedBefore = sts.issued.length;
    const r = await runInRepo(ws, REPO, RUN_ID, { ...oidc.env(), ...serviceEnv() });

    // The decision: MD-004 blocks on the over-privileged sample.
    expect(r.outputs.decision).toBe('block');
    expect(r.outputs.degraded).toBe('false');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::Phase Mirror decision: BLOCK/);
    const rep = await report(ws);
    expect(rep.machine_decision).toMatchObject({ outcome: 'block', degraded: false });
    expect(rep.meta.unrecorded ?? []).toEqual([]);
    const items = ruleItems(rep);
    expect(items.length).toBeGreaterThan(0);
    expect(items.some((i) => i.rule_id === 'MD-004')).toBe(true);

    // OIDC: one token for sts.amazonaws.com, exchanged once for the configured role and session.
    expect(oidc.requests.at(-1)).toEqual({ audience: 'sts.amazonaws.com', authorized: true });
    expect(sts.calls.at(-1)).toMatchObject({ roleArn: ROLE, sessionName: `pm-action-${RUN_ID}`, sub: `repo:${REPO}:pull_request`, outcome: 'ok' });
    expect(sts.issued.length).toBe(issuedBefore + 1);

    // The redaction key came from SSM (decrypted, path without its trailing slash).
    expect(ssm.calls.some((c) => c.op === 'GetParametersByPath' && c.body.Path === NONCE_PATH.replace(/\/$/, '') && c.body.WithDecryption === true)).toBe(true);

    // The events landed in fp-events: one per rule finding, each its finding's head, indexed
    // by rule under DESIGN's event key (tables.ts).
    const events = (await scan(tables.fp)).filter((it) => it.sk?.S === 'head' && it.ev?.M?.runId?.S === RUN_ID);
    expect(events).toHaveLength(items.length);
    for (const e of events) {
      expect(e.pk?.S).toMatch(/^finding#[0-9a-f]{16}$/);
      expect(e.gsi1pk?.S).toMatch(/^rule#MD-\d{3}$/);
      expect(e.gsi1sk?.S).toMatch(/^event#\d{4}-\d\d-\d\dT[^#]+#[0-9a-f]{16}$/);
      expect(Number(e.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 80 * 86_400);
      expect(e.ev?.M?.repository?.S).toBe(REPO);
    }
    expect(events.map((e) => e.gsi1pk!.S).sort()).toEqual(items.map((i) => `rule#${i.rule_id}`).sort());

    // The block count landed in block-counter: this repository's hour, counted once for this run.
    const buckets = (await scan(tables.blockCounter)).filter((it) => it.bucketKey?.S?.startsWith(`${REPO}#`));
    expect(buckets).toHaveLength(1);
    expect(buckets[0].bucketKey!.S).toMatch(new RegExp(`^${REPO}#\\d{4}-\\d{2}-\\d{2}T\\d{2}$`));
    expect(buckets[0].count?.N).toBe('1');
    expect(buckets[0].runs?.SS).toEqual([RUN_KEY]);
    expect(Number(buckets[0].expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);

    // The STS credentials are masked, and appear on stdout only inside their ::add-mask:: lines.
    const creds = sts.issued[sts.issued.length - 1];
    const lines = r.stdout.split(/\r?\n/);
    const masked = lines.filter((l) => l.startsWith('::add-mask::'));
    const unmasked = lines.filter((l) => !l.startsWith('::add-mask::')).join('\n');
    for (const secret of [creds.AccessKeyId, creds.SecretAccessKey, creds.SessionToken]) {
      expect(masked).toContain(`::add-mask::${secret}`);
      expect(unmasked).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }
    // So are the OIDC token (a JWT) and the redaction key.
    expect(masked.some((l) => l.startsWith('::add-mask::eyJ'))).toBe(true);
    expect(unmasked).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    expect(masked).toContain(`::add-mask::${NONCE}`);
    expect(unmasked).not.toContain(NONCE);
    // Kept in memory: never exported to the environment of later steps.
    const exported = await readFile(path.join(r.dir, 'env'), 'utf8');
    expect(exported).not.toContain(creds.AccessKeyId);
    expect(exported).not.toMatch(/AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)/);
  }, 60_000);

  it('without `permissions: id-token: write` fails with the configuration error saying so, and no stack trace', async () => {
    const ws = await workspace();
    const tokensBefore = oidc.requests.length;
    const stsBefore = sts.calls.length;
    const r = await runInRepo(ws, `${OWNER}/no-id-token`, '1002', serviceEnv()); // no ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN

    expect(r.code).toBe(1);
    const error = r.stdout.split(/\r?\n/).find((l) => l.startsWith('::error::'));
    expect(error).toBeDefined();
    expect(error).toContain('Configuration error:');
    expect(error).toContain('permissions: id-token: write');
    expect(error).toContain('ACTIONS_ID_TOKEN_REQUEST_URL');
    expect(r.stdout).not.toMatch(STACK_FRAME);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.outputs.decision).toBeUndefined();
    expect(oidc.requests.length).toBe(tokensBefore);
    expect(sts.calls.length).toBe(stsBefore);
  }, 60_000);

  // No environment variable shortens the AWS retry budget of the action (DEFAULT_RETRY_POLICY of
  // src/aws/retry.ts: 20 s per call), so each failing call below spends up to that budget.

  /**
   * Runs with DynamoDB behind the fault proxy dropping every connection of `failing` (all
   * operations when undefined); checks what every degraded run must say, and returns it.
   */
  async function degradedRun(repo: string, runId: string, failing?: string[]) {
    const ws = await workspace();
    proxy.clear();
    proxy.resetCounts();
    if (failing) for (const op of failing) proxy.failForever('reset', op);
    else proxy.failForever('reset');
    let r: ActionRun;
    try {
      r = await runInRepo(ws, repo, runId, { ...oidc.env(), ...serviceEnv({ AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint }) });
    } finally {
      proxy.clear();
    }
    // The event write was tried and retried before giving up: the transaction itself, or, when
    // the lookup failed too, the read of the heads that comes before it.
    const writeOp = failing ? 'TransactWriteItems' : 'BatchGetItem';
    expect(proxy.requests.filter((q) => q.op === writeOp).length).toBeGreaterThan(1);
    expect(proxy.requests.filter((q) => q.op === writeOp).every((q) => q.outcome === 'reset')).toBe(true);
    expect(proxy.requests.filter((q) => q.outcome === 'forwarded' && !['BatchGetItem', 'Query'].includes(q.op))).toEqual([]);

    // Still a decision, on every channel, and degraded.
    expect(['pass', 'warn', 'block']).toContain(r.outputs.decision);
    expect(r.outputs.degraded).toBe('true');
    const rep = await report(ws);
    expect(rep.machine_decision).toMatchObject({ outcome: r.outputs.decision, degraded: true });
    expect(rep.meta.degraded?.reasons).toContain('fp_store_unavailable');
    expect(r.stdout).toMatch(/::warning::Phase Mirror ran degraded \([^)]*fp_store_unavailable/);
    expect(r.summary).toMatch(/degraded/i);
    expect(r.stdout).not.toMatch(STACK_FRAME);

    // Every event is in meta.unrecorded, ready to replay; none reached the table.
    const unrecorded = rep.meta.unrecorded ?? [];
    const fp = unrecorded.find((u) => u.store === 'fp-events' && u.operation === 'recordEvents');
    expect(fp).toBeDefined();
    const spooled = fp!.payload as { eventId: string; findingId: string; ruleId: string; repository: string; runId: string }[];
    const items = ruleItems(rep);
    expect(items.length).toBeGreaterThan(0);
    expect(spooled).toHaveLength(items.length);
    expect(spooled.map((e) => e.ruleId).sort()).toEqual(items.map((i) => i.rule_id).sort());
    expect(new Set(spooled.map((e) => e.eventId)).size).toBe(spooled.length);
    for (const e of spooled) expect(e).toMatchObject({ repository: repo, runId });
    // The blocking run's count is spooled too.
    expect(unrecorded.find((u) => u.store === 'block-counter')?.payload).toMatchObject({ repository: repo, runKey: `${runId}.1` });
    for (const u of unrecorded) expect(r.stdout).toContain(`::warning::Could not record ${u.store} ${u.operation}`);

    const ids = new Set(spooled.map((e) => e.eventId));
    const stored = (await scan(tables.fp)).map((it) => it.ev?.M?.eventId?.S).filter((id): id is string => id !== undefined);
    expect(stored.length).toBeGreaterThan(0); // earlier runs' events: the scan sees events where they are
    expect(stored.filter((id) => ids.has(id))).toEqual([]);
    return { r, rep };
  }

  it('DynamoDB stops answering mid-run (after the reads): the decision stands, says degraded, and meta.unrecorded holds every event', async () => {
    const { r } = await degradedRun(`${OWNER}/gadgets`, '1003', ['UpdateItem', 'TransactWriteItems']);
    const reads = proxy.requests.filter((q) => q.op === 'BatchGetItem' || q.op === 'Query');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((q) => q.outcome === 'forwarded')).toBe(true);
    // The reads got through, so the block was decided on trustworthy data and stands.
    expect(r.outputs.decision).toBe('block');
    expect(r.code).toBe(1);
  }, 120_000);

  it('DynamoDB unreachable from the start: reads fail open, the block becomes a warning, the step succeeds degraded', async () => {
    const { r, rep } = await degradedRun(`${OWNER}/gizmos`, '1004');
    expect(proxy.requests.filter((q) => q.op === 'BatchGetItem').every((q) => q.outcome === 'reset')).toBe(true);
    expect(r.outputs.decision).toBe('warn');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Phase Mirror decision: WARN/);
    expect(r.stdout).toMatch(/::warning::The false-positive store could not be read/);
    expect(JSON.stringify(rep.machine_decision)).toMatch(/block downgraded to warn/);
  }, 150_000);
});
