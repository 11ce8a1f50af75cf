/**
 * AWS client factory (DESIGN §8). Every client gets the region, an endpoint override, the
 * credentials resolved once for this action (kept in memory) and any extra client config
 * (tests inject request handlers, timeouts…).
 *
 * Endpoint precedence, per service:
 *   1. `AWS_ENDPOINT_URL_<SERVICE>` (DYNAMODB, S3, SSM, STS) — the SDK-standard per-service variable
 *   2. the `aws-endpoint-url` input
 *   3. `AWS_ENDPOINT_URL` — the SDK-standard global variable
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` disables 1 and 3, as in the SDKs.
 *
 * The SDK packages are imported lazily, one per client kind, so a run that never builds a client
 * never loads the SDK. SDK-level retries are off by default (`maxAttempts: 1`): callers retry
 * with `withRetry` (retry.ts) inside one total budget.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ConfigurationError } from '../config/errors.js';

export type AwsService = 'dynamodb' | 's3' | 'ssm' | 'sts';

export const ENDPOINT_ENV: Readonly<Record<AwsService, string>> = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  s3: 'AWS_ENDPOINT_URL_S3',
  ssm: 'AWS_ENDPOINT_URL_SSM',
  sts: 'AWS_ENDPOINT_URL_STS'
};

/** Region used against an endpoint override when none is configured (emulators ignore it). */
export const EMULATOR_DEFAULT_REGION = 'us-east-1';

export interface ResolvedEndpoint {
  url: string;
  /** Where it came from: an environment variable name or `aws-endpoint-url`. */
  source: string;
}

type Env = Record<string, string | undefined>;

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

function checkUrl(url: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError(`${source} has the invalid value '${url}'. It must be an http(s) URL, e.g. http://127.0.0.1:8000.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigurationError(`${source} has the invalid value '${url}'. It must be an http(s) URL.`);
  }
  return url;
}

/** The endpoint override for one service, or undefined for the service's public endpoint. */
export function resolveEndpoint(service: AwsService, input: string | undefined, env: Env = process.env): ResolvedEndpoint | undefined {
  const ignoreEnv = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true';
  const specific = ignoreEnv ? undefined : nonEmpty(env[ENDPOINT_ENV[service]]);
  if (specific) return { url: checkUrl(specific, `Environment variable ${ENDPOINT_ENV[service]}`), source: ENDPOINT_ENV[service] };
  const fromInput = nonEmpty(input);
  if (fromInput) return { url: checkUrl(fromInput, "Input 'aws-endpoint-url'"), source: 'aws-endpoint-url' };
  const global = ignoreEnv ? undefined : nonEmpty(env.AWS_ENDPOINT_URL);
  if (global) return { url: checkUrl(global, 'Environment variable AWS_ENDPOINT_URL'), source: 'AWS_ENDPOINT_URL' };
  return undefined;
}

export type AwsCredentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface AwsClientOptions {
  region?: string;
  /** The `aws-endpoint-url` input. */
  endpointUrl?: string;
  /** Defaults to process.env. */
  env?: Env;
  /** Undefined = the SDK's default provider chain. */
  credentials?: AwsCredentials;
  /** Merged last into every client's configuration (e.g. `requestHandler`, `maxAttempts`). */
  clientConfig?: Record<string, unknown>;
}

/** Region from the options or the standard variables; a default only against an override. */
export function resolveRegion(opts: Pick<AwsClientOptions, 'region' | 'env'>, hasEndpoint: boolean): string {
  const env = opts.env ?? process.env;
  const region = nonEmpty(opts.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region) return region;
  if (hasEndpoint) return EMULATOR_DEFAULT_REGION;
  throw new ConfigurationError(
    "No AWS region is configured. Set the 'aws-region' input (or AWS_REGION) to the region of the DynamoDB tables, S3 bucket and SSM parameters."
  );
}

/** The configuration object a client of `service` is built with (pure; exported for tests). */
export function clientConfigFor(service: AwsService, opts: AwsClientOptions): Record<string, unknown> {
  const endpoint = resolveEndpoint(service, opts.endpointUrl, opts.env ?? process.env);
  const config: Record<string, unknown> = {
    region: resolveRegion(opts, endpoint !== undefined),
    maxAttempts: 1
  };
  if (endpoint) config.endpoint = endpoint.url;
  if (opts.credentials) config.credentials = opts.credentials;
  if (service === 's3' && endpoint) {
    // Emulators and most S3-compatible stores: path-style addressing, and no streamed
    // (aws-chunked) checksums, which s3rver stores with the chunk framing in the object.
    config.forcePathStyle = true;
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  return { ...config, ...opts.clientConfig };
}

export async function createDynamoDBClient(opts: AwsClientOptions): Promise<DynamoDBClient> {
  const config = clientConfigFor('dynamodb', opts);
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  return new DynamoDBClient(config);
}

export async function createS3Client(opts: AwsClientOptions): Promise<S3Client> {
  const config = clientConfigFor('s3', opts);
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client(config);
}

export async function createSSMClient(opts: AwsClientOptions): Promise<SSMClient> {
  const config = clientConfigFor('ssm', opts);
  const { SSMClient } = await import('@aws-sdk/client-ssm');
  return new SSMClient(config);
}

/** Builds clients on first use and reuses them. */
export class AwsClientFactory {
  private dynamo?: Promise<DynamoDBClient>;
  private s3Client?: Promise<S3Client>;
  private ssmClient?: Promise<SSMClient>;

  constructor(readonly options: AwsClientOptions) {}

  dynamodb(): Promise<DynamoDBClient> {
    return (this.dynamo ??= createDynamoDBClient(this.options));
  }

  s3(): Promise<S3Client> {
    return (this.s3Client ??= createS3Client(this.options));
  }

  ssm(): Promise<SSMClient> {
    return (this.ssmClient ??= createSSMClient(this.options));
  }

  /** Closes the sockets of every client built so far. */
  async destroy(): Promise<void> {
    const all = await Promise.allSettled([this.dynamo, this.s3Client, this.ssmClient].filter((p) => p !== undefined));
    for (const r of all) if (r.status === 'fulfilled') r.value.destroy();
  }
}
