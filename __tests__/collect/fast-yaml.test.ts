/**
 * The fast YAML path must give exactly what `yaml`'s parseDocument gives for every file it
 * accepts (values, sources and node offsets), and refuse every file the full parser rejects.
 * Differential tests: real workflow files of this repository and its fixtures, hand-written
 * edge cases, and generated documents in many layouts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { fastParse, resolvePlain } from '../../src/collect/fast-yaml.js';
import { parseWorkflow } from '../../src/collect/workflow-parser.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

/** Node tree as data: kind, value (NaN and -0 spelled out), source and start offsets. */
function shape(node: unknown): unknown {
  if (isScalar(node)) {
    const v = node.value;
    const value = typeof v === 'number' && (Number.isNaN(v) || Object.is(v, -0)) ? `number:${Object.is(v, -0) ? '-0' : 'NaN'}` : v;
    return { scalar: value, type: typeof v, source: node.source, at: node.range?.[0] };
  }
  // Collection ends are not compared: nothing reads them (evidence text is rendered from values).
  if (isSeq(node)) return { seq: node.items.map(shape), at: node.range?.[0] };
  if (isMap(node)) return { map: node.items.map((p) => [shape(p.key), shape(p.value)]), at: node.range?.[0] };
  return { other: String(node) };
}

/** undefined when the fast path declined; otherwise both trees (the full parse must be error-free). */
function compare(src: string): { fast: unknown; full: unknown } | undefined {
  const fast = fastParse(src);
  if (!fast) return undefined;
  const doc = parseDocument(src);
  return { fast: shape(fast), full: doc.errors.length > 0 ? { errors: doc.errors.map((e) => e.code) } : shape(doc.contents) };
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.git' || name === 'dist' || name === '.tmp' || name === 'coverage') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

describe('fastParse agrees with yaml on real files', () => {
  const files = [...yamlFiles(path.join(root, '.github')), ...yamlFiles(path.join(root, '__tests__', 'fixtures')), ...yamlFiles(path.join(root, 'samples'))];

  it('finds the repository workflows and fixtures', () => {
    expect(files.length).toBeGreaterThan(8);
  });

  it('gives the same tree, or declines, for every file; and accepts most of them', () => {
    let accepted = 0;
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      const r = compare(src);
      if (!r) continue;
      accepted++;
      expect({ file: f, tree: r.fast }).toEqual({ file: f, tree: r.full });
    }
    expect(accepted / files.length).toBeGreaterThan(0.6);
  });

  it('parseWorkflow gives the same WorkflowFile on both paths for every file', () => {
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      const kind = /action\.ya?ml$/.test(f) ? 'action' : 'workflow';
      expect(parseWorkflow(f, src, kind)).toEqual(parseWorkflow(f, src, kind, { fullParser: true }));
    }
  });
});

