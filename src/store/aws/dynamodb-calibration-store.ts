/**
 * CalibrationStore on DynamoDB (`calibration`): pk `rule#<ruleId>`, sk `<bucket>#<orgHash>`.
 * A second contribution to the same rule, bucket and organisation replaces the first.
 * Calibration snapshots live beside them: pk `snapshot#<scope>`, sk `latest`, `takenAt`, `body`
 * (the snapshot as JSON). `rule#…` reads never meet them.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkCalibrationSnapshot } from '../local/calibration-store.js';
import type { CalibrationContribution, CalibrationSnapshot, CalibrationStore } from '../types.js';
import { StoreError } from '../types.js';
import { call, getN, getS, N, queryAll, S, type AwsStoreOptions, type Item } from './dynamodb-common.js';
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
      // Coarsened to the hour like the bucket: contributions carry no finer time.
      updatedAt: S(`${now.toISOString().slice(0, 13)}:00:00.000Z`)
    };
    await call('PutItem', this.resource, this.opts, () => this.client.send(new PutItemCommand({ TableName: this.table, Item: item })));
  }

  async read(ruleId: string): Promise<CalibrationContribution[]> {
    const items = await queryAll(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': CALIBRATION.partitionKey },
        ExpressionAttributeValues: { ':pk': S(keys.calibrationPk(ruleId)) },
        ConsistentRead: true
      },
      this.resource,
      this.opts
    );
    return items.map((item) => ({
      ruleId: getS(item, 'ruleId') ?? ruleId,
      bucket: getS(item, 'bucket') ?? '',
      orgHash: getS(item, 'orgHash') ?? '',
      total: getN(item, 'total') ?? 0,
      falsePositives: getN(item, 'falsePositives') ?? 0,
      pending: getN(item, 'pending') ?? 0
    }));
  }

  private snapshotKey(scope: string): Item {
    return { [CALIBRATION.partitionKey]: S(keys.snapshotPk(scope)), [CALIBRATION.sortKey]: S(keys.snapshotSk) };
  }

  async loadSnapshot(scope: string): Promise<CalibrationSnapshot | null> {
    const r = await call('GetItem', this.resource, this.opts, () =>
      this.client.send(new GetItemCommand({ TableName: this.table, Key: this.snapshotKey(scope), ConsistentRead: true }))
    );
    const body = r.Item ? getS(r.Item, 'body') : undefined;
    if (body === undefined) return null;
    try {
      return JSON.parse(body) as CalibrationSnapshot;
    } catch (error) {
      throw new StoreError(`the calibration snapshot of ${scope} in ${this.resource} is not JSON`, false, error);
    }
  }

  async saveSnapshot(snapshot: CalibrationSnapshot): Promise<void> {
    checkCalibrationSnapshot(snapshot);
    const item: Item = { ...this.snapshotKey(snapshot.scope), takenAt: S(snapshot.takenAt), body: S(JSON.stringify(snapshot)) };
    await call('PutItem', this.resource, this.opts, () => this.client.send(new PutItemCommand({ TableName: this.table, Item: item })));
  }
}
