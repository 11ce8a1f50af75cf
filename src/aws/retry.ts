/**
 * Classification of AWS errors and retry with full-jitter exponential backoff inside a total
 * time budget (DESIGN §8). Transient: throttling, 5xx, network failures and timeouts. Never
 * retried: access denied, validation, invalid or expired identity tokens, missing resources,
 * failed conditions — retrying those only delays a message someone has to act on.
 *
 * No AWS SDK import here: errors are read structurally (`name`, `code`, `$metadata`, `$fault`).
 */

export type AwsErrorKind =
  | 'throttling'
  | 'server'
  | 'network'
  | 'access_denied'
  | 'invalid_token'
  | 'validation'
  | 'not_found'
  | 'conditional'
  | 'client'
  | 'unknown';

export interface AwsErrorInfo {
  kind: AwsErrorKind;
  transient: boolean;
  /** The error's name or code, e.g. `ThrottlingException`, `ECONNREFUSED`. */
  code: string;
  /** HTTP status when the service answered. */
  status?: number;
  message: string;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'RequestThrottled',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
  'ThrottlingError'
]);

const SERVER = new Set([
  'InternalServerError',
  'InternalServerErrorException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'TransactionConflict',
  'IDPCommunicationError',
  'IDPCommunicationErrorException',
  'RequestTimeout',
  'RequestTimeoutException'
]);

const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'TimeoutError',
  'NetworkingError',
  'AbortError'
]);

const NETWORK_MESSAGE = /\b(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|TimeoutError)\b|socket hang up/;

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'ExpiredToken',
  'ExpiredTokenException',
  'AllAccessDisabled',
  'KMSAccessDeniedException',
  'KMS.AccessDeniedException'
]);

const INVALID_TOKEN = new Set([
  'InvalidIdentityToken',
  'InvalidIdentityTokenException',
  'IDPRejectedClaim',
  'IDPRejectedClaimException'
]);

const VALIDATION = new Set([
  'ValidationException',
  'ValidationError',
  'SerializationException',
  'InvalidParameterValue',
  'InvalidParameterException',
  'MalformedPolicyDocument',
  'MalformedPolicyDocumentException',
  'PackedPolicyTooLarge',
  'InvalidRequest',
  'InvalidArgument',
  'ParameterVersionNotFound',
  'InvalidKeyId',
  'InvalidNextToken',
  'InvalidFilterKey',
  'ItemCollectionSizeLimitExceededException'
]);

const NOT_FOUND = new Set(['ResourceNotFoundException', 'NoSuchKey', 'NotFound', 'NoSuchBucket', 'ParameterNotFound', 'TableNotFoundException']);

