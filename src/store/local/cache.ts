/**
 * Persistence of the local store between workflow runs with `@actions/cache`.
 *
 * Caches are immutable per key and scoped to a branch (a PR run sees its own branch's and the
 * default branch's caches). So each run saves under a fresh key
 * `pm-action-<owner>-<repo>-<run_id>-<attempt>` and restores the newest cache by the prefix
 * `pm-action-<owner>-<repo>-`. What is restored is MERGED into the data directory, never copied
 * over it: the data directory may already hold records (a self-hosted runner, an earlier step).
 *
 * `@actions/cache` restores to the paths it saved, so the data directory goes through a staging
 * directory with a fixed location: `<RUNNER_TEMP or tmpdir>/pm-action-cache/store`.
 *
 * Nothing here throws for cache trouble and nothing here logs: problems come back as a
 * `warning` string for the caller to log.
 */
import * as cache from '@actions/cache';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK_COUNTER_FILE, blockCounterProblem, pruneBuckets, type BlockCounterFile } from './block-counter.js';
import { BASELINE_FILE, baselineProblem, type BaselineFile } from './baseline-store.js';
import { CALIBRATION_FILE, calibrationProblem, type CalibrationFile } from './calibration-store.js';
import { CONSENT_FILE, consentProblem, consentUpdatedAt, type ConsentFile } from './consent-store.js';
import {
  appendLines,
  CorruptFileError,
  parseJson,
  readJson,
  withLock,
  writeFileAtomic,
  type LockOptions,
  type Validator
} from './files.js';
import { FP_EVENTS_FILE, fpEventExpiresAt, fpRecordIdentity, fpRecordProblem, type FPRecord } from './fp-store.js';
import { KEY_FILE_MODE, REDACTION_KEY_FILE, redactionKeyProblem, type RedactionKeyFile } from './nonce.js';

/** The files of the local store, in the order they are merged. */
export const STORE_FILES = [FP_EVENTS_FILE, BLOCK_COUNTER_FILE, CONSENT_FILE, CALIBRATION_FILE, BASELINE_FILE, REDACTION_KEY_FILE] as const;

export function cacheKeyPrefix(repository: string): string {
  return `pm-action-${repository.replace(/\//g, '-')}-`;
}

export function cacheKey(repository: string, runId: string, runAttempt: string): string {
  return `${cacheKeyPrefix(repository)}${runId}-${runAttempt}`;
}

/** Fixed location the data directory is saved from and restored to. */
export function stagingDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.RUNNER_TEMP || tmpdir(), 'pm-action-cache', 'store');
}

// ---------------------------------------------------------------------------------------------
// Pure merges (unit-tested without the cache)
// ---------------------------------------------------------------------------------------------

/**
 * Lines of `incoming` ndjson to append to `local` so the file holds the union of both by record
 * identity (events by id, marks by content). `local` is never rewritten: its unreadable lines
 * stay as they are; unreadable incoming lines are skipped and counted.
 *
 * What the store would ignore is left out, so that compaction (see fp-store.ts) does not have to
 * remove it again after every restore: an incoming event that has expired at `now` (an event id
 * whose local records have all expired takes an incoming record that is still live: the other
 * copy recorded it anew), and an incoming mark older than the local mark of its finding.
 */
export function fpLinesToAppend(localText: string, incomingText: string, now: Date = new Date()): { lines: string[]; skipped: number } {
  const nowMs = now.getTime();
  /** Marks by content, and the events that have a live local record. */
  const known = new Set<string>();
  /** Newest local `markedAt` per finding. */
  const newestMark = new Map<string, number>();
  for (const row of localText.split('\n')) {
    const parsed = row.trim() === '' ? null : parseJson(row);
    if (!parsed?.ok || fpRecordProblem(parsed.value) !== null) continue;
    const r = parsed.value as FPRecord;
    if (r.type === 'mark') newestMark.set(r.findingId, Math.max(newestMark.get(r.findingId) ?? -Infinity, Date.parse(r.markedAt)));
    if (r.type === 'mark' || fpEventExpiresAt(r) > nowMs) known.add(fpRecordIdentity(r));
  }
  const lines: string[] = [];
  let skipped = 0;
  for (const row of incomingText.split('\n')) {
    if (row.trim() === '') continue;
    const parsed = parseJson(row);
    if (!parsed.ok || fpRecordProblem(parsed.value) !== null) {
      skipped++;
      continue;
    }
    const r = parsed.value as FPRecord;
    const id = fpRecordIdentity(r);
    if (known.has(id)) continue;
    if (r.type === 'event' ? fpEventExpiresAt(r) <= nowMs : Date.parse(r.markedAt) < (newestMark.get(r.findingId) ?? -Infinity)) continue;
    known.add(id);
    lines.push(JSON.stringify(parsed.value));
  }
  return { lines, skipped };
}

