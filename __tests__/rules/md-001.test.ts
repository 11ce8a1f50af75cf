import { describe, expect, it } from '@jest/globals';
import { runRules } from '../../src/oracle/evaluate.js';
import { expandMatrix, ownNames, rule } from '../../src/rules/md-001-required-check-unreachable.js';
import { ruleById } from '../../src/rules/index.js';
import type { RuleResult } from '../../src/model/finding.js';
import type { GovernanceSnapshot } from '../../src/model/snapshot.js';
import type { EffectiveProtection, RequiredCheck } from '../../src/model/protection.js';
import { defaultPolicy, makeSnapshot, ruleConfig, workflowFromYaml } from '../../test-support/snapshot.js';
import { check, observed, partialProtection, protection } from './helpers/protection.js';

const CI = '.github/workflows/ci.yml';

function snap(files: Record<string, string>, checks: RequiredCheck[], over: Partial<EffectiveProtection> = {}, extra: Partial<GovernanceSnapshot> = {}): GovernanceSnapshot {
  return makeSnapshot({
    workflows: Object.entries(files).map(([p, y]) => workflowFromYaml(p, y)),
    protection: observed(protection({ requiredChecks: checks, ...over })),
    ...extra
  });
}

function run(s: GovernanceSnapshot): RuleResult {
  const r = rule.evaluate(s, ruleConfig());
  return Array.isArray(r) ? { findings: r, unobservable: [] } : r;
}

const subjects = (r: RuleResult): string[] => r.findings.map((f) => f.subject);

const MATRIX_BUILD = `name: CI
on:
  pull_request:
jobs:
  build:
    name: Build (\${{ matrix.os }})
    strategy:
      matrix:
        os: [ubuntu-latest]
    runs-on: \${{ matrix.os }}
    steps:
      - run: make
`;

describe('MD-001 metadata', () => {
  it('is complete, blocking and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-001', severity: 'high', defaultAction: 'block' });
    for (const k of ['title', 'motivation', 'description', 'remediation', 'example'] as const) expect(String(rule.meta[k]).length).toBeGreaterThan(20);
    expect(ruleById('MD-001')).toBe(rule);
  });
});

