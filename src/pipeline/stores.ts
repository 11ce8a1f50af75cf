import type { Settings } from '../model/index.js';
import { createLocalStores } from '../store/local/index.js';
import { scopedFPStore } from '../store/scoped-fp.js';
import { StoreError, type Stores } from '../store/types.js';
import type { Log } from './log.js';

export interface OpenedStores {
  stores: Stores;
  warnings(): string[];
  close(): Promise<void>;
}

/** Operators may shorten (or lengthen) how long pm-action waits out AWS trouble per call. */
function awsRetry(value: string | undefined): { budgetMs: number } | undefined {
  const n = Number(value);
  return value && Number.isFinite(n) && n >= 0 ? { budgetMs: n } : undefined;
}

/** Opens the configured backend. The AWS SDK is loaded only when DynamoDB is selected. */
export async function openStores(settings: Settings, log: Log): Promise<OpenedStores> {
  if (settings.store === 'dynamodb') {
    const { createAwsStores } = await import('../store/aws/index.js');
    try {
      const aws = await createAwsStores(settings, { log, retry: awsRetry(process.env.PM_ACTION_AWS_RETRY_BUDGET_MS) });
      // The tables are shared by the organisation: marks must stay in their repository.
      return { stores: { ...aws, fp: scopedFPStore(aws.fp, settings.run.repository) }, warnings: () => [], close: () => aws.close() };
    } catch (err) {
      // Credentials or endpoints that stay unreachable: run degraded, spool every write.
      if (!(err instanceof StoreError) || !err.transient) throw err;
      log.warning(`The AWS stores could not be opened (${err.message}); running degraded without them.`);
      return { stores: unavailableStores(err), warnings: () => [], close: async () => {} };
    }
  }
  const local = await createLocalStores(settings.dataDir);
  return { stores: local, warnings: () => local.warnings(), close: async () => {} };
}

/** Stores that fail every call with the error that made them unreachable. */
export function unavailableStores(err: StoreError): Stores {
  const fail = (): Promise<never> => Promise.reject(err);
  return {
    fp: { recordEvents: fail, mark: fail, lookupMarks: fail, window: fail, findingEvents: fail },
    blocks: { increment: fail, read: fail },
    consent: { grant: fail, revoke: fail, list: fail, hasConsent: fail },
    calibration: { contribute: fail, read: fail, loadSnapshot: fail, saveSnapshot: fail },
    baseline: { load: fail, save: fail },
    nonce: { load: fail }
  };
}
