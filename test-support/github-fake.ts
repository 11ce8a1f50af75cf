/**
 * A fake GitHub REST API on 127.0.0.1 (port 0) for tests.
 *
 * Serves recorded responses (`test-support/fixtures/github/*.json`: `{ operation, status, body }`,
 * shapes copied from GitHub's documented examples and validated against `@octokit/openapi` by
 * `__tests__/collect/github-fixtures.test.ts`), paginates list bodies with `Link` headers, fails on
 * demand per route and records every request.
 *
 *   const gh = await GitHubFake.start();
 *   gh.route('/repos/o/r/rules/branches/main', 'rules-branch');
 *   gh.fail('/repos/o/r/branches/main/protection', 'forbidden');
 *   ... gh.url ... gh.requests ...
 *   await gh.close();
 *
 * Writes and computed answers: `gh.on('POST', '/repos/o/r/issues', (req) => ({ status: 201, body }))`
 * (a path or a RegExp over the path; `req.body` is the parsed JSON body, `req.match` the RegExp
 * match). Handlers are consulted before `route`s, for their method only; a GET handler's list
 * answer is paginated like a route's. Recorded requests carry the parsed `body` of writes.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'github');

export interface Fixture {
  /** `GET /repos/{owner}/{repo}/...` as in GitHub's OpenAPI description. */
  operation: string;
  status: number;
  /** Component schema to validate against when the operation does not document this status. */
  schema?: string;
  body: unknown;
}

export function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8')) as Fixture;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  /** Raw text sent instead of JSON (garbage bodies). */
  raw?: string;
  headers?: Record<string, string>;
}

export type Failure =
  | 'forbidden'
  | 'not-protected'
  | 'not-found'
  | 'server-error'
  | 'bad-gateway'
  | 'secondary-rate-limit'
  | 'primary-rate-limit'
  | 'unprocessable'
  | 'garbage'
  | 'reset';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: boolean;
  /** Parsed JSON body of a write (raw text when it is not JSON); absent for GET. */
  body?: unknown;
}

export interface HandlerRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  match: RegExpExecArray | null;
}

export type Handler = (req: HandlerRequest) => FakeResponse;

const DOCS = 'https://docs.github.com/rest';

