import { describe, expect, it } from '@jest/globals';
import { rule } from '../../src/rules/md-003-declared-vs-live.js';
import { ruleById } from '../../src/rules/index.js';
import type { RuleResult } from '../../src/model/finding.js';
import type { ExpectedSettings } from '../../src/model/policy.js';
import type { GovernanceSnapshot } from '../../src/model/snapshot.js';
import type { EffectiveProtection } from '../../src/model/protection.js';
import { defaultPolicy, makeSnapshot, ruleConfig } from '../../test-support/snapshot.js';
import { CLASSIC, RULESET, check, observed, partialProtection, protection } from './helpers/protection.js';

const POLICY = '.github/phase-mirror.yml';
const LINES: Record<string, number> = { requiredChecks: 3, approvals: 4, codeOwnerReview: 5, linearHistory: 6, signedCommits: 7, defaultWorkflowPermissions: 8, mergeQueue: 9 };

function snap(expected: ExpectedSettings, prot: GovernanceSnapshot['protection'], extra: Partial<GovernanceSnapshot> = {}): GovernanceSnapshot {
  const policy = { ...defaultPolicy(), source: POLICY, expected, expectedLines: LINES };
  return makeSnapshot({ policy, protection: prot, defaultWorkflowPermissions: { status: 'observed', value: 'read' }, ...extra });
}

function run(s: GovernanceSnapshot): RuleResult {
  const r = rule.evaluate(s, ruleConfig());
  return Array.isArray(r) ? { findings: r, unobservable: [] } : r;
}

const live = (over: Partial<EffectiveProtection> = {}) => observed(protection({ requiredChecks: [check('build'), check('test', 15368, [CLASSIC])], ...over }));

describe('MD-003', () => {
  it('metadata is complete and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-003', severity: 'medium', defaultAction: 'warn' });
    for (const k of ['title', 'motivation', 'description', 'remediation', 'example'] as const) expect(String(rule.meta[k]).length).toBeGreaterThan(20);
    expect(ruleById('MD-003')).toBe(rule);
  });

  it('matching settings → nothing', () => {
    const r = run(snap({ requiredChecks: ['test', 'build'], approvals: 1, codeOwnerReview: false, linearHistory: true, signedCommits: false, defaultWorkflowPermissions: 'read', mergeQueue: false }, live()));
    expect(r).toEqual({ findings: [], unobservable: [] });
  });

  it('one finding per differing key, both values shown, evidence the policy line', () => {
    const r = run(
      snap(
        { requiredChecks: ['build', 'lint'], approvals: 2, codeOwnerReview: true, linearHistory: false, defaultWorkflowPermissions: 'read' },
        live(),
        { defaultWorkflowPermissions: { status: 'observed', value: 'write' } }
      )
    );
    expect(r.findings.map((f) => f.subject)).toEqual(['required-checks', 'approvals', 'code-owner-review', 'linear-history', 'default-workflow-permissions']);
    const by = Object.fromEntries(r.findings.map((f) => [f.subject, f]));
    expect(by['required-checks'].message).toContain('`required-checks: [build, lint]`');
    expect(by['required-checks'].message).toContain('[build, test]');
    expect(by['required-checks'].message).toContain('Declared but not required: `lint`');
    expect(by['required-checks'].message).toContain('Required but not declared: `test` (classic branch protection)');
    expect(by.approvals.message).toMatch(/`approvals: 2`.*live value for main is 1 \(ruleset "main protection" \(id 42\)\)/);
    expect(by['linear-history'].message).toContain('true (ruleset "main protection"');
    expect(by['default-workflow-permissions'].message).toContain('`write`');
    for (const f of r.findings) expect(f.path).toBe(POLICY);
    expect(by.approvals.evidence).toEqual([{ path: POLICY, line: 4 }]);
    expect(by['code-owner-review'].evidence).toEqual([{ path: POLICY, line: 5 }]);
  });

  it('trap: classic protection 403 — weaker live values are unobservable, stricter ones are still certain', () => {
    const p = observed(partialProtection({ requiredChecks: [check('build')], approvals: { value: 3, sources: [RULESET], complete: false } }));
    const r = run(snap({ requiredChecks: ['build', 'test'], approvals: 2, codeOwnerReview: true, linearHistory: false }, p));
    // approvals: the readable ruleset already requires 3 > 2 (certain); linear history true (certain).
    expect(r.findings.map((f) => f.subject)).toEqual(['approvals', 'linear-history']);
    expect(r.findings[0].message).toContain('at least 3');
    expect(r.unobservable!.map((u) => u.subject)).toEqual(['live value of expected.required-checks for main', 'live value of expected.code-owner-review for main']);
    expect(r.unobservable![0]).toMatchObject({ missingPermission: 'Administration: read', reason: expect.stringContaining('`test`') });
  });

  it('protection unobservable → every protection key unobservable, default workflow permissions still compared', () => {
    const r = run(
      snap({ approvals: 2, mergeQueue: true, defaultWorkflowPermissions: 'read' }, { status: 'unobservable', reason: 'no GitHub token' }, { defaultWorkflowPermissions: { status: 'observed', value: 'write' } })
    );
    expect(r.findings.map((f) => f.subject)).toEqual(['default-workflow-permissions']);
    expect(r.unobservable).toEqual([
      { subject: 'live value of expected.approvals for main', reason: 'no GitHub token' },
      { subject: 'live value of expected.merge-queue for main', reason: 'no GitHub token' }
    ]);
  });

  it('default workflow permissions unreadable → unobservable with the missing permission', () => {
    const r = run(snap({ defaultWorkflowPermissions: 'read' }, live(), { defaultWorkflowPermissions: { status: 'unobservable', reason: '403', missingPermission: 'Administration: read' } }));
    expect(r.findings).toEqual([]);
    expect(r.unobservable).toEqual([{ subject: 'live value of expected.default-workflow-permissions for main', reason: '403', missingPermission: 'Administration: read' }]);
  });

  it('no expected section → nothing; a policy read from the base branch points at the file', () => {
    expect(run(snap({}, live()))).toEqual({ findings: [], unobservable: [] });
    const s = snap({ mergeQueue: true }, live());
    s.policy.source = 'origin/main:.github/phase-mirror.yml';
    expect(run(s).findings[0]).toMatchObject({ path: POLICY, evidence: [{ path: POLICY, line: 9 }] });
  });
});
