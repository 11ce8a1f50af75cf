import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { collectWorkspace } from '../../src/collect/workspace.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const CI = 'name: CI\non: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n';
const NIGHTLY = 'on:\n  schedule:\n    - cron: "0 3 * * *"\njobs:\n  n:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n';
const BROKEN = 'on: push\njobs:\n  a:\n    runs-on: x\n   steps: []\n';
const COMPOSITE = 'name: setup\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n    - run: npm ci\n      shell: bash\n';
const ROOT_ACTION = 'name: root\nruns:\n  using: node24\n  main: dist/index.js\n';
const POLICY = 'version: 1\n';

async function write(root: string, rel: string, content: string): Promise<void> {
  const abs = path.join(root, ...rel.split('/'));
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, content);
}

function hasGit(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tmpDirs: string[] = [];
async function tmp(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pm-ws-'));
  tmpDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

describe('collectWorkspace on a plain directory', () => {
  let root: string;
  beforeAll(async () => {
    root = await tmp();
    await write(root, '.github/workflows/nightly.yaml', NIGHTLY);
    await write(root, '.github/workflows/ci.yml', CI);
    await write(root, '.github/workflows/broken.yml', BROKEN);
    await write(root, '.github/workflows/README.md', '# not a workflow');
    await write(root, '.github/workflows/nested/deep.yml', CI);
    await write(root, '.github/actions/setup/action.yml', COMPOSITE);
    await write(root, '.github/actions/group/inner/action.yaml', ROOT_ACTION);
    await write(root, '.github/actions/setup/other.yml', CI);
    await write(root, 'action.yml', ROOT_ACTION);
    await write(root, 'CODEOWNERS', '* @root-owner\n');
    await write(root, 'docs/CODEOWNERS', '* @docs-owner\n');
    await write(root, '.github/phase-mirror.yml', POLICY);
    await write(root, 'src/index.ts', 'export {};\n');
    await write(root, 'node_modules/dep/index.js', '');
    await write(root, '.git/config', '');
  });

  it('reads top-level workflows sorted by path, then action files', async () => {
    const ws = await collectWorkspace(root, '.github/phase-mirror.yml');
    expect(ws.workflows.map((w) => [w.path, w.kind])).toEqual([
      ['.github/workflows/broken.yml', 'workflow'],
      ['.github/workflows/ci.yml', 'workflow'],
      ['.github/workflows/nightly.yaml', 'workflow'],
      ['.github/actions/group/inner/action.yaml', 'action'],
      ['.github/actions/setup/action.yml', 'action'],
      ['action.yml', 'action']
    ]);
    const [broken, ci, nightly, , setup] = ws.workflows;
    expect(broken.parseError?.line).toBe(5);
    expect(ci.parseError).toBeUndefined();
    expect(ci.name).toBe('CI');
    expect(ci.sha256).toBe(sha(CI));
    expect(nightly.triggers.map((t) => t.event)).toEqual(['schedule']);
    expect(setup.jobs.map((j) => [j.id, j.steps.length])).toEqual([['(composite)', 2]]);
  });

  it('reads CODEOWNERS with GitHub precedence (root before docs/)', async () => {
    const ws = await collectWorkspace(root, '.github/phase-mirror.yml');
    expect(ws.codeowners?.path).toBe('CODEOWNERS');
    expect(ws.codeowners?.entries).toEqual([{ pattern: '*', owners: ['@root-owner'], line: 1 }]);
    expect(ws.codeowners?.sha256).toBe(sha('* @root-owner\n'));
  });

  it('hashes governance files, including the policy file', async () => {
    const ws = await collectWorkspace(root, '.github/phase-mirror.yml');
    expect(Object.keys(ws.files)).toEqual([
      '.github/actions/group/inner/action.yaml',
      '.github/actions/setup/action.yml',
      '.github/phase-mirror.yml',
      '.github/workflows/broken.yml',
      '.github/workflows/ci.yml',
      '.github/workflows/nightly.yaml',
      'CODEOWNERS',
      'action.yml'
    ]);
    expect(ws.files['.github/phase-mirror.yml']).toBe(sha(POLICY));
    expect(ws.files['.github/workflows/broken.yml']).toBe(sha(BROKEN));
  });

  it('an absolute or missing policy path works', async () => {
    const abs = await collectWorkspace(root, path.join(root, '.github', 'phase-mirror.yml'));
    expect(abs.files['.github/phase-mirror.yml']).toBe(sha(POLICY));
    const missing = await collectWorkspace(root, 'nope.yml');
    expect(missing.files['nope.yml']).toBeUndefined();
  });

  it('walks tracked paths, skipping .git and node_modules', async () => {
    const ws = await collectWorkspace(root, '.github/phase-mirror.yml');
    expect(ws.trackedPaths).toContain('src/index.ts');
    expect(ws.trackedPaths).toContain('.github/workflows/nested/deep.yml');
    expect(ws.trackedPaths).toContain('docs/CODEOWNERS');
    expect(ws.trackedPaths.some((p) => p.startsWith('node_modules/') || p.startsWith('.git/'))).toBe(false);
    expect([...ws.trackedPaths].sort()).toEqual(ws.trackedPaths);
  });
});

describe('collectWorkspace edge cases', () => {
  it('an empty directory gives an empty state', async () => {
    const root = await tmp();
    expect(await collectWorkspace(root, '.github/phase-mirror.yml')).toEqual({ workflows: [], codeowners: null, files: {}, trackedPaths: [] });
  });

  it('a missing workspace does not throw', async () => {
    const ws = await collectWorkspace(path.join(os.tmpdir(), 'pm-ws-does-not-exist-' + process.pid), 'x.yml');
    expect(ws).toEqual({ workflows: [], codeowners: null, files: {}, trackedPaths: [] });
  });

  it('.github/CODEOWNERS wins over the root file', async () => {
    const root = await tmp();
    await write(root, '.github/CODEOWNERS', '* @gh\n');
    await write(root, 'CODEOWNERS', '* @root\n');
    const ws = await collectWorkspace(root, '');
    expect(ws.codeowners?.path).toBe('.github/CODEOWNERS');
    expect(ws.files).toEqual({ '.github/CODEOWNERS': sha('* @gh\n') });
  });

  it('docs/CODEOWNERS is used when it is the only one', async () => {
    const root = await tmp();
    await write(root, 'docs/CODEOWNERS', '* @docs\n');
    expect((await collectWorkspace(root, '')).codeowners?.path).toBe('docs/CODEOWNERS');
  });

  it('a dangling symlink in the workflows folder becomes a parse error, not a crash', async () => {
    const root = await tmp();
    await write(root, '.github/workflows/ok.yml', CI);
    await symlink(path.join(root, 'missing.yml'), path.join(root, '.github', 'workflows', 'gone.yml'));
    const ws = await collectWorkspace(root, '');
    expect(ws.workflows.map((w) => w.path)).toEqual(['.github/workflows/gone.yml', '.github/workflows/ok.yml']);
    expect(ws.workflows[0]).toMatchObject({ sha256: '', jobs: [], triggers: [], lineCount: 0 });
    expect(ws.workflows[0].parseError?.message).toBe('could not read the file: ENOENT: no such file or directory');
    expect(Object.keys(ws.files)).toEqual(['.github/workflows/ok.yml']);
  });

  const canChmod = process.platform !== 'win32' && typeof process.getuid === 'function' && process.getuid() !== 0;
  (canChmod ? it : it.skip)('an unreadable workflow becomes a parse error, not a crash', async () => {
    const root = await tmp();
    await write(root, '.github/workflows/ok.yml', CI);
    await write(root, '.github/workflows/secret.yml', CI);
    const secret = path.join(root, '.github', 'workflows', 'secret.yml');
    await chmod(secret, 0o000);
    try {
      const ws = await collectWorkspace(root, '');
      const bad = ws.workflows.find((w) => w.path === '.github/workflows/secret.yml');
      expect(bad?.parseError?.message).toMatch(/could not read the file/);
      expect(bad?.jobs).toEqual([]);
      expect(ws.files['.github/workflows/secret.yml']).toBeUndefined();
      expect(ws.files['.github/workflows/ok.yml']).toBe(sha(CI));
    } finally {
      await chmod(secret, 0o644);
    }
  });
});

(hasGit() ? describe : describe.skip)('collectWorkspace on a git work tree', () => {
  let root: string;
  beforeAll(async () => {
    root = await tmp();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
    git('init', '-q');
    await write(root, '.github/workflows/ci.yml', CI);
    await write(root, 'src/a b.ts', 'export {};\n');
    await write(root, 'src/ünï.ts', 'export {};\n');
    await write(root, '.github/CODEOWNERS', '* @a\n');
    await write(root, 'untracked.txt', 'x');
    await write(root, 'node_modules/x/index.js', '');
    git('add', '.github', 'src');
  });

  it('lists exactly the tracked paths from git ls-files', async () => {
    const ws = await collectWorkspace(root, '.github/phase-mirror.yml');
    expect(ws.trackedPaths).toEqual(['.github/CODEOWNERS', '.github/workflows/ci.yml', 'src/a b.ts', 'src/ünï.ts']);
    expect(ws.workflows.map((w) => w.path)).toEqual(['.github/workflows/ci.yml']);
    expect(ws.codeowners?.entries).toHaveLength(1);
  });

  it('a sub-directory of a work tree is walked instead', async () => {
    const sub = path.join(root, 'src');
    const ws = await collectWorkspace(sub, '');
    expect(ws.trackedPaths).toEqual(['a b.ts', 'ünï.ts']);
  });
});
