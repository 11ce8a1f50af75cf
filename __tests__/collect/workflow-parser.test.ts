import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { COMPOSITE_JOB_ID, parseWorkflow } from '../../src/collect/workflow-parser.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => readFileSync(path.join(here, '..', 'fixtures', 'workflows', name), 'utf8');
const wf = (text: string, kind: 'workflow' | 'action' = 'workflow') => parseWorkflow('.github/workflows/x.yml', text, kind);

describe('parseWorkflow: a multi-job file', () => {
  const text = fixture('multi-job.yml');
  const w = parseWorkflow('.github/workflows/multi-job.yml', text, 'workflow');

  it('parses without error and keeps metadata', () => {
    expect(w.parseError).toBeUndefined();
    expect(w.name).toBe('CI');
    expect(w.path).toBe('.github/workflows/multi-job.yml');
    expect(w.kind).toBe('workflow');
    expect(w.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(w.lineCount).toBe(text.split('\n').length - 1);
  });

  it('positions on:, triggers and workflow permissions', () => {
    expect(w.on).toEqual({ line: 3, column: 1 });
    expect(w.triggers.map((t) => [t.event, t.line, t.column])).toEqual([
      ['push', 4, 3],
      ['pull_request', 6, 3]
    ]);
    expect(w.triggers[0].filters).toEqual({ branches: ['main'] });
    expect(w.triggers[1].filters).toEqual({ paths: ['src/**', 'package.json'], pathsIgnore: ['docs/**'] });
    expect(w.permissions).toEqual({ kind: 'scopes', scopes: { contents: 'read' }, scopeLines: { contents: 11 }, line: 10, column: 1 });
    expect(w.env).toEqual({ NODE_ENV: { value: 'test', line: 13, column: 3 } });
  });

  it('positions jobs and their fields', () => {
    expect(w.jobs.map((j) => [j.id, j.line, j.column])).toEqual([
      ['build', 16, 3],
      ['test', 34, 3],
      ['release', 51, 3]
    ]);
    const build = w.jobs[0];
    expect(build.name).toEqual({ value: 'Build (${{ matrix.os }})', line: 17, column: 5 });
    expect(build.runsOn).toBe('${{ matrix.os }}');
    expect(build.matrix).toEqual({ dimensions: { os: ['ubuntu-latest', 'windows-latest'] }, include: [], exclude: [], line: 20, column: 7 });
    expect(build.permissions).toBeUndefined();
    expect(build.steps).toHaveLength(2);
    const [checkout, make] = build.steps;
    expect(checkout).toMatchObject({ index: 0, line: 23, column: 9, name: 'Checkout' });
    expect(checkout.uses).toEqual({ value: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', line: 24, column: 9 });
    expect(checkout.with).toEqual({ 'fetch-depth': { value: '0', line: 26, column: 11 } });
    expect(make).toMatchObject({ index: 1, line: 27, column: 9, id: 'make', shell: 'bash' });
    expect(make.run).toEqual({ value: 'make all\nmake check\n', line: 28, column: 9 });
    expect(make.env).toEqual({ CI: { value: 'true', line: 33, column: 11 } });

    const test = w.jobs[1];
    expect(test.needs).toEqual(['build']);
    expect(test.if).toEqual({ value: "github.event_name == 'pull_request'", line: 36, column: 5 });
    expect(test.permissions).toMatchObject({ kind: 'scopes', scopes: { contents: 'read', checks: 'write' }, scopeLines: { contents: 38, checks: 39 }, line: 37 });
    expect(test.container).toEqual({ id: 'container', image: 'node:20@sha256:' + 'a'.repeat(64), line: 42, column: 7 });
    expect(test.services).toEqual([
      { id: 'redis', image: 'redis:7', line: 45, column: 9 },
      { id: 'db', image: 'postgres:16', line: 47, column: 9 }
    ]);
    expect(test.runsOn).toBe('self-hosted, linux');
    expect(test.steps[0].if).toEqual({ value: 'always()', line: 49, column: 9 });

    const release = w.jobs[2];
    expect(release.uses).toEqual({ value: './.github/workflows/release.yml', line: 52, column: 5 });
    expect(release.with).toEqual({ dry: { value: 'false', line: 54, column: 7 } });
    expect(release.secretsInherit).toBe(true);
    expect(release.needs).toEqual(['build', 'test']);
    expect(release.environment).toBe('production');
  });
});

describe('parseWorkflow: on: forms', () => {
  it('string', () => {
    const w = wf('on: push\njobs: {}\n');
    expect(w.triggers).toEqual([{ event: 'push', filters: {}, line: 1, column: 5 }]);
    expect(w.on).toEqual({ line: 1, column: 1 });
  });

  it('list', () => {
    const w = wf('on: [push, pull_request]\njobs: {}\n');
    expect(w.triggers.map((t) => [t.event, t.line, t.column])).toEqual([
      ['push', 1, 6],
      ['pull_request', 1, 12]
    ]);
  });

  it('block list', () => {
    const w = wf('on:\n  - push\n  - workflow_dispatch\njobs: {}\n');
    expect(w.triggers.map((t) => [t.event, t.line])).toEqual([
      ['push', 2],
      ['workflow_dispatch', 3]
    ]);
  });

  it('map with every filter and null values', () => {
    const w = wf(
      [
        'on:',
        '  push:',
        '    branches: main',
        '    branches-ignore: [dev]',
        '    tags: [v*]',
        '  pull_request:',
        '    types: [opened, synchronize]',
        '    paths-ignore: ["**.md"]',
        '  workflow_run:',
        '    workflows: [CI]',
        '    types: completed',
        '  workflow_dispatch:',
        '  schedule:',
        '    - cron: "0 3 * * *"',
        'jobs: {}',
        ''
      ].join('\n')
    );
    expect(w.triggers.map((t) => ({ event: t.event, filters: t.filters, line: t.line }))).toEqual([
      { event: 'push', filters: { branches: ['main'], branchesIgnore: ['dev'] }, line: 2 },
      { event: 'pull_request', filters: { types: ['opened', 'synchronize'], pathsIgnore: ['**.md'] }, line: 6 },
      { event: 'workflow_run', filters: { workflows: ['CI'], types: ['completed'] }, line: 9 },
      { event: 'workflow_dispatch', filters: {}, line: 12 },
      { event: 'schedule', filters: {}, line: 13 }
    ]);
  });

  it('finds `on` when a YAML 1.1 schema reads it as the boolean true', () => {
    const w = wf('%YAML 1.1\n---\non: [push]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n');
    expect(w.parseError).toBeUndefined();
    expect(w.on).toEqual({ line: 3, column: 1 });
    expect(w.triggers.map((t) => t.event)).toEqual(['push']);
    expect(w.jobs.map((j) => j.id)).toEqual(['a']);
  });

  it('quoted "on" key works too', () => {
    const w = wf('"on": pull_request\njobs: {}\n');
    expect(w.triggers.map((t) => t.event)).toEqual(['pull_request']);
  });

  it('missing on: defaults the position to line 1 with no triggers', () => {
    const w = wf('jobs:\n  a:\n    runs-on: x\n');
    expect(w.on).toEqual({ line: 1, column: 1 });
    expect(w.triggers).toEqual([]);
  });
});

describe('parseWorkflow: matrix', () => {
  it('dimensions, include and exclude', () => {
    const w = wf(
      [
        'on: push',
        'jobs:',
        '  t:',
        '    runs-on: ubuntu-latest',
        '    strategy:',
        '      fail-fast: false',
        '      matrix:',
        '        node: [18, 20]',
        '        os: [ubuntu-latest, macos-latest]',
        '        include:',
        '          - node: 22',
        '            os: ubuntu-latest',
        '            experimental: true',
        '        exclude:',
        '          - node: 18',
        '            os: macos-latest',
        '    steps: [{run: npm test}]',
        ''
      ].join('\n')
    );
    expect(w.jobs[0].matrix).toEqual({
      dimensions: { node: [18, 20], os: ['ubuntu-latest', 'macos-latest'] },
      include: [{ node: 22, os: 'ubuntu-latest', experimental: true }],
      exclude: [{ node: 18, os: 'macos-latest' }],
      line: 7,
      column: 7
    });
  });

  it('dimension values may be objects', () => {
    const w = wf('on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        cfg: [{a: 1}, {a: 2}]\n');
    expect(w.jobs[0].matrix?.dimensions).toEqual({ cfg: [{ a: 1 }, { a: 2 }] });
  });

  it('a whole-matrix expression is dynamic', () => {
    const w = wf('on: push\njobs:\n  t:\n    strategy:\n      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}\n');
    expect(w.jobs[0].matrix).toMatchObject({ dynamic: '${{ fromJSON(needs.plan.outputs.matrix) }}', dimensions: {}, include: [], exclude: [] });
  });

  it('a dimension or include expression is dynamic, plain dimensions are kept', () => {
    const w = wf(
      'on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        os: ${{ fromJSON(inputs.os) }}\n        node: [20]\n        include: ${{ fromJSON(inputs.extra) }}\n'
    );
    expect(w.jobs[0].matrix).toMatchObject({ dynamic: '${{ fromJSON(inputs.os) }}', dimensions: { node: [20] } });
  });
});

describe('parseWorkflow: YAML features', () => {
  it('flow-style YAML', () => {
    const w = wf('{on: {push: {branches: [main]}}, permissions: {contents: write}, jobs: {b: {runs-on: x, steps: [{uses: "a/b@v1", with: {k: v}}]}}}');
    expect(w.parseError).toBeUndefined();
    expect(w.triggers).toEqual([{ event: 'push', filters: { branches: ['main'] }, line: 1, column: 7 }]);
    expect(w.permissions).toMatchObject({ kind: 'scopes', scopes: { contents: 'write' } });
    expect(w.jobs[0].steps[0].uses).toEqual({ value: 'a/b@v1', line: 1, column: 98 });
    expect(w.jobs[0].steps[0].with.k.value).toBe('v');
  });

  it('anchors and aliases resolve, positions come from the anchored node', () => {
    const w = wf(
      [
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps: &steps',
        '      - uses: actions/checkout@v4',
        '      - run: make',
        '  b:',
        '    runs-on: ubuntu-latest',
        '    env: &env { X: "1" }',
        '    steps: *steps',
        '  c:',
        '    runs-on: ubuntu-latest',
        '    env: *env',
        '    steps:',
        '      - *first',
        ''
      ].join('\n').replace('      - uses: actions/checkout@v4', '      - &first\n        uses: actions/checkout@v4')
    );
    expect(w.parseError).toBeUndefined();
    expect(w.jobs.map((j) => j.steps.length)).toEqual([2, 2, 1]);
    expect(w.jobs[1].steps[0].uses?.value).toBe('actions/checkout@v4');
    expect(w.jobs[1].steps[0].uses?.line).toBe(7);
    expect(w.jobs[2].env.X.value).toBe('1');
    expect(w.jobs[2].steps[0].uses?.value).toBe('actions/checkout@v4');
  });

  it('an undefined alias is a parse error', () => {
    const w = wf('on: push\njobs:\n  a: *nope\n  b: &later {runs-on: x}\n');
    expect(w.parseError).toEqual({ message: 'Unresolved alias: no anchor named "nope" is defined before it', line: 3, column: 6 });
    expect(w.jobs).toEqual([]);
  });

  it('CRLF line endings', () => {
    const text = 'name: crlf\r\non: push\r\njobs:\r\n  a:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - run: |\r\n          one\r\n          two\r\n      - uses: x/y@v1\r\n';
    const w = wf(text);
    expect(w.parseError).toBeUndefined();
    expect(w.lineCount).toBe(10);
    expect(w.jobs[0]).toMatchObject({ id: 'a', line: 4, column: 3 });
    expect(w.jobs[0].steps[0].run).toEqual({ value: 'one\ntwo\n', line: 7, column: 9 });
    expect(w.jobs[0].steps[1].uses).toEqual({ value: 'x/y@v1', line: 10, column: 9 });
  });

  it('a BOM does not shift columns', () => {
    const text = '\uFEFFon: push\njobs:\n  a:\n    runs-on: x\n';
    const w = wf(text);
    expect(w.parseError).toBeUndefined();
    expect(w.on).toEqual({ line: 1, column: 1 });
    expect(w.triggers[0]).toMatchObject({ event: 'push', line: 1, column: 5 });
    expect(w.jobs[0]).toMatchObject({ line: 3, column: 3 });
    expect(w.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('keeps non-string scalars as written', () => {
    const w = wf('on: push\njobs:\n  a:\n    if: false\n    steps:\n      - uses: a/b@v1\n        with: { n: 0x10, b: yes, f: 1.50, nul: ~, list: [1] }\n');
    const step = w.jobs[0].steps[0];
    expect(w.jobs[0].if?.value).toBe('false');
    expect(step.with.n.value).toBe('0x10');
    expect(step.with.b.value).toBe('yes');
    expect(step.with.f.value).toBe('1.50');
    expect(step.with.nul.value).toBe('');
    expect(step.with.list).toBeUndefined();
  });
});

describe('parseWorkflow: permissions', () => {
  const perms = (p: string) => wf(`on: push\npermissions: ${p}\njobs: {}\n`).permissions;

  it('shorthands', () => {
    expect(perms('read-all')).toMatchObject({ kind: 'read-all', scopes: {} });
    expect(perms('write-all')).toMatchObject({ kind: 'write-all', line: 2, column: 1 });
  });

  it('{} is an empty scope set', () => {
    expect(perms('{}')).toEqual({ kind: 'scopes', scopes: {}, scopeLines: {}, line: 2, column: 1 });
  });

  it('a number, an unknown word, a list, null are invalid with the raw value', () => {
    expect(perms('7')).toMatchObject({ kind: 'invalid', raw: '7' });
    expect(perms('write')).toMatchObject({ kind: 'invalid', raw: 'write' });
    expect(perms('[contents]')).toMatchObject({ kind: 'invalid', raw: '[contents]' });
    expect(perms('')).toMatchObject({ kind: 'invalid', raw: '' });
    expect(perms('"write-all"')).toMatchObject({ kind: 'write-all' });
  });

  it('a bad scope level makes the block invalid but keeps the good scopes', () => {
    const p = wf('on: push\npermissions:\n  contents: read\n  issues: admin\n  pages: 1\njobs: {}\n').permissions;
    expect(p).toMatchObject({ kind: 'invalid', raw: 'issues: admin; pages: 1', scopes: { contents: 'read' }, scopeLines: { contents: 3 } });
  });
});

describe('parseWorkflow: malformed input never throws', () => {
  it('invalid YAML gives parseError with line and column', () => {
    const w = wf('on: push\njobs:\n  a:\n    runs-on: x\n   steps: []\n');
    expect(w.parseError).toEqual({ message: 'All mapping items must start at the same column', line: 5, column: 1 });
    expect(w.jobs).toEqual([]);
    expect(w.triggers).toEqual([]);
    expect(w.lineCount).toBe(5);
  });

  it('an unclosed flow sequence', () => {
    const w = wf('on: [push\njobs: {}\n');
    expect(w.parseError?.message).toBeTruthy();
  });

  it('duplicate keys name the key', () => {
    const w = wf('on: push\njobs:\n  a: {runs-on: x}\n  a: {runs-on: y}\n');
    expect(w.parseError).toMatchObject({ line: 4, column: 3 });
    expect(w.parseError?.message).toContain('"a"');
  });

  it('tabs used for indentation', () => {
    const w = wf('on: push\njobs:\n\ta:\n\t\truns-on: x\n');
    expect(w.parseError).toBeDefined();
  });

  it('empty file and comment-only file', () => {
    for (const text of ['', '# nothing here\n', '\n\n']) {
      const w = wf(text);
      expect(w.parseError).toMatchObject({ line: 1, column: 1 });
      expect(w.parseError?.message).toMatch(/empty/);
      expect(w.jobs).toEqual([]);
    }
    expect(wf('').lineCount).toBe(0);
  });

  it('non-mapping documents', () => {
    expect(wf('- a\n- b\n').parseError?.message).toMatch(/list, not a mapping/);
    expect(wf('just a string\n').parseError?.message).toMatch(/not a mapping/);
    expect(wf('42\n').parseError?.message).toMatch(/not a mapping/);
  });

  it('multiple documents are an error', () => {
    expect(wf('on: push\n---\njobs: {}\n').parseError).toBeDefined();
  });

  it('jobs that is not a map, odd jobs and odd steps are skipped', () => {
    const list = wf('on: push\njobs: [a, b]\n');
    expect(list.parseError).toBeUndefined();
    expect(list.jobs).toEqual([]);
    expect(list.triggers).toHaveLength(1);
    expect(wf('on: push\njobs: build\n').jobs).toEqual([]);
    const w = wf(
      'on: push\njobs:\n  a: 1\n  b: [x]\n  c:\n    steps: "run this"\n  d:\n    needs: 3\n    steps:\n      - just a string\n      - null\n      - run: ok\n    container: {}\n    services: [x]\n    env: ${{ fromJSON(x) }}\n    runs-on: {group: big, labels: [l]}\n    environment: {name: prod, url: x}\n'
    );
    expect(w.parseError).toBeUndefined();
    expect(w.jobs.map((j) => j.id)).toEqual(['c', 'd']);
    expect(w.jobs[0].steps).toEqual([]);
    const d = w.jobs[1];
    expect(d.needs).toEqual(['3']);
    expect(d.steps).toHaveLength(1);
    expect(d.steps[0]).toMatchObject({ index: 2, run: { value: 'ok' } });
    expect(d.container).toBeUndefined();
    expect(d.services).toEqual([]);
    expect(d.env).toEqual({});
    expect(d.runsOn).toBe('{"group":"big","labels":["l"]}');
    expect(d.environment).toBe('prod');
  });

  it('triggers and filters of odd types are skipped', () => {
    const w = wf('on: {push: {branches: {a: b}}, 3: null}\njobs: {}\n');
    expect(w.triggers).toEqual([
      { event: 'push', filters: { branches: [] }, line: 1, column: 6 },
      { event: '3', filters: {}, line: 1, column: 32 }
    ]);
  });

  it('an alias bomb does not hang: it is bounded', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]`);
    lines.push('on: push', 'jobs:', '  a:', '    strategy:', '      matrix:', '        bomb: *a8');
    const w = wf(lines.join('\n') + '\n');
    expect(w.parseError?.message).toMatch(/limit/);
    expect(w.jobs).toEqual([]);
  });
});

describe('parseWorkflow: action files', () => {
  it('composite steps become the (composite) pseudo job', () => {
    const w = parseWorkflow(
      '.github/actions/setup/action.yml',
      'name: Setup\ndescription: d\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n      with: {node-version: 20}\n    - run: npm ci\n      shell: bash\n',
      'action'
    );
    expect(w.parseError).toBeUndefined();
    expect(w.kind).toBe('action');
    expect(w.name).toBe('Setup');
    expect(w.on).toBeUndefined();
    expect(w.triggers).toEqual([]);
    expect(w.jobs).toHaveLength(1);
    expect(w.jobs[0]).toMatchObject({ id: COMPOSITE_JOB_ID, line: 3, column: 1 });
    expect(w.jobs[0].steps.map((s) => [s.uses?.value, s.run?.value, s.shell])).toEqual([
      ['actions/setup-node@v4', undefined, undefined],
      [undefined, 'npm ci', 'bash']
    ]);
  });

  it('node and docker actions have no jobs; broken ones have parseError', () => {
    expect(parseWorkflow('action.yml', 'name: n\nruns:\n  using: node24\n  main: dist/index.js\n', 'action').jobs).toEqual([]);
    expect(parseWorkflow('action.yml', 'name: [\n', 'action').parseError).toBeDefined();
    expect(parseWorkflow('action.yml', '', 'action').parseError?.message).toMatch(/action metadata/);
  });
});

describe('parseWorkflow: large files', () => {
  it('parses a 10,000-step file', () => {
    const lines = ['on: push', 'jobs:', '  big:', '    runs-on: ubuntu-latest', '    steps:'];
    for (let i = 0; i < 5_000; i++) {
      lines.push(`      - name: step ${i}`, `        uses: actions/cache@v4`, `        with: { key: k${i}, path: p }`, `      - run: echo ${i}`);
    }
    const w = wf(lines.join('\n') + '\n');
    expect(w.parseError).toBeUndefined();
    expect(w.jobs[0].steps).toHaveLength(10_000);
    const last = w.jobs[0].steps[9_999];
    expect(last).toMatchObject({ index: 9_999, line: 5 + 20_000 });
    expect(last.run).toEqual({ value: 'echo 4999', line: 5 + 20_000, column: 9 });
    expect(w.jobs[0].steps[9_998].with.key).toEqual({ value: 'k4999', line: 5 + 19_999, column: 17 });
  });

  it('many jobs', () => {
    const lines = ['on: push', 'jobs:'];
    for (let i = 0; i < 500; i++) lines.push(`  j${i}:`, '    runs-on: ubuntu-latest', '    steps: [{run: x}]');
    const w = wf(lines.join('\n'));
    expect(w.jobs).toHaveLength(500);
    expect(w.jobs[499]).toMatchObject({ id: 'j499', line: 3 + 499 * 3 });
  });
});

describe('parseWorkflow: working directories', () => {
  it('keeps a step\'s working-directory and the job\'s and workflow\'s defaults.run one', () => {
    const w = wf(
      'on: push\ndefaults:\n  run:\n    working-directory: app\njobs:\n  a:\n    runs-on: x\n    defaults:\n      run:\n        shell: bash\n        working-directory: ./web\n    steps:\n      - run: make\n        working-directory: pr\n      - run: make\n  b:\n    runs-on: x\n    defaults: {run: {shell: bash}}\n    steps:\n      - run: make\n'
    );
    expect(w.defaultWorkingDirectory).toBe('app');
    expect(w.jobs[0].defaultWorkingDirectory).toBe('./web');
    expect(w.jobs[0].steps.map((s) => s.workingDirectory)).toEqual(['pr', undefined]);
    expect(w.jobs[1].defaultWorkingDirectory).toBeUndefined();
  });

  it('ignores malformed defaults (a list, a scalar) without failing', () => {
    const w = wf('on: push\ndefaults: [run]\njobs:\n  a:\n    runs-on: x\n    defaults: run\n    steps:\n      - run: make\n        working-directory: [a]\n');
    expect(w.parseError).toBeUndefined();
    expect(w.defaultWorkingDirectory).toBeUndefined();
    expect(w.jobs[0].defaultWorkingDirectory).toBeUndefined();
    expect(w.jobs[0].steps[0].workingDirectory).toBeUndefined();
  });
});