/** Union of buckets and of their run keys; `count` is the number of distinct runs. */
export function mergeBlockCounters(local: BlockCounterFile, incoming: BlockCounterFile, now: Date = new Date()): BlockCounterFile {
  const out: BlockCounterFile = { buckets: {} };
  for (const src of [local, incoming]) {
    for (const [key, bucket] of Object.entries(src.buckets)) {
      const runs = new Set(out.buckets[key]?.runs ?? []);
      for (const r of bucket.runs) runs.add(r);
      out.buckets[key] = { count: runs.size, runs: [...runs] };
    }
  }
  pruneBuckets(out, now);
  return out;
}

/** Union by key; of two records for the same key the most recently changed wins (local on a tie). */
export function mergeConsent(local: ConsentFile, incoming: ConsentFile): ConsentFile {
  const records = { ...local.records };
  for (const [key, r] of Object.entries(incoming.records)) {
    const mine = records[key];
    if (!mine || consentUpdatedAt(r) > consentUpdatedAt(mine)) records[key] = r;
  }
  return { records };
}

/** Union by `rule#<id>` / `<bucket>#<orgHash>`; the newer `updatedAt` wins (local on a tie). */
export function mergeCalibration(local: CalibrationFile, incoming: CalibrationFile): CalibrationFile {
  const contributions: CalibrationFile['contributions'] = {};
  for (const [rk, items] of Object.entries(local.contributions)) contributions[rk] = { ...items };
  for (const [rk, items] of Object.entries(incoming.contributions)) {
    const target = (contributions[rk] ??= {});
    for (const [ik, c] of Object.entries(items)) {
      const mine = target[ik];
      const t = (x: { updatedAt?: string }) => (x.updatedAt ? Date.parse(x.updatedAt) || 0 : 0);
      if (!mine || t(c) > t(mine)) target[ik] = c;
    }
  }
  const snapshots: NonNullable<CalibrationFile['snapshots']> = { ...local.snapshots };
  for (const [scope, snap] of Object.entries(incoming.snapshots ?? {})) {
    const mine = snapshots[scope];
    if (!mine || (Date.parse(snap.takenAt) || 0) > (Date.parse(mine.takenAt) || 0)) snapshots[scope] = snap;
  }
  return Object.keys(snapshots).length > 0 ? { contributions, snapshots } : { contributions };
}

function baselineTime(entry: { savedAt?: string; baseline?: unknown }, fileMtimeMs: number): number {
  const saved = entry.savedAt ? Date.parse(entry.savedAt) : NaN;
  if (Number.isFinite(saved)) return saved;
  const inner = entry.baseline as { createdAt?: unknown } | null;
  const created = typeof inner?.createdAt === 'string' ? Date.parse(inner.createdAt) : NaN;
  return Number.isFinite(created) ? created : fileMtimeMs;
}

/**
 * Per repository, the newer baseline wins: by `savedAt`, else the document's own `createdAt`,
 * else the file's mtime (local on a tie).
 */
export function mergeBaselines(local: BaselineFile, incoming: BaselineFile, mtimes: { local?: number; incoming?: number } = {}): BaselineFile {
  const baselines = { ...local.baselines };
  for (const [key, entry] of Object.entries(incoming.baselines)) {
    const mine = baselines[key];
    if (!mine || baselineTime(entry, mtimes.incoming ?? 0) > baselineTime(mine, mtimes.local ?? 0)) baselines[key] = entry;
  }
  return { baselines };
}

/**
 * Union of key versions. Two scopes may each have generated a key with the same version; then
 * the older key (by `createdAt`, then value) keeps the version, so every scope converges on the
 * same key, and the other is kept under `retired` (never used) with a warning.
 */
