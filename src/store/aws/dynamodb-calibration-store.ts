/**
 * CalibrationStore on DynamoDB (`calibration`): pk `rule#<ruleId>`, sk `<bucket>#<orgHash>`.
 * A second contribution to the same rule, bucket and organisation replaces the first.
 */
import { PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CalibrationContribution, CalibrationStore } from '../types.js';
import { StoreError } from '../types.js';
import { call, getN, getS, N, S, type AwsStoreOptions, type Item } from './dynamodb-common.js';
import { CALIBRATION, keys } from './tables.js';

function check(c: CalibrationContribution): void {
  for (const k of ['total', 'falsePositives', 'pending'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) throw new StoreError(`invalid calibration contribution: ${k} must be a non-negative integer`, false);
  }
  if (!c.ruleId || !c.bucket || !c.orgHash) throw new StoreError('invalid calibration contribution: ruleId, bucket and orgHash are required', false);
}

export class DynamoDBCalibrationStore implements CalibrationStore {
  private readonly resource: string;

  constructor(
    private readonly client: DynamoDBClient,
    readonly table: string,
    private readonly opts: AwsStoreOptions = {}
  ) {
    this.resource = `table ${table}`;
  }

  async contribute(c: CalibrationContribution): Promise<void> {
    check(c);
    const now = this.opts.now ? this.opts.now() : new Date();
    const item: Item = {
      [CALIBRATION.partitionKey]: S(keys.calibrationPk(c.ruleId)),
      [CALIBRATION.sortKey]: S(keys.calibrationSk(c.bucket, c.orgHash)),
      ruleId: S(c.ruleId),
      bucket: S(c.bucket),
      orgHash: S(c.orgHash),
      total: N(c.total),
      falsePositives: N(c.falsePositives),
      pending: N(c.pending),
      updatedAt: S(now.toISOString())
    };
    await call('PutItem', this.resource, this.opts, () => this.client.send(new PutItemCommand({ TableName: this.table, Item: item })));
  }

  async read(ruleId: string): Promise<CalibrationContribution[]> {
    const out: CalibrationContribution[] = [];
    let start: Item | undefined;
    do {
      const page = await call('Query', this.resource, this.opts, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': CALIBRATION.partitionKey },
            ExpressionAttributeValues: { ':pk': S(keys.calibrationPk(ruleId)) },
            ConsistentRead: true,
            ExclusiveStartKey: start
          })
        )
      );
      for (const item of page.Items ?? []) {
        out.push({
          ruleId: getS(item, 'ruleId') ?? ruleId,
          bucket: getS(item, 'bucket') ?? '',
          orgHash: getS(item, 'orgHash') ?? '',
          total: getN(item, 'total') ?? 0,
          falsePositives: getN(item, 'falsePositives') ?? 0,
          pending: getN(item, 'pending') ?? 0
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
