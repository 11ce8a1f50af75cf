/** Temporary directories for a test file, removed after its last test. */
import { afterAll } from '@jest/globals';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Returns a function making a fresh directory under the OS temp dir; all are removed after the file's tests. */
export function tempDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const d = await fs.mkdtemp(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
