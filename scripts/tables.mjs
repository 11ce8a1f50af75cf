#!/usr/bin/env node
// Creates the four DynamoDB tables of DESIGN §7 (fp-events, block-counter, consent, calibration)
// on any endpoint — DynamoDB Local, LocalStack — idempotently: existing tables are left alone,
// TTL is enabled where the design has one.
//
//   npm run tables -- --endpoint http://127.0.0.1:8000 [--region us-east-1] [--prefix dev-]
//                     [--fp-table NAME] [--block-counter-table NAME] [--consent-table NAME]
//                     [--calibration-table NAME]
//
// The definitions are the code's own (src/store/aws/tables.ts, create-tables.ts), transpiled on
// the fly with the project's TypeScript, so this script cannot drift from them. Real AWS
// accounts get their tables from infra/terraform.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src/store/aws/tables.ts', 'src/store/aws/create-tables.ts'];

function usage(message) {
  if (message) console.error(`tables: ${message}`);
  console.error(
    'usage: npm run tables -- --endpoint URL [--region REGION] [--prefix PREFIX] [--fp-table NAME] ' +
      '[--block-counter-table NAME] [--consent-table NAME] [--calibration-table NAME]'
  );
  process.exit(2);
}

/** Transpiles the two modules next to each other under node_modules/.cache and imports them. */
async function loadModules() {
  const ts = (await import('typescript')).default;
  const cacheRoot = join(ROOT, 'node_modules', '.cache');
  await mkdir(cacheRoot, { recursive: true });
  const dir = await mkdtemp(join(cacheRoot, 'pm-action-tables-'));
  try {
    for (const src of SOURCES) {
      const code = await readFile(join(ROOT, src), 'utf8');
      const out = ts.transpileModule(code, {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
        fileName: src
      });
      await writeFile(join(dir, src.split('/').pop().replace(/\.ts$/, '.js')), out.outputText);
    }
    const tables = await import(pathToFileURL(join(dir, 'tables.js')).href);
    const create = await import(pathToFileURL(join(dir, 'create-tables.js')).href);
    return { tables, create };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        endpoint: { type: 'string' },
        region: { type: 'string' },
        prefix: { type: 'string', default: '' },
        'fp-table': { type: 'string' },
        'block-counter-table': { type: 'string' },
        'consent-table': { type: 'string' },
        'calibration-table': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    }));
  } catch (e) {
    usage(e.message);
  }
  if (values.help) usage();
  const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL;
  if (!endpoint) usage('--endpoint URL is required (real AWS accounts get their tables from infra/terraform)');

  const { tables, create } = await loadModules();
  const d = tables.DEFAULT_TABLE_NAMES;
  const names = {
    fp: values['fp-table'] ?? `${values.prefix}${d.fp}`,
    blockCounter: values['block-counter-table'] ?? `${values.prefix}${d.blockCounter}`,
    consent: values['consent-table'] ?? `${values.prefix}${d.consent}`,
    calibration: values['calibration-table'] ?? `${values.prefix}${d.calibration}`
  };
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const hasCredentials = process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE;
  const client = new DynamoDBClient({
    endpoint,
    region: values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // Emulators accept any key; real credentials from the environment are used when present.
    ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
  });
  try {
    const result = await create.ensureTables(client, names);
    for (const t of result) {
      console.log(`${t.created ? 'created' : 'exists '} ${t.name} (${t.kind})${t.ttl ? ` TTL ${t.ttl}` : ''}`);
    }
  } finally {
    client.destroy();
  }
}

main().catch((e) => {
  console.error(`tables: ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
  process.exit(1);
});
