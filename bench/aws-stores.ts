// DynamoDB store micro-benchmark (DESIGN §12 "DynamoDB op latency against the emulator"):
// p50/p99 per store operation, as the check pipeline calls them, against the endpoint in
// PM_BENCH_DYNAMODB_ENDPOINT (DynamoDB Local, started by scripts/bench.mjs). Bundled with ncc by
// scripts/bench.mjs; prints one JSON line. Measures, never asserts (beyond checking that each
// case does what its name says: the results it reads, and the requests it makes, counted at the
// client and shown in the name).
import { randomBytes } from 'node:crypto';
import { createDynamoDBClient } from '../src/aws/clients.js';
import { ensureTables } from '../src/store/aws/create-tables.js';
import { DynamoDBBlockCounter } from '../src/store/aws/dynamodb-block-counter.js';
import { DynamoDBFPStore } from '../src/store/aws/dynamodb-fp-store.js';
import type { FPEvent } from '../src/store/types.js';

const endpoint = process.env.PM_BENCH_DYNAMODB_ENDPOINT;
if (!endpoint) throw new Error('PM_BENCH_DYNAMODB_ENDPOINT is not set');
const ITERATIONS = Number(process.env.PM_BENCH_ITERATIONS || 200);
const WARMUP = Number(process.env.PM_BENCH_WARMUP || 50);
/** Blocking rules with findings in the benchmarked run (the check windows each). */
const RULES = ['MD-004', 'MD-005', 'MD-007'];
/** Pending events already in each rule's partition, and reviewed ones (a full window item: 200). */
const SEEDED_PENDING = 400;
const SEEDED_REVIEWED = 200;
/** Of the run's 100 finding ids, how many carry a mark. */
const MARKED = 20;
const REPO = 'bench/widgets';

const hex = (n: number) => randomBytes(n).toString('hex');
const id = hex(4);
const names = { fp: `bench${id}-fp-events`, blockCounter: `bench${id}-block-counter`, consent: `bench${id}-consent`, calibration: `bench${id}-calibration` };