describe('MD-001 unreachable required checks', () => {
  it('done-when: ruleset requires `build`, the job reports `Build (ubuntu-latest)`', () => {
    const r = run(snap({ [CI]: MATRIX_BUILD }, [check('build')]));
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0];
    expect(f).toMatchObject({ subject: 'build', path: CI, severity: 'high', confidence: 'high' });
    expect(f.message).toContain('ruleset "main protection" (id 42)');
    expect(f.message).toContain('`Build (ubuntu-latest)`');
    expect(f.message).toContain(`job \`build\` in ${CI}, line 5`);
    expect(f.evidence).toEqual([
      { path: CI, line: 5, column: 3 },
      { path: CI, line: 6, column: 5 }
    ]);
    // Through the runner: a blocking high finding.
    const out = runRules(snap({ [CI]: MATRIX_BUILD }, [check('build')]), [rule]);
    expect(out.actions['MD-001']).toBe('block');
    expect(out.findings[0]).toMatchObject({ ruleId: 'MD-001', severity: 'high', subject: 'build' });
  });

  it('trap: the matrix name that does match is silent', () => {
    expect(run(snap({ [CI]: MATRIX_BUILD }, [check('Build (ubuntu-latest)')])).findings).toEqual([]);
  });

  it('default matrix names follow GitHub: values in order, exclude, include', () => {
    const wf = `on: pull_request
jobs:
  test:
    strategy:
      matrix:
        node: [18, 20]
        os: [ubuntu, windows]
        exclude:
          - { node: 18, os: windows }
        include:
          - { node: 22, os: ubuntu, experimental: true }
          - { os: windows, arch: arm }
    runs-on: ubuntu-latest
    steps: [{ run: npm test }]
`;
    const w = workflowFromYaml(CI, wf);
    expect(ownNames(w.jobs[0])).toEqual(['test (18, ubuntu)', 'test (20, ubuntu)', 'test (20, windows, arm)', 'test (22, ubuntu, true)']);
    expect(run(snap({ [CI]: wf }, [check('test (18, ubuntu)'), check('test (20, windows, arm)'), check('test (22, ubuntu, true)')])).findings).toEqual([]);
    const r = run(snap({ [CI]: wf }, [check('test (18, windows)')]));
    expect(subjects(r)).toEqual(['test (18, windows)']);
    expect(r.findings[0].message).toMatch(/closest name .* is `test \(18, ubuntu\)`/);
  });

  it('expands an include-only matrix and matrix object properties in names', () => {
    const w = workflowFromYaml(CI, `on: pull_request
jobs:
  e2e:
    name: E2E \${{ matrix.cfg.browser }}
    strategy:
      matrix:
        include: [{ cfg: { browser: chrome } }, { cfg: { browser: firefox } }]
    runs-on: ubuntu-latest
    steps: [{ run: x }]
`);
    expect(ownNames(w.jobs[0])).toEqual(['E2E chrome', 'E2E firefox']);
    expect(expandMatrix({ dimensions: {}, include: [], exclude: [], line: 1, column: 1 })).toEqual([]);
  });

  it('reusable workflows are named `caller / callee`; the matching name is silent (trap)', () => {
    const files = {
      [CI]: `on: [pull_request]
jobs:
  lint:
    uses: ./.github/workflows/reusable-lint.yml
  docs:
    name: Docs
    uses: octo-org/octo-repo/.github/workflows/reusable-lint.yml@main
`,
      '.github/workflows/reusable-lint.yml': `on: workflow_call
jobs:
  eslint:
    name: ESLint
    runs-on: ubuntu-latest
    steps: [{ run: npx eslint . }]
`
    };
    expect(run(snap(files, [check('lint / ESLint'), check('Docs / ESLint')])).findings).toEqual([]);
    const r = run(snap(files, [check('ESLint')]));
    expect(subjects(r)).toEqual(['ESLint']);
    expect(r.findings[0].message).toContain('`lint / ESLint`');
    expect(r.findings[0].message).toContain('called from job `lint`');
    expect(r.findings[0].evidence[0]).toEqual({ path: CI, line: 3, column: 3 });
  });

  it('a called job skipped by its caller: the caller\'s `if:` and trigger filter are named where they are', () => {
    const files = {
      [CI]: `on:
  pull_request:
jobs:
  test:
    if: github.event_name == 'push'
    uses: ./.github/workflows/test.yml
`,
      '.github/workflows/test.yml': `on: workflow_call
jobs:
  unit-test:
    runs-on: ubuntu-latest
    steps: [{ run: make test }]
`
    };
    const r = run(snap(files, [check('test / unit-test')]));
    expect(subjects(r)).toEqual(['test / unit-test#skippable']);
    expect(r.findings[0].message).toContain(`runs only when its caller does: job \`test\` in ${CI}, line 4, has \`if: github.event_name == 'push'\``);
    // The paths filter is the caller's: its evidence points into ci.yml, not the called file.
    const filtered = { ...files, [CI]: files[CI].replace("    if: github.event_name == 'push'\n", '').replace('  pull_request:\n', '  pull_request:\n    paths: ["src/**"]\n') };
    const f = run(snap(filtered, [check('test / unit-test')])).findings[0];
    expect(f.message).toContain('`pull_request: paths:`');
    expect(f.evidence).toContainEqual({ path: CI, line: 2, column: 3 });
    expect(f.evidence.filter((e) => e.path === '.github/workflows/test.yml' && e.line === 2)).toEqual([]);
  });

  it('a remote reusable workflow makes `caller / …` names unknown → low confidence', () => {
    const r = run(snap({ [CI]: 'on: pull_request\njobs:\n  sec:\n    uses: other-org/shared/.github/workflows/scan.yml@v1\n' }, [check('sec / scan'), check('unrelated')]));
    expect(r.findings.find((f) => f.subject === 'sec / scan')).toMatchObject({ confidence: 'low' });
    expect(r.findings.find((f) => f.subject === 'unrelated')).toMatchObject({ confidence: 'high' });
  });

  it('names with non-matrix expressions are unknown → low confidence', () => {
    const r = run(snap({ [CI]: 'on: pull_request\njobs:\n  b:\n    name: ${{ github.event_name }} build\n    runs-on: x\n    steps: [{run: x}]\n' }, [check('pull_request build')]));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ confidence: 'low' });
    expect(r.findings[0].message).toContain('`… build`');
  });

  it('trap: checks bound to a non-Actions app are left alone; unbound external-looking names get medium confidence', () => {
    const r = run(snap({ [CI]: MATRIX_BUILD }, [check('security/scan', 9999), check('Build (ubuntu-latest)'), check('ci/circleci: test', null)]));
    expect(subjects(r)).toEqual(['ci/circleci: test']);
    expect(r.findings[0].confidence).toBe('medium');
  });

  it('merge queue on: a workflow without merge_group cannot satisfy the check in the queue', () => {
    const r = run(snap({ [CI]: MATRIX_BUILD }, [check('Build (ubuntu-latest)')], { mergeQueue: { value: true, sources: [] } }));
    expect(subjects(r)).toEqual(['Build (ubuntu-latest)']);
    expect(r.findings[0].message).toContain('not on merge_group');
    expect(r.findings[0].message).toContain('`merge_group:`');
    const ok = MATRIX_BUILD.replace('  pull_request:\n', '  pull_request:\n  merge_group:\n');
    expect(run(snap({ [CI]: ok }, [check('Build (ubuntu-latest)')], { mergeQueue: { value: true, sources: [] } })).findings).toEqual([]);
  });

  it('a branches filter that excludes the protected branch makes the check unreachable', () => {
    const wf = 'on:\n  pull_request:\n    branches: [develop, "release/**"]\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n';
    const r = run(snap({ [CI]: wf }, [check('build')]));
    expect(subjects(r)).toEqual(['build']);
    expect(r.findings[0].message).toContain('does not include main');
    const neg = 'on:\n  pull_request:\n    branches: ["**", "!main"]\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n';
    expect(subjects(run(snap({ [CI]: neg }, [check('build')])))).toEqual(['build']);
    const inc = 'on:\n  pull_request:\n    branches: ["ma*"]\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n';
    expect(run(snap({ [CI]: inc }, [check('build')])).findings).toEqual([]);
  });

  it('a push-only producer is reported with medium confidence', () => {
    const r = run(snap({ [CI]: 'on: push\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n' }, [check('build')]));
    expect(r.findings[0]).toMatchObject({ subject: 'build', confidence: 'medium' });
    expect(r.findings[0].message).toContain('forks');
  });
});

