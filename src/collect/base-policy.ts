/**
 * Reads the policy file as it is on the pull request's BASE branch, so a pull request cannot
 * suppress (or disable, or re-threshold) its own findings by editing the policy (DESIGN §6).
 *
 * Order:
 * 1. git, in the checked-out workspace: `git cat-file -e origin/<base>^{commit}`; if the
 *    remote-tracking ref is missing (actions/checkout fetches only the PR merge ref), one
 *    `git fetch --depth=1 --no-tags origin +refs/heads/<base>:refs/remotes/origin/<base>` —
 *    shallow, one ref, no prompts (`GIT_TERMINAL_PROMPT=0`; it uses whatever credentials the
 *    checkout persisted), time-boxed. Then `git cat-file blob origin/<base>:<path>`; a path that
 *    does not exist on the base is `text: null` (no policy on base = defaults).
 * 2. the contents API, when git could not answer and `api` is given:
 *    `GET {apiUrl}/repos/{owner}/{repo}/contents/{path}?ref=<base>` (base64 `content`);
 *    404 "Not Found" → `text: null`; 404 "No commit found for the ref" and every other failure
 *    → error. One retry on 5xx / network errors, each request time-boxed.
 * 3. otherwise `{ error }` naming what was tried. Never throws.
 *
 * Commands run through `execFile` (no shell); the ref and path are validated first so they cannot
 * be read as options.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

export type BasePolicyResult = { text: string | null; source: string; via: 'git' | 'api' } | { error: string };

export interface BasePolicyOptions {
  /** Absolute path of the checkout. */
  workspace: string;
  /** The pull request's base branch (`GITHUB_BASE_REF`), e.g. `main`. */
  baseRef: string;
  /** Repository-relative policy path, e.g. `.github/phase-mirror.yml`. */
  policyPath: string;
  api?: { token: string; apiUrl: string; repository: string };
  /** Time box of each git command / HTTP request in ms (default 15,000 for fetch, 10,000 otherwise). */
  timeoutMs?: number;
}

/** Largest policy file accepted (the contents API inlines files up to 1 MB). */
const MAX_BYTES = 1024 * 1024;

function errorText(err: unknown): string {
  const e = err as { stderr?: unknown; message?: unknown; code?: unknown; killed?: boolean; signal?: unknown } | null;
  if (e?.killed || e?.signal === 'SIGTERM') return 'timed out';
  const stderr = typeof e?.stderr === 'string' ? e.stderr.trim() : '';
  if (stderr) return stderr.split('\n').filter(Boolean).slice(-1)[0].slice(0, 300);
  if (typeof e?.message === 'string') return e.message.split('\n')[0].slice(0, 300);
  return String(err);
}

function git(cwd: string, args: string[], timeout: number): Promise<{ ok: true; stdout: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    try {
      execFile(
        'git',
        args,
        {
          cwd,
          encoding: 'utf8',
          timeout,
          maxBuffer: 4 * MAX_BYTES,
          windowsHide: true,
          env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', GCM_INTERACTIVE: 'never', GIT_ASKPASS: '', SSH_ASKPASS: '' }
        },
        (err, stdout, stderr) => {
          if (err) resolve({ ok: false, error: errorText(Object.assign(err, { stderr })) });
          else resolve({ ok: true, stdout });
        }
      );
    } catch (err) {
      resolve({ ok: false, error: errorText(err) });
    }
  });
}

