import { describe, expect, it } from '@jest/globals';
import { parseCodeowners } from '../../src/collect/codeowners.js';
import { PathIndex, compilePattern, rule } from '../../src/rules/md-006-codeowners-dissonance.js';
import { ruleById } from '../../src/rules/index.js';
import type { FindingDraft, RuleResult } from '../../src/model/finding.js';
import type { EffectiveProtection } from '../../src/model/protection.js';
import type { GovernanceSnapshot } from '../../src/model/snapshot.js';
import { defaultPolicy, makeSnapshot, ruleConfig } from '../../test-support/snapshot.js';

const CO = '.github/CODEOWNERS';
const TRACKED = [
  '.github/CODEOWNERS',
  '.github/phase-mirror.yml',
  '.github/workflows/ci.yml',
  '.github/workflows/release.yaml',
  'README.md',
  'docs/index.md',
  'docs/guide/setup.md',
  'src/app/main.ts',
  'src/app/logs/x.log',
  'src/lib/util.js',
  'packages/a/logs/y.log',
  'build/logs/z.txt'
];

function protection(codeOwnerReview: boolean, complete = true): GovernanceSnapshot['protection'] {
  const s = <T>(value: T) => ({ value, sources: [{ kind: 'ruleset' as const, id: 7, name: 'main rules' }], ...(complete ? {} : { complete: false }) });
  const value: EffectiveProtection = {
    branch: 'main',
    requiredChecks: [],
    strictChecks: s(false),
    requirePullRequest: s(true),
    approvals: s(1),
    codeOwnerReview: s(codeOwnerReview),
    lastPushApproval: s(false),
    linearHistory: s(false),
    signedCommits: s(false),
    forcePushAllowed: s(false),
    deletionAllowed: s(false),
    adminBypass: s(false),
    bypassActors: [],
    mergeQueue: s(false),
    partial: complete ? [] : [{ subject: 'classic branch protection', reason: '403', missingPermission: 'administration: read' }]
  };
  return { status: 'observed', value };
}

interface Opts {
  text?: string | null;
  tracked?: string[];
  protection?: GovernanceSnapshot['protection'];
  policySource?: string;
}

function evaluate(opts: Opts = {}): RuleResult {
  const policy = defaultPolicy();
  policy.source = opts.policySource ?? '.github/phase-mirror.yml';
  const snap = makeSnapshot({
    codeowners: opts.text === null ? null : parseCodeowners(CO, opts.text ?? ''),
    trackedPaths: opts.tracked ?? TRACKED,
    policy,
    files: { '.github/phase-mirror.yml': 'x' },
    ...(opts.protection ? { protection: opts.protection } : {})
  });
  return rule.evaluate(snap, ruleConfig()) as RuleResult;
}
const run = (opts: Opts = {}): FindingDraft[] => evaluate(opts).findings;
const subjects = (fs: FindingDraft[]): string[] => fs.map((f) => f.subject);

const OWNED_GOV = '/.github/ @acme/platform\n';

describe('MD-006 metadata', () => {
  it('is complete and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-006', severity: 'medium', defaultAction: 'warn', fpCeiling: 0.1 });
    for (const k of ['motivation', 'description', 'remediation', 'example'] as const) expect(String(rule.meta[k]).length).toBeGreaterThan(20);
    expect(ruleById('MD-006')).toBe(rule);
  });

  it('its example triggers it', () => {
    const body = (rule.meta.example ?? '').split('\n').slice(1).join('\n');
    const fs = run({ text: body });
    expect(subjects(fs).sort()).toEqual(
      ['no-match:/src/legacy/', 'syntax:invalid owner `owner`: owners must be @user, @org/team or an e-mail address; GitHub skips this line', 'unowned:.github/CODEOWNERS', 'unowned:.github/phase-mirror.yml', 'unowned:.github/workflows/'].sort()
    );
  });
});

