/**
 * Hashes of the tracked files the drift baseline watches: every tracked path matching the
 * policy's `drift.paths` globs → sha256 of its content.
 *
 * - Regular files are hashed by streaming (memory stays flat whatever their size), at most
 *   `concurrency` at a time.
 * - A symbolic link is hashed as its target text (what git stores for it): following it could
 *   read outside the checkout, or never end (`/dev/zero`).
 * - A path that is tracked but absent from the checkout is left out (it shows up as removed).
 * - Anything else that cannot be read (a directory such as a submodule, a FIFO, EACCES) gets a
 *   stable `unreadable (<reason>)` value instead of a hash, so it is neither silently dropped nor
 *   mistaken for a change on every run.
 * Never throws for a single path.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import * as path from 'node:path';
import { globMatcher } from '../util/glob.js';
import { mapLimit } from '../util/map-limit.js';

export const TRACKED_HASH_CONCURRENCY = 16;

export interface TrackedFileHashes {
  /** Repo-relative posix path → sha256 hex, or `unreadable (<reason>)`; keys sorted. */
  files: Record<string, string>;
  /** Paths that matched but could not be hashed, with the reason. */
  unreadable: { path: string; reason: string }[];
}

function hashStream(abs: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    const s = createReadStream(abs);
    s.on('data', (chunk) => h.update(chunk));
    s.on('error', reject);
    s.on('end', () => resolve(h.digest('hex')));
  });
}

const code = (err: unknown): string => ((err as NodeJS.ErrnoException)?.code ?? String((err as Error)?.message ?? err));

type Hashed = { kind: 'hash'; value: string } | { kind: 'absent' } | { kind: 'unreadable'; reason: string };

async function hashOne(workspace: string, rel: string): Promise<Hashed> {
  const abs = path.join(workspace, ...rel.split('/'));
  try {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) {
      return { kind: 'hash', value: createHash('sha256').update(await readlink(abs)).digest('hex') };
    }
    if (!st.isFile()) return { kind: 'unreadable', reason: st.isDirectory() ? 'a directory' : 'not a regular file' };
    return { kind: 'hash', value: await hashStream(abs) };
  } catch (err) {
    const c = code(err);
    if (c === 'ENOENT' || c === 'ENOTDIR') return { kind: 'absent' };
    return { kind: 'unreadable', reason: c };
  }
}


/**
 * Hashes the paths of `trackedPaths` (repo-relative, posix) that match `globs`, minus those
 * `exclude` rejects (pm-action's own outputs and data directory).
 */
export async function hashTrackedFiles(
  workspace: string,
  trackedPaths: readonly string[],
  globs: readonly string[],
  opts: { exclude?: (path: string) => boolean; concurrency?: number } = {}
): Promise<TrackedFileHashes> {
  const matches = globMatcher(globs);
  const selected = [...new Set(trackedPaths)].filter((p) => matches(p) && !opts.exclude?.(p)).sort();
  const results = await mapLimit(selected, opts.concurrency ?? TRACKED_HASH_CONCURRENCY, (rel) => hashOne(workspace, rel));
  const files: Record<string, string> = {};
  const unreadable: { path: string; reason: string }[] = [];
  selected.forEach((rel, i) => {
    const r = results[i];
    if (r.kind === 'hash') files[rel] = r.value;
    else if (r.kind === 'unreadable') {
      files[rel] = `unreadable (${r.reason})`;
      unreadable.push({ path: rel, reason: r.reason });
    }
  });
  return { files, unreadable };
}
