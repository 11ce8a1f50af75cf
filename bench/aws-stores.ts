// DynamoDB store micro-benchmark (DESIGN §12 "DynamoDB op latency against the emulator"):
// p50/p99 per store operation, as the check pipeline calls them, against the endpoint in
// PM_BENCH_DYNAMODB_ENDPOINT (DynamoDB Local, started by scripts/bench.mjs). Bundled with ncc by
// scripts/bench.mjs; prints one JSON line. Measures, never asserts.
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
/** Events already in the benchmarked rule's partition (the window reads the newest 200). */
const SEEDED_EVENTS = 400;
/** Of the 100 finding ids looked up, how many carry a mark. */
const MARKED = 20;
const RULE = 'MD-004';
const REPO = 'bench/widgets';

const hex = (n: number) => randomBytes(n).toString('hex');
const id = hex(4);
const names = { fp: `bench${id}-fp-events`, blockCounter: `bench${id}-block-counter`, consent: `bench${id}-consent`, calibration: `bench${id}-calibration` };

const client = await createDynamoDBClient({ endpointUrl: endpoint, region: 'us-east-1', env: {}, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
await ensureTables(client, names);
// A slow emulator must not turn into retries inside the measured calls: any failure aborts.
const opts = { retry: { maxAttempts: 1 } };
const fp = new DynamoDBFPStore(client, names.fp, opts);
const blocks = new DynamoDBBlockCounter(client, names.blockCounter, opts);

let seq = 0;
function events(n: number, findingIds?: string[]): FPEvent[] {
  const t = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    eventId: hex(8),
    findingId: findingIds?.[i] ?? hex(8),
    ruleId: RULE,
    ruleVersion: '1.0.0',
    repository: REPO,
    runId: String(1_000_000 + seq++),
    observedAt: new Date(t - (n - i) * 1000).toISOString(),
    outcome: 'pending' as const
  }));
}

// Seed: 100 findings of this "run" (20 of them marked) plus older events of the rule.
const findingIds = Array.from({ length: 100 }, () => hex(8));
for (let i = 0; i < SEEDED_EVENTS; i += 100) await fp.recordEvents(events(100, i === 0 ? findingIds : undefined));
for (const findingId of findingIds.slice(0, MARKED)) {
  await fp.mark({ findingId, ruleId: RULE, outcome: 'false_positive', reviewer: 'bench-reviewer', ticket: 'SEC-1', markedAt: new Date().toISOString() });
}

async function measure(name: string, n: number, op: (i: number) => Promise<unknown>): Promise<{ op: string; n: number; p50_ms: number; p99_ms: number; max_ms: number }> {
  for (let i = 0; i < WARMUP; i++) await op(-1 - i);
  const times: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await op(i);
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(n - 1, Math.floor(p * n))];
  return { op: name, n, p50_ms: q(0.5), p99_ms: q(0.99), max_ms: times[n - 1] };
}

const results = [];
results.push(
  await measure('lookupMarks(100 ids)', ITERATIONS, async () => {
    const marks = await fp.lookupMarks(findingIds);
    if (marks.size !== MARKED) throw new Error(`lookupMarks found ${marks.size} marks, expected ${MARKED}`);
  })
);
results.push(
  await measure(`window(1 rule: ${SEEDED_EVENTS} events, ${MARKED} reviewed; count 200, reviewed only)`, ITERATIONS, async () => {
    await fp.window([RULE], { count: 200, reviewedOnly: true });
  })
);
const at = new Date();
results.push(
  await measure('increment', ITERATIONS, async (i) => {
    // A new run each time: every call really counts (ADD guarded by the run-id set).
    await blocks.increment(REPO, `${i < 0 ? `w${-i}` : i}.1`, at);
  })
);
// Fresh events each time (a transaction of 100 conditional puts); prepared outside the timing.
const batches = Array.from({ length: ITERATIONS + WARMUP }, () => events(100));
let b = 0;
results.push(
  await measure('recordEvents(100)', ITERATIONS, async () => {
    await fp.recordEvents(batches[b++]);
  })
);

client.destroy();
console.log(JSON.stringify(results));