const client = await createDynamoDBClient({ endpointUrl: endpoint, region: 'us-east-1', env: {}, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
// Requests per operation name, counted where they leave the client.
const sent: Record<string, number> = {};
client.middlewareStack.add(
  (next, context) => async (args) => {
    sent[context.commandName ?? '?'] = (sent[context.commandName ?? '?'] ?? 0) + 1;
    return next(args);
  },
  { step: 'initialize', name: 'benchRequestCounter' }
);
await ensureTables(client, names);
// A slow emulator must not turn into retries inside the measured calls: any failure aborts.
const opts = { retry: { maxAttempts: 1 } };
const store = () => new DynamoDBFPStore(client, names.fp, opts);
const blocks = new DynamoDBBlockCounter(client, names.blockCounter, opts);

let seq = 0;
/** One event per finding, as a check run records them: a stable id per finding, this run's time. */
function runEvents(findingIds: string[], runId: string, extra: Partial<FPEvent> = {}): FPEvent[] {
  const t = Date.now();
  return findingIds.map((findingId, i) => ({
    eventId: `${findingId}-ev`,
    findingId,
    ruleId: RULES[i % RULES.length],
    ruleVersion: '1.0.0',
    repository: REPO,
    runId,
    observedAt: new Date(t - (findingIds.length - i) * 1000).toISOString(),
    outcome: 'pending' as const,
    ...extra
  }));
}
const newIds = (n: number) => Array.from({ length: n }, () => hex(8));

// Seed: per rule, older pending events and a full window of reviewed ones; then the run's 100
// findings, recorded by an earlier run, 20 of them marked.
const seed = store();
for (const rule of RULES) {
  for (let i = 0; i < SEEDED_PENDING; i += 100) await seed.recordEvents(runEvents(newIds(100), `seed${seq++}`, { ruleId: rule }));
  for (let i = 0; i < SEEDED_REVIEWED; i += 100) {
    await seed.recordEvents(runEvents(newIds(100), `seed${seq++}`, { ruleId: rule, outcome: 'false_positive', reviewer: 'bench', reviewedAt: new Date().toISOString() }));
  }
}
const findingIds = newIds(100);
await seed.recordEvents(runEvents(findingIds, 'earlier'));
for (const [i, findingId] of findingIds.slice(0, MARKED).entries()) {
  await seed.mark({ findingId, ruleId: RULES[i % RULES.length], outcome: 'false_positive', reviewer: 'bench-reviewer', ticket: 'SEC-1', markedAt: new Date().toISOString() });
}

interface Result {
  op: string;
  n: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Times `op`; `prepare` (untimed) makes its input. The name gets the requests one call made. */
async function measure<T>(name: string, n: number, prepare: (i: number) => T | Promise<T>, op: (input: T) => Promise<unknown>): Promise<Result> {
  for (let i = 0; i < WARMUP; i++) await op(await prepare(-1 - i));
  const times: number[] = new Array(n);
  let requests = '';
  for (let i = 0; i < n; i++) {
    const input = await prepare(i);
    for (const k of Object.keys(sent)) delete sent[k];
    const t0 = process.hrtime.bigint();
    await op(input);
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    const now = Object.entries(sent).map(([k, v]) => `${v} ${k}`).join(' + ') || 'no request';
    if (i > 0 && now !== requests) throw new Error(`${name}: ${now} this time, ${requests} before`);
    requests = now;
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(n - 1, Math.floor(p * n))];
  return { op: `${name} [${requests}]`, n, p50_ms: q(0.5), p99_ms: q(0.99), max_ms: times[n - 1] };
}

const results: Result[] = [];
const fp = store();
results.push(
  await measure('lookupMarks(100 ids, 20 marked)', ITERATIONS, () => null, async () => {
    const marks = await fp.lookupMarks(findingIds);
    if (marks.size !== MARKED) throw new Error(`lookupMarks found ${marks.size} marks, expected ${MARKED}`);
  })
);
results.push(
  await measure(`window(${RULES.length} rules, reviewed only, count 200: the check's; ${SEEDED_PENDING} pending + ${SEEDED_REVIEWED}+ reviewed events each)`, ITERATIONS, () => null, async () => {
    const w = await fp.window(RULES, { count: 200, reviewedOnly: true });
    if ([...w.values()].some((l) => l.length !== 200)) throw new Error('a window item does not hold 200 reviewed events');
  })
);
results.push(
  await measure(`window(1 rule, count 200, every outcome: calibrate mode's)`, ITERATIONS, () => null, async () => {
    await fp.window([RULES[0]], { count: 200 });
  })
);
const at = new Date();
results.push(
  await measure('increment', ITERATIONS, (i) => `${i < 0 ? `w${-i}` : i}.1`, async (run) => {
    // A new run each time: every call really counts (ADD guarded by the run-id set).
    await blocks.increment(REPO, run, at);
  })
);
// The steady state of a check run: its 100 findings were recorded before and looked up by this
// run (lookupMarks), so recording them again sends nothing.
const steady = store();
await steady.lookupMarks(findingIds);
results.push(
  await measure('recordEvents(100 events recorded before, looked up by this run)', ITERATIONS, (i) => runEvents(findingIds, `steady${i}`), async (events) => {
    await steady.recordEvents(events);
  })
);
// A first run: 100 new findings, one transaction of 100 head claims.
results.push(
  await measure('recordEvents(100 new events)', ITERATIONS, (i) => runEvents(newIds(100), `new${i}`), async (events) => {
    await fp.recordEvents(events);
  })
);
// The same 100 recorded events from a run that did not look them up: it reads their heads first, then sends nothing.
results.push(
  await measure('recordEvents(100 events recorded before, not looked up)', ITERATIONS, (i) => ({ s: store(), events: runEvents(findingIds, `blind${i}`) }), async ({ s, events }) => {
    await s.recordEvents(events);
  })
);
// The whole store part of a steady-state check run, in the pipeline's order.
results.push(
  await measure('check run, steady state (lookupMarks, window, increment, recordEvents)', ITERATIONS, (i) => ({ s: store(), events: runEvents(findingIds, `check${i}`), run: `c${i}.1` }), async ({ s, events, run }) => {
    await s.lookupMarks(findingIds);
    await s.window(RULES, { count: 200, reviewedOnly: true });
    await blocks.increment(REPO, run, at);
    await s.recordEvents(events);
  })
);
// The whole store part of a repository's first check run: 100 findings never seen.
results.push(
  await measure('check run, first sight (lookupMarks, window, increment, recordEvents of 100 new)', ITERATIONS, (i) => {
    const ids = newIds(100);
    return { s: store(), ids, events: runEvents(ids, `first${i}`), run: `f${i}.1` };
  }, async ({ s, ids, events, run }) => {
    await s.lookupMarks(ids);
    await s.window(RULES, { count: 200, reviewedOnly: true });
    await blocks.increment(REPO, run, at);
    await s.recordEvents(events);
  })
);
// Marking a finding seen in one run (not on the check's path): head update, the finding's events, window item.
const toMark = newIds(ITERATIONS + WARMUP);
for (let i = 0; i < toMark.length; i += 100) await seed.recordEvents(runEvents(toMark.slice(i, i + 100), 'to-mark'));
let m = 0;
results.push(
  await measure('mark(a finding with one event)', ITERATIONS, () => toMark[m++], async (findingId) => {
    await fp.mark({ findingId, outcome: 'false_positive', reviewer: 'bench-reviewer', markedAt: new Date().toISOString() });
  })
);

client.destroy();
console.log(JSON.stringify(results));
