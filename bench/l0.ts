// L0 micro-benchmark: p99 per call over batches, timer outside the measured loop, and heap
// bytes allocated per call (run with --expose-gc and a large young generation so no GC hides it).
import { checkL0, prepareL0 } from '../src/oracle/l0.js';

const state = prepareL0({
  mode: 'check',
  schemaHash: 'a'.repeat(64),
  expectedSchemaHash: 'a'.repeat(64),
  baselineSchemaSupported: true,
  jobPermissions: { decl: { kind: 'scopes', scopes: { contents: 'read', checks: 'write', 'id-token': 'write' }, scopeLines: {}, line: 1, column: 1 }, path: 'w.yml', jobId: 'gate', defaultWrite: null },
  driftMagnitude: 0.12,
  driftThreshold: 0.3,
  nonce: { value: 'b'.repeat(64), loadedAt: new Date(Date.now() - 1000) },
  now: new Date(),
  contraction: Array.from({ length: 8 }, (_, k) => ({ ruleId: `MD-00${k}`, previousFpr: 0.2, newFpr: 0.1, witnesses: 12 }))
});

const BATCH = 10_000;
const BATCHES = 2_000;
let sink = 0;
for (let i = 0; i < 200_000; i++) sink ^= checkL0(state); // warm up: let the JIT settle

const perCall: number[] = new Array(BATCHES);
for (let b = 0; b < BATCHES; b++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) sink ^= checkL0(state);
  perCall[b] = Number(process.hrtime.bigint() - t0) / BATCH;
}
perCall.sort((x, y) => x - y);
const q = (p: number) => perCall[Math.min(perCall.length - 1, Math.floor(p * perCall.length))];

const gc = (globalThis as { gc?: () => void }).gc;
let allocPerCall = Number.NaN;
if (gc) {
  const CALLS = 10_000_000;
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < CALLS; i++) sink ^= checkL0(state);
  allocPerCall = (process.memoryUsage().heapUsed - before) / CALLS;
}
console.log(JSON.stringify({ p50_ns: q(0.5), p99_ns: q(0.99), max_ns: perCall[perCall.length - 1], alloc_bytes_per_call: allocPerCall, sink }));
