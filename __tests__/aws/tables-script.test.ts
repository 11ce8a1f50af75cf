/** `npm run tables -- --endpoint URL` (scripts/tables.mjs) against DynamoDB Local. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dynamoClient } from '../../test-support/aws-test-env.js';
import { releaseDynamoDBLocal, useDynamoDBLocal } from '../../test-support/dynamodb-local.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
let endpoint: string;

beforeAll(async () => {
  endpoint = await useDynamoDBLocal();
}, 90_000);
afterAll(releaseDynamoDBLocal);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'tables.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: '' }
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('scripts/tables.mjs', () => {
  it('creates the four tables with their TTLs, and a second run changes nothing', async () => {
    const prefix = `s${randomBytes(3).toString('hex')}-`;
    const first = await run(['--endpoint', endpoint, '--prefix', prefix]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual(
      [
        `created ${prefix}pm-action-block-counter (blockCounter) TTL expiresAt`,
        `created ${prefix}pm-action-calibration (calibration)`,
        `created ${prefix}pm-action-consent (consent)`,
        `created ${prefix}pm-action-fp-events (fp) TTL expiresAt`
      ].sort()
    );
    const second = await run(['--endpoint', endpoint, '--prefix', prefix, '--consent-table', `${prefix}custom-consent`]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`exists  ${prefix}pm-action-fp-events (fp)`);
    expect(second.stdout).toContain(`created ${prefix}custom-consent (consent)`);

    const client = await dynamoClient(endpoint);
    const fp = await client.send(new DescribeTableCommand({ TableName: `${prefix}pm-action-fp-events` }));
    expect(fp.Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('RuleIndex');
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: `${prefix}pm-action-block-counter` }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
    client.destroy();
  });

  it('without an endpoint: usage and exit code 2', async () => {
    const env = { ...process.env };
    delete env.AWS_ENDPOINT_URL;
    delete env.AWS_ENDPOINT_URL_DYNAMODB;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'scripts', 'tables.mjs')], { cwd: ROOT, env: { ...env, NODE_OPTIONS: '' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--endpoint URL is required');
  });
});