/** The response GitHub gives for each failure (messages as GitHub words them). */
export function failureResponse(kind: Exclude<Failure, 'reset'>, retryAfterSeconds = 0): FakeResponse {
  switch (kind) {
    case 'forbidden':
      return { status: 403, body: fixture('error-403-integration').body };
    case 'not-protected':
      return { status: 404, body: fixture('error-404-not-protected').body };
    case 'not-found':
      return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
    case 'server-error':
      return { status: 500, body: { message: 'Server Error' } };
    case 'bad-gateway':
      return { status: 502, raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
    case 'secondary-rate-limit':
      return { status: 403, body: fixture('error-secondary-rate-limit').body, headers: { 'retry-after': String(retryAfterSeconds) } };
    case 'primary-rate-limit':
      return {
        status: 403,
        body: { message: 'API rate limit exceeded for installation ID 1.', documentation_url: `${DOCS}/overview/resources-in-the-rest-api#rate-limiting`, status: '403' },
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4102444800' }
      };
    case 'unprocessable':
      return { status: 422, body: fixture('error-422').body };
    case 'garbage':
      return { status: 200, raw: '<html>this is not JSON', headers: { 'content-type': 'application/json; charset=utf-8' } };
  }
}

interface Planned {
  kind: Failure;
  retryAfter: number;
  remaining: number;
}

export class GitHubFake {
  readonly requests: RecordedRequest[] = [];
  /** Items per page for list bodies (GitHub caps per_page at 100; tests use small pages). */
  pageSize = 100;
  private readonly routes = new Map<string, FakeResponse>();
  private readonly failures = new Map<string, Planned[]>();
  private readonly handlers: { method: string; path: string | RegExp; fn: Handler }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string
  ) {}

  static async start(): Promise<GitHubFake> {
    const holder: { fake?: GitHubFake } = {};
    const server = createServer((req, res) => holder.fake?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new GitHubFake(server, `http://127.0.0.1:${port}`);
    return holder.fake;
  }

  /** Serve a fixture (by name) or an explicit response at a path (no query). */
  route(p: string, response: string | FakeResponse): this {
    if (typeof response === 'string') {
      const fx = fixture(response);
      this.routes.set(p, { status: fx.status, body: fx.body });
    } else this.routes.set(p, response);
    return this;
  }

  /** Answer `method` requests to a path (or any path matching a RegExp) with a function. Later handlers win. */
  on(method: string, p: string | RegExp, fn: Handler): this {
    this.handlers.unshift({ method: method.toUpperCase(), path: p, fn });
    return this;
  }

  /** Fail the next `times` requests to a path (default: every request). */
  fail(p: string, kind: Failure, opts: { times?: number; retryAfter?: number } = {}): this {
    const list = this.failures.get(p) ?? [];
    list.push({ kind, retryAfter: opts.retryAfter ?? 0, remaining: opts.times ?? Infinity });
    this.failures.set(p, list);
    return this;
  }

  /** Requests made to a path (any query). */
  count(p: string): number {
    return this.requests.filter((r) => r.path === p).length;
  }

  reset(): void {
    this.requests.length = 0;
    this.routes.clear();
    this.failures.clear();
    this.handlers.length = 0;
    this.pageSize = 100;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      this.dispatch(req, res, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // kept as text
      }
      this.dispatch(req, res, body);
    });
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const u = new URL(req.url ?? '/', this.url);
    const query: Record<string, string> = {};
    u.searchParams.forEach((v, k) => (query[k] = v));
    const p = decodeURIComponent(u.pathname);
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: p,
      query,
      auth: typeof req.headers.authorization === 'string' && req.headers.authorization !== '',
      ...(body === undefined ? {} : { body })
    });

    const planned = this.failures.get(p)?.find((f) => f.remaining > 0);
    if (planned) {
      planned.remaining--;
      if (planned.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      this.send(res, failureResponse(planned.kind, planned.retryAfter));
      return;
    }
    for (const h of this.handlers) {
      if (h.method !== method) continue;
      let match: RegExpExecArray | null = null;
      if (typeof h.path === 'string') {
        if (h.path !== p) continue;
      } else {
        match = h.path.exec(p);
        if (!match) continue;
      }
      const answer = h.fn({ method, path: p, query, body, match });
      this.send(res, method === 'GET' ? this.paginate(answer, u) : answer);
      return;
    }
    const route = this.routes.get(p);
    if (!route || req.method !== 'GET') {
      this.send(res, failureResponse('not-found'));
      return;
    }
    this.send(res, this.paginate(route, u));
  }

  /** Arrays are split into pages; a comparison's commits are paginated and its files listed on page 1 only (as GitHub does). */
  private paginate(route: FakeResponse, u: URL): FakeResponse {
    const body = route.body;
    const page = Math.max(1, Number(u.searchParams.get('page') ?? '1') || 1);
    const size = Math.min(this.pageSize, Number(u.searchParams.get('per_page') ?? '30') || 30);
    let items: unknown[] | undefined;
    let build: (slice: unknown[]) => unknown = (slice) => slice;
    if (Array.isArray(body)) items = body;
    else if (body && typeof body === 'object' && Array.isArray((body as { commits?: unknown }).commits)) {
      const b = body as { commits: unknown[]; files?: unknown[] };
      items = b.commits;
      build = (slice) => ({ ...b, commits: slice, ...(b.files ? { files: page === 1 ? b.files : [] } : {}) });
    }
    if (!items || route.status !== 200) return route;
    const last = Math.max(1, Math.ceil(items.length / size));
    const headers: Record<string, string> = { ...(route.headers ?? {}) };
    if (last > 1) {
      const link = (n: number, rel: string): string => {
        const next = new URL(u.toString());
        next.searchParams.set('page', String(n));
        return `<${next.toString()}>; rel="${rel}"`;
      };
      const parts: string[] = [];
      if (page > 1) parts.push(link(page - 1, 'prev'), link(1, 'first'));
      if (page < last) parts.push(link(page + 1, 'next'), link(last, 'last'));
      headers.link = parts.join(', ');
    }
    return { status: 200, body: build(items.slice((page - 1) * size, page * size)), headers };
  }

  private send(res: ServerResponse, r: FakeResponse): void {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...(r.headers ?? {})
    };
    res.writeHead(r.status, headers);
    res.end(r.raw ?? (r.body === undefined ? '' : JSON.stringify(r.body)));
  }
}
