/**
 * OIDC → STS against loopback fakes: the GitHub token endpoint (oauth2-mock-server signs the
 * JWT) and an STS fake that verifies signature, aud and sub like a GitHub OIDC trust policy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { resolveCredentials, roleSessionName } from '../../src/aws/credentials.js';
import { ConfigurationError } from '../../src/config/errors.js';
import { StoreError } from '../../src/store/types.js';
import { awsSettings, captureStdout, FAST_RETRY, memoryLog, SHORT_RETRY } from '../../test-support/aws-test-env.js';
import { freePort } from '../../test-support/dynamodb-local.js';
import { startOidcFake, type OidcFake } from '../../test-support/oidc-fake.js';
import { startStsFake, type StsFake } from '../../test-support/sts-fake.js';

const ROLE = 'arn:aws:iam::123456789012:role/pm-action';
let oidc: OidcFake;
let sts: StsFake;
let dead: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  oidc = await startOidcFake();
  sts = await startStsFake({
    issuer: oidc.issuer,
    jwksUrl: oidc.jwksUrl,
    roles: { [ROLE]: ['repo:octo/widgets:ref:refs/heads/main', 'repo:octo/widgets:environment:*'] }
  });
  dead = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await Promise.all([oidc.stop(), sts.stop()]);
});

afterEach(() => {
  for (const k of ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  oidc.transform = undefined;
  oidc.failures = [];
  oidc.claims = { sub: 'repo:octo/widgets:ref:refs/heads/main', repository: 'octo/widgets', ref: 'refs/heads/main' };
});

/** Runs `fn` with stdout captured (@actions/core prints ::debug:: and ::add-mask:: lines). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const out = captureStdout();
  try {
    return await fn();
  } finally {
    out.restore();
  }
}

/** A job with `permissions: id-token: write`; STS reached through AWS_ENDPOINT_URL_STS. */
function grantIdToken(): Record<string, string> {
  Object.assign(process.env, oidc.env());
  return { ...oidc.env(), AWS_ENDPOINT_URL_STS: sts.endpoint };
}