describe('MD-001 skippable and duplicate producers', () => {
  it('a paths filter on pull_request can leave the check Expected', () => {
    const wf = 'on:\n  pull_request:\n    paths: ["src/**"]\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n';
    const r = run(snap({ [CI]: wf }, [check('build')]));
    expect(r.findings).toEqual([expect.objectContaining({ subject: 'build#skippable', severity: 'medium', confidence: 'high' })]);
    expect(r.findings[0].message).toContain('paths:');
    expect(r.findings[0].evidence).toContainEqual({ path: CI, line: 2, column: 3 });
  });

  it('trap: a paths filter on push only does not matter', () => {
    const wf = 'on:\n  push:\n    paths: ["src/**"]\n  pull_request:\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n';
    expect(run(snap({ [CI]: wf }, [check('build')])).findings).toEqual([]);
  });

  it('a job `if:` means a skipped job passes the requirement; status-only conditions do not', () => {
    const wf = (cond: string): string => `on: pull_request\njobs:\n  build:\n    if: ${cond}\n    runs-on: x\n    steps: [{run: x}]\n`;
    const r = run(snap({ [CI]: wf("github.actor != 'dependabot[bot]'") }, [check('build')]));
    expect(r.findings).toEqual([expect.objectContaining({ subject: 'build#skippable', confidence: 'medium' })]);
    expect(r.findings[0].message).toContain('reports the skipped check as passing');
    expect(run(snap({ [CI]: wf('${{ always() }}') }, [check('build')])).findings).toEqual([]);
  });

  it('one unconditional producer is enough (no skippable finding)', () => {
    const files = {
      [CI]: 'on:\n  pull_request:\n    paths: [src/**]\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n',
      '.github/workflows/other.yml': 'on: pull_request\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n'
    };
    const r = run(snap(files, [check('build')]));
    expect(subjects(r)).toEqual(['build#duplicate']);
    expect(r.findings[0]).toMatchObject({ severity: 'low' });
    expect(r.findings[0].message).toContain('2 check runs');
  });

  it('types without synchronize can skip new pushes', () => {
    const wf = 'on:\n  pull_request:\n    types: [labeled]\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n';
    expect(subjects(run(snap({ [CI]: wf }, [check('build')])))).toEqual(['build#skippable']);
  });
});

