import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CODEOWNERS_MAX_BYTES, parseCodeowners } from '../../src/collect/codeowners.js';

const parse = (text: string) => parseCodeowners('.github/CODEOWNERS', text);

describe('parseCodeowners', () => {
  it('reads entries with line numbers, skipping comments and blank lines', () => {
    const text = [
      '# Default owners',
      '*       @octo-org/core',
      '',
      '*.js    @alice @octo-org/js-team   # inline comment',
      '/docs/  docs@example.com',
      '   ',
      '/.github/workflows/ @octo-org/platform @bob_emu',
      ''
    ].join('\n');
    const f = parse(text);
    expect(f.path).toBe('.github/CODEOWNERS');
    expect(f.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(f.errors).toEqual([]);
    expect(f.entries).toEqual([
      { pattern: '*', owners: ['@octo-org/core'], line: 2 },
      { pattern: '*.js', owners: ['@alice', '@octo-org/js-team'], line: 4 },
      { pattern: '/docs/', owners: ['docs@example.com'], line: 5 },
      { pattern: '/.github/workflows/', owners: ['@octo-org/platform', '@bob_emu'], line: 7 }
    ]);
  });

  it('keeps a pattern without owners as an entry with no owners', () => {
    const f = parse('* @org/all\n/generated/\n/vendor/   # nobody owns this\n');
    expect(f.errors).toEqual([]);
    expect(f.entries).toEqual([
      { pattern: '*', owners: ['@org/all'], line: 1 },
      { pattern: '/generated/', owners: [], line: 2 },
      { pattern: '/vendor/', owners: [], line: 3 }
    ]);
  });

  it('reports invalid owners with line and column and skips the line', () => {
    const f = parse('*.md @docs foo\n*.go @@bad\n*.rs @ok\n');
    expect(f.entries).toEqual([{ pattern: '*.rs', owners: ['@ok'], line: 3 }]);
    expect(f.errors).toEqual([
      { line: 1, column: 12, message: expect.stringContaining('`foo`'), source: 'local' },
      { line: 2, column: 6, message: expect.stringContaining('`@@bad`'), source: 'local' }
    ]);
  });

  it('rejects gitignore syntax GitHub does not support', () => {
    const f = parse('!/keep @a\n*.[ch] @b\n\\#notes @c\nsrc/a]b @d\n');
    expect(f.entries).toEqual([]);
    expect(f.errors.map((e) => [e.line, e.column])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1]
    ]);
    expect(f.errors[0].message).toMatch(/negated/);
    expect(f.errors[1].message).toMatch(/character ranges/);
    expect(f.errors[2].message).toMatch(/escaping/);
  });

  it('handles CRLF, a BOM, tabs and escaped spaces', () => {
    const f = parse('\uFEFF# c\r\n*.txt\t@a\r\nmy\\ dir/ @b\r\n');
    expect(f.errors).toEqual([]);
    expect(f.entries).toEqual([
      { pattern: '*.txt', owners: ['@a'], line: 2 },
      { pattern: 'my dir/', owners: ['@b'], line: 3 }
    ]);
  });

  it('an empty file has no entries and no errors', () => {
    expect(parse('')).toMatchObject({ entries: [], errors: [] });
    expect(parse('# only comments\n\n')).toMatchObject({ entries: [], errors: [] });
  });

  it('a file over 3 MB is ignored by GitHub: one error, no entries', () => {
    const big = '* @a\n'.repeat(Math.ceil(CODEOWNERS_MAX_BYTES / 5) + 10);
    const f = parse(big);
    expect(f.entries).toEqual([]);
    expect(f.errors).toEqual([{ line: 1, message: expect.stringMatching(/3 MB/), source: 'local' }]);
  });
});
