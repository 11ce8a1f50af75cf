/**
 * `pm-action rotate-key --path /guardian/<env>/ [--retire] [--grace 2h]` (issue 6 item 6).
 *
 * 1. Lists `<path>redaction_nonce_v<N>` (GetParametersByPath) and creates `redaction_nonce_v<N+1>`
 *    (PutParameter, SecureString, 64 hex from crypto.randomBytes, never overwriting).
 * 2. Reads it back (GetParameter, decrypted) and checks the value and type.
 * 3. With `--retire`, deletes the versions that were *superseded* more than the grace period ago:
 *    version k goes when version k+1 has existed longer than the grace (default 2 h — twice the
 *    hour for which runs cache keys and nonce_freshness accepts them), so everything redacted
 *    with k can still be verified for the grace period after k stopped redacting. The newest
 *    version is never deleted.
 * 4. Any failure rolls back: retired keys are put back (values read before deleting) and the
 *    created key is deleted. Exit 0 done, 1 failed (rolled back, or what could not be rolled
 *    back is named), 3 usage.
 *
 * Key values are never printed. The AWS SDK is imported only when the command runs.
 * IAM: ssm:GetParametersByPath, ssm:GetParameter, ssm:PutParameter, ssm:DeleteParameter on the
 * path (and kms:Encrypt/Decrypt on its key) — an operator's role, not the action's.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationError } from '../config/errors.js';
import type { CliIO } from './io.js';

export const ROTATE_USAGE = `Usage: pm-action rotate-key --path /guardian/<env>/ [--retire] [--grace 2h] [--aws-region R] [--aws-endpoint-url URL]

Creates redaction_nonce_v<N+1> (SecureString, 64 hex) under the path and verifies it reads back.
--retire also deletes versions superseded more than --grace ago (default 2h; units ms, s, m, h, d);
the newest version is never deleted. Any failure rolls back what the command changed.`;

export const DEFAULT_GRACE_MS = 2 * 3_600_000;

export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new ConfigurationError(`--grace '${text}' is not a duration such as 90m, 2h or 1d.`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** `/guardian/prod` and `/guardian/prod/` both name the folder `/guardian/prod/`. */
export function normalisePath(p: string): string {
  const t = p.trim();
  if (!/^\/[A-Za-z0-9_.\-/]*$/.test(t)) throw new ConfigurationError(`--path '${p}' must start with / and hold only letters, digits and _ . - / (e.g. /guardian/prod/).`);
  return t.endsWith('/') ? t : `${t}/`;
}

export interface KeyVersion {
  name: string;
  version: number;
  /** ms since the epoch. */
  modifiedAt: number;
}

/** Versions to retire: superseded (by the next version) at or before `now − grace`; never the newest. */
export function versionsToRetire(versions: readonly KeyVersion[], now: Date, graceMs: number): KeyVersion[] {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const out: KeyVersion[] = [];
  for (let i = 0; i < sorted.length - 1; i++) {
    if (sorted[i + 1].modifiedAt <= now.getTime() - graceMs) out.push(sorted[i]);
  }
  return out;
}

type Ssm = typeof import('@aws-sdk/client-ssm');

