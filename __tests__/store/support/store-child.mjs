// Child process for the local store's cross-process tests. Runs the real store code, compiled
// from src/store by the test (see compile.ts), against a shared data directory.
//   node store-child.mjs <compiledStoreDir> <dataDir> <startAtMs> <op> <json-args>
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [, , moduleDir, dataDir, startAt, op, rawArgs] = process.argv;
const args = JSON.parse(rawArgs ?? '{}');
const { createLocalStores } = await import(pathToFileURL(join(moduleDir, 'local', 'index.js')).href);
const stores = await createLocalStores(dataDir);

// Start together so the processes really contend for the same files.
const wait = Number(startAt) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

let result;
if (op === 'increment') {
  const at = new Date(args.at);
  const counts = await Promise.all(args.runKeys.map((key) => stores.blocks.increment(args.repository, key, at)));
  result = { counts };
} else if (op === 'record') {
  for (const batch of args.batches) await stores.fp.recordEvents(batch);
  if (args.mark) await stores.fp.mark(args.mark);
  result = { ok: true };
} else if (op === 'nonce') {
  const { keys } = await stores.nonce.load();
  result = { keys };
} else {
  throw new Error(`unknown op ${op}`);
}
process.stdout.write(JSON.stringify({ ...result, warnings: stores.warnings() }));
