/** Shared bits of the AWS tests: emulator clients, unique table names, fast retry policies. */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBClient } from '../src/aws/clients.js';
import type { Settings } from '../src/model/settings.js';
import type { RetryOptions } from '../src/aws/retry.js';
import { ensureTables } from '../src/store/aws/create-tables.js';
import type { TableKind } from '../src/store/aws/tables.js';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Retries quickly; plenty of attempts for a few injected faults. */
export const FAST_RETRY: RetryOptions = { budgetMs: 3000, baseMs: 2, capMs: 20, maxAttempts: 20 };
/** Gives up quickly: for "fails forever" tests. */
export const SHORT_RETRY: RetryOptions = { budgetMs: 150, baseMs: 2, capMs: 20, maxAttempts: 6 };

export function uniqueTableNames(prefix = 't'): Record<TableKind, string> {
  const id = `${prefix}${randomBytes(4).toString('hex')}`;
  return { fp: `${id}-fp-events`, blockCounter: `${id}-block-counter`, consent: `${id}-consent`, calibration: `${id}-calibration` };
}

export function dynamoClient(endpoint: string): Promise<DynamoDBClient> {
  return createDynamoDBClient({ endpointUrl: endpoint, region: 'us-east-1', env: {}, credentials: TEST_CREDENTIALS });
}

export async function createTestTables(endpoint: string, prefix = 't'): Promise<Record<TableKind, string>> {
  const names = uniqueTableNames(prefix);
  const client = await dynamoClient(endpoint);
  try {
    await ensureTables(client, names);
  } finally {
    client.destroy();
  }
  return names;
}

/** Silent log that keeps what was said. */
export function memoryLog(): { info: (m: string) => void; warning: (m: string) => void; debug: (m: string) => void; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`)
  };
}

/** Settings for the DynamoDB store; override what a test needs. */
export function awsSettings(overrides: { aws?: Partial<Settings['aws']>; tables?: Partial<Settings['tables']>; baseline?: Partial<Settings['baseline']> } & Partial<Omit<Settings, 'aws' | 'tables' | 'baseline'>> = {}): Settings {
  const { aws, tables, baseline, ...rest } = overrides;
  return {
    mode: 'check',
    modeInput: 'auto',
    workspace: '/tmp/ws',
    githubToken: '',
    policyPath: '.github/phase-mirror.yml',
    strict: false,
    dryRun: false,
    circuitBreaker: 'auto',
    circuitBreakerThreshold: 100,
    store: 'dynamodb',
    dataDir: '/tmp/ws/.phase-mirror',
    cache: false,
    aws: { region: 'us-east-1', ...aws },
    tables: { ...tables },
    baseline: { update: false, ...baseline },
    reportPath: '/tmp/ws/dissonance_report.json',
    sarifPath: null,
    annotations: true,
    createIssue: false,
    falsePositive: [],
    run: {
      eventName: 'pull_request',
      repository: 'octo/widgets',
      runId: '987654',
      runAttempt: '1',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com'
    },
    ...rest
  };
}

/** Collects what is written to process.stdout (where @actions/core prints `::add-mask::`). */
export function captureStdout(): { text(): string; restore(): void } {
  const original = process.stdout.write.bind(process.stdout);
  let buf = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    buf += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  return { text: () => buf, restore: () => void (process.stdout.write = original) };
}
