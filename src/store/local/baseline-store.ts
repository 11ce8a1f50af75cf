/**
 * Drift baselines in `<dataDir>/baseline.json`:
 *   { "baselines": { "<owner>/<repo>": { "savedAt": ISO, "baseline": <document> } } }
 * A malformed file is never moved or overwritten by `load` (a reset baseline would hide drift):
 * it throws until a person fixes it. `save` keeps the malformed bytes at
 * `baseline.json.corrupt-<timestamp>` before writing the new baseline.
 */
import { join } from 'node:path';
import type { BaselineStore } from '../types.js';
import { StoreError } from '../types.js';
import { CorruptFileError, isPlainObject, moveAside, readJson, withLock, writeFileAtomic, WarningSink, type LockOptions } from './files.js';

export const BASELINE_FILE = 'baseline.json';

export interface BaselineEntry {
  savedAt: string;
  baseline: unknown;
}

export interface BaselineFile {
  baselines: Record<string, BaselineEntry>;
}

export const baselineKey = (owner: string, repo: string): string => `${owner}/${repo}`;

export function baselineProblem(v: unknown): string | null {
  if (!isPlainObject(v) || !isPlainObject(v.baselines)) return 'expected an object with a "baselines" object';
  for (const [key, e] of Object.entries(v.baselines)) {
    if (!isPlainObject(e) || typeof e.savedAt !== 'string' || !('baseline' in e)) {
      return `entry ${JSON.stringify(key)} lacks savedAt or baseline`;
    }
  }
  return null;
}

const readOptions = { validate: baselineProblem, onCorrupt: 'keep' as const, what: 'baseline' };

export interface LocalBaselineStoreOptions {
  warnings?: WarningSink;
  lock?: LockOptions;
}

export class LocalBaselineStore implements BaselineStore {
  readonly path: string;
  private readonly warnings: WarningSink;
  private readonly lockOptions: LockOptions;

  constructor(dataDir: string, options: LocalBaselineStoreOptions = {}) {
    this.path = join(dataDir, BASELINE_FILE);
    this.warnings = options.warnings ?? new WarningSink();
    this.lockOptions = { onWarning: (m) => this.warnings.add(m), ...options.lock };
  }

  getWarnings(): string[] {
    return this.warnings.list();
  }

  async load(owner: string, repo: string): Promise<unknown | null> {
    const file = await readJson<BaselineFile>(this.path, { baselines: {} }, readOptions);
    const entry = file.baselines[baselineKey(owner, repo)];
    return entry ? entry.baseline : null;
  }

  async save(owner: string, repo: string, baseline: unknown): Promise<void> {
    if (baseline === undefined) throw new StoreError('refusing to save an undefined baseline', false);
    await withLock(
      this.path,
      async () => {
        let file: BaselineFile;
        try {
          file = await readJson<BaselineFile>(this.path, { baselines: {} }, readOptions);
        } catch (e) {
          if (!(e instanceof CorruptFileError)) throw e;
          const movedTo = await moveAside(this.path);
          this.warnings.add(`${this.path} was malformed and is replaced by the new baseline; the old bytes were kept at ${movedTo ?? '(the file had gone meanwhile)'}`);
          file = { baselines: {} };
        }
        file.baselines[baselineKey(owner, repo)] = { savedAt: new Date().toISOString(), baseline };
        await writeFileAtomic(this.path, JSON.stringify(file, null, 2) + '\n');
      },
      this.lockOptions
    );
  }
}