/** A branch name git would accept and that cannot be mistaken for an option or a revision expression. */
export function validRef(ref: string): boolean {
  if (ref === '' || ref.length > 255 || ref.startsWith('-') || ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return false;
  if (ref.includes('..') || ref.includes('//') || ref.includes('@{') || ref === '@') return false;
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x20\x7f~^:?*[\\]/.test(ref);
}

/** Repository-relative posix path inside the repository, or undefined. */
function normalisePath(workspace: string, policyPath: string): string | undefined {
  const p = policyPath.replace(/\\/g, '/');
  const rel = path.posix.isAbsolute(p) ? path.relative(workspace, p).split(path.sep).join('/') : path.posix.normalize(p);
  if (rel === '' || rel === '.' || rel.startsWith('../') || rel === '..' || path.posix.isAbsolute(rel) || rel.startsWith('-')) return undefined;
  return rel.replace(/^\.\//, '');
}

async function viaGit(workspace: string, baseRef: string, rel: string, timeout: number): Promise<{ text: string | null } | { error: string }> {
  const remoteRef = `refs/remotes/origin/${baseRef}`;
  let have = await git(workspace, ['rev-parse', '--verify', '--quiet', `${remoteRef}^{commit}`], timeout);
  if (!have.ok) {
    const inside = await git(workspace, ['rev-parse', '--is-inside-work-tree'], timeout);
    if (!inside.ok) return { error: `not a git work tree (${inside.error})` };
    const fetched = await git(workspace, ['-c', 'protocol.version=2', 'fetch', '--depth=1', '--no-tags', '--no-recurse-submodules', '--quiet', 'origin', `+refs/heads/${baseRef}:${remoteRef}`], Math.max(timeout, 15_000));
    if (!fetched.ok) return { error: `origin/${baseRef} is not available and fetching it failed: ${fetched.error}` };
    have = await git(workspace, ['rev-parse', '--verify', '--quiet', `${remoteRef}^{commit}`], timeout);
    if (!have.ok) return { error: `origin/${baseRef} is still missing after fetching it` };
  }
  const commit = have.stdout.trim();
  const type = await git(workspace, ['cat-file', '-t', `${commit}:${rel}`], timeout);
  if (!type.ok) {
    // Distinguish "no such path on the base" from a broken repository: list the path's directory.
    const ls = await git(workspace, ['ls-tree', '--name-only', commit, '--', rel], timeout);
    if (ls.ok && ls.stdout.trim() === '') return { text: null };
    return { error: `git could not read ${rel} at origin/${baseRef}: ${type.error}` };
  }
  if (type.stdout.trim() !== 'blob') return { error: `${rel} at origin/${baseRef} is a ${type.stdout.trim()}, not a file` };
  const blob = await git(workspace, ['cat-file', 'blob', `${commit}:${rel}`], timeout);
  if (!blob.ok) return { error: `git could not read ${rel} at origin/${baseRef}: ${blob.error}` };
  if (Buffer.byteLength(blob.stdout, 'utf8') > MAX_BYTES) return { error: `${rel} at origin/${baseRef} is larger than 1 MB` };
  return { text: blob.stdout };
}

async function request(url: string, token: string, timeout: number): Promise<{ status: number; body: unknown } | { network: string }> {
  try {
    const res = await fetch(url, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'pm-action'
      },
      signal: AbortSignal.timeout(timeout)
    });
    const raw = await res.text();
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // keep the text
    }
    return { status: res.status, body };
  } catch (err) {
    const name = (err as { name?: string } | null)?.name;
    return { network: name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : errorText(err) };
  }
}

function apiMessage(body: unknown): string {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return typeof body === 'string' ? body.slice(0, 200) : 'unexpected response';
}

async function viaApi(api: NonNullable<BasePolicyOptions['api']>, baseRef: string, rel: string, timeout: number): Promise<{ text: string | null } | { error: string }> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(api.repository)) return { error: `invalid repository "${api.repository}"` };
  const base = api.apiUrl.replace(/\/+$/, '');
  const url = `${base}/repos/${api.repository}/contents/${rel.split('/').map(encodeURIComponent).join('/')}?ref=${encodeURIComponent(baseRef)}`;
  let r = await request(url, api.token, timeout);
  if ('network' in r || r.status >= 500) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    r = await request(url, api.token, timeout);
  }
  if ('network' in r) return { error: `the contents API could not be reached: ${r.network}` };
  if (r.status === 404) {
    const msg = apiMessage(r.body);
    if (/no commit found/i.test(msg)) return { error: `the contents API does not know the ref ${baseRef}: ${msg}` };
    return { text: null };
  }
  if (r.status !== 200) return { error: `the contents API answered ${r.status}: ${apiMessage(r.body)}` };
  const b = r.body as { type?: unknown; content?: unknown; encoding?: unknown; size?: unknown } | unknown[];
  if (Array.isArray(b)) return { error: `${rel} at ${baseRef} is a directory, not a file` };
  if (!b || typeof b !== 'object') return { error: 'the contents API returned an unexpected body' };
  if (b.type !== undefined && b.type !== 'file') return { error: `${rel} at ${baseRef} is a ${String(b.type)}, not a file` };
  if (typeof b.content !== 'string' || (b.encoding !== undefined && b.encoding !== 'base64')) {
    return { error: `the contents API did not return the file content (encoding ${String(b.encoding)}; files over 1 MB are not inlined)` };
  }
  const buf = Buffer.from(b.content.replace(/\s+/g, ''), 'base64');
  if (buf.length > MAX_BYTES) return { error: `${rel} at ${baseRef} is larger than 1 MB` };
  return { text: buf.toString('utf8') };
}

/** Read the policy file from the base branch. Never throws. */
export async function readBasePolicy(opts: BasePolicyOptions): Promise<BasePolicyResult> {
  try {
    const timeout = opts.timeoutMs ?? 10_000;
    const baseRef = opts.baseRef.replace(/^refs\/heads\//, '');
    if (!validRef(baseRef)) return { error: `invalid base ref "${opts.baseRef}"` };
    const rel = normalisePath(opts.workspace, opts.policyPath);
    if (!rel) return { error: `invalid policy path "${opts.policyPath}": it must be a path inside the repository` };

    const g = await viaGit(opts.workspace, baseRef, rel, timeout);
    if ('text' in g) return { text: g.text, source: `origin/${baseRef}:${rel}`, via: 'git' };
    if (!opts.api) return { error: `could not read ${rel} from the base branch ${baseRef}: ${g.error}` };
    const a = await viaApi(opts.api, baseRef, rel, timeout);
    if ('text' in a) return { text: a.text, source: `${baseRef}:${rel}`, via: 'api' };
    return { error: `could not read ${rel} from the base branch ${baseRef}: git: ${g.error}; API: ${a.error}` };
  } catch (err) {
    return { error: `could not read the policy from the base branch: ${errorText(err)}` };
  }
}
