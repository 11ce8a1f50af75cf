/**
 * The embedded local store: plain files in one data directory (default `.phase-mirror`),
 * shared safely by concurrent processes. Persisting it between workflow runs is `cache.ts`'s job
 * (kept out of this module so that importing the stores does not load `@actions/cache`).
 */
import { promises as fs } from 'node:fs';
import type { Stores } from '../types.js';
import { StoreError } from '../types.js';
import { LocalBaselineStore } from './baseline-store.js';
import { LocalBlockCounter } from './block-counter.js';
import { LocalCalibrationStore } from './calibration-store.js';
import { LocalConsentStore } from './consent-store.js';
import { WarningSink, type LockOptions } from './files.js';
import { LocalFPStore } from './fp-store.js';
import { LocalNonceSource } from './nonce.js';

export { LocalBaselineStore } from './baseline-store.js';
export { LocalBlockCounter } from './block-counter.js';
export { LocalCalibrationStore } from './calibration-store.js';
export { LocalConsentStore } from './consent-store.js';
export { LocalFPStore } from './fp-store.js';
export { LocalNonceSource } from './nonce.js';
export { CorruptFileError, WarningSink } from './files.js';

export interface LocalStores extends Stores {
  fp: LocalFPStore;
  blocks: LocalBlockCounter;
  consent: LocalConsentStore;
  calibration: LocalCalibrationStore;
  baseline: LocalBaselineStore;
  nonce: LocalNonceSource;
  /** Notes for the caller to log: skipped ndjson lines, broken stale locks, replaced files. */
  warnings(): string[];
}

export interface LocalStoreOptions {
  lock?: LockOptions;
}

/** Creates `dataDir` (recursively) and the six stores on it, sharing one warning list. */
export async function createLocalStores(dataDir: string, options: LocalStoreOptions = {}): Promise<LocalStores> {
  try {
    await fs.mkdir(dataDir, { recursive: true });
  } catch (e) {
    throw new StoreError(`could not create the local store directory ${dataDir}: ${(e as Error).message}`, false, e);
  }
  const warnings = new WarningSink();
  const common = { warnings, lock: options.lock };
  return {
    fp: new LocalFPStore(dataDir, common),
    blocks: new LocalBlockCounter(dataDir, common),
    consent: new LocalConsentStore(dataDir, common),
    calibration: new LocalCalibrationStore(dataDir, common),
    baseline: new LocalBaselineStore(dataDir, common),
    nonce: new LocalNonceSource(dataDir, common),
    warnings: () => warnings.list()
  };
}