describe('MD-001 observability', () => {
  const policy = (): GovernanceSnapshot['policy'] => ({ ...defaultPolicy(), source: '.github/phase-mirror.yml', expected: { requiredChecks: ['build', 'Build (ubuntu-latest)'] }, expectedLines: { requiredChecks: 3 } });

  it('protection unobservable and no policy → unobservable entry, no finding', () => {
    const s = makeSnapshot({ workflows: [workflowFromYaml(CI, MATRIX_BUILD)], protection: { status: 'unobservable', reason: 'no GitHub token' } });
    const r = run(s);
    expect(r.findings).toEqual([]);
    expect(r.unobservable).toEqual([{ subject: 'required status checks for main', reason: expect.stringContaining('no GitHub token') }]);
  });

  it('protection unobservable → the policy\'s expected.required-checks are used, and it says so', () => {
    const s = makeSnapshot({
      workflows: [workflowFromYaml(CI, MATRIX_BUILD)],
      policy: policy(),
      protection: { status: 'unobservable', reason: 'HTTP 403', missingPermission: 'Administration: read' }
    });
    const r = run(s);
    expect(subjects(r)).toEqual(['build']);
    expect(r.findings[0].message).toContain("the policy's `expected.required-checks` (.github/phase-mirror.yml, line 3)");
    expect(r.findings[0].evidence).toContainEqual({ path: '.github/phase-mirror.yml', line: 3 });
    expect(r.unobservable).toEqual([{ subject: 'required status checks for main', reason: expect.stringContaining('expected.required-checks instead'), missingPermission: 'Administration: read' }]);
  });

  it('target branch unknown: a branch filter is not guessed at — `**` passes, others are listed unobservable, never reported', () => {
    const unknown = (filter: string) =>
      makeSnapshot({
        workflows: [workflowFromYaml(CI, `on:\n  pull_request:\n    ${filter}\njobs:\n  build:\n    runs-on: x\n    steps: [{run: x}]\n`)],
        policy: { ...policy(), expected: { requiredChecks: ['build'] } },
        protection: { status: 'unobservable', reason: 'no GitHub token' },
        repo: { owner: 'o', name: 'r' },
        event: { name: 'workflow_dispatch' }
      });
    const all = run(unknown('branches: ["**"]'));
    expect(all.findings).toEqual([]);
    expect((all.unobservable ?? []).filter((u) => u.ruleId === 'MD-001')).toEqual([]);
    for (const filter of ['branches: [main]', 'branches-ignore: ["dependabot/**"]', 'branches: ["**", "!main"]']) {
      const r = run(unknown(filter));
      expect(r.findings).toEqual([]);
      expect((r.unobservable ?? []).filter((u) => u.ruleId === 'MD-001')).toEqual([
        { subject: expect.stringContaining(`filter of ${CI} lets its required checks run`), reason: expect.stringContaining('target branch is unknown'), ruleId: 'MD-001' }
      ]);
    }
    // Known target: the same filters are judged, both ways.
    const known = (filter: string) => run({ ...unknown(filter), event: { name: 'pull_request', targetBranch: 'main' } });
    expect(subjects(known('branches: ["**", "!main"]'))).toEqual(['build']);
    expect(known('branches: [main]').findings).toEqual([]);
    // A paths filter still makes the check skippable with the branch unknown.
    expect(subjects(run(unknown('branches: [main]\n    paths: ["src/**"]')))).toEqual(['build#skippable']);
  });

  it('trap: rulesets readable while classic protection is 403 — ruleset checks still evaluated, classic listed unobservable', () => {
    const s = makeSnapshot({
      workflows: [workflowFromYaml(CI, MATRIX_BUILD)],
      protection: observed(partialProtection({ requiredChecks: [check('Build (ubuntu-latest)')] }))
    });
    const r = run(s);
    expect(r.findings).toEqual([]);
    expect(r.unobservable).toEqual([
      { subject: 'required status checks from classic branch protection for main', reason: expect.stringContaining('403'), missingPermission: 'Administration: read' }
    ]);
    const s2 = makeSnapshot({ ...s, policy: policy() });
    expect(subjects(run(s2))).toEqual(['build']);
  });
});

describe('MD-001 malformed inputs', () => {
  it('an unparseable workflow lowers confidence and says so', () => {
    const r = run(snap({ [CI]: MATRIX_BUILD, '.github/workflows/broken.yml': 'on: [\n' }, [check('build')]));
    expect(r.findings[0]).toMatchObject({ subject: 'build', confidence: 'medium' });
    expect(r.findings[0].message).toContain('MD-000');
  });

  it('dynamic matrices, odd values and no workflows do not throw', () => {
    const wf = 'on: pull_request\njobs:\n  a:\n    strategy:\n      matrix: ${{ fromJSON(needs.x.outputs.m) }}\n    runs-on: x\n  b:\n    strategy:\n      matrix:\n        cfg: [{ x: 1 }]\n    runs-on: x\n  c: "not a job"\n';
    const r = run(snap({ [CI]: wf }, [check('a (linux)'), check('b (…)'), check('')]));
    expect(r.findings.find((f) => f.subject === 'a (linux)')).toMatchObject({ confidence: 'low' });
    expect(() => run(snap({}, [check('build')]))).not.toThrow();
    expect(run(snap({}, [check('build')])).findings[0]).toMatchObject({ path: '.github/workflows', evidence: [{ path: '.github/workflows' }] });
  });

  it('stays linear: 200 workflows × 10 matrix jobs and 50 required checks', () => {
    const files: Record<string, string> = {};
    for (let w = 0; w < 200; w++) {
      let y = 'on: [pull_request, merge_group]\njobs:\n';
      for (let j = 0; j < 10; j++) y += `  job${j}:\n    strategy:\n      matrix:\n        os: [a, b, c]\n        v: [1, 2]\n    runs-on: x\n    steps: [{run: x}]\n`;
      files[`.github/workflows/w${w}.yml`] = y;
    }
    const checks = Array.from({ length: 50 }, (_, i) => check(`missing-${i}`));
    const r = run(snap(files, checks, { mergeQueue: { value: true, sources: [] } }));
    expect(r.findings).toHaveLength(50);
  });
});
