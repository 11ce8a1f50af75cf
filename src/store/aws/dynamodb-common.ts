/**
 * What the DynamoDB stores share: calls with retry and error mapping (→ StoreError), attribute
 * (un)marshalling for the few types used, BatchGetItem with UnprocessedKeys handling, and a
 * Query read to its last page.
 */
import { BatchGetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { classifyAwsError, RetryExhaustedError, withRetry, type RetryOptions } from '../../aws/retry.js';
import { StoreError } from '../types.js';

export type Item = Record<string, AttributeValue>;

export interface StoreLog {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export interface AwsStoreOptions {
  retry?: RetryOptions;
  log?: StoreLog;
  /** Clock for TTLs and caches (tests). */
  now?: () => Date;
}

/** Required IAM action per API call, for access-denied messages. */
const IAM_ACTION: Record<string, string> = {
  // Authorised per action: the head claims (Update), further events (Put) and head checks.
  TransactWriteItems: 'dynamodb:UpdateItem, dynamodb:PutItem and dynamodb:ConditionCheckItem',
  BatchGetItem: 'dynamodb:BatchGetItem',
  GetItem: 'dynamodb:GetItem',
  PutItem: 'dynamodb:PutItem',
  UpdateItem: 'dynamodb:UpdateItem',
  Query: 'dynamodb:Query',
  GetObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  GetParametersByPath: 'ssm:GetParametersByPath'
};

/** A StoreError saying what failed, where, whether it may pass, and what to do about it. */
export function toStoreError(operation: string, resource: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  if (error instanceof RetryExhaustedError) {
    return new StoreError(`${operation} on ${resource} failed: ${error.message}`, true, error);
  }
  const info = classifyAwsError(error);
  let hint = '';
  if (info.kind === 'access_denied') hint = ` The role needs ${IAM_ACTION[operation] ?? operation} on ${resource} (see infra/terraform).`;
  else if (info.kind === 'not_found' && operation !== 'GetObject') hint = ` Check that ${resource} exists (npm run tables -- --endpoint URL, or infra/terraform).`;
  else if (info.code === 'CredentialsProviderError') hint = " No AWS credentials were found: set 'aws-role-arn' (GitHub OIDC) or provide credentials to the job.";
  return new StoreError(`${operation} on ${resource} failed: ${info.code}: ${info.message}.${hint}`, info.transient, error);
}

/** Runs one API call with retry inside the budget; every failure comes out as StoreError. */
export async function call<T>(operation: string, resource: string, opts: AwsStoreOptions, op: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(op, {
      ...opts.retry,
      what: `${operation} on ${resource}`,
      onRetry: (r) => {
        opts.log?.debug(`${r.what}: ${r.error.code}; retry ${r.attempt} in ${r.delayMs} ms`);
        opts.retry?.onRetry?.(r);
      }
    });
  } catch (error) {
    throw toStoreError(operation, resource, error);
  }
}

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });

export function getS(item: Item, name: string): string | undefined {
  const v = item[name];
  return v && 'S' in v && typeof v.S === 'string' ? v.S : undefined;
}

export function getN(item: Item, name: string): number | undefined {
  const v = item[name];
  return v && 'N' in v && typeof v.N === 'string' ? Number(v.N) : undefined;
}

export function getSS(item: Item, name: string): string[] {
  const v = item[name];
  return v && 'SS' in v && Array.isArray(v.SS) ? v.SS : [];
}

/** Sets optional string attributes that are defined. */
export function putOptional(item: Item, values: Record<string, string | undefined>): Item {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) item[k] = S(v);
  return item;
}

export const BATCH_GET_MAX = 100;

class UnprocessedKeys extends Error {
  constructor(readonly count: number) {
    super(`${count} key(s) left unprocessed by BatchGetItem`);
    // Classified like throttling: the table had no capacity for them this time.
    this.name = 'ProvisionedThroughputExceededException';
  }
}

/**
 * Every item of `keys` that exists, in no particular order: one BatchGetItem per 100 keys (issued
 * concurrently), UnprocessedKeys asked for again with backoff inside the retry budget.
 */
export async function batchGetAll(client: DynamoDBClient, table: string, keys: Item[], opts: AwsStoreOptions, consistent = true): Promise<Item[]> {
  const chunks: Item[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX) chunks.push(keys.slice(i, i + BATCH_GET_MAX));
  const results = await Promise.all(
    chunks.map(async (chunk) => {
      const found: Item[] = [];
      let pending = chunk;
      await call('BatchGetItem', `table ${table}`, opts, async () => {
        const out = await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } } }));
        found.push(...(out.Responses?.[table] ?? []));
        const left = out.UnprocessedKeys?.[table]?.Keys ?? [];
        pending = left;
        if (left.length > 0) throw new UnprocessedKeys(left.length);
      });
      return found;
    })
  );
  return results.flat();
}

/**
 * Every item a Query matches, all pages read (each page one retried call). For partitions read
 * whole; a read that stops early (a window of N events) pages by itself.
 */
export async function queryAll(
  client: DynamoDBClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  resource: string,
  opts: AwsStoreOptions
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await call('Query', resource, opts, () => client.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