describe('MD-006 pattern matching', () => {
  const m = (pattern: string, path: string): boolean => compilePattern(pattern).re.test(path);

  it.each([
    ['*', 'a/b/c.txt', true],
    ['*.js', 'src/lib/util.js', true],
    ['*.js', 'src/lib/util.jsx', false],
    ['/build/logs/', 'build/logs/z.txt', true],
    ['/build/logs/', 'src/build/logs/z.txt', false],
    ['docs/*', 'docs/index.md', true],
    ['docs/*', 'docs/guide/setup.md', false],
    ['docs/*', 'x/docs/index.md', false],
    ['apps/', 'apps/a.txt', true],
    ['apps/', 'deep/apps/a/b.txt', true],
    ['apps/', 'apps', false],
    ['/docs/', 'docs/guide/setup.md', true],
    ['**/logs', 'src/app/logs/x.log', true],
    ['**/logs', 'logs/x.log', true],
    ['**/logs', 'catalogs/x', false],
    ['/apps/github', 'apps/github/x.rb', true],
    ['/apps/github', 'apps/githubber/x.rb', false],
    ['src/**/util.js', 'src/lib/util.js', true],
    ['src/**/util.js', 'src/util.js', true],
    ['src/**/util.js', 'other/src/lib/util.js', false],
    ['docs/**', 'docs/guide/setup.md', true],
    ['README.md', 'docs/README.md', true],
    ['/README.md', 'docs/README.md', false],
    ['file?.txt', 'a/file1.txt', true],
    ['file?.txt', 'a/file10.txt', false],
    ['*.JS', 'a.js', false],
    ['a.b', 'aXb', false]
  ])('%s vs %s → %s', (pattern, path, expected) => {
    expect(m(pattern, path)).toBe(expected);
  });

  it('PathIndex.matchesAny agrees with a naive scan', () => {
    const index = new PathIndex([...TRACKED].reverse());
    const patterns = ['*', '*.md', '*.py', '/docs/', 'docs/', 'guide/', 'logs', '**/logs/*.log', '/src/**/x.log', '/nope/', 'src/app', 'x.log', '/README.md', 'README.md/', 'packages/*/logs/', 'util.?s', '/.github/workflows/*.yml'];
    for (const p of patterns) {
      const c = compilePattern(p);
      expect([p, index.matchesAny(c)]).toEqual([p, TRACKED.some((t) => c.re.test(t))]);
    }
  });
});

describe('MD-006 findings', () => {
  it('a well-formed CODEOWNERS that owns everything is silent', () => {
    expect(run({ text: `* @acme/dev\n${OWNED_GOV}` })).toEqual([]);
  });

  it('syntax errors are medium, one per distinct problem, with line and column; the API list supplements', () => {
    const co = parseCodeowners(CO, `* @acme/dev\n!secret @acme/dev\nfoo bad-owner\n${OWNED_GOV}`);
    co.errors.push({ line: 3, message: 'Unknown owner on line 3', source: 'api' });
    co.errors.push({ line: 9, message: 'User @ghost does not have write access', source: 'api' });
    const snap = makeSnapshot({ codeowners: co, trackedPaths: TRACKED });
    const fs = (rule.evaluate(snap, ruleConfig()) as RuleResult).findings;
    expect(fs.map((f) => [f.subject.slice(0, 24), f.severity, f.evidence[0].line])).toEqual([
      ['syntax:negated patterns ', 'medium', 2],
      ['syntax:invalid owner `ba', 'medium', 3],
      ['syntax:User @ghost does ', 'medium', 9]
    ]);
    expect(fs[2].message).toContain('reported by GitHub');
    expect(fs[0].evidence[0].column).toBe(1);
  });

  it('a pattern matching no tracked file is low; `**` and trailing-slash directory patterns that match are not reported', () => {
    const fs = run({ text: `* @acme/dev\n/src/legacy/ @acme/old\n**/logs @acme/ops\ndocs/ @acme/docs\n/build/logs/ @acme/ops\n*.py @acme/py\n${OWNED_GOV}` });
    expect(fs.map((f) => [f.subject, f.severity, f.evidence[0].line])).toEqual([
      ['no-match:/src/legacy/', 'low', 2],
      ['no-match:*.py', 'low', 6]
    ]);
  });

  it('no-match is not decided without a list of tracked paths, and is unobservable when the list was truncated', () => {
    expect(run({ text: `/nope/ @a/b\n${OWNED_GOV}`, tracked: [] })).toEqual([]);
    const big = Array.from({ length: 200_000 }, (_, i) => `f/${i}.txt`);
    const r = evaluate({ text: `/nope/ @a/b\n* @a/b\n`, tracked: big });
    expect(r.findings).toEqual([]);
    expect(r.unobservable?.[0].subject).toContain('match no file');
  });

  it('governance paths without an owner: workflows, CODEOWNERS and the policy, one finding per group', () => {
    const fs = run({ text: '/src/ @acme/dev\n/docs/ @acme/docs\n*.md @acme/docs\n' });
    expect(subjects(fs)).toEqual(['unowned:.github/workflows/', 'unowned:.github/CODEOWNERS', 'unowned:.github/phase-mirror.yml']);
    expect(fs[0].severity).toBe('medium');
    expect(fs[0].message).toContain('`.github/workflows/ci.yml`, `.github/workflows/release.yaml`');
    expect(fs[0].message).toContain('No pattern matches');
  });

  it('a later pattern without owners un-owns governance paths (last match wins)', () => {
    const fs = run({ text: `* @acme/dev\n${OWNED_GOV}/.github/workflows/\n` });
    expect(subjects(fs)).toEqual(['unowned:.github/workflows/']);
    expect(fs[0].message).toContain('`/.github/workflows/` on line 3');
    expect(fs[0].evidence[0]).toEqual({ path: CO, line: 3 });
  });

  it('an earlier ownerless pattern is overridden by a later owned one', () => {
    expect(run({ text: `/.github/\n* @acme/dev\n` })).toEqual([]);
  });

  it('the policy file read from the base branch (`origin/main:path`) is recognised', () => {
    const fs = run({ text: '/.github/workflows/ @acme/p\n/.github/CODEOWNERS @acme/p\n', policySource: 'origin/main:.github/phase-mirror.yml' });
    expect(subjects(fs)).toEqual(['unowned:.github/phase-mirror.yml']);
  });

  it('defaults (no policy file) add no policy path', () => {
    expect(subjects(run({ text: '/.github/workflows/ @acme/p\n/.github/CODEOWNERS @acme/p\n', policySource: 'defaults' }))).toEqual([]);
  });
});

