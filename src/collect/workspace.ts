/**
 * Reads the governance state of a checked-out repository: workflows (with positions), local
 * action metadata, CODEOWNERS, hashes of governance files and the list of tracked paths.
 *
 * Never throws for unreadable content: a workflow or action file that cannot be read becomes a
 * `WorkflowFile` with `parseError`; a missing directory simply contributes nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { CodeownersFile } from '../model/codeowners.js';
import type { WorkflowFile } from '../model/workflow.js';
import { parseCodeowners } from './codeowners.js';
import { parseWorkflow } from './workflow-parser.js';
import { mapLimit } from '../util/map-limit.js';

export interface WorkspaceState {
  /** Workflows (`.github/workflows/*.yml|yaml`) then local action files, each group sorted by path. */
  workflows: WorkflowFile[];
  codeowners: CodeownersFile | null;
  /** Governance files (workflows, action files, CODEOWNERS, the policy file): path → sha256. */
  files: Record<string, string>;
  /** Every tracked file path, posix and repo-relative, sorted. */
  trackedPaths: string[];
}

/** GitHub's precedence: the first existing file wins. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;
/** Most paths kept in `trackedPaths`. */
export const MAX_TRACKED_PATHS = 200_000;
const READ_CONCURRENCY = 16;
const WALK_CONCURRENCY = 8;
const SKIP_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

const toPosix = (p: string): string => p.split(path.sep).join('/');
const isYaml = (name: string): boolean => /\.ya?ml$/.test(name);
const isActionFile = (name: string): boolean => name === 'action.yml' || name === 'action.yaml';

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A short, machine-independent reason for a failed read: `ENOENT: no such file or directory`
 * (the absolute path in Node's message is dropped so reports do not depend on the runner).
 */
function errorMessage(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const m = /^([A-Z][A-Z0-9_]+): ([^,]+)/.exec(message);
  if (m) return `${m[1]}: ${m[2]}`;
  return typeof e?.code === 'string' ? `${e.code}: ${message}` : message;
}


async function isFile(abs: string): Promise<boolean> {
  try {
    return (await stat(abs)).isFile();
  } catch {
    return false;
  }
}

/**
 * Workflow files directly in `.github/workflows` (not recursive). Symbolic links are listed too:
 * one that cannot be read (dangling, pointing at a directory) is reported as unreadable.
 */
async function listWorkflowFiles(workspace: string): Promise<string[]> {
  const dir = path.join(workspace, '.github', 'workflows');
  try {
    const dirents = await readdir(dir, { withFileTypes: true });
    return dirents
      .filter((d) => (d.isFile() || d.isSymbolicLink()) && isYaml(d.name))
      .map((d) => d.name)
      .sort()
      .map((n) => `.github/workflows/${n}`);
  } catch {
    return [];
  }
}

/** `action.yml|yaml` anywhere under `.github/actions/`, plus the repository root's. */
async function listActionFiles(workspace: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of ['action.yml', 'action.yaml']) {
    if (await isFile(path.join(workspace, name))) found.push(name);
  }
  const under = await walk(workspace, '.github/actions', MAX_TRACKED_PATHS);
  for (const rel of under.paths) {
    if (isActionFile(rel.slice(rel.lastIndexOf('/') + 1))) found.push(rel);
  }
  return found.sort();
}

interface ReadResult {
  rel: string;
  data?: Buffer;
  error?: string;
}

async function readAll(workspace: string, rels: readonly string[]): Promise<ReadResult[]> {
  return mapLimit(rels, READ_CONCURRENCY, async (rel) => {
    try {
      return { rel, data: await readFile(path.join(workspace, ...rel.split('/'))) };
    } catch (err) {
      return { rel, error: errorMessage(err) };
    }
  });
}

function toWorkflow(r: ReadResult, kind: WorkflowFile['kind']): WorkflowFile {
  if (!r.data) {
    return {
      path: r.rel,
      kind,
      sha256: '',
      parseError: { message: `could not read the file: ${r.error ?? 'unknown error'}` },
      triggers: [],
      env: {},
      jobs: [],
      lineCount: 0
    };
  }
  const wf = parseWorkflow(r.rel, r.data.toString('utf8'), kind);
  wf.sha256 = sha256(r.data);
  return wf;
}

async function readCodeowners(workspace: string): Promise<CodeownersFile | null> {
  for (const rel of CODEOWNERS_LOCATIONS) {
    const abs = path.join(workspace, ...rel.split('/'));
    if (!(await isFile(abs))) continue;
    try {
      const data = await readFile(abs);
      const file = parseCodeowners(rel, data.toString('utf8'));
      file.sha256 = sha256(data);
      return file;
    } catch (err) {
      return {
        path: rel,
        sha256: '',
        entries: [],
        errors: [{ line: 1, message: `could not read the file: ${errorMessage(err)}`, source: 'local' }]
      };
    }
  }
  return null;
}

