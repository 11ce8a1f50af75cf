import { ConfigurationError } from '../config/errors.js';
import type { Settings } from '../model/index.js';
import { createLocalStores } from '../store/local/index.js';
import type { Stores } from '../store/types.js';

export interface OpenedStores {
  stores: Stores;
  warnings(): string[];
}

/** Opens the configured backend. The AWS SDK is never loaded for the local store. */
export async function openStores(settings: Settings): Promise<OpenedStores> {
  if (settings.store === 'dynamodb') {
    throw new ConfigurationError(
      "Input 'store' selects DynamoDB, which this build of pm-action does not support yet. Remove 'fp-table' (or set store: local) to use the embedded local store."
    );
  }
  const local = await createLocalStores(settings.dataDir);
  return { stores: local, warnings: () => local.warnings() };
}
