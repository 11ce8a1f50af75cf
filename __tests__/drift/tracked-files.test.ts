import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashTrackedFiles } from '../../src/collect/tracked-files.js';
import { globMatcher, globToRegExp } from '../../src/util/glob.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('globs for drift.paths', () => {
  const m = (p: string, ...globs: string[]) => globMatcher(globs)(p);

  it('`**` spans any number of segments, none included', () => {
    expect(m('.github/workflows/ci.yml', '.github/**')).toBe(true);
    expect(m('.github/CODEOWNERS', '.github/**')).toBe(true);
    expect(m('.githubx/a', '.github/**')).toBe(false);
    expect(m('CODEOWNERS', '**/CODEOWNERS')).toBe(true);
    expect(m('docs/team/CODEOWNERS', '**/CODEOWNERS')).toBe(true);
    expect(m('infra/main.tf', 'infra/**/*.tf')).toBe(true);
    expect(m('infra/a/b/main.tf', 'infra/**/*.tf')).toBe(true);
    expect(m('infra/a/b/main.tfvars', 'infra/**/*.tf')).toBe(false);
    expect(m('anything/at/all', '**')).toBe(true);
  });

  it('`*` and `?` stay within a segment and match dot files', () => {
    expect(m('.github/workflows/ci.yml', '.github/workflows/*.yml')).toBe(true);
    expect(m('.github/workflows/sub/ci.yml', '.github/workflows/*.yml')).toBe(false);
    expect(m('.github/x', '*/x')).toBe(true);
    expect(m('a1.tf', 'a?.tf')).toBe(true);
    expect(m('a/.tf', 'a?.tf')).toBe(false);
  });

  it('exact paths are exact; a trailing slash means the whole directory; ./ and / are ignored', () => {
    expect(m('CODEOWNERS', 'CODEOWNERS')).toBe(true);
    expect(m('docs/CODEOWNERS', 'CODEOWNERS')).toBe(false);
    expect(m('CODEOWNERS.bak', 'CODEOWNERS')).toBe(false);
    expect(m('infra/x/y.tf', 'infra/')).toBe(true);
    expect(m('infra', 'infra/')).toBe(false);
    expect(m('infra/y.tf', './infra/')).toBe(true);
    expect(m('infra/y.tf', '/infra/**')).toBe(true);
  });

  it('regex characters are literal', () => {
    expect(m('a+b(1).txt', 'a+b(1).txt')).toBe(true);
    expect(m('aab(1).txt', 'a+b(1).txt')).toBe(false);
    expect(globToRegExp('x.y').test('xzy')).toBe(false);
    expect(globMatcher(['', '  '])('a')).toBe(false);
  });
});

describe('hashTrackedFiles', () => {
  it('hashes matching tracked files by content; absent ones are left out, odd ones marked unreadable', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'pm-tracked-'));
    await mkdir(path.join(ws, '.github', 'workflows'), { recursive: true });
    await mkdir(path.join(ws, 'infra', 'mod'), { recursive: true });
    await writeFile(path.join(ws, '.github', 'workflows', 'ci.yml'), 'on: push\n');
    await writeFile(path.join(ws, 'infra', 'main.tf'), 'resource {}\n');
    await writeFile(path.join(ws, 'README.md'), 'hi\n');
    await symlink('/dev/zero', path.join(ws, 'infra', 'zero'));
    const tracked = ['.github/workflows/ci.yml', 'README.md', 'infra/gone.tf', 'infra/main.tf', 'infra/mod', 'infra/zero', '.phase-mirror/baseline.json'];
    const r = await hashTrackedFiles(ws, tracked, ['.github/**', 'infra/**', '.phase-mirror/**'], { exclude: (p) => p.startsWith('.phase-mirror/'), concurrency: 2 });
    expect(r.files).toEqual({
      '.github/workflows/ci.yml': sha('on: push\n'),
      'infra/main.tf': sha('resource {}\n'),
      'infra/mod': 'unreadable (a directory)',
      // A symbolic link is its target text, as git stores it; /dev/zero is never read.
      'infra/zero': sha('/dev/zero')
    });
    expect(r.unreadable).toEqual([{ path: 'infra/mod', reason: 'a directory' }]);
    expect(Object.keys(r.files)).toEqual([...Object.keys(r.files)].sort());
  });
});
