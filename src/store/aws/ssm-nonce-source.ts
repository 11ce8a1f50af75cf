/**
 * NonceSource on SSM Parameter Store: every `<path>redaction_nonce_v<N>` (SecureString, 64 hex),
 * read with GetParametersByPath (paginated, decrypted). The newest version redacts; every valid
 * version verifies (rotation grace). Values that are not 64 hex are ignored with a warning
 * (the value is never printed); none valid → StoreError (the run degrades: nonce_unavailable).
 * The keys are masked in the log and cached for an hour.
 */
import { GetParametersByPathCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { NonceKey, NonceSource } from '../types.js';
import { StoreError } from '../types.js';
import { call, type AwsStoreOptions } from './dynamodb-common.js';
import { NONCE_CACHE_MS, NONCE_PARAMETER_PATTERN, NONCE_PARAMETER_PREFIX } from './tables.js';

const HEX64 = /^[0-9a-f]{64}$/i;

export interface SsmNonceSourceOptions extends AwsStoreOptions {
  /** Default 1 h. */
  cacheMs?: number;
  /** Masks each key in the log (core.setSecret in the action). */
  setSecret?: (secret: string) => void;
}

/** GetParametersByPath's Path: the input without its trailing slash (the root stays `/`). */
export function ssmPath(path: string): string {
  const p = path.trim();
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export class SsmNonceSource implements NonceSource {
  private cached?: { keys: NonceKey[]; loadedAt: Date };

  constructor(
    private readonly client: SSMClient,
    readonly path: string,
    private readonly opts: SsmNonceSourceOptions = {}
  ) {
    if (!path.startsWith('/')) throw new StoreError(`nonce parameter path '${path}' must start with '/' (e.g. /guardian/prod/)`, false);
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  async load(): Promise<{ keys: NonceKey[]; loadedAt: Date }> {
    const now = this.now();
    if (this.cached && now.getTime() - this.cached.loadedAt.getTime() < (this.opts.cacheMs ?? NONCE_CACHE_MS)) {
      return { keys: this.cached.keys.map((k) => ({ ...k })), loadedAt: this.cached.loadedAt };
    }
    const Path = ssmPath(this.path);
    const byVersion = new Map<number, NonceKey>();
    const ignored: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await call('GetParametersByPath', `SSM path ${Path}`, this.opts, () =>
        this.client.send(new GetParametersByPathCommand({ Path, Recursive: false, WithDecryption: true, MaxResults: 10, NextToken }))
      );
      for (const p of page.Parameters ?? []) {
        const name = p.Name ?? '';
        const m = NONCE_PARAMETER_PATTERN.exec(name.slice(name.lastIndexOf('/') + 1));
        if (!m) continue;
        const version = Number(m[1]);
        const value = (p.Value ?? '').trim();
        if (!HEX64.test(value)) {
          ignored.push(`${name} (not 64 hex characters)`);
          continue;
        }
        if (version < 1 || byVersion.has(version)) {
          ignored.push(`${name} (${version < 1 ? 'version below 1' : `a second parameter for version ${version}`})`);
          continue;
        }
        byVersion.set(version, { version, value: value.toLowerCase() });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    if (ignored.length > 0) this.opts.log?.warning(`Ignored redaction key parameter(s): ${ignored.join(', ')}.`);
    if (byVersion.size === 0) {
      throw new StoreError(
        `No valid redaction key under the SSM path ${Path}: expected SecureString parameters named ` +
          `${NONCE_PARAMETER_PREFIX}<N> holding 64 hex characters${ignored.length > 0 ? ` (ignored: ${ignored.join(', ')})` : ''}.`,
        false
      );
    }
    const keys = [...byVersion.values()].sort((a, b) => b.version - a.version);
    for (const k of keys) this.opts.setSecret?.(k.value);
    this.cached = { keys, loadedAt: now };
    return { keys: keys.map((k) => ({ ...k })), loadedAt: now };
  }
}
