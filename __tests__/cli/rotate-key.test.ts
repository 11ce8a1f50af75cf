import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createSSMClient } from '../../src/aws/clients.js';
import type { CliIO } from '../../src/cli/io.js';
import { normalisePath, parseDuration, rotateKey, runRotateKeyCli, versionsToRetire } from '../../src/cli/rotate-key.js';
import { SsmNonceSource } from '../../src/store/aws/ssm-nonce-source.js';
import { startSsmFake, type SsmFake } from '../../test-support/ssm-fake.js';

const HEX = /^[0-9a-f]{64}$/;
const PATH = '/guardian/test/';
/** The fake stamps parameters at 1_700_000_000 s + a sequence number. */
const FAKE_EPOCH_MS = 1_700_000_000_000;
const hoursAfterFake = (h: number) => new Date(FAKE_EPOCH_MS + h * 3_600_000);

let ssm: SsmFake;
beforeAll(async () => {
  ssm = await startSsmFake();
});
afterAll(async () => {
  await ssm.stop();
});
beforeEach(() => {
  ssm.params.clear();
  ssm.calls.length = 0;
  ssm.clear();
});

function io(now: Date) {
  const out = { stdout: '', stderr: '' };
  const value: CliIO = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    env: { AWS_REGION: 'us-east-1' },
    cwd: '/',
    now: () => now,
    awsClientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
  };
  return { io: value, out };
}

const names = () => [...ssm.params.keys()].sort();
const cli = (argv: string[], now = hoursAfterFake(3)) => {
  const x = io(now);
  return runRotateKeyCli([...argv, '--aws-endpoint-url', ssm.endpoint], x.io).then((code) => ({ code, ...x.out }));
};

