/**
 * A small GitHub REST client over `@actions/github`'s Octokit: counts requests, retries transient
 * failures (5xx, network errors, secondary rate limits) with full-jitter backoff inside one total
 * budget, never retries other 4xx, follows `Link: rel="next"` pagination, and makes at most one
 * request per URL per run (results are memoised). It never throws: every call resolves to a
 * `HttpResult`.
 *
 * Writes (`send`: POST/PATCH with a JSON body) are never memoised. Whether a write is retried
 * depends on whether repeating it is safe — see `send`.
 */
import type { getOctokit } from '@actions/github';

type Octokit = ReturnType<typeof getOctokit>;

export interface RetryOptions {
  /** Backoff base in ms (attempt n waits random() × min(cap, base × 2^n)). */
  baseMs: number;
  capMs: number;
  /** Total time the run may spend waiting between retries, over all requests. */
  budgetMs: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryOptions = { baseMs: 500, capMs: 8_000, budgetMs: 30_000, maxAttempts: 5 };

export interface ClientOptions {
  token: string;
  apiUrl: string;
  log: { debug(m: string): void; warning(m: string): void };
  retry?: Partial<RetryOptions>;
  /** Injected in tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected in tests; defaults to Math.random. */
  random?: () => number;
  /** Most pages followed for one paginated list. */
  maxPages?: number;
}

export type HttpResult =
  | { ok: true; status: number; data: unknown; headers: Record<string, string> }
  /** A definitive answer from GitHub that is not a success (4xx other than rate limits). */
  | { ok: false; kind: 'http'; status: number; message: string }
  /** GitHub could not be reached or kept failing (network, 5xx, rate limit) after retries. */
  | { ok: false; kind: 'unavailable'; status?: number; message: string };

export type WriteMethod = 'POST' | 'PATCH';

/**
 * When a write may be sent again:
 * - `transient`: after network errors, 5xx and secondary rate limits, like a GET (the write is
 *   idempotent: PATCH, or a POST whose repeat GitHub rejects, e.g. creating a label → 422);
 * - `rejected-only`: only after answers that prove GitHub did not act on it (secondary rate
 *   limit). Default for POST.
 */
export type WriteRetry = 'transient' | 'rejected-only';

interface RawError {
  status?: number;
  message?: string;
  response?: { status?: number; headers?: Record<string, string | undefined>; data?: unknown };
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The `message` of a GitHub error body, or a short description of what came back. */
function errorMessage(err: RawError): string {
  const data = err.response?.data;
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    return (data as { message: string }).message;
  }
  if (typeof data === 'string' && data.trim() !== '') return data.trim().slice(0, 200);
  return (err.message ?? 'unknown error').split(' - https://')[0];
}

/** Parse `Link` for rel="next". */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export class GitHubClient {
  /** Requests sent (every attempt and every page counts). */
  requests = 0;
  /** Set once GitHub is unavailable: later calls fail at once instead of spending the budget again. */
  down: string | undefined;
  /** Loaded on first use: runs without a token never pay for Octokit at start-up. */
  private octokitP: Promise<Octokit> | undefined;
  private readonly retry: RetryOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxPages: number;
  private waited = 0;
  private readonly memo = new Map<string, Promise<HttpResult>>();

  constructor(private readonly opts: ClientOptions) {
    this.retry = { ...DEFAULT_RETRY, ...(opts.retry ?? {}) };
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;
    this.maxPages = opts.maxPages ?? 30;
  }

  private octokit(): Promise<Octokit> {
    const { token, apiUrl, log } = this.opts;
    this.octokitP ??= import('@actions/github').then((m) =>
      m.getOctokit(token, {
        baseUrl: apiUrl.replace(/\/+$/, ''),
        log: { debug: () => undefined, info: () => undefined, warn: (msg: string) => log.debug(msg), error: (msg: string) => log.debug(msg) }
      })
    );
    return this.octokitP;
  }

  /** One GET (memoised by URL). `route` is an Octokit route such as `GET /repos/{owner}/{repo}`. */
  async get(route: string, params: Record<string, string | number | boolean> = {}): Promise<HttpResult> {
    const url = (await this.octokit()).request.endpoint(route, params).url;
    let p = this.memo.get(url);
    if (!p) {
      p = this.attempt('GET', url, undefined, 'transient');
      this.memo.set(url, p);
    }
    return p;
  }

  /**
   * One write with a JSON body, e.g. `send('PATCH', 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', params, { body })`.
   * `route` is an Octokit route; `params` fill its placeholders; `body` is sent as JSON.
   *
   * PATCH is retried on transient failures (it sets state: sending it twice is the same as once).
   * POST is by default NOT retried after a 5xx or a network error: the request may have reached
   * GitHub and been carried out before the failure (a 502 from a proxy, a reset after GitHub
   * committed), so a retry could open a second issue or post a second comment. A later run
   * finds what the first attempt created (the drift issue is looked up by label and title)
   * instead. Pass `retry: 'transient'` only for POSTs whose repeat is harmless.
   */
  async send(
    method: WriteMethod,
    route: string,
    params: Record<string, string | number | boolean>,
    body: unknown,
    opts: { retry?: WriteRetry } = {}
  ): Promise<HttpResult> {
    const url = (await this.octokit()).request.endpoint(route.replace(/^[A-Z]+\s+/, `${method} `), params).url;
    return this.attempt(method, url, body, opts.retry ?? (method === 'PATCH' ? 'transient' : 'rejected-only'));
  }

  /**
   * A paginated GET: follows `Link: rel="next"` up to `maxPages`. `pages` holds each page's data;
   * `truncated` is set when pages were left unread.
   */
  async getPages(
    route: string,
    params: Record<string, string | number | boolean>
  ): Promise<{ ok: true; pages: unknown[]; truncated: boolean } | Extract<HttpResult, { ok: false }>> {
    const first = await this.get(route, params);
    if (!first.ok) return first;
    const pages: unknown[] = [first.data];
    let next = nextLink(first.headers.link);
    while (next && pages.length < this.maxPages) {
      let r = this.memo.get(next);
      if (!r) {
        r = this.attempt('GET', next, undefined, 'transient');
        this.memo.set(next, r);
      }
      const page = await r;
      if (!page.ok) return page;
      pages.push(page.data);
      next = nextLink(page.headers.link);
    }
    return { ok: true, pages, truncated: next !== undefined };
  }

  private async attempt(method: 'GET' | WriteMethod, url: string, body: unknown, retry: WriteRetry): Promise<HttpResult> {
    if (this.down) return { ok: false, kind: 'unavailable', message: this.down };
    const label = `${method} ${url.startsWith(this.opts.apiUrl) ? url.slice(this.opts.apiUrl.replace(/\/+$/, '').length) : url}`;
    for (let attempt = 1; ; attempt++) {
      this.requests++;
      let err: RawError;
      try {
        const res = await (await this.octokit()).request({
          method,
          url,
          headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
          ...(body === undefined ? {} : { data: body })
        });
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(v);
        return { ok: true, status: res.status, data: res.data, headers };
      } catch (e) {
        err = (e ?? {}) as RawError;
      }
      const status = err.status ?? err.response?.status;
      const headers = err.response?.headers ?? {};
      const message = errorMessage(err);
      const network = !err.response;
      const retryAfter = headers['retry-after'];
      const secondary = (status === 403 || status === 429) && (retryAfter !== undefined || /secondary rate limit/i.test(message));
      const primary = (status === 403 || status === 429) && !secondary && (headers['x-ratelimit-remaining'] === '0' || /^API rate limit exceeded/i.test(message));
      const transient = network || (status !== undefined && status >= 500) || secondary;
      const what = network ? `network error: ${message}` : `HTTP ${status}: ${message}`;
      if (primary) {
        this.down = `${label} hit the API rate limit (${message}); not retried, the limit resets later`;
        return { ok: false, kind: 'unavailable', status, message: this.down };
      }
      if (!transient) return { ok: false, kind: 'http', status: status ?? 0, message };
      if (retry === 'rejected-only' && !secondary) {
        // Not retried (see `send`); not marking GitHub down either: the next call may well work.
        const detail = `${label} failed (${what}); not retried because the request may have been carried out`;
        this.opts.log.warning(detail);
        return { ok: false, kind: 'unavailable', status, message: detail };
      }
      if (attempt >= this.retry.maxAttempts) return this.giveUp(label, `${what} after ${attempt} attempts`, status);
      let wait = this.random() * Math.min(this.retry.capMs, this.retry.baseMs * 2 ** (attempt - 1));
      const after = retryAfter !== undefined ? Number(retryAfter) : NaN;
      if (Number.isFinite(after) && after >= 0) wait = Math.max(wait, after * 1000);
      else if (secondary) wait = Math.max(wait, 60_000); // GitHub: wait at least a minute when no retry-after is given
      if (this.waited + wait > this.retry.budgetMs) {
        return this.giveUp(label, `${what} after ${attempt} attempt(s); the retry budget of ${this.retry.budgetMs} ms is spent`, status);
      }
      this.waited += wait;
      this.opts.log.debug(`${label}: ${what}; retry ${attempt} in ${Math.round(wait)} ms`);
      await this.sleep(wait);
    }
  }

  private giveUp(label: string, detail: string, status: number | undefined): HttpResult {
    this.down = `${label} failed: ${detail}`;
    this.opts.log.warning(`GitHub API unavailable: ${this.down}`);
    return { ok: false, kind: 'unavailable', status, message: this.down };
  }
}
