import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { originDefaultBranch } from '../../src/collect/git-default-branch.js';
import { tempDirs } from '../../test-support/temp-dirs.js';

const temp = tempDirs('pm-git-default-');
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=trunk', ...args], { cwd, stdio: 'pipe' });

describe('originDefaultBranch', () => {
  it('reads the default branch a real clone records in origin/HEAD, also from a linked worktree', async () => {
    const root = await temp();
    const upstream = path.join(root, 'upstream');
    await mkdir(upstream);
    git(upstream, 'init', '-q');
    await writeFile(path.join(upstream, 'README'), 'x\n');
    git(upstream, 'add', 'README');
    git(upstream, 'commit', '-q', '-m', 'first');
    git(root, 'clone', '-q', upstream, 'clone');
    const clone = path.join(root, 'clone');
    expect(await originDefaultBranch(clone)).toBe('trunk');
    git(clone, 'worktree', 'add', '-q', '-b', 'feature', path.join(root, 'wt'));
    expect(await originDefaultBranch(path.join(root, 'wt'))).toBe('trunk');
    // The upstream itself has no origin: nothing to say.
    expect(await originDefaultBranch(upstream)).toBeUndefined();
  });

  it('is undefined for a directory without git, a malformed ref, or a detached origin/HEAD', async () => {
    expect(await originDefaultBranch(await temp())).toBeUndefined();
    const dir = await temp();
    await mkdir(path.join(dir, '.git', 'refs', 'remotes', 'origin'), { recursive: true });
    await writeFile(path.join(dir, '.git', 'refs', 'remotes', 'origin', 'HEAD'), '0123456789abcdef0123456789abcdef01234567\n');
    expect(await originDefaultBranch(dir)).toBeUndefined();
    await writeFile(path.join(dir, '.git', 'refs', 'remotes', 'origin', 'HEAD'), 'ref: refs/remotes/origin/release/2.x\n');
    expect(await originDefaultBranch(dir)).toBe('release/2.x');
    const broken = await temp();
    await writeFile(path.join(broken, '.git'), 'not a gitdir line\n');
    expect(await originDefaultBranch(broken)).toBeUndefined();
  });
});