describe('resolveCredentials with aws-role-arn', () => {
  it('exchanges the GitHub OIDC token (aud sts.amazonaws.com) for role credentials, masks them and keeps them in memory', async () => {
    const env = grantIdToken();
    const stdout = captureStdout();
    const log = memoryLog();
    const before = sts.calls.length;
    let creds;
    try {
      // aws-endpoint-url points nowhere: the STS-specific variable must win for the OIDC call.
      creds = await resolveCredentials(awsSettings({ aws: { roleArn: ROLE, endpointUrl: dead } }), { env, log, retry: FAST_RETRY });
    } finally {
      stdout.restore();
    }
    const issued = sts.issued[sts.issued.length - 1];
    expect(creds).toMatchObject({ accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken });
    expect(creds?.expiration).toBeInstanceOf(Date);
    expect(sts.calls.slice(before)).toEqual([{ roleArn: ROLE, sessionName: 'pm-action-987654', sub: 'repo:octo/widgets:ref:refs/heads/main', outcome: 'ok' }]);
    expect(oidc.requests[oidc.requests.length - 1]).toEqual({ audience: 'sts.amazonaws.com', authorized: true });
    const masks = stdout
      .text()
      .split(/\r?\n/)
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length));
    expect(masks).toEqual(expect.arrayContaining([issued.AccessKeyId, issued.SecretAccessKey, issued.SessionToken]));
    // Masked before anything else could print them, and never printed unmasked.
    const text = stdout.text().split(/\r?\n/).filter((l) => !l.startsWith('::add-mask::')).join('\n') + log.lines.join('\n');
    for (const secret of [issued.SecretAccessKey, issued.SessionToken]) expect(text).not.toContain(secret);
    expect(log.lines.join('\n')).toContain(`Assumed ${ROLE} as session pm-action-987654`);
    // In memory only: nothing exported for later steps.
    expect(process.env.AWS_SECRET_ACCESS_KEY).toBe(savedEnv.AWS_SECRET_ACCESS_KEY);
    expect(process.env.AWS_SESSION_TOKEN).toBe(savedEnv.AWS_SESSION_TOKEN);
  });

  it('without id-token permission: a configuration error telling to add `permissions: id-token: write`', async () => {
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const before = sts.calls.length;
    const e = await resolveCredentials(awsSettings({ aws: { roleArn: ROLE } }), { env: { AWS_ENDPOINT_URL_STS: sts.endpoint } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toMatch(/cannot request a GitHub OIDC token.*Add `permissions: id-token: write`/);
    expect(sts.calls.length).toBe(before);
  });

  it('an invalid identity token (wrong audience): a configuration error naming the role and the aud/sub claims, not retried', async () => {
    const env = grantIdToken();
    oidc.transform = (p) => void (p.aud = 'api://AzureADTokenExchange');
    const before = sts.calls.length;
    const e = await quietly(() => resolveCredentials(awsSettings({ aws: { roleArn: ROLE } }), { env, retry: FAST_RETRY })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigurationError);
    const msg = (e as Error).message;
    expect(msg).toContain(`assume the role ${ROLE}`);
    expect(msg).toContain('InvalidIdentityToken');
    expect(msg).toContain('token.actions.githubusercontent.com:aud must allow "sts.amazonaws.com"');
    expect(msg).toContain('token.actions.githubusercontent.com:sub must match');
    expect(msg).toContain('repo:octo/widgets:pull_request');
    expect(sts.calls.length - before).toBe(1);
  });

  it('a token signed by another key is an invalid identity token too', async () => {
    const env = grantIdToken();
    const e = await quietly(() =>
      resolveCredentials(awsSettings({ aws: { roleArn: ROLE } }), {
        env,
        getIDToken: async () => 'eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'
      })
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toMatch(/InvalidIdentityToken.*trust policy/);
  });

  it('a subject the trust policy does not allow (AccessDenied): the same configuration error, not retried', async () => {
    const env = grantIdToken();
    oidc.claims = { ...oidc.claims, sub: 'repo:octo/widgets:pull_request' };
    const before = sts.calls.length;
    const e = await quietly(() => resolveCredentials(awsSettings({ aws: { roleArn: ROLE } }), { env, retry: FAST_RETRY })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toMatch(/AccessDenied.*:sub must match/);
    expect(sts.calls.length - before).toBe(1);
  });

  it('STS throttling and 5xx are retried with backoff, then succeed', async () => {
    const env = grantIdToken();
    sts.fail('throttling', 1);
    sts.fail('server', 1);
    const before = sts.calls.length;
    const creds = await quietly(() => resolveCredentials(awsSettings({ aws: { roleArn: ROLE } }), { env, retry: FAST_RETRY }));
    expect(creds?.accessKeyId).toMatch(/^ASIA/);
    expect(sts.calls.slice(before).map((c) => c.outcome)).toEqual(['throttling', 'server', 'ok']);
  });

  it('STS failing beyond the budget: a transient StoreError (the run degrades)', async () => {
    const env = grantIdToken();
    sts.fail('server', 1000);
    const e = await quietly(() => resolveCredentials(awsSettings({ aws: { roleArn: ROLE } }), { env, retry: SHORT_RETRY })).catch((x: unknown) => x);
    sts.clear();
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).transient).toBe(true);
  });

  it('the token endpoint refusing (403) is a configuration error about id-token permission', async () => {
    const env = grantIdToken();
    oidc.failures = [403];
    const e = await quietly(() => resolveCredentials(awsSettings({ aws: { roleArn: ROLE } }), { env, retry: FAST_RETRY })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toMatch(/Could not get a GitHub OIDC token.*id-token: write/);
  });

  it('uses the given session name; an injected token source needs no ACTIONS_ID_TOKEN_REQUEST_* variables', async () => {
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const before = sts.calls.length;
    const token = await oidc.oauth.issuer.buildToken({
      scopesOrTransform: (_h, p) => void Object.assign(p, { aud: 'sts.amazonaws.com', sub: 'repo:octo/widgets:environment:prod' })
    });
    const seen: string[] = [];
    const creds = await resolveCredentials(awsSettings({ aws: { roleArn: ROLE, roleSessionName: 'nightly-drift' } }), {
      env: { AWS_ENDPOINT_URL_STS: sts.endpoint },
      getIDToken: async (aud) => (seen.push(aud), token),
      setSecret: () => undefined
    });
    expect(creds).toBeDefined();
    expect(seen).toEqual(['sts.amazonaws.com']);
    expect(sts.calls[before]).toMatchObject({ sessionName: 'nightly-drift', sub: 'repo:octo/widgets:environment:prod' });
  });
});

describe('resolveCredentials without a role', () => {
  it('leaves credentials to the default provider chain', async () => {
    const before = sts.calls.length;
    expect(await resolveCredentials(awsSettings(), { env: {} })).toBeUndefined();
    expect(sts.calls.length).toBe(before);
  });
});

describe('roleSessionName', () => {
  it('defaults to pm-action-<run_id>, at most 64 characters; rejects invalid names', () => {
    expect(roleSessionName(awsSettings())).toBe('pm-action-987654');
    const long = awsSettings();
    long.run.runId = '9'.repeat(80);
    expect(roleSessionName(long)).toHaveLength(64);
    expect(() => roleSessionName(awsSettings({ aws: { roleSessionName: 'a' } }))).toThrow(ConfigurationError);
    expect(() => roleSessionName(awsSettings({ aws: { roleSessionName: 'has space' } }))).toThrow(/2 to 64 characters/);
  });
});