describe('pm-action rotate-key against the SSM fake', () => {
  it('creates redaction_nonce_v<N+1> as a 64-hex SecureString that the nonce source then uses, never printing it', async () => {
    ssm.put(`${PATH}redaction_nonce_v1`, 'a'.repeat(64));
    ssm.put(`${PATH}redaction_nonce_v2`, 'b'.repeat(64));
    const r = await cli(['--path', PATH]);
    expect(r.code).toBe(0);
    const created = ssm.params.get(`${PATH}redaction_nonce_v3`)!;
    expect(created.Type).toBe('SecureString');
    expect(created.Value).toMatch(HEX);
    expect(r.stdout).toContain(`Created ${PATH}redaction_nonce_v3`);
    expect(r.stdout).toContain('Verified');
    expect(r.stdout + r.stderr).not.toContain(created.Value);
    expect(names()).toHaveLength(3);
    const client = await createSSMClient({ endpointUrl: ssm.endpoint, region: 'us-east-1', clientConfig: { credentials: { accessKeyId: 't', secretAccessKey: 't' } } });
    const keys = (await new SsmNonceSource(client, PATH).load()).keys;
    expect(keys.map((k) => k.version)).toEqual([3, 2, 1]);
    expect(keys[0].value).toBe(created.Value);
    client.destroy();
  });

  it('starts at v1 on an empty path (a path without the trailing slash works too)', async () => {
    expect((await cli(['--path', '/guardian/test'])).code).toBe(0);
    expect(names()).toEqual([`${PATH}redaction_nonce_v1`]);
  });

  it('--retire deletes versions superseded more than the grace ago, never the newest', async () => {
    ssm.put(`${PATH}redaction_nonce_v1`, 'a'.repeat(64));
    ssm.put(`${PATH}redaction_nonce_v2`, 'b'.repeat(64));
    ssm.put(`${PATH}other_parameter`, 'keep me', 'String');
    // 3 h after v2 appeared: v1 was superseded 3 h ago (> 2 h) → retired; v2 only now → kept.
    const r = await cli(['--path', PATH, '--retire']);
    expect(r.code).toBe(0);
    expect(names()).toEqual([`${PATH}other_parameter`, `${PATH}redaction_nonce_v2`, `${PATH}redaction_nonce_v3`]);
    expect(r.stdout).toContain(`retired ${PATH}redaction_nonce_v1`);
    // With a longer grace nothing goes.
    const r2 = await cli(['--path', PATH, '--retire', '--grace', '1d']);
    expect(r2.code).toBe(0);
    expect(names()).toContain(`${PATH}redaction_nonce_v2`);
  });

  it('rolls back the created key when it does not read back', async () => {
    ssm.put(`${PATH}redaction_nonce_v1`, 'a'.repeat(64));
    ssm.fail('server', 1, 'GetParameter');
    const r = await cli(['--path', PATH]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not be read back');
    expect(r.stderr).toContain('rolled back: nothing changed');
    expect(names()).toEqual([`${PATH}redaction_nonce_v1`]);
  });

  it('rolls back created and retired keys when a retirement fails', async () => {
    ssm.put(`${PATH}redaction_nonce_v1`, '1'.repeat(64));
    ssm.put(`${PATH}redaction_nonce_v2`, '2'.repeat(64));
    ssm.put(`${PATH}redaction_nonce_v3`, '3'.repeat(64));
    // v1 is deleted, then deleting v2 is denied.
    const client = await createSSMClient({ endpointUrl: ssm.endpoint, region: 'us-east-1', clientConfig: { credentials: { accessKeyId: 't', secretAccessKey: 't' } } });
    const realSend = client.send.bind(client);
    let deletes = 0;
    (client as unknown as { send: unknown }).send = async (cmd: { constructor: { name: string } }) => {
      if (cmd.constructor.name === 'DeleteParameterCommand' && ++deletes === 2) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      return realSend(cmd as never);
    };
    const lines: string[] = [];
    const r = await rotateKey(client, { path: PATH, retire: true, graceMs: 3_600_000, now: hoursAfterFake(3), log: (l) => lines.push(l) });
    expect(r).toMatchObject({ rolledBack: true, retired: [] });
    expect(r.error).toContain('could not retire /guardian/test/redaction_nonce_v2: AccessDeniedException: denied');
    expect(names()).toEqual([1, 2, 3].map((v) => `${PATH}redaction_nonce_v${v}`));
    expect(ssm.params.get(`${PATH}redaction_nonce_v1`)!.Value).toBe('1'.repeat(64));
    expect(lines).toContain(`Rolled back: restored ${PATH}redaction_nonce_v1.`);
    client.destroy();
  });

  it('a concurrent rotation (the name already exists) changes nothing', async () => {
    const client = await createSSMClient({ endpointUrl: ssm.endpoint, region: 'us-east-1', clientConfig: { credentials: { accessKeyId: 't', secretAccessKey: 't' } } });
    ssm.fail('denied', 1, 'PutParameter');
    const r = await rotateKey(client, { path: PATH, retire: false, graceMs: 0, now: hoursAfterFake(1), log: () => {} });
    expect(r.error).toContain('could not create');
    expect(r.created).toBeUndefined();
    expect(names()).toEqual([]);
    client.destroy();
  });

  it('usage errors exit 3; SSM unreachable exits 1', async () => {
    expect((await cli([])).code).toBe(3);
    expect((await cli(['--path', 'guardian'])).stderr).toContain('must start with /');
    expect((await cli(['--path', PATH, '--grace', 'two hours'])).code).toBe(3);
    ssm.fail('denied', 1, 'GetParametersByPath');
    const r = await cli(['--path', PATH]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AccessDeniedException');
  });
});

describe('rotate-key helpers', () => {
  it('parseDuration, normalisePath, versionsToRetire', () => {
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(() => parseDuration('2 hours')).toThrow(/duration/);
    expect(normalisePath('/a/b')).toBe('/a/b/');
    const v = (version: number, h: number) => ({ name: `v${version}`, version, modifiedAt: h * 3_600_000 });
    expect(versionsToRetire([v(1, 0), v(2, 1), v(3, 5)], new Date(6 * 3_600_000), 2 * 3_600_000).map((x) => x.name)).toEqual(['v1']);
    expect(versionsToRetire([v(1, 0)], new Date(99 * 3_600_000), 0)).toEqual([]);
  });
});
