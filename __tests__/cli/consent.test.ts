import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runConsentCli } from '../../src/cli/consent.js';
import type { CliIO } from '../../src/cli/io.js';
import { LocalConsentStore } from '../../src/store/local/consent-store.js';
import { createTestTables, dynamoClient } from '../../test-support/aws-test-env.js';
import { releaseDynamoDBLocal, useDynamoDBLocal } from '../../test-support/dynamodb-local.js';
import { DynamoDBConsentStore } from '../../src/store/aws/dynamodb-consent-store.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');

function io(cwd: string, env: Record<string, string | undefined> = {}, now = NOW) {
  const out = { stdout: '', stderr: '' };
  const value: CliIO = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', ...env },
    cwd,
    now: () => now,
    awsClientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
  };
  return { io: value, out };
}

describe('pm-action consent (local store)', () => {
  it('grant, list, revoke: recorded by people, org-wide or per repository, with expiry', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'pm-consent-'));
    const a = io(cwd);
    expect(await runConsentCli(['grant', '--org', 'acme', '--scope', 'rule_calibration', '--by', 'cto', '--expires', '2027-01-31'], a.io)).toBe(0);
    expect(a.out.stdout).toContain('Granted rule_calibration consent for every repository of acme by cto, expires 2027-01-31');
    expect(await runConsentCli(['grant', '--org', 'acme', '--repo', 'acme/widgets', '--scope', 'rule_calibration', '--by', 'lead'], a.io)).toBe(0);

    const store = new LocalConsentStore(path.join(cwd, '.phase-mirror'));
    expect(await store.hasConsent('acme', 'anything', 'rule_calibration', NOW)).toBe(true);
    expect(await store.hasConsent('acme', 'anything', 'rule_calibration', new Date('2027-02-01T00:00:00Z'))).toBe(false);

    const l = io(cwd);
    expect(await runConsentCli(['list', '--org', 'acme'], l.io)).toBe(0);
    expect(l.out.stdout).toContain('active  rule_calibration all repositories, granted by cto at 2026-03-01T12:00:00.000Z, expires 2027-01-31');
    expect(l.out.stdout).toContain('active  rule_calibration repository widgets, granted by lead');

    const later = new Date('2026-03-02T08:00:00.000Z');
    const r = io(cwd, {}, later);
    expect(await runConsentCli(['revoke', '--org', 'acme', '--scope', 'rule_calibration', '--by', 'dpo'], r.io)).toBe(0);
    expect(r.out.stdout).toContain('Revoked rule_calibration consent for every repository of acme by dpo at 2026-03-02T08:00:00.000Z');
    expect(await store.hasConsent('acme', 'gadgets', 'rule_calibration', later)).toBe(false);
    expect(await store.hasConsent('acme', 'widgets', 'rule_calibration', later)).toBe(true);

    const again = io(cwd, {}, later);
    expect(await runConsentCli(['revoke', '--org', 'acme', '--scope', 'rule_calibration', '--by', 'dpo'], again.io)).toBe(1);
    expect(again.out.stderr).toContain('No active rule_calibration consent record');

    const j = io(cwd, {}, later);
    expect(await runConsentCli(['list', '--org', 'acme', '--json'], j.io)).toBe(0);
    const list = JSON.parse(j.out.stdout);
    expect(list.find((x: { resource: string }) => x.resource === '*')).toMatchObject({ status: 'revoked', revokedBy: 'dpo', revokedAt: later.toISOString() });
    const none = io(cwd);
    await runConsentCli(['list', '--org', 'nobody'], none.io);
    expect(none.out.stdout).toBe('No consent records for nobody.\n');
  });

  it.each([
    [['grant', '--org', 'acme', '--scope', 'rule_calibration'], '--by is required'],
    [['grant', '--scope', 'rule_calibration', '--by', 'x'], '--org is required'],
    [['grant', '--org', 'acme', '--scope', 'marketing', '--by', 'x'], '--scope must be one of rule_calibration'],
    [['grant', '--org', 'acme', '--scope', 'rule_calibration', '--by', 'x', '--expires', 'soon'], 'is not a date'],
    [['grant', '--org', 'acme', '--scope', 'rule_calibration', '--by', 'x', '--expires', '2020-01-01'], 'already past'],
    [['grant', '--org', 'acme', '--repo', 'other/x', '--scope', 'rule_calibration', '--by', 'x'], 'not a repository of acme'],
    [['revoke', '--org', 'acme', '--scope', 'rule_calibration', '--by', 'x', '--expires', '2030-01-01'], 'grant only'],
    [['approve', '--org', 'acme'], 'expected grant, list or revoke'],
    [['grant', '--bogus'], "Unknown option '--bogus'"]
  ])('%j is a usage error (exit 3)', async (argv, message) => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'pm-consent-'));
    const x = io(cwd);
    expect(await runConsentCli(argv, x.io)).toBe(3);
    expect(x.out.stderr).toContain(message);
    expect(x.out.stderr).toContain('Usage:');
  });
});

describe('pm-action consent (DynamoDB consent table)', () => {
  let endpoint: string;
  let table: string;
  beforeAll(async () => {
    endpoint = await useDynamoDBLocal();
    table = (await createTestTables(endpoint)).consent;
  }, 90_000);
  afterAll(async () => {
    await releaseDynamoDBLocal();
  });

  it('grant and revoke against the table named by --consent-table', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'pm-consent-'));
    const org = `org${Date.now().toString(36)}`;
    const flags = ['--consent-table', table, '--aws-endpoint-url', endpoint];
    const g = io(cwd);
    expect(await runConsentCli(['grant', '--org', org, '--scope', 'rule_calibration', '--by', 'cto', ...flags], g.io)).toBe(0);
    expect(g.out.stdout).toContain(`DynamoDB table ${table}`);
    const store = new DynamoDBConsentStore(await dynamoClient(endpoint), table);
    expect(await store.hasConsent(org, 'w', 'rule_calibration', NOW)).toBe(true);
    expect(await runConsentCli(['revoke', '--org', org, '--scope', 'rule_calibration', '--by', 'dpo', ...flags], io(cwd).io)).toBe(0);
    expect(await store.hasConsent(org, 'w', 'rule_calibration', new Date(NOW.getTime() + 1000))).toBe(false);
  });
});
