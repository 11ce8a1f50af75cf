/**
 * Creates the four tables of tables.ts on any endpoint (DynamoDB Local, LocalStack, AWS),
 * idempotently: existing tables are left alone, TTL is enabled where the design has one.
 * Used by `npm run tables` (scripts/tables.mjs) and by the tests.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient
} from '@aws-sdk/client-dynamodb';
import { tableDefinitions, type TableKind } from './tables.js';

export interface CreatedTable {
  kind: TableKind;
  name: string;
  created: boolean;
  ttl?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitActive(client: DynamoDBClient, name: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.send(new DescribeTableCommand({ TableName: name }));
    const indexesReady = (d.Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === undefined || i.IndexStatus === 'ACTIVE');
    if (d.Table?.TableStatus === 'ACTIVE' && indexesReady) return;
    if (Date.now() > end) throw new Error(`table ${name} is not ACTIVE after ${timeoutMs} ms (status ${d.Table?.TableStatus})`);
    await sleep(200);
  }
}

export async function ensureTables(
  client: DynamoDBClient,
  names: Partial<Record<TableKind, string>> = {},
  options: { timeoutMs?: number } = {}
): Promise<CreatedTable[]> {
  return Promise.all(
    tableDefinitions(names).map(async (def): Promise<CreatedTable> => {
      const name = def.create.TableName;
      let created = true;
      try {
        await client.send(new CreateTableCommand(def.create));
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
        created = false;
      }
      await waitActive(client, name, options.timeoutMs ?? 60_000);
      if (def.ttlAttribute) {
        const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
        const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
        if (status !== 'ENABLED' && status !== 'ENABLING') {
          await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true } }));
        }
      }
      return { kind: def.kind, name, created, ttl: def.ttlAttribute };
    })
  );
}
