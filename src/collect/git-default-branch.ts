/**
 * The repository's default branch as the checkout knows it: `refs/remotes/origin/HEAD`, the
 * symbolic ref `git clone` writes. Used only when neither the event payload nor the API said,
 * so that a local run (the CLI on a clone, no token) still knows which branch the filters of
 * required checks are about. Read as a file: no git process, no network.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

async function gitDir(workspace: string): Promise<string | undefined> {
  const dotGit = path.join(workspace, '.git');
  try {
    // A worktree or submodule has a `.git` file pointing at the real directory.
    const text = await readFile(dotGit, 'utf8');
    const m = /^gitdir:\s*(.+)$/m.exec(text);
    return m ? path.resolve(workspace, m[1].trim()) : undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EISDIR' ? dotGit : undefined;
  }
}

/** `main` for `ref: refs/remotes/origin/main`; undefined when there is no such ref or it is not symbolic. */
export async function originDefaultBranch(workspace: string): Promise<string | undefined> {
  let dir = await gitDir(workspace);
  if (!dir) return undefined;
  // A linked worktree keeps shared refs in the main repository (`commondir`).
  try {
    const common = (await readFile(path.join(dir, 'commondir'), 'utf8')).trim();
    if (common) dir = path.resolve(dir, common);
  } catch {
    // not a linked worktree
  }
  try {
    const text = await readFile(path.join(dir, 'refs', 'remotes', 'origin', 'HEAD'), 'utf8');
    const m = /^ref:\s*refs\/remotes\/origin\/(\S+)\s*$/m.exec(text);
    return m ? m[1] : undefined;
  } catch {
    return undefined;
  }
}
