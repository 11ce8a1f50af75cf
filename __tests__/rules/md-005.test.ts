import { describe, expect, it } from '@jest/globals';
import { rule } from '../../src/rules/md-005-merge-group-patch-missing.js';
import { ruleById } from '../../src/rules/index.js';
import type { RuleResult } from '../../src/model/finding.js';
import type { MergeGroupContents } from '../../src/model/protection.js';
import type { GovernanceSnapshot } from '../../src/model/snapshot.js';
import { makeSnapshot, ruleConfig } from '../../test-support/snapshot.js';

const GROUP: MergeGroupContents = {
  baseRef: 'main',
  baseSha: '0000000000000000000000000000000000000000',
  headSha: '3333333333333333333333333333333333333333',
  headRef: 'refs/heads/gh-readonly-queue/main/pr-13-aaaaaaa',
  prs: [
    { number: 12, title: 'Fix parser', changedFiles: ['src/parser.ts', 'src/parser.test.ts'], foundBy: 'commit' },
    { number: 13, changedFiles: ['docs/guide.md', 'docs/missing.md'], foundBy: 'head_ref' }
  ],
  compareFiles: ['docs/guide.md', 'src/parser.test.ts', 'src/parser.ts']
};

function run(over: Partial<GovernanceSnapshot>): RuleResult {
  const r = rule.evaluate(makeSnapshot({ event: { name: 'merge_group', targetBranch: 'main' }, ...over }), ruleConfig());
  return Array.isArray(r) ? { findings: r, unobservable: [] } : r;
}

describe('MD-005', () => {
  it('metadata is complete, critical, blocking and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-005', severity: 'critical', defaultAction: 'block' });
    for (const k of ['title', 'motivation', 'description', 'remediation', 'example'] as const) expect(String(rule.meta[k]).length).toBeGreaterThan(20);
    expect(ruleById('MD-005')).toBe(rule);
  });

  it('a queued PR whose files are not all in the compare → critical finding listing the missing files', () => {
    const r = run({ mergeGroup: { status: 'observed', value: GROUP } });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ subject: 'pr-13', path: 'docs/missing.md', confidence: 'high', evidence: [{ path: 'docs/missing.md' }] });
    expect(r.findings[0].message).toContain('#13');
    expect(r.findings[0].message).toContain('1 of its 2 changed file(s)');
    expect(r.unobservable).toEqual([]);
  });

  it('trap: every PR contained → nothing; not a merge_group run → nothing', () => {
    const ok = { ...GROUP, compareFiles: [...GROUP.compareFiles, 'docs/missing.md'] };
    expect(run({ mergeGroup: { status: 'observed', value: ok } })).toEqual({ findings: [], unobservable: [] });
    expect(run({ event: { name: 'pull_request' }, mergeGroup: { status: 'observed', value: GROUP } })).toEqual({ findings: [], unobservable: [] });
  });

  it('a possibly truncated compare lowers confidence and says why', () => {
    const r = run({ mergeGroup: { status: 'observed', value: { ...GROUP, compareFilesTruncated: true } } });
    expect(r.findings[0]).toMatchObject({ confidence: 'low' });
    expect(r.findings[0].message).toContain('300 files');
  });

  it('unobservable merge group, unreadable PR files, no PRs, nothing collected → unobservable entries, no findings', () => {
    expect(run({ mergeGroup: { status: 'unobservable', reason: 'no GitHub token' } })).toEqual({ findings: [], unobservable: [{ subject: 'merge group contents', reason: 'no GitHub token' }] });
    expect(run({}).unobservable![0].reason).toContain('not collected');
    const bad = { ...GROUP, prs: [{ number: 12, changedFiles: [], filesUnobservable: 'GET …/pulls/12/files returned 422: Validation Failed' }] };
    expect(run({ mergeGroup: { status: 'observed', value: bad } })).toEqual({
      findings: [],
      unobservable: [{ subject: 'changed files of pull request #12', reason: expect.stringContaining('422') }]
    });
    expect(run({ mergeGroup: { status: 'observed', value: { ...GROUP, prs: [] } } }).unobservable![0].subject).toContain('pull requests of merge group');
  });

  it('many missing files are listed up to a limit', () => {
    const files = Array.from({ length: 30 }, (_, i) => `f${i}.txt`);
    const r = run({ mergeGroup: { status: 'observed', value: { ...GROUP, prs: [{ number: 1, changedFiles: files }], compareFiles: [] } } });
    expect(r.findings[0].evidence).toHaveLength(20);
    expect(r.findings[0].message).toContain('and 10 more');
  });
});