describe('fastParse edge cases', () => {
  const accepted = [
    'a: 1\nb: -2\nc: +3\nd: 0o17\ne: 0x1F\nf: 1e3\ng: .inf\nh: -.Inf\ni: .nan\nj: 01\nk: 1_000\nl: 3.10\nm: -.5\nn: Yes\no: ~\np: NULL\nq: True\nr: FALSE\ns: null\nt: "1"\nu: -0\n',
    'on: push\n',
    'on: [push, pull_request]\n',
    'on:\n  push:\n    branches: [ main, "release/**" ]\n  pull_request:\n',
    "a: 'it''s'\nb: \"tab\\there \\\"q\\\" \\u00e9 \\x41 \\\\\"\n",
    'a: x #c\nb: "q" # c\nc: foo#bar\nd: http://x.y/z\ne: -x\nf: ?x\ng: :x\n',
    'a: |\n  x\n  y',
    'a: |\n  x\n\n',
    'a: |+\n  x\n\nb: 1\n',
    'a: |-\n  x\n    more\n  # not a comment\n\nb: 1\n',
    'a: |\n\n  x\n',
    'a: |\n  x\n # a comment\nb: 1\n',
    'a: >\n  x\n  y\n\n  z\n',
    'a: >-\n  x\n\n\n  y\n',
    'a: > # folded\n\n  x\n  y\n',
    'steps:\n- uses: a\n  with:\n    b: 1\n- run: c\nnext: 2\n',
    'a:\n  - 1\n  -\n  - x\n',
    'a:\n  -\n    b: 1\n  - # c\n    d: 2\n',
    '---\na: 1\n',
    '--- # start\n# c\na: 1\n',
    'a: {}\nb: []\nc: {x: 1, "y": [1, 2], z: {w: v}}\nd: [a, [b, c], {e: f}]\n',
    'true: 1\n1: 2\nnull: 3\n3.10: 4\n"q": 5\n\'s\': 6\n',
    'key with spaces  : v\n"quoted key": v2\n',
    'a:\n  b:\n    c:\n      d: deep\n  e: f\n',
    'a: ""\nb: \'\'\nc:\n',
    '# only a comment first\n\na: 1 # trailing\n\n\n# end\n',
    'run: echo "${{ github.event.issue.title }}" && make -j2\n',
    'a: [-1, -x, .5]\n',
    'a: # empty, with a comment\n# more\nb:\n  - # c\n  - x\n',
    'a:\n  x\nb:\n    "q"\nc:\n  [1, 2] # c\n',
    'a: 😀 unicode ✓\n',
    'a: 1\r\nb: [x, y] # c\r\n',
    'run: |\r\n  echo a\r\n\r\n  echo b\r\nf: >-\r\n  x\r\n  y\r\nk: |+\r\n  z\r\n\r\nsteps:\r\n  - uses: x\r\n    with:\r\n      p: "q"\r\n'
  ];
  it.each(accepted)('accepts %j and agrees with yaml', (src) => {
    const r = compare(src);
    expect(r).toBeDefined();
    expect(r!.fast).toEqual(r!.full);
  });

  const declined: [string, string][] = [
    ['an anchor', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a nested block sequence on one line', 'a:\n  - - x\n'],
    ['a complex key', '? a\n: b\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['a tab', 'a:\n\tb: 1\n'],
    ['a CR that does not end a line', 'a: 1\rb: 2\n'],
    ['a multi-line plain scalar', 'a: x\n  y\n'],
    ['a multi-line quoted scalar', 'a: "x\n  y"\n'],
    ['a multi-line flow sequence', 'a: [x,\n  y]\n'],
    ['a trailing comma', 'a: [x, y,]\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a nested compact mapping', 'a: b: c\n'],
    ['a value that ends with a colon', 'a: b:\n'],
    ['a sequence as a compact value', 'a: - b\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a more-indented line after a value', 'a: 1\n  b: 2\n'],
    ['a sequence beside a mapping', 'a: 1\n- b\n'],
    ['a root sequence', '- a\n- b\n'],
    ['a root scalar', 'hello\n'],
    ['an empty document', '# nothing\n'],
    ['an indented root', '  a: 1\n'],
    ['an unknown escape', 'a: "\\q"\n'],
    ['an unclosed quote', 'a: "x\n'],
    ['text after a quoted scalar', 'a: "x" y\n'],
    ['a block scalar indentation indicator', 'a: |2\n  x\n'],
    ['an empty block scalar', 'a: |\nb: 1\n'],
    ['a folded more-indented line', 'a: >\n  x\n    y\n'],
    ['an over-indented empty line before block content', 'a: |\n    \n  x\n'],
    ['a reserved indicator', 'a: @x\n'],
    ['a scalar on the line after its key that runs on', 'a:\n  x\n   y\n'],
    ['a block scalar header alone on the line after its key', 'a:\n  |\n    x\n'],
    ['a flow mapping key without a value', 'a: {b}\n'],
    ['a colon in a flow scalar', 'a: [http://x]\n']
  ];
  it.each(declined)('declines %s', (_what, src) => {
    expect(fastParse(src)).toBeUndefined();
  });

  it('declines nesting deep enough to exhaust the stack, so the full parser reports it with its position', () => {
    let src = 'on: push\njobs:\n';
    let indent = '  ';
    for (let i = 0; i < 3_000; i++) {
      src += `${indent}k${i}:\n`;
      indent += ' ';
    }
    src += `${indent}v: 1\n`;
    expect(fastParse(src)).toBeUndefined();
    // Where the stack runs out depends on how deep the caller already is: compare the shape.
    const w = parseWorkflow('deep.yml', src, 'workflow');
    expect(w.parseError?.message).toMatch(/call stack/);
    expect(w.parseError?.line).toBeGreaterThan(100);
  });

  it('resolves plain scalars as the core schema does', () => {
    expect(resolvePlain('')).toBeNull();
    expect(resolvePlain('on')).toBe('on');
    expect(resolvePlain('0o10')).toBe(8);
    expect(resolvePlain('-0')).toBe(-0);
    expect(resolvePlain('1e2')).toBe(100);
    expect(resolvePlain('.NaN')).toBeNaN();
    expect(resolvePlain('1.2.3')).toBe('1.2.3');
  });

  it('keeps positions: a step and a uses: key point at the same lines on both paths', () => {
    const src = '---\nname: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - name: s\n        uses: actions/checkout@v4\n';
    const fast = parseWorkflow('w.yml', src, 'workflow');
    expect(fast.jobs[0].steps[0]).toMatchObject({ line: 8, column: 9, uses: { value: 'actions/checkout@v4', line: 9, column: 9 } });
    expect(fast).toEqual(parseWorkflow('w.yml', src, 'workflow', { fullParser: true }));
  });
});

// ---------------------------------------------------------------------------------------------
// Generated documents: a small grammar of block YAML with many layout choices.

const plainScalars = ['x', 'ubuntu-latest', 'on', 'yes', 'No', 'true', 'FALSE', '~', 'null', '0', '-1', '+2', '0o7', '0x1f', '1.50', '.5', '1e3', '.inf', '-.INF', '.nan', '1_0', 'a#b', 'a # comment', 'http://x', '-x', '?y', ':z', '${{ matrix.os }}', 'echo "hi" && exit 1', "it's", 'a:b', 'a: b', 'a:', '- x', '[x]', '{y}', '&a', '*a', '!t', '@x', '`x`', '%x', 'x  ', '😀'];
const keys = ['name', 'on', 'jobs', 'runs-on', 'true', '1', '3.10', 'null', 'a b', 'a#b', 'x-y', 'http://h', '"q k"', "'s k'", '"a"', 'name'];
const quoted = ['"x"', '"a \\"b\\""', '"\\t\\n\\u00e9"', '"\\q"', "'it''s'", "''", '""', '"#x"', "'a: b'", '"unterminated'];
const flows = ['[]', '{}', '[a, b]', '[ a , "b" ]', '[a,b,]', '{a: 1, b: [x]}', '{a}', '[x, [y, z]]', '[http://x]', '[-1, -x]', '[a, b', '{a: 1, a: 2}'];

interface Gen {
  pick<T>(xs: readonly T[]): T;
  int(max: number): number;
}

function blockScalar(g: Gen, indent: number): string {
  const header = g.pick(['|', '|-', '|+', '>', '>-', '>+', '|2', '| # c', '|x']);
  const m = indent + g.pick([1, 2, 4]);
  const lines: string[] = [];
  const n = g.int(4);
  for (let i = 0; i < n; i++) {
    const kind = g.int(6);
    if (kind === 0) lines.push('');
    else if (kind === 1) lines.push(' '.repeat(m + 2) + 'more');
    else if (kind === 2) lines.push(' '.repeat(m) + '# hash');
    else if (kind === 3) lines.push(' '.repeat(Math.max(0, m - 1)));
    else lines.push(' '.repeat(m) + g.pick(['echo a', 'b: c', '- d', 'x']));
  }
  return `${header}\n${lines.join('\n')}`;
}

function value(g: Gen, indent: number, depth: number): string {
  const kind = depth > 2 ? g.int(4) : g.int(8);
  switch (kind) {
    case 0:
      return ' ' + g.pick(plainScalars);
    case 1:
      return ' ' + g.pick(quoted);
    case 2:
      return ' ' + g.pick(flows);
    case 3:
      return ' ' + blockScalar(g, indent);
    case 4:
      return g.int(3) === 0 ? '\n' + ' '.repeat(indent + g.pick([1, 2, 4])) + g.pick([...plainScalars, ...quoted, ...flows]) + (g.int(4) === 0 ? '\n' + ' '.repeat(indent + 3) + 'more' : '') : '';
    case 5:
      return '\n' + seq(g, indent + g.pick([0, 2, 2, 4]), depth + 1);
    default:
      return '\n' + map(g, indent + g.pick([2, 2, 4, 1]), depth + 1);
  }
}

function trailer(g: Gen): string {
  return g.pick(['', '', '', ' # c', '  ', '#x']);
}

function map(g: Gen, indent: number, depth: number): string {
  const n = 1 + g.int(3);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (g.int(8) === 0) lines.push(' '.repeat(g.int(6)) + '# comment');
    if (g.int(10) === 0) lines.push('');
    lines.push(' '.repeat(indent) + g.pick(keys) + ':' + value(g, indent, depth) + trailer(g));
  }
  return lines.join('\n');
}

function seq(g: Gen, indent: number, depth: number): string {
  const n = 1 + g.int(3);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const pad = ' '.repeat(indent);
    const kind = g.int(4);
    if (kind === 0) {
      // `- key: value` and more keys at the key's column.
      const col = indent + 2;
      const inner = map(g, col, depth + 1).slice(col);
      lines.push(pad + '- ' + inner);
    } else if (kind === 1) lines.push(pad + '-' + value(g, indent, depth + 1));
    else lines.push(pad + '- ' + g.pick([...plainScalars, ...quoted, ...flows]) + trailer(g));
  }
  return lines.join('\n');
}

