/**
 * The redaction key of the local store, `<dataDir>/redaction-key.json` (mode 0600):
 *   { "keys": [ { "version": 1, "value": "<64 hex>", "createdAt": ISO } ], "retired"?: [...] }
 * Generated on first use under the file's lock, so concurrent processes agree on one key.
 * Invalid content is never replaced: a new key would silently stop old hashes from verifying.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { NonceKey, NonceSource } from '../types.js';
import { isPlainObject, readJson, withLock, writeFileAtomic, WarningSink, type LockOptions } from './files.js';

export const REDACTION_KEY_FILE = 'redaction-key.json';
export const KEY_FILE_MODE = 0o600;

export interface StoredKey extends NonceKey {
  createdAt: string;
}

export interface RedactionKeyFile {
  keys: StoredKey[];
  /** Keys that lost a version conflict during a cache merge; kept, never used. */
  retired?: (StoredKey & { reason: string })[];
}

const HEX64 = /^[0-9a-f]{64}$/i;

export function redactionKeyProblem(v: unknown): string | null {
  if (!isPlainObject(v) || !Array.isArray(v.keys)) return 'expected an object with a "keys" list';
  if (v.keys.length === 0) return 'the "keys" list is empty';
  const versions = new Set<number>();
  for (const [i, k] of v.keys.entries()) {
    if (!isPlainObject(k)) return `key ${i} is not an object`;
    if (!Number.isInteger(k.version) || (k.version as number) < 1) return `key ${i} has no positive integer version`;
    if (typeof k.value !== 'string' || !HEX64.test(k.value)) return `key ${i} (version ${k.version}) is not 64 hex characters`;
    if (versions.has(k.version as number)) return `version ${k.version} appears twice`;
    versions.add(k.version as number);
  }
  if (v.retired !== undefined && !Array.isArray(v.retired)) return '"retired" is not a list';
  return null;
}

const readOptions = { validate: redactionKeyProblem, onCorrupt: 'keep' as const, what: 'redaction key' };

export function newStoredKey(version: number, at = new Date()): StoredKey {
  return { version, value: randomBytes(32).toString('hex'), createdAt: at.toISOString() };
}

export interface LocalNonceSourceOptions {
  warnings?: WarningSink;
  lock?: LockOptions;
}

export class LocalNonceSource implements NonceSource {
  readonly path: string;
  private readonly warnings: WarningSink;
  private readonly lockOptions: LockOptions;

  constructor(dataDir: string, options: LocalNonceSourceOptions = {}) {
    this.path = join(dataDir, REDACTION_KEY_FILE);
    this.warnings = options.warnings ?? new WarningSink();
    this.lockOptions = { onWarning: (m) => this.warnings.add(m), ...options.lock };
  }

  getWarnings(): string[] {
    return this.warnings.list();
  }

  async load(): Promise<{ keys: NonceKey[]; loadedAt: Date }> {
    let file = await readJson<RedactionKeyFile | null>(this.path, null, readOptions);
    if (file === null) {
      file = await withLock(
        this.path,
        async () => {
          const existing = await readJson<RedactionKeyFile | null>(this.path, null, readOptions);
          if (existing) return existing; // another process generated it meanwhile
          const created: RedactionKeyFile = { keys: [newStoredKey(1)] };
          await writeFileAtomic(this.path, JSON.stringify(created, null, 2) + '\n', { mode: KEY_FILE_MODE });
          return created;
        },
        this.lockOptions
      );
    }
    const keys = [...file.keys].sort((a, b) => b.version - a.version).map((k) => ({ version: k.version, value: k.value.toLowerCase() }));
    return { keys, loadedAt: new Date() };
  }
}