export function mergeRedactionKeys(local: RedactionKeyFile, incoming: RedactionKeyFile): { file: RedactionKeyFile; warnings: string[] } {
  const warnings: string[] = [];
  const byVersion = new Map(local.keys.map((k) => [k.version, k]));
  const retired = [...(local.retired ?? [])];
  const retiredValues = new Set(retired.map((k) => k.value.toLowerCase()));
  for (const k of incoming.keys) {
    const mine = byVersion.get(k.version);
    if (!mine) {
      byVersion.set(k.version, k);
      continue;
    }
    if (mine.value.toLowerCase() === k.value.toLowerCase()) continue;
    const older = (a: typeof k, b: typeof k) => {
      const ta = Date.parse(a.createdAt) || 0;
      const tb = Date.parse(b.createdAt) || 0;
      return ta !== tb ? ta < tb : a.value < b.value;
    };
    const [keep, drop] = older(k, mine) ? [k, mine] : [mine, k];
    byVersion.set(k.version, keep);
    if (!retiredValues.has(drop.value.toLowerCase())) {
      retired.push({ ...drop, reason: `version ${k.version} conflicted with an older key during a cache merge` });
      retiredValues.add(drop.value.toLowerCase());
    }
    warnings.push(
      `redaction key version ${k.version} differed between the restored cache and the data directory; ` +
        `kept the older key (created ${keep.createdAt}); hashes made with the other key will not verify`
    );
  }
  for (const k of incoming.retired ?? []) {
    if (!retiredValues.has(k.value.toLowerCase())) {
      retired.push(k);
      retiredValues.add(k.value.toLowerCase());
    }
  }
  const file: RedactionKeyFile = { keys: [...byVersion.values()].sort((a, b) => b.version - a.version) };
  if (retired.length > 0) file.retired = retired;
  return { file, warnings };
}

// ---------------------------------------------------------------------------------------------
// Merging a staged copy into the data directory
// ---------------------------------------------------------------------------------------------

async function readIncomingJson<T>(path: string, validate: Validator): Promise<{ value: T | null; problem?: string }> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { value: null };
    return { value: null, problem: (e as Error).message };
  }
  const parsed = parseJson(text);
  if (!parsed.ok) return { value: null, problem: `not valid JSON (${parsed.problem})` };
  const problem = validate(parsed.value);
  return problem ? { value: null, problem } : { value: parsed.value as T };
}

async function mtimeMs(path: string): Promise<number> {
  return fs.stat(path).then(
    (s) => s.mtimeMs,
    () => 0
  );
}

interface JsonMerge<T> {
  file: string;
  validate: Validator;
  empty: () => T;
  /** `keep`: a damaged local file is left alone and the merge of that file is skipped. */
  onCorruptLocal: 'move' | 'keep';
  mode?: number;
  merge: (local: T, incoming: T, paths: { local: string; incoming: string }) => Promise<{ value: T; warnings: string[] }>;
}

async function mergeJsonFile<T>(spec: JsonMerge<T>, stagedDir: string, dataDir: string, lock: LockOptions, warnings: string[]): Promise<boolean> {
  const incomingPath = join(stagedDir, spec.file);
  const localPath = join(dataDir, spec.file);
  const incoming = await readIncomingJson<T>(incomingPath, spec.validate);
  if (incoming.problem) {
    warnings.push(`the restored ${spec.file} was skipped: ${incoming.problem}`);
    return false;
  }
  if (incoming.value === null) return false;
  const incomingValue = incoming.value;
  return withLock(
    localPath,
    async () => {
      let local: T | null;
      try {
        local = await readJson<T | null>(localPath, null, { validate: spec.validate, onCorrupt: spec.onCorruptLocal });
      } catch (e) {
        if (!(e instanceof CorruptFileError)) throw e;
        if (spec.onCorruptLocal === 'keep') {
          warnings.push(`${e.message} The restored copy was not merged into it.`);
          return false;
        }
        warnings.push(e.message);
        local = null;
      }
      const merged = await spec.merge(local ?? spec.empty(), incomingValue, { local: localPath, incoming: incomingPath });
      warnings.push(...merged.warnings);
      const text = JSON.stringify(merged.value, null, 2) + '\n';
      if (local !== null && JSON.stringify(local, null, 2) + '\n' === text) return false;
      await writeFileAtomic(localPath, text, spec.mode === undefined ? {} : { mode: spec.mode });
      return true;
    },
    lock
  );
}