async function listVersions(sdk: Ssm, client: SSMClient, folder: string): Promise<KeyVersion[]> {
  const { NONCE_PARAMETER_PATTERN } = await import('../store/aws/tables.js');
  const out: KeyVersion[] = [];
  let NextToken: string | undefined;
  const Path = folder.length > 1 ? folder.replace(/\/+$/, '') : folder;
  do {
    const page = await client.send(new sdk.GetParametersByPathCommand({ Path, Recursive: false, WithDecryption: false, MaxResults: 10, NextToken }));
    for (const p of page.Parameters ?? []) {
      const name = p.Name ?? '';
      const m = NONCE_PARAMETER_PATTERN.exec(name.slice(name.lastIndexOf('/') + 1));
      if (!m) continue;
      const modified = p.LastModifiedDate instanceof Date ? p.LastModifiedDate.getTime() : Number(p.LastModifiedDate ?? 0) * 1000;
      out.push({ name, version: Number(m[1]), modifiedAt: modified });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out.sort((a, b) => a.version - b.version);
}

const message = (err: unknown): string => {
  const e = err as { name?: string; message?: string };
  return `${e?.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e?.message ?? String(err)}`;
};

export interface RotateResult {
  created?: string;
  retired: string[];
  rolledBack: boolean;
  error?: string;
}

/** The rotation itself, on a client (tests pass one built on the SSM fake). */
export async function rotateKey(client: SSMClient, opts: { path: string; retire: boolean; graceMs: number; now: Date; log: (line: string) => void }): Promise<RotateResult> {
  const sdk = await import('@aws-sdk/client-ssm');
  const { NONCE_PARAMETER_PREFIX } = await import('../store/aws/tables.js');
  const folder = normalisePath(opts.path);
  const versions = await listVersions(sdk, client, folder);
  const next = (versions.length ? Math.max(...versions.map((v) => v.version)) : 0) + 1;
  const name = `${folder}${NONCE_PARAMETER_PREFIX}${next}`;
  const value = randomBytes(32).toString('hex');
  const result: RotateResult = { retired: [], rolledBack: false };
  try {
    await client.send(new sdk.PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: false, Description: 'pm-action redaction key (64 hex)' }));
  } catch (err) {
    // Nothing was created (e.g. ParameterAlreadyExists: a concurrent rotation).
    return { ...result, error: `could not create ${name}: ${message(err)}` };
  }
  result.created = name;
  opts.log(`Created ${name} (SecureString).`);
  const restored: { name: string; value: string }[] = [];
  const rollback = async (why: string): Promise<RotateResult> => {
    const problems: string[] = [];
    for (const r of restored.reverse()) {
      try {
        await client.send(new sdk.PutParameterCommand({ Name: r.name, Value: r.value, Type: 'SecureString', Overwrite: false, Description: 'pm-action redaction key (64 hex)' }));
        opts.log(`Rolled back: restored ${r.name}.`);
      } catch (e) {
        problems.push(`${r.name} could not be restored (${message(e)})`);
      }
    }
    try {
      await client.send(new sdk.DeleteParameterCommand({ Name: name }));
      opts.log(`Rolled back: deleted ${name}.`);
    } catch (e) {
      problems.push(`${name} could not be deleted (${message(e)}); delete it by hand`);
    }
    return { ...result, retired: [], rolledBack: problems.length === 0, error: problems.length ? `${why}; rollback incomplete: ${problems.join('; ')}` : why };
  };

  try {
    const got = await client.send(new sdk.GetParameterCommand({ Name: name, WithDecryption: true }));
    if (got.Parameter?.Value !== value || got.Parameter?.Type !== 'SecureString') return rollback(`${name} did not read back as the SecureString just written`);
  } catch (err) {
    return rollback(`${name} could not be read back: ${message(err)}`);
  }
  opts.log(`Verified ${name} reads back.`);
  if (!opts.retire) return result;

  // The new key exists now; it is the newest and is never retired.
  const all = [...versions, { name, version: next, modifiedAt: opts.now.getTime() }];
  for (const old of versionsToRetire(all, opts.now, opts.graceMs)) {
    try {
      const got = await client.send(new sdk.GetParameterCommand({ Name: old.name, WithDecryption: true }));
      await client.send(new sdk.DeleteParameterCommand({ Name: old.name }));
      restored.push({ name: old.name, value: got.Parameter?.Value ?? '' });
      result.retired.push(old.name);
      opts.log(`Retired ${old.name}.`);
    } catch (err) {
      return rollback(`could not retire ${old.name}: ${message(err)}`);
    }
  }
  return result;
}

/** Runs `pm-action rotate-key …`; returns the exit code. */
export async function runRotateKeyCli(argv: string[], io: CliIO): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        path: { type: 'string' },
        retire: { type: 'boolean' },
        grace: { type: 'string' },
        'aws-region': { type: 'string' },
        'aws-endpoint-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    }).values;
  } catch (err) {
    io.stderr(`pm-action rotate-key: ${(err as Error).message}\n\n${ROTATE_USAGE}\n`);
    return 3;
  }
  if (v.help) {
    io.stdout(`${ROTATE_USAGE}\n`);
    return 0;
  }
  let client: SSMClient | undefined;
  try {
    if (!v.path) throw new ConfigurationError('--path is required (e.g. /guardian/prod/).');
    const folder = normalisePath(v.path);
    const graceMs = v.grace === undefined ? DEFAULT_GRACE_MS : parseDuration(v.grace);
    const { createSSMClient } = await import('../aws/clients.js');
    client = await createSSMClient({ region: v['aws-region'], endpointUrl: v['aws-endpoint-url'], env: io.env, clientConfig: io.awsClientConfig });
    const r = await rotateKey(client, { path: folder, retire: Boolean(v.retire), graceMs, now: io.now ? io.now() : new Date(), log: (l) => io.stdout(`${l}\n`) });
    if (r.error) {
      io.stderr(`pm-action rotate-key: ${r.error}${r.rolledBack ? ' (rolled back: nothing changed)' : ''}\n`);
      return 1;
    }
    io.stdout(`Rotation done: ${r.created} is the newest key${r.retired.length ? `; retired ${r.retired.join(', ')}` : ''}. Runs pick it up within the hour (keys are cached for 1 h).\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigurationError) {
      io.stderr(`pm-action rotate-key: ${err.message}\n\n${ROTATE_USAGE}\n`);
      return 3;
    }
    io.stderr(`pm-action rotate-key: ${message(err)}\n`);
    return 1;
  } finally {
    client?.destroy();
  }
}
