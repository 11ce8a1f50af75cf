import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readBasePolicy, validRef } from '../../src/collect/base-policy.js';

const POLICY = '.github/phase-mirror.yml';
const BASE_TEXT = 'version: 1\nthresholds: { critical: 0, high: 3, medium: 10 }\n';
const PR_TEXT = `${BASE_TEXT}suppressions:\n  - rule: MD-007\n    reason: trust me\n    expires: 2099-01-01\n    approved-by: attacker\n`;

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir()
};
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function write(dir: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

let root: string;
let origin: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'pm-base-policy-'));
  origin = path.join(root, 'origin');
  mkdirSync(origin);
  git(origin, 'init', '-q', '-b', 'main');
  write(origin, POLICY, BASE_TEXT);
  write(origin, 'README.md', 'hi\n');
  git(origin, 'add', '.');
  git(origin, 'commit', '-q', '-m', 'base');
  git(origin, 'checkout', '-q', '-b', 'feature');
  write(origin, POLICY, PR_TEXT);
  git(origin, 'commit', '-q', '-am', 'PR adds a suppression for its own finding');
  git(origin, 'checkout', '-q', 'main');
  // A branch with no policy file at all.
  git(origin, 'checkout', '-q', '-b', 'bare');
  git(origin, 'rm', '-q', POLICY);
  git(origin, 'commit', '-q', '-m', 'no policy');
  git(origin, 'checkout', '-q', 'main');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('readBasePolicy via git', () => {
  it('a PR branch that adds a suppression still gets the base text', async () => {
    const ws = path.join(root, 'full');
    git(root, 'clone', '-q', origin, ws);
    git(ws, 'checkout', '-q', 'feature');
    const r = await readBasePolicy({ workspace: ws, baseRef: 'main', policyPath: POLICY });
    expect(r).toEqual({ text: BASE_TEXT, source: `origin/main:${POLICY}`, via: 'git' });
  });

  it('fetches the base branch (shallow) when the checkout has only the PR branch', async () => {
    const ws = path.join(root, 'single');
    git(root, 'clone', '-q', '--depth=1', '--single-branch', '--branch', 'feature', `file://${origin}`, ws);
    expect(() => git(ws, 'rev-parse', '--verify', '--quiet', 'refs/remotes/origin/main')).toThrow();
    const r = await readBasePolicy({ workspace: ws, baseRef: 'refs/heads/main', policyPath: `./${POLICY}` });
    expect(r).toEqual({ text: BASE_TEXT, source: `origin/main:${POLICY}`, via: 'git' });
  });

  it('no policy file on the base branch → text null (defaults)', async () => {
    const ws = path.join(root, 'full');
    const r = await readBasePolicy({ workspace: ws, baseRef: 'bare', policyPath: POLICY });
    expect(r).toEqual({ text: null, source: `origin/bare:${POLICY}`, via: 'git' });
  });

  it('a base branch that does not exist, without an API, is an error (never a throw)', async () => {
    const ws = path.join(root, 'full');
    const r = await readBasePolicy({ workspace: ws, baseRef: 'no-such-branch', policyPath: POLICY });
    expect('error' in r && r.error).toContain('no-such-branch');
  });

  it('rejects refs and paths that could be read as options or escape the repository', async () => {
    expect(validRef('--upload-pack=evil')).toBe(false);
    expect(validRef('main..x')).toBe(false);
    expect(validRef('release/v1.2')).toBe(true);
    const ws = path.join(root, 'full');
    expect(await readBasePolicy({ workspace: ws, baseRef: '-x', policyPath: POLICY })).toEqual({ error: 'invalid base ref "-x"' });
    const r = await readBasePolicy({ workspace: ws, baseRef: 'main', policyPath: '../outside.yml' });
    expect('error' in r && r.error).toContain('invalid policy path');
  });
});

describe('readBasePolicy via the contents API', () => {
  let server: Server;
  let apiUrl: string;
  const seen: { url: string; auth?: string }[] = [];
  let failures = 0;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const ref = url.searchParams.get('ref');
      if (url.pathname !== `/repos/octo/repo/contents/.github/phase-mirror.yml`) return send(404, { message: 'Not Found' });
      if (ref === 'main') {
        const content = Buffer.from(BASE_TEXT).toString('base64').replace(/(.{20})/g, '$1\n');
        return send(200, { type: 'file', encoding: 'base64', size: BASE_TEXT.length, name: 'phase-mirror.yml', path: POLICY, content });
      }
      if (ref === 'flaky') {
        if (failures++ === 0) return send(502, { message: 'Bad Gateway' });
        return send(200, { type: 'file', encoding: 'base64', content: Buffer.from('x: 1\n').toString('base64') });
      }
      if (ref === 'bare') return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com' });
      if (ref === 'gone') return send(404, { message: 'No commit found for the ref gone' });
      if (ref === 'secret') return send(403, { message: 'Resource not accessible by integration' });
      if (ref === 'down') return send(503, { message: 'unavailable' });
      return send(404, { message: 'Not Found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const notGit = (): string => {
    const dir = path.join(root, `plain-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    return dir;
  };
  const api = (): { token: string; apiUrl: string; repository: string } => ({ token: 'tkn', apiUrl, repository: 'octo/repo' });

  it('falls back to the API when the workspace is not a git repository, decoding base64', async () => {
    const r = await readBasePolicy({ workspace: notGit(), baseRef: 'main', policyPath: POLICY, api: api() });
    expect(r).toEqual({ text: BASE_TEXT, source: `main:${POLICY}`, via: 'api' });
    expect(seen.at(-1)).toEqual({ url: `/repos/octo/repo/contents/.github/phase-mirror.yml?ref=main`, auth: 'Bearer tkn' });
  });

  it('404 Not Found → text null; 404 for an unknown ref, 403 and persistent 5xx → error', async () => {
    expect(await readBasePolicy({ workspace: notGit(), baseRef: 'bare', policyPath: POLICY, api: api() })).toEqual({ text: null, source: `bare:${POLICY}`, via: 'api' });
    const gone = await readBasePolicy({ workspace: notGit(), baseRef: 'gone', policyPath: POLICY, api: api() });
    expect('error' in gone && gone.error).toContain('No commit found');
    const secret = await readBasePolicy({ workspace: notGit(), baseRef: 'secret', policyPath: POLICY, api: api() });
    expect('error' in secret && secret.error).toContain('403');
    const down = await readBasePolicy({ workspace: notGit(), baseRef: 'down', policyPath: POLICY, api: api() });
    expect('error' in down && down.error).toContain('503');
  });

  it('retries once on a 5xx', async () => {
    const r = await readBasePolicy({ workspace: notGit(), baseRef: 'flaky', policyPath: POLICY, api: api() });
    expect(r).toEqual({ text: 'x: 1\n', source: `flaky:${POLICY}`, via: 'api' });
  });

  it('an unreachable API is an error, not a throw', async () => {
    const r = await readBasePolicy({ workspace: notGit(), baseRef: 'main', policyPath: POLICY, api: { token: 't', apiUrl: 'http://127.0.0.1:1', repository: 'octo/repo' }, timeoutMs: 2000 });
    expect('error' in r && r.error).toContain('could not be reached');
  });

  it('git wins over the API when it can answer', async () => {
    const before = seen.length;
    const r = await readBasePolicy({ workspace: path.join(root, 'full'), baseRef: 'main', policyPath: POLICY, api: api() });
    expect(r).toMatchObject({ via: 'git', text: BASE_TEXT });
    expect(seen.length).toBe(before);
  });
});