describe('MD-006 code-owner review vs CODEOWNERS', () => {
  it('required review with no CODEOWNERS → finding naming the protection source', () => {
    const fs = run({ text: null, protection: protection(true) });
    expect(fs).toEqual([expect.objectContaining({ subject: 'codeowners-missing', severity: 'medium', path: '.github/CODEOWNERS' })]);
    expect(fs[0].message).toContain('ruleset "main rules" (id 7)');
  });

  it('required review with a CODEOWNERS that owns nothing → codeowners-empty', () => {
    expect(subjects(run({ text: '# nobody\n*\n', protection: protection(true) }))).toEqual(['codeowners-empty']);
  });

  it('no CODEOWNERS and review not required → nothing at all', () => {
    const r = evaluate({ text: null, protection: protection(false) });
    expect(r.findings).toEqual([]);
    expect(r.unobservable ?? []).toEqual([]);
  });

  it('no CODEOWNERS and protection unobservable (or incomplete) → unobservable, not a finding', () => {
    const r = evaluate({ text: null });
    expect(r.findings).toEqual([]);
    expect(r.unobservable).toHaveLength(1);
    const r2 = evaluate({ text: null, protection: protection(false, false) });
    expect(r2.findings).toEqual([]);
    expect(r2.unobservable?.[0].reason).toContain('403');
  });

  it('an empty CODEOWNERS still reports its syntax errors', () => {
    expect(subjects(run({ text: 'x @bad owner\n', protection: protection(false) })).map((s) => s.slice(0, 7))).toEqual(['syntax:']);
  });
});

describe('MD-006 scale', () => {
  it('200,000 paths × 300 patterns', () => {
    const paths: string[] = [];
    for (let i = 0; i < 200_000; i++) paths.push(`pkg${i % 500}/src/mod${i % 37}/file${i}.${i % 3 === 0 ? 'ts' : 'js'}`);
    paths.push('.github/workflows/ci.yml', '.github/CODEOWNERS');
    paths.sort();
    const lines = ['* @acme/dev'];
    for (let k = 0; k < 100; k++) lines.push(`/pkg${k}/ @acme/t${k}`);
    for (let k = 0; k < 50; k++) lines.push(`/gone${k}/ @acme/t${k}`);
    for (let k = 0; k < 50; k++) lines.push(`*.ext${k} @acme/t${k}`);
    for (let k = 0; k < 50; k++) lines.push(`**/mod${k}/ @acme/t${k}`);
    for (let k = 0; k < 50; k++) lines.push(`pkg${k}/**/file${k}.js @acme/t${k}`);
    lines.push('/.github/ @acme/platform');
    const fs = run({ text: lines.join('\n') + '\n', tracked: paths.slice(0, 199_999) });
    const noMatch = subjects(fs).filter((s) => s.startsWith('no-match:'));
    // /gone*/ (50), *.ext* (50), **/mod37..49/ (13), and pkg<k>/**/file<k>.js where file<k> is a .ts file (k % 3 === 0: 17).
    expect(noMatch).toHaveLength(50 + 50 + 13 + 17);
    expect(noMatch).toContain('no-match:pkg3/**/file3.js');
    expect(noMatch).not.toContain('no-match:pkg4/**/file4.js');
    expect(subjects(fs).filter((s) => !s.startsWith('no-match:'))).toEqual([]);
  });
});
