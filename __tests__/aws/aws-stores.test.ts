/**
 * createAwsStores end to end on loopback: GitHub OIDC token endpoint → STS fake → DynamoDB Local,
 * s3rver and the SSM fake, each reached through its AWS_ENDPOINT_URL_<SERVICE> variable while
 * the aws-endpoint-url input points nowhere.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../src/config/errors.js';
import { createAwsStores } from '../../src/store/aws/index.js';
import type { FPEvent } from '../../src/store/types.js';
import { awsSettings, captureStdout, createTestTables, dynamoClient, FAST_RETRY, memoryLog } from '../../test-support/aws-test-env.js';
import { freePort, releaseDynamoDBLocal, useDynamoDBLocal } from '../../test-support/dynamodb-local.js';
import { startOidcFake, type OidcFake } from '../../test-support/oidc-fake.js';
import { S3RVER_CREDENTIALS, startS3rver, type RunningS3rver } from '../../test-support/s3rver.js';
import { startSsmFake, type SsmFake } from '../../test-support/ssm-fake.js';
import { startStsFake, type StsFake } from '../../test-support/sts-fake.js';

const ROLE = 'arn:aws:iam::123456789012:role/pm-action';
const BUCKET = 'org-baselines';
let endpoint: string;
let tables: Awaited<ReturnType<typeof createTestTables>>;
let oidc: OidcFake;
let sts: StsFake;
let s3rver: RunningS3rver;
let ssm: SsmFake;
let dead: string;
let dataDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  endpoint = await useDynamoDBLocal();
  [tables, oidc, s3rver, ssm, dead, dataDir] = await Promise.all([
    createTestTables(endpoint),
    startOidcFake(),
    startS3rver([BUCKET]),
    startSsmFake(),
    freePort().then((p) => `http://127.0.0.1:${p}`),
    mkdtemp(join(tmpdir(), 'pm-aws-stores-'))
  ]);
  // s3rver accepts only S3RVER/S3RVER, so the role hands out exactly those.
  sts = await startStsFake({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl, roles: { [ROLE]: ['repo:octo/widgets:*'] }, credentials: S3RVER_CREDENTIALS });
  ssm.put('/guardian/prod/redaction_nonce_v1', randomBytes(32).toString('hex'));
  ssm.put('/guardian/prod/redaction_nonce_v2', randomBytes(32).toString('hex'));
}, 90_000);

afterAll(async () => {
  for (const k of ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await Promise.all([oidc?.stop(), sts?.stop(), s3rver?.stop(), ssm?.stop(), rm(dataDir, { recursive: true, force: true })]);
  await releaseDynamoDBLocal();
});

function endpoints(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_S3: s3rver.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint
  };
}

describe('createAwsStores', () => {
  it('with aws-role-arn: OIDC credentials, every store on AWS, data landing in the tables, secrets masked', async () => {
    Object.assign(process.env, oidc.env());
    const settings = awsSettings({
      aws: { roleArn: ROLE, endpointUrl: dead, region: 'eu-west-1' },
      tables,
      baseline: { bucket: BUCKET, update: true },
      nonceParameterPath: '/guardian/prod/',
      dataDir
    });
    const log = memoryLog();
    const out = captureStdout();
    let stores;
    try {
      stores = await createAwsStores(settings, { log, env: { ...oidc.env(), ...endpoints() }, retry: FAST_RETRY });
    } finally {
      out.restore();
    }
    expect(stores.backends).toEqual({ fp: 'dynamodb', blocks: 'dynamodb', consent: 'dynamodb', calibration: 'dynamodb', baseline: 's3', nonce: 'ssm' });
    expect(sts.calls.at(-1)).toMatchObject({ roleArn: ROLE, sessionName: 'pm-action-987654', outcome: 'ok' });

    const now = new Date();
    const events: FPEvent[] = Array.from({ length: 3 }, (_, i) => ({
      eventId: `ev-${i}-${randomBytes(3).toString('hex')}`,
      findingId: `f${i}`,
      ruleId: 'MD-001',
      ruleVersion: '1.0.0',
      repository: 'octo/widgets',
      runId: '987654',
      observedAt: now.toISOString(),
      outcome: 'pending'
    }));
    const cap = captureStdout();
    try {
      await stores.fp.recordEvents(events);
      expect(await stores.blocks.increment('octo/widgets', '987654.1', now)).toBe(1);
      await stores.baseline.save('octo', 'widgets', { files: { 'a.yml': 'abc' } });
      expect(await stores.baseline.load('octo', 'widgets')).toEqual({ files: { 'a.yml': 'abc' } });
      const nonce = await stores.nonce.load();
      expect(nonce.keys.map((k) => k.version)).toEqual([2, 1]);
      await stores.consent.grant({ orgId: 'octo', resource: '*', scope: 'rule_calibration', grantedBy: 'alice', grantedAt: now.toISOString() });
      expect(await stores.consent.hasConsent('octo', 'widgets', 'rule_calibration', now)).toBe(true);
      // Redaction keys are masked as soon as they are loaded.
      expect(cap.text()).toContain(`::add-mask::${nonce.keys[0].value}`);
    } finally {
      cap.restore();
    }
    expect(out.text()).toContain('::add-mask::S3RVER');

    // Read back with an independent client: the events and the block count are in the tables.
    const client = await dynamoClient(endpoint);
    const q = await client.send(
      new QueryCommand({ TableName: tables.fp, IndexName: 'RuleIndex', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'rule#MD-001' } } })
    );
    const ids = (q.Items ?? []).map((i) => i.ev?.M?.eventId?.S);
    for (const e of events) expect(ids).toContain(e.eventId);
    client.destroy();
    expect(await stores.blocks.read('octo/widgets', now)).toBe(1);
    await stores.close();
  });

  it('without a role and optional inputs: the default credential chain, and local files for consent, calibration, baseline and key', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    const settings = awsSettings({ tables: { fp: tables.fp, blockCounter: tables.blockCounter }, dataDir });
    const log = memoryLog();
    const stores = await createAwsStores(settings, { log, env: endpoints(), retry: FAST_RETRY });
    expect(stores.backends).toEqual({ fp: 'dynamodb', blocks: 'dynamodb', consent: 'local', calibration: 'local', baseline: 'local', nonce: 'local' });
    expect(await stores.blocks.read('octo/nothing', new Date())).toBe(0);
    expect((await stores.nonce.load()).keys).toHaveLength(1);
    expect(log.lines.join('\n')).toContain('default AWS credential chain');
    await stores.close();
  });

  it('configuration errors surface before any call', async () => {
    await expect(createAwsStores(awsSettings({ tables: { fp: 'x' } }), { log: memoryLog(), env: {} })).rejects.toThrow(/'fp-table' and 'block-counter-table'/);
    const noRegion = awsSettings({ aws: { region: undefined }, tables: { fp: 'a', blockCounter: 'b' } });
    await expect(createAwsStores(noRegion, { log: memoryLog(), env: {} })).rejects.toBeInstanceOf(ConfigurationError);
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const withRole = awsSettings({ aws: { roleArn: ROLE }, tables: { fp: 'a', blockCounter: 'b' } });
    await expect(createAwsStores(withRole, { log: memoryLog(), env: {} })).rejects.toThrow(/permissions: id-token: write/);
  });
});