async function mergeFpFile(stagedDir: string, dataDir: string, lock: LockOptions, warnings: string[], now: Date): Promise<boolean> {
  const incomingPath = join(stagedDir, FP_EVENTS_FILE);
  const localPath = join(dataDir, FP_EVENTS_FILE);
  let incomingText: string;
  try {
    incomingText = await fs.readFile(incomingPath, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return false;
    warnings.push(`the restored ${FP_EVENTS_FILE} was skipped: ${(e as Error).message}`);
    return false;
  }
  return withLock(
    localPath,
    async () => {
      const localText = await fs.readFile(localPath, 'utf8').catch((e: { code?: string }) => {
        if (e.code === 'ENOENT') return '';
        throw e;
      });
      const { lines, skipped } = fpLinesToAppend(localText, incomingText, now);
      if (skipped > 0) warnings.push(`the restored ${FP_EVENTS_FILE} had ${skipped} unreadable line(s); they were not merged`);
      await appendLines(localPath, lines);
      return lines.length > 0;
    },
    lock
  );
}

/**
 * Merges the store files found in `stagedDir` into `dataDir` (created if needed), each under
 * its lock. Returns the files that changed and notes about what could not be merged.
 */
export async function mergeStoreDirs(stagedDir: string, dataDir: string, options: { now?: Date; lock?: LockOptions } = {}): Promise<{ changed: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const lock: LockOptions = { onWarning: (m) => warnings.push(m), ...options.lock };
  const now = options.now ?? new Date();
  await fs.mkdir(dataDir, { recursive: true });
  const changed: string[] = [];
  const specs: JsonMerge<unknown>[] = [
    {
      file: BLOCK_COUNTER_FILE,
      validate: blockCounterProblem,
      empty: () => ({ buckets: {} }),
      onCorruptLocal: 'move',
      merge: async (l, i) => ({ value: mergeBlockCounters(l as BlockCounterFile, i as BlockCounterFile, now), warnings: [] })
    },
    {
      file: CONSENT_FILE,
      validate: consentProblem,
      empty: () => ({ records: {} }),
      onCorruptLocal: 'move',
      merge: async (l, i) => ({ value: mergeConsent(l as ConsentFile, i as ConsentFile), warnings: [] })
    },
    {
      file: CALIBRATION_FILE,
      validate: calibrationProblem,
      empty: () => ({ contributions: {} }),
      onCorruptLocal: 'move',
      merge: async (l, i) => ({ value: mergeCalibration(l as CalibrationFile, i as CalibrationFile), warnings: [] })
    },
    {
      file: BASELINE_FILE,
      validate: baselineProblem,
      empty: () => ({ baselines: {} }),
      onCorruptLocal: 'keep',
      merge: async (l, i, paths) => ({
        value: mergeBaselines(l as BaselineFile, i as BaselineFile, { local: await mtimeMs(paths.local), incoming: await mtimeMs(paths.incoming) }),
        warnings: []
      })
    },
    {
      file: REDACTION_KEY_FILE,
      validate: redactionKeyProblem,
      empty: () => ({ keys: [] }),
      onCorruptLocal: 'keep',
      mode: KEY_FILE_MODE,
      merge: async (l, i) => {
        const r = mergeRedactionKeys(l as RedactionKeyFile, i as RedactionKeyFile);
        return { value: r.file, warnings: r.warnings };
      }
    }
  ];
  try {
    if (await mergeFpFile(stagedDir, dataDir, lock, warnings, now)) changed.push(FP_EVENTS_FILE);
  } catch (e) {
    warnings.push(`could not merge the restored ${FP_EVENTS_FILE}: ${(e as Error).message}`);
  }
  for (const spec of specs) {
    try {
      if (await mergeJsonFile(spec, stagedDir, dataDir, lock, warnings)) changed.push(spec.file);
    } catch (e) {
      warnings.push(`could not merge the restored ${spec.file}: ${(e as Error).message}`);
    }
  }
  return { changed, warnings };
}

/** Copies the store files of `dataDir` (each read under its lock) into an emptied `targetDir`. */
export async function snapshotStoreDir(dataDir: string, targetDir: string, lock: LockOptions = {}): Promise<string[]> {
  await fs.rm(targetDir, { recursive: true, force: true });
  await fs.mkdir(targetDir, { recursive: true });
  const copied: string[] = [];
  for (const file of STORE_FILES) {
    const src = join(dataDir, file);
    const ok = await withLock(
      src,
      async () => {
        try {
          await fs.copyFile(src, join(targetDir, file));
          return true;
        } catch (e) {
          if ((e as { code?: string }).code === 'ENOENT') return false;
          throw e;
        }
      },
      lock
    );
    if (ok) copied.push(file);
  }
  return copied;
}

// ---------------------------------------------------------------------------------------------
// Restore and save
// ---------------------------------------------------------------------------------------------

function cacheUnavailableReason(): string | null {
  let available: boolean;
  try {
    available = cache.isFeatureAvailable();
  } catch (e) {
    return `the Actions cache service could not be checked (${(e as Error).message})`;
  }
  if (!available || !(process.env.ACTIONS_CACHE_URL || process.env.ACTIONS_RESULTS_URL)) {
    return 'the Actions cache service is not available (ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL are not set)';
  }
  return null;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

export interface CacheOptions {
  /** Overrides the staging directory (tests, several stores on one machine). */
  stagingDir?: string;
  lock?: LockOptions;
}

/**
 * Restores the newest cache of this repository (in this run's cache scope) and merges it into
 * `dataDir`. Never throws: problems come back in `warning`.
 */
export async function restoreLocalStore(
  dataDir: string,
  repository: string,
  options: CacheOptions = {}
): Promise<{ restored: boolean; key?: string; warning?: string }> {
  const unavailable = cacheUnavailableReason();
  if (unavailable) {
    return { restored: false, warning: `${unavailable}: the local store was not restored; it holds only what is already in ${dataDir}` };
  }
  const staging = options.stagingDir ?? stagingDir();
  const prefix = cacheKeyPrefix(repository);
  let key: string | undefined;
  try {
    await fs.rm(staging, { recursive: true, force: true });
    await fs.mkdir(staging, { recursive: true });
    key = await cache.restoreCache([staging], prefix, [prefix]);
  } catch (e) {
    return { restored: false, warning: `could not restore the local store from the Actions cache (${describeError(e)}); continuing with ${dataDir} as it is` };
  }
  if (!key) return { restored: false };
  try {
    const { warnings } = await mergeStoreDirs(staging, dataDir, { lock: options.lock });
    return warnings.length > 0 ? { restored: true, key, warning: warnings.join('; ') } : { restored: true, key };
  } catch (e) {
    return { restored: false, key, warning: `restored the cache ${key} but could not merge it into ${dataDir} (${describeError(e)})` };
  }
}

/**
 * Saves `dataDir` under the fresh key `pm-action-<repo>-<run_id>-<attempt>`. Never throws:
 * problems come back in `warning`.
 */
export async function saveLocalStore(
  dataDir: string,
  repository: string,
  runId: string,
  runAttempt: string,
  options: CacheOptions = {}
): Promise<{ saved: boolean; key: string; warning?: string }> {
  const key = cacheKey(repository, runId, runAttempt);
  const unavailable = cacheUnavailableReason();
  if (unavailable) {
    return { saved: false, key, warning: `${unavailable}: the local store was not saved; this run's records stay in ${dataDir} only` };
  }
  const staging = options.stagingDir ?? stagingDir();
  try {
    const copied = await snapshotStoreDir(dataDir, staging, options.lock);
    if (copied.length === 0) return { saved: false, key, warning: `the local store ${dataDir} is empty: nothing was saved to the Actions cache` };
    const id = await cache.saveCache([staging], key);
    if (id === -1) {
      return {
        saved: false,
        key,
        warning: `the Actions cache did not save ${key} (the cache mode does not permit writes, or the upload failed: see the cache log lines)`
      };
    }
    return { saved: true, key };
  } catch (e) {
    return { saved: false, key, warning: `could not save the local store to the Actions cache as ${key} (${describeError(e)})` };
  }
}
