/**
 * Blocked runs per repository and UTC hour in `<dataDir>/block-counter.json`:
 *   { "buckets": { "<repo>#<yyyy-mm-ddThh>": { "count": 2, "runs": ["123.1", "124.1"] } } }
 * `count` is always the size of `runs`, so a re-run with the same key counts once.
 */
import { join } from 'node:path';
import type { BlockCounter } from '../types.js';
import { isPlainObject, readJson, updateJson, WarningSink, type LockOptions } from './files.js';

export const BLOCK_COUNTER_FILE = 'block-counter.json';
/** Buckets whose hour started more than this long before the newest write are pruned. */
export const BUCKET_RETENTION_MS = 3 * 60 * 60 * 1000;

export interface BlockBucket {
  count: number;
  runs: string[];
}

export interface BlockCounterFile {
  buckets: Record<string, BlockBucket>;
}

/** `YYYY-MM-DDTHH` of the UTC hour containing `at`. */
export function hourBucket(at: Date): string {
  return at.toISOString().slice(0, 13);
}

export function bucketKey(repository: string, at: Date): string {
  return `${repository}#${hourBucket(at)}`;
}

/** Start of the bucket's hour in ms, or NaN when the key does not end in an hour. */
export function bucketStart(key: string): number {
  const hour = key.slice(key.lastIndexOf('#') + 1);
  return /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour) ? Date.parse(`${hour}:00:00Z`) : NaN;
}

export function blockCounterProblem(v: unknown): string | null {
  if (!isPlainObject(v) || !isPlainObject(v.buckets)) return 'expected an object with a "buckets" object';
  for (const [key, b] of Object.entries(v.buckets)) {
    if (!isPlainObject(b) || !Array.isArray(b.runs) || !b.runs.every((r) => typeof r === 'string')) {
      return `bucket ${JSON.stringify(key)} has no list of run keys`;
    }
  }
  return null;
}

/** Removes buckets older than the retention relative to `now` (unparseable keys are kept). */
export function pruneBuckets(file: BlockCounterFile, now: Date): void {
  const oldest = Date.parse(`${hourBucket(now)}:00:00Z`) - BUCKET_RETENTION_MS;
  for (const key of Object.keys(file.buckets)) {
    if (bucketStart(key) < oldest) delete file.buckets[key];
  }
}

export interface LocalBlockCounterOptions {
  warnings?: WarningSink;
  lock?: LockOptions;
}

export class LocalBlockCounter implements BlockCounter {
  readonly path: string;
  private readonly warnings: WarningSink;
  private readonly lockOptions: LockOptions;

  constructor(dataDir: string, options: LocalBlockCounterOptions = {}) {
    this.path = join(dataDir, BLOCK_COUNTER_FILE);
    this.warnings = options.warnings ?? new WarningSink();
    this.lockOptions = { onWarning: (m) => this.warnings.add(m), ...options.lock };
  }

  getWarnings(): string[] {
    return this.warnings.list();
  }

  async increment(repository: string, runKey: string, at: Date): Promise<number> {
    const key = bucketKey(repository, at);
    let count = 0;
    await updateJson<BlockCounterFile>(
      this.path,
      () => ({ buckets: {} }),
      { validate: blockCounterProblem, what: 'block counter' },
      this.lockOptions,
      (file) => {
        const bucket = file.buckets[key] ?? { count: 0, runs: [] };
        if (!bucket.runs.includes(runKey)) bucket.runs.push(runKey);
        bucket.count = bucket.runs.length;
        file.buckets[key] = bucket;
        pruneBuckets(file, at);
        count = bucket.count;
      }
    );
    return count;
  }

  async read(repository: string, at: Date): Promise<number> {
    const file = await readJson<BlockCounterFile>(this.path, { buckets: {} }, { validate: blockCounterProblem, what: 'block counter' });
    return file.buckets[bucketKey(repository, at)]?.runs.length ?? 0;
  }
}
