import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  dir: string;
}

/** The Node binary the bundle runs under: PM_E2E_NODE (e.g. Node 24 in CI) or this one. */
export const E2E_NODE = process.env.PM_E2E_NODE || process.execPath;

/** Parses the GITHUB_OUTPUT file (`name<<delimiter` blocks as @actions/core writes them). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

/**
 * Runs `dist/index.js` the way the runner does: inputs as INPUT_<NAME> (hyphens kept), the
 * GITHUB_* files as temp files. Asynchronous, so in-process fakes keep answering.
 */
export async function runAction(opts: {
  workspace: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  event?: { name: string; payload?: unknown };
  entry?: string;
}): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-e2e-'));
  const files = { GITHUB_OUTPUT: 'output', GITHUB_STEP_SUMMARY: 'summary', GITHUB_STATE: 'state', GITHUB_ENV: 'env', GITHUB_PATH: 'path' };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_WORKSPACE: opts.workspace,
    GITHUB_EVENT_NAME: opts.event?.name ?? 'pull_request',
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    GITHUB_REPOSITORY: 'acme/widgets',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    RUNNER_TEMP: dir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'
  };
  for (const [k, f] of Object.entries(files)) {
    env[k] = path.join(dir, f);
    await writeFile(env[k], '');
  }
  await writeFile(env.GITHUB_EVENT_PATH, JSON.stringify(opts.event?.payload ?? {}));
  for (const [k, v] of Object.entries(opts.inputs ?? {})) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  Object.assign(env, opts.env ?? {});

  const entry = opts.entry ?? path.resolve('dist/index.js');
  const child = spawn(E2E_NODE, [entry], { env, cwd: opts.workspace });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(await readFile(env.GITHUB_OUTPUT, 'utf8')),
    summary: await readFile(env.GITHUB_STEP_SUMMARY, 'utf8'),
    dir
  };
}
