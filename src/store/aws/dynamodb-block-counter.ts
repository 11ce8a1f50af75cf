/**
 * BlockCounter on DynamoDB (`block-counter`): one item per repository and UTC hour,
 * pk `bucketKey` = `<repo>#<yyyy-mm-ddThh>`. `increment` is a single UpdateItem that ADDs 1 to
 * `count` and the run key to the string set `runs`, conditioned on the run key not being in the
 * set yet — atomic under concurrency, and a re-run (or a retried request whose answer was lost)
 * counts once. `expiresAt` (TTL) is 3 h after the later of the bucket's hour and the write.
 */
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from '../../aws/retry.js';
import { hourBucket } from '../local/block-counter.js';
import type { BlockCounter } from '../types.js';
import { StoreError } from '../types.js';
import { call, getN, N, S, type AwsStoreOptions, type Item } from './dynamodb-common.js';
import { BLOCK_COUNTER, keys } from './tables.js';

const HOUR_MS = 60 * 60 * 1000;

export class DynamoDBBlockCounter implements BlockCounter {
  private readonly resource: string;

  constructor(
    private readonly client: DynamoDBClient,
    readonly table: string,
    private readonly opts: AwsStoreOptions = {}
  ) {
    this.resource = `table ${table}`;
  }

  private key(repository: string, at: Date): Item {
    return { [BLOCK_COUNTER.partitionKey]: S(keys.bucketKey(repository, hourBucket(at))) };
  }

  async increment(repository: string, runKey: string, at: Date): Promise<number> {
    if (!repository || !runKey) throw new StoreError('block counter: repository and run key are required', false);
    const hourEnd = Date.parse(`${hourBucket(at)}:00:00Z`) + HOUR_MS;
    const now = this.opts.now ? this.opts.now().getTime() : Date.now();
    const expiresAt = Math.floor(Math.max(hourEnd, now) / 1000) + BLOCK_COUNTER.ttlHours * 3600;
    const key = this.key(repository, at);
    const counted = await call('UpdateItem', this.resource, this.opts, async () => {
      try {
        const out = await this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: 'ADD #count :one, #runs :run SET #exp = :exp',
            ConditionExpression: 'attribute_not_exists(#runs) OR NOT contains(#runs, :runKey)',
            ExpressionAttributeNames: { '#count': BLOCK_COUNTER.countAttribute, '#runs': BLOCK_COUNTER.runsAttribute, '#exp': BLOCK_COUNTER.ttlAttribute },
            ExpressionAttributeValues: { ':one': N(1), ':run': { SS: [runKey] }, ':runKey': S(runKey), ':exp': N(expiresAt) },
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD'
          })
        );
        return getN(out.Attributes ?? {}, BLOCK_COUNTER.countAttribute) ?? null;
      } catch (error) {
        if (classifyAwsError(error).code !== 'ConditionalCheckFailedException') throw error;
        // Already counted: the stored item came back with the failure (when the service supports it).
        const old = (error as { Item?: Item }).Item;
        return old ? (getN(old, BLOCK_COUNTER.countAttribute) ?? null) : null;
      }
    });
    return counted ?? this.read(repository, at);
  }

  async read(repository: string, at: Date): Promise<number> {
    const out = await call('GetItem', this.resource, this.opts, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: this.key(repository, at),
          ConsistentRead: true,
          ProjectionExpression: '#count',
          ExpressionAttributeNames: { '#count': BLOCK_COUNTER.countAttribute }
        })
      )
    );
    return (out.Item && getN(out.Item, BLOCK_COUNTER.countAttribute)) ?? 0;
  }
}