/** Repo-relative posix path of the policy file (absolute paths are made relative). */
function policyRel(workspace: string, policyPath: string): string {
  const rel = path.isAbsolute(policyPath) ? path.relative(workspace, policyPath) : path.normalize(policyPath);
  return toPosix(rel);
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, windowsHide: true, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } },
      (err, stdout) => (err ? reject(err) : resolve(stdout))
    );
  });
}

/**
 * Tracked paths from git when `workspace` is the top of a work tree; null when it is not a git
 * work tree (or is a sub-directory of one, or git is unavailable), so the caller walks instead.
 */
async function gitTrackedPaths(workspace: string): Promise<string[] | null> {
  try {
    const prefix = (await git(workspace, ['rev-parse', '--show-prefix'])).trim();
    if (prefix !== '') return null;
    const out = await git(workspace, ['-c', 'core.quotepath=off', 'ls-files', '-z']);
    const paths: string[] = [];
    for (const p of out.split('\0')) {
      if (p === '') continue;
      if (paths.length >= MAX_TRACKED_PATHS) break;
      paths.push(p);
    }
    return paths;
  } catch {
    return null;
  }
}

/** Recursive walk of `start` (repo-relative, '' = root), skipping `.git` and `node_modules`. */
async function walk(workspace: string, start: string, cap: number): Promise<{ paths: string[] }> {
  const paths: string[] = [];
  const queue: string[] = [start];
  let active = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      if (queue.length === 0 && active === 0) {
        resolve();
        return;
      }
      while (active < WALK_CONCURRENCY && queue.length > 0 && paths.length < cap) {
        const rel = queue.shift() as string;
        active++;
        readdir(path.join(workspace, ...rel.split('/').filter(Boolean)), { withFileTypes: true })
          .then((dirents) => {
            for (const d of dirents) {
              const child = rel === '' ? d.name : `${rel}/${d.name}`;
              if (d.isDirectory()) {
                if (!SKIP_DIRS.has(d.name)) queue.push(child);
              } else if (paths.length < cap) {
                paths.push(child);
              }
            }
          })
          .catch(() => undefined)
          .finally(() => {
            active--;
            pump();
          });
      }
      if (paths.length >= cap && active === 0) {
        queue.length = 0;
        resolve();
      }
    };
    pump();
  });
  return { paths };
}

async function trackedPaths(workspace: string): Promise<string[]> {
  const fromGit = await gitTrackedPaths(workspace);
  const paths = fromGit ?? (await walk(workspace, '', MAX_TRACKED_PATHS)).paths;
  // Sorted and de-duplicated (`git ls-files` repeats unmerged paths once per stage).
  const sorted = paths.slice(0, MAX_TRACKED_PATHS).sort();
  return sorted.filter((p, i) => i === 0 || p !== sorted[i - 1]);
}

/** Collect the governance state of the checkout at `workspace`. */
export async function collectWorkspace(workspace: string, policyPath: string): Promise<WorkspaceState> {
  const root = path.resolve(workspace);
  const [workflowRels, actionRels, codeowners, tracked] = await Promise.all([
    listWorkflowFiles(root),
    listActionFiles(root),
    readCodeowners(root),
    trackedPaths(root)
  ]);
  const [workflowReads, actionReads] = await Promise.all([readAll(root, workflowRels), readAll(root, actionRels)]);
  const workflows = [
    ...workflowReads.map((r) => toWorkflow(r, 'workflow')),
    ...actionReads.map((r) => toWorkflow(r, 'action'))
  ];

  const hashes = new Map<string, string>();
  for (const r of [...workflowReads, ...actionReads]) if (r.data) hashes.set(r.rel, sha256(r.data));
  if (codeowners && codeowners.sha256 !== '') hashes.set(codeowners.path, codeowners.sha256);
  if (policyPath) {
    const rel = policyRel(root, policyPath);
    try {
      const abs = path.isAbsolute(policyPath) ? policyPath : path.join(root, policyPath);
      if (await isFile(abs)) hashes.set(rel, sha256(await readFile(abs)));
    } catch {
      // An unreadable policy file is the policy loader's to report.
    }
  }
  const files: Record<string, string> = {};
  for (const key of [...hashes.keys()].sort()) files[key] = hashes.get(key) as string;

  return { workflows, codeowners, files, trackedPaths: tracked };
}