function document(g: Gen): string {
  const prefix = g.pick(['', '', '---\n', '# header\n', '\n']);
  const body = map(g, 0, 0);
  const suffix = g.pick(['\n', '\n', '', '\n\n', '\n# end\n']);
  // Occasionally a tab, CR, wrong indentation or an alias somewhere.
  const mutate = g.int(12);
  let doc = prefix + body + suffix;
  if (mutate === 0) doc = doc.replace('  ', '\t');
  else if (mutate === 1) doc = doc.replace(/\n/g, '\r\n');
  else if (mutate === 2) doc = doc.replace('\n  ', '\n   ');
  return doc;
}

const docArb = fc.infiniteStream(fc.nat()).map((stream) => {
  const it = stream[Symbol.iterator]();
  const g: Gen = {
    pick: (xs) => xs[(it.next().value as number) % xs.length],
    int: (max) => (it.next().value as number) % max
  };
  return document(g);
});

describe('fastParse on generated documents', () => {
  it('agrees with yaml whenever it accepts, and accepts a fair share', () => {
    let accepted = 0;
    let total = 0;
    fc.assert(
      fc.property(docArb, (src) => {
        total++;
        const r = compare(src);
        if (!r) return;
        accepted++;
        expect({ src, tree: r.fast }).toEqual({ src, tree: r.full });
      }),
      { numRuns: 10000, seed: 20261128 }
    );
    // The generator is meant to mix accepted and declined layouts; a vacuous run would hide bugs.
    expect(accepted).toBeGreaterThan(total * 0.15);
    expect(accepted).toBeLessThan(total);
  });
});
