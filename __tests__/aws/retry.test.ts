import { describe, expect, it } from '@jest/globals';
import { backoffDelay, classifyAwsError, RetryExhaustedError, withRetry } from '../../src/aws/retry.js';

function awsError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });
}

describe('classifyAwsError', () => {
  it.each([
    ['ThrottlingException', 400, 'throttling'],
    ['ProvisionedThroughputExceededException', 400, 'throttling'],
    ['Throttling', 400, 'throttling'],
    ['SlowDown', 503, 'throttling'],
    ['InternalServerError', 500, 'server'],
    ['ServiceUnavailable', 503, 'server'],
    ['SomethingNew', 502, 'server'],
    ['TransactionConflictException', 400, 'server']
  ])('%s (%s) is transient: %s', (name, status, kind) => {
    expect(classifyAwsError(awsError(name, status))).toMatchObject({ kind, transient: true, code: name, status });
  });

  it.each([
    ['AccessDeniedException', 400, 'access_denied'],
    ['AccessDenied', 403, 'access_denied'],
    ['UnrecognizedClientException', 400, 'access_denied'],
    ['ExpiredTokenException', 400, 'access_denied'],
    ['InvalidIdentityTokenException', 400, 'invalid_token'],
    ['IDPRejectedClaimException', 403, 'invalid_token'],
    ['ValidationException', 400, 'validation'],
    ['ResourceNotFoundException', 400, 'not_found'],
    ['NoSuchKey', 404, 'not_found'],
    ['ConditionalCheckFailedException', 400, 'conditional'],
    ['SomethingElse', 400, 'client']
  ])('%s (%s) is not retried: %s', (name, status, kind) => {
    expect(classifyAwsError(awsError(name, status))).toMatchObject({ kind, transient: false });
  });

  it('network errors are transient, also when only their text survived', () => {
    expect(classifyAwsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toMatchObject({ kind: 'network', transient: true });
    expect(classifyAwsError(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toMatchObject({ kind: 'network', transient: true });
    expect(classifyAwsError(new Error('AWS SDK error wrapper for TimeoutError: socket hang up'))).toMatchObject({ kind: 'network', transient: true });
    expect(classifyAwsError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } }))).toMatchObject({ transient: true });
  });

  it('a cancelled transaction is transient only when every reason is', () => {
    const cancelled = (...codes: string[]) => awsError('TransactionCanceledException', 400, { CancellationReasons: codes.map((Code) => ({ Code })) });
    expect(classifyAwsError(cancelled('None', 'ThrottlingError'))).toMatchObject({ transient: true, kind: 'throttling' });
    expect(classifyAwsError(cancelled('TransactionConflict', 'None'))).toMatchObject({ transient: true });
    expect(classifyAwsError(cancelled('ConditionalCheckFailed', 'ThrottlingError'))).toMatchObject({ transient: false, kind: 'conditional' });
    expect(classifyAwsError(cancelled('ValidationError'))).toMatchObject({ transient: false, kind: 'validation' });
  });

  it('a programming error is not retried', () => {
    expect(classifyAwsError(new TypeError('x is not a function'))).toMatchObject({ transient: false, kind: 'unknown' });
    expect(classifyAwsError('just a string')).toMatchObject({ transient: false });
  });
});

describe('withRetry', () => {
  function clock() {
    let t = 0;
    const sleeps: number[] = [];
    return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps };
  }

  it('full jitter: each wait is uniform below min(cap, base·2^(n-1))', () => {
    expect(backoffDelay(1, { baseMs: 100, capMs: 1000 }, () => 0.999)).toBe(99);
    expect(backoffDelay(4, { baseMs: 100, capMs: 1000 }, () => 0.5)).toBe(400);
    expect(backoffDelay(10, { baseMs: 100, capMs: 1000 }, () => 0.5)).toBe(500);
    expect(backoffDelay(3, { baseMs: 100, capMs: 1000 }, () => 0)).toBe(0);
  });

  it('retries transient failures until success, with growing jittered waits', async () => {
    const c = clock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 4) throw awsError('ThrottlingException', 400);
        return 'ok';
      },
      { ...c, random: () => 0.5, baseMs: 100, capMs: 10_000 }
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(c.sleeps).toEqual([50, 100, 200]);
  });

  it('does not retry access denied or validation errors', async () => {
    for (const name of ['AccessDeniedException', 'ValidationException', 'InvalidIdentityTokenException']) {
      let calls = 0;
      await expect(
        withRetry(async () => {
          calls++;
          throw awsError(name, 400);
        })
      ).rejects.toMatchObject({ name });
      expect(calls).toBe(1);
    }
  });

  it('gives up when the next wait would overrun the total budget', async () => {
    const c = clock();
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw awsError('ThrottlingException', 400);
      },
      { ...c, random: () => 0.99, baseMs: 100, capMs: 800, budgetMs: 1000, maxAttempts: 100, what: 'Query on table x' }
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).message).toMatch(/^Query on table x still failing after \d+ attempt\(s\)/);
    expect(c.now()).toBeLessThanOrEqual(1000);
    expect(calls).toBe(c.sleeps.length + 1);
  });

  it('stops at maxAttempts', async () => {
    const c = clock();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw awsError('InternalServerError', 500);
        },
        { ...c, maxAttempts: 3 }
      )
    ).rejects.toBeInstanceOf(RetryExhaustedError);
    expect(calls).toBe(3);
  });
});