const CONDITIONAL = new Set(['ConditionalCheckFailedException', 'ConditionalCheckFailed', 'TransactionCanceledException', 'PreconditionFailed']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Reads what kind of failure an AWS SDK (or network) error is, and whether retrying can help. */
export function classifyAwsError(error: unknown): AwsErrorInfo {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const message = str(e.message) ?? String(error);
  const names = [str(e.code), str(e.Code), str(e.name)].filter((x): x is string => x !== undefined);
  // Network errors often come wrapped (`cause`), and carry the code only there.
  const cause = typeof e.cause === 'object' && e.cause !== null ? (e.cause as ErrorLike) : undefined;
  if (cause) names.push(...[str(cause.code), str(cause.name)].filter((x): x is string => x !== undefined));
  const code = names.find((n) => n !== 'Error') ?? names[0] ?? 'Error';
  const info = (kind: AwsErrorKind, transient: boolean): AwsErrorInfo => ({ kind, transient, code, status, message });

  const has = (set: Set<string>) => names.some((n) => set.has(n));
  if (names.includes('TransactionCanceledException')) {
    // A cancelled transaction is transient only when no item failed for a lasting reason.
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const codes = reasons.map((r) => r?.Code ?? 'None').filter((c) => c !== 'None');
    const retryable = (c: string) => THROTTLING.has(c) || SERVER.has(c) || c === 'ProvisionedThroughputExceeded';
    if (codes.length > 0 && codes.every(retryable)) return info(codes.some((c) => THROTTLING.has(c) || c === 'ProvisionedThroughputExceeded') ? 'throttling' : 'server', true);
    return info(codes.some((c) => c === 'ValidationError') ? 'validation' : 'conditional', false);
  }
  if (has(INVALID_TOKEN)) return info('invalid_token', false);
  if (has(ACCESS_DENIED)) return info('access_denied', false);
  if (has(THROTTLING) || e.$retryable?.throttling === true || status === 429) return info('throttling', true);
  if (has(CONDITIONAL)) return info('conditional', false);
  if (has(NOT_FOUND)) return info('not_found', false);
  if (has(VALIDATION)) return info('validation', false);
  if (has(SERVER) || (status !== undefined && status >= 500)) return info('server', true);
  if (has(NETWORK)) return info('network', true);
  // Errors thrown across realms (or by older handlers) reach the SDK's retry layer as plain
  // errors that keep only the text: "AWS SDK error wrapper for TimeoutError: socket hang up".
  if (status === undefined && NETWORK_MESSAGE.test(message)) return info('network', true);
  if (status === 403 || status === 401) return info('access_denied', false);
  if (status === 404) return info('not_found', false);
  if (status !== undefined && status >= 400) return info('client', false);
  if (e.$fault === 'server') return info('server', true);
  return info('unknown', false);
}

export interface RetryPolicy {
  /** Total time for all attempts and waits, in ms. No wait starts that would end beyond it. */
  budgetMs: number;
  /** First backoff ceiling, in ms (doubles per attempt). */
  baseMs: number;
  /** Largest backoff ceiling, in ms. */
  capMs: number;
  /** Attempts at most, the first included. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { budgetMs: 20_000, baseMs: 100, capMs: 5_000, maxAttempts: 12 };

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: AwsErrorInfo;
  what: string;
}

export interface RetryOptions extends Partial<RetryPolicy> {
  /** Names the operation in messages. */
  what?: string;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1). */
  random?: () => number;
  /** ms clock. */
  now?: () => number;
  classify?: (error: unknown) => AwsErrorInfo;
  onRetry?: (info: RetryInfo) => void;
}

/** A transient failure that outlasted the retry budget. `cause` is the last error. */
export class RetryExhaustedError extends Error {
  constructor(
    readonly what: string,
    readonly attempts: number,
    readonly info: AwsErrorInfo,
    override readonly cause: unknown
  ) {
    super(`${what} still failing after ${attempts} attempt(s) within the retry budget: ${info.code}: ${info.message}`);
    this.name = 'RetryExhaustedError';
  }
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter: uniform in [0, min(cap, base·2^(attempt-1))). */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** The policy with the given overrides applied. */
export function retryPolicy(options: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    budgetMs: options.budgetMs ?? DEFAULT_RETRY_POLICY.budgetMs,
    baseMs: options.baseMs ?? DEFAULT_RETRY_POLICY.baseMs,
    capMs: options.capMs ?? DEFAULT_RETRY_POLICY.capMs,
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts
  };
}

/**
 * Runs `op` until it succeeds, fails with a non-transient error (rethrown as is), or the budget
 * or attempt limit is spent (RetryExhaustedError with the last error as cause).
 */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = retryPolicy(options);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const classify = options.classify ?? classifyAwsError;
  const what = options.what ?? 'AWS call';
  const start = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      const info = classify(error);
      if (!info.transient) throw error;
      const delayMs = backoffDelay(attempt, policy, random);
      if (attempt >= policy.maxAttempts || now() - start + delayMs > policy.budgetMs) {
        throw new RetryExhaustedError(what, attempt, info, error);
      }
      options.onRetry?.({ attempt, delayMs, error: info, what });
      await sleep(delayMs);
    }
  }
}
