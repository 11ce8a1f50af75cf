/**
 * Anonymised calibration contributions in `<dataDir>/calibration.json`:
 *   { "contributions": { "rule#<id>": { "<bucket>#<orgHash>": { ...contribution, updatedAt } } } }
 * A second contribution to the same key replaces the first. `updatedAt` (not part of the
 * contract) lets a cache merge keep the newer of two copies.
 */
import { join } from 'node:path';
import type { CalibrationContribution, CalibrationSnapshot, CalibrationStore } from '../types.js';
import { StoreError } from '../types.js';
import { isPlainObject, readJson, updateJson, WarningSink, type LockOptions } from './files.js';

export const CALIBRATION_FILE = 'calibration.json';

export interface StoredContribution extends CalibrationContribution {
  updatedAt: string;
}

export interface CalibrationFile {
  contributions: Record<string, Record<string, StoredContribution>>;
  /** The last calibration snapshot per scope (absent in files written before snapshots existed). */
  snapshots?: Record<string, CalibrationSnapshot>;
}

export const calibrationRuleKey = (ruleId: string): string => `rule#${ruleId}`;
export const calibrationItemKey = (c: Pick<CalibrationContribution, 'bucket' | 'orgHash'>): string => `${c.bucket}#${c.orgHash}`;

export function calibrationProblem(v: unknown): string | null {
  if (!isPlainObject(v) || !isPlainObject(v.contributions)) return 'expected an object with a "contributions" object';
  for (const [rk, items] of Object.entries(v.contributions)) {
    if (!isPlainObject(items)) return `${JSON.stringify(rk)} is not an object`;
    for (const [ik, c] of Object.entries(items)) {
      if (!isPlainObject(c) || typeof c.ruleId !== 'string' || typeof c.bucket !== 'string' || typeof c.orgHash !== 'string') {
        return `contribution ${JSON.stringify(`${rk}/${ik}`)} lacks ruleId, bucket or orgHash`;
      }
    }
  }
  if (v.snapshots !== undefined) {
    if (!isPlainObject(v.snapshots)) return '"snapshots" is not an object';
    for (const [scope, snap] of Object.entries(v.snapshots)) {
      if (!isPlainObject(snap) || typeof snap.takenAt !== 'string' || !isPlainObject(snap.rules)) {
        return `snapshot ${JSON.stringify(scope)} lacks takenAt or rules`;
      }
    }
  }
  return null;
}

function checkSnapshot(s: CalibrationSnapshot): void {
  if (!s.scope || Number.isNaN(Date.parse(s.takenAt)) || !isPlainObject(s.rules)) {
    throw new StoreError('invalid calibration snapshot: scope, takenAt (ISO 8601) and rules are required', false);
  }
}

function checkContribution(c: CalibrationContribution): void {
  for (const k of ['total', 'falsePositives', 'pending'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) throw new StoreError(`invalid calibration contribution: ${k} must be a non-negative integer`, false);
  }
  if (!c.ruleId || !c.bucket || !c.orgHash) throw new StoreError('invalid calibration contribution: ruleId, bucket and orgHash are required', false);
}

export interface LocalCalibrationStoreOptions {
  warnings?: WarningSink;
  lock?: LockOptions;
}

export { checkSnapshot as checkCalibrationSnapshot };

export class LocalCalibrationStore implements CalibrationStore {
  readonly path: string;
  private readonly warnings: WarningSink;
  private readonly lockOptions: LockOptions;

  constructor(dataDir: string, options: LocalCalibrationStoreOptions = {}) {
    this.path = join(dataDir, CALIBRATION_FILE);
    this.warnings = options.warnings ?? new WarningSink();
    this.lockOptions = { onWarning: (m) => this.warnings.add(m), ...options.lock };
  }

  getWarnings(): string[] {
    return this.warnings.list();
  }

  private load(): Promise<CalibrationFile> {
    return readJson<CalibrationFile>(this.path, { contributions: {} }, { validate: calibrationProblem, what: 'calibration' });
  }

  /** Read-modify-write under the lock. */
  private async update(change: (file: CalibrationFile) => void): Promise<void> {
    await updateJson<CalibrationFile>(this.path, () => ({ contributions: {} }), { validate: calibrationProblem, what: 'calibration' }, this.lockOptions, change);
  }

  async contribute(c: CalibrationContribution): Promise<void> {
    checkContribution(c);
    const stored: StoredContribution = {
      ruleId: c.ruleId,
      bucket: c.bucket,
      orgHash: c.orgHash,
      total: c.total,
      falsePositives: c.falsePositives,
      pending: c.pending,
      // Coarsened to the hour like the bucket: contributions carry no finer time.
      updatedAt: `${new Date().toISOString().slice(0, 13)}:00:00.000Z`
    };
    await this.update((file) => {
      const rk = calibrationRuleKey(c.ruleId);
      file.contributions[rk] = { ...file.contributions[rk], [calibrationItemKey(c)]: stored };
    });
  }

  async read(ruleId: string): Promise<CalibrationContribution[]> {
    const file = await this.load();
    const items = file.contributions[calibrationRuleKey(ruleId)] ?? {};
    return Object.keys(items)
      .sort()
      .map((k) => {
        const { updatedAt: _u, ...c } = items[k];
        return c;
      });
  }

  async loadSnapshot(scope: string): Promise<CalibrationSnapshot | null> {
    const file = await this.load();
    const snap = file.snapshots?.[scope];
    return snap ? (JSON.parse(JSON.stringify(snap)) as CalibrationSnapshot) : null;
  }

  async saveSnapshot(snapshot: CalibrationSnapshot): Promise<void> {
    checkSnapshot(snapshot);
    const copy = JSON.parse(JSON.stringify(snapshot)) as CalibrationSnapshot;
    await this.update((file) => {
      file.snapshots = { ...file.snapshots, [snapshot.scope]: copy };
    });
  }
}
