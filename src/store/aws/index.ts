/**
 * The AWS backends (DESIGN §7, §8). This module imports only types statically: the AWS SDK, the
 * credential code and the store implementations are loaded with dynamic `import()` when
 * `createAwsStores` runs, so a local-store run never loads the SDK.
 *
 * Each backend is chosen by its inputs: fp-table and block-counter-table (required), consent-table
 * and calibration-table (else the local files), baseline-bucket (else the local baseline),
 * nonce-parameter-path (else the key generated in the local data directory).
 */
import type { RetryOptions } from '../../aws/retry.js';
import type { Settings } from '../../model/settings.js';
import type { Stores } from '../types.js';

export interface AwsStoreLog {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export interface AwsStoreDeps {
  log: AwsStoreLog;
  /** Default `core.getIDToken` (after checking the job may request a token). */
  getIDToken?: (audience: string) => Promise<string>;
  /** Default `core.setSecret`. */
  setSecret?: (secret: string) => void;
  /** Default process.env (endpoint variables, ACTIONS_ID_TOKEN_REQUEST_*). */
  env?: Record<string, string | undefined>;
  /** Merged into every client's configuration (tests: request handlers, timeouts). */
  clientConfig?: Record<string, unknown>;
  /** Retry policy for every AWS call (default: DEFAULT_RETRY_POLICY of src/aws/retry.ts). */
  retry?: RetryOptions;
}

export type StoreBackend = 'dynamodb' | 's3' | 'ssm' | 'local';

export interface AwsStores extends Stores {
  /** Which backend serves each store. */
  backends: Record<keyof Stores, StoreBackend>;
  /** Closes the clients' sockets. */
  close(): Promise<void>;
}

export async function createAwsStores(settings: Settings, deps: AwsStoreDeps): Promise<AwsStores> {
  // Imported one after the other: jest's ESM loader races on concurrent imports sharing a module.
  const { ConfigurationError } = await import('../../config/errors.js');
  const { resolveCredentials } = await import('../../aws/credentials.js');
  const { AwsClientFactory } = await import('../../aws/clients.js');
  const { fp: fpTable, blockCounter: blockTable, consent: consentTable, calibration: calibrationTable } = settings.tables;
  if (!fpTable || !blockTable) {
    throw new ConfigurationError("The DynamoDB store needs both 'fp-table' and 'block-counter-table'. Set both table names, or use store: local.");
  }
  const env = deps.env ?? process.env;
  const credentials = await resolveCredentials(settings, {
    log: deps.log,
    getIDToken: deps.getIDToken,
    setSecret: deps.setSecret,
    env,
    retry: deps.retry,
    clientConfig: deps.clientConfig
  });
  const factory = new AwsClientFactory({
    region: settings.aws.region,
    endpointUrl: settings.aws.endpointUrl,
    env,
    credentials,
    clientConfig: deps.clientConfig
  });
  const opts = { retry: deps.retry, log: deps.log };

  const dynamo = await factory.dynamodb();
  const fpMod = await import('./dynamodb-fp-store.js');
  const blockMod = await import('./dynamodb-block-counter.js');
  const consentMod = await import('./dynamodb-consent-store.js');
  const calibrationMod = await import('./dynamodb-calibration-store.js');

  const needLocal = !consentTable || !calibrationTable || !settings.baseline.bucket || !settings.nonceParameterPath;
  const local = needLocal ? await (await import('../local/index.js')).createLocalStores(settings.dataDir) : undefined;

  const backends: AwsStores['backends'] = {
    fp: 'dynamodb',
    blocks: 'dynamodb',
    consent: consentTable ? 'dynamodb' : 'local',
    calibration: calibrationTable ? 'dynamodb' : 'local',
    baseline: settings.baseline.bucket ? 's3' : 'local',
    nonce: settings.nonceParameterPath ? 'ssm' : 'local'
  };

  let baseline: Stores['baseline'];
  if (settings.baseline.bucket) {
    const s3 = await factory.s3();
    const { S3BaselineStore } = await import('./s3-baseline-store.js');
    baseline = new S3BaselineStore(s3, settings.baseline.bucket, { ...opts, key: settings.baseline.key });
  } else {
    baseline = local!.baseline;
  }

  let nonce: Stores['nonce'];
  if (settings.nonceParameterPath) {
    const ssm = await factory.ssm();
    const { SsmNonceSource } = await import('./ssm-nonce-source.js');
    const setSecret = deps.setSecret ?? (await import('@actions/core')).setSecret;
    nonce = new SsmNonceSource(ssm, settings.nonceParameterPath, { ...opts, setSecret });
  } else {
    nonce = local!.nonce;
  }

  deps.log.info(
    `AWS stores: ${Object.entries(backends)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}${credentials ? '' : ' (default AWS credential chain)'}`
  );

  return {
    fp: new fpMod.DynamoDBFPStore(dynamo, fpTable, opts),
    blocks: new blockMod.DynamoDBBlockCounter(dynamo, blockTable, opts),
    consent: consentTable ? new consentMod.DynamoDBConsentStore(dynamo, consentTable, opts) : local!.consent,
    calibration: calibrationTable ? new calibrationMod.DynamoDBCalibrationStore(dynamo, calibrationTable, opts) : local!.calibration,
    baseline,
    nonce,
    backends,
    close: () => factory.destroy()
  };
}
