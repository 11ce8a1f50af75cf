/**
 * ConsentStore on DynamoDB (`consent`): pk `orgId`, sk `<scope>#<resource>` (resource: a
 * repository name or `*` for the whole organisation). A grant replaces the record (lifting a
 * revocation); a revocation keeps it, with who and when.
 */
import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from '../../aws/retry.js';
import { consentActive } from '../local/consent-store.js';
import type { ConsentRecord, ConsentScope, ConsentStore } from '../types.js';
import { StoreError } from '../types.js';
import { batchGetAll, call, getS, putOptional, queryAll, S, type AwsStoreOptions, type Item } from './dynamodb-common.js';
import { CONSENT, keys } from './tables.js';

function recordFromItem(item: Item): ConsentRecord {
  const r: ConsentRecord = {
    orgId: getS(item, CONSENT.partitionKey) ?? '',
    resource: getS(item, 'resource') ?? '',
    scope: (getS(item, 'scope') ?? 'rule_calibration') as ConsentScope,
    grantedBy: getS(item, 'grantedBy') ?? '',
    grantedAt: getS(item, 'grantedAt') ?? ''
  };
  for (const k of ['expiresAt', 'revokedBy', 'revokedAt'] as const) {
    const v = getS(item, k);
    if (v !== undefined) r[k] = v;
  }
  return r;
}

export class DynamoDBConsentStore implements ConsentStore {
  private readonly resource: string;

  constructor(
    private readonly client: DynamoDBClient,
    readonly table: string,
    private readonly opts: AwsStoreOptions = {}
  ) {
    this.resource = `table ${table}`;
  }

  private key(orgId: string, scope: string, resource: string): Item {
    return { [CONSENT.partitionKey]: S(orgId), [CONSENT.sortKey]: S(keys.consentSk(scope, resource)) };
  }

  async grant(record: ConsentRecord): Promise<void> {
    for (const k of ['orgId', 'resource', 'scope', 'grantedBy', 'grantedAt'] as const) {
      if (!record[k]) throw new StoreError(`invalid consent record: ${k} is required`, false);
    }
    const item: Item = {
      ...this.key(record.orgId, record.scope, record.resource),
      resource: S(record.resource),
      scope: S(record.scope),
      grantedBy: S(record.grantedBy),
      grantedAt: S(record.grantedAt)
    };
    putOptional(item, { expiresAt: record.expiresAt });
    if (record.revokedAt !== undefined) putOptional(item, { revokedAt: record.revokedAt, revokedBy: record.revokedBy });
    await call('PutItem', this.resource, this.opts, () => this.client.send(new PutItemCommand({ TableName: this.table, Item: item })));
  }

  async revoke(orgId: string, resource: string, scope: ConsentScope, by: string, at: Date): Promise<boolean> {
    return call('UpdateItem', this.resource, this.opts, async () => {
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: this.key(orgId, scope, resource),
            UpdateExpression: 'SET #by = :by, #at = :at',
            ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#at)',
            ExpressionAttributeNames: { '#pk': CONSENT.partitionKey, '#by': 'revokedBy', '#at': 'revokedAt' },
            ExpressionAttributeValues: { ':by': S(by), ':at': S(at.toISOString()) }
          })
        );
        return true;
      } catch (error) {
        if (classifyAwsError(error).code === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    });
  }

  async list(orgId: string): Promise<ConsentRecord[]> {
    const items = await queryAll(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: '#pk = :o',
        ExpressionAttributeNames: { '#pk': CONSENT.partitionKey },
        ExpressionAttributeValues: { ':o': S(orgId) },
        ConsistentRead: true
      },
      this.resource,
      this.opts
    );
    const out = items.map(recordFromItem);
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return out.sort((a, b) => cmp(a.resource, b.resource) || cmp(a.scope, b.scope));
  }

  async hasConsent(orgId: string, repo: string, scope: ConsentScope, at: Date): Promise<boolean> {
    const items = await batchGetAll(this.client, this.table, [this.key(orgId, scope, '*'), ...(repo === '*' ? [] : [this.key(orgId, scope, repo)])], this.opts);
    return items.map(recordFromItem).some((r) => consentActive(r, at));
  }
}
