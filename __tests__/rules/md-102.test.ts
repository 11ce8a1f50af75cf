import { describe, expect, it } from '@jest/globals';
import { rule } from '../../src/rules/md-102-merge-queue-trust-chain.js';
import { ruleById } from '../../src/rules/index.js';
import type { RuleResult } from '../../src/model/finding.js';
import type { MergeQueuePolicy } from '../../src/model/policy.js';
import type { GovernanceSnapshot } from '../../src/model/snapshot.js';
import type { EffectiveProtection } from '../../src/model/protection.js';
import { defaultPolicy, makeSnapshot, ruleConfig } from '../../test-support/snapshot.js';
import { CLASSIC, RULESET, observed, partialProtection, protection } from './helpers/protection.js';

const POLICY = '.github/phase-mirror.yml';
const STRICT: MergeQueuePolicy = { required: true, allowAdminBypass: false, allowDirectPushes: false, requireLinearHistory: true };
const GOOD: Partial<EffectiveProtection> = { mergeQueue: { value: true, sources: [RULESET] } };

function run(mq: MergeQueuePolicy | undefined, prot: GovernanceSnapshot['protection']): RuleResult {
  const policy = { ...defaultPolicy(), source: POLICY, mergeQueue: mq, mergeQueueLine: 12 };
  const r = rule.evaluate(makeSnapshot({ policy, protection: prot }), ruleConfig());
  return Array.isArray(r) ? { findings: r, unobservable: [] } : r;
}

const subjects = (r: RuleResult): string[] => r.findings.map((f) => f.subject);

describe('MD-102', () => {
  it('metadata is complete and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-102', severity: 'high', defaultAction: 'warn' });
    for (const k of ['title', 'motivation', 'description', 'remediation', 'example'] as const) expect(String(rule.meta[k]).length).toBeGreaterThan(20);
    expect(ruleById('MD-102')).toBe(rule);
  });

  it('a sound trust chain → nothing; no merge-queue section → nothing', () => {
    expect(run(STRICT, observed(protection(GOOD)))).toEqual({ findings: [], unobservable: [] });
    expect(run(undefined, observed(protection({ requirePullRequest: { value: false, sources: [] } })))).toEqual({ findings: [], unobservable: [] });
  });

  it('reports each broken link against the policy line', () => {
    const p = protection({
      mergeQueue: { value: false, sources: [] },
      adminBypass: { value: true, sources: [RULESET, CLASSIC] },
      requirePullRequest: { value: false, sources: [] },
      forcePushAllowed: { value: true, sources: [] },
      linearHistory: { value: false, sources: [] }
    });
    const r = run(STRICT, observed(p));
    expect(subjects(r)).toEqual(['merge-queue-off', 'admin-bypass', 'direct-pushes', 'force-push', 'linear-history']);
    expect(r.findings.every((f) => f.path === POLICY && f.evidence[0].line === 12)).toBe(true);
    expect(r.findings[1].message).toContain('ruleset "main protection" (id 42)');
    expect(r.findings[1].message).toContain('not enforced for administrators');
  });

  it('policy allowing what the repository allows → nothing', () => {
    const p = protection({ ...GOOD, adminBypass: { value: true, sources: [CLASSIC] }, linearHistory: { value: false, sources: [] } });
    expect(run({ required: true, allowAdminBypass: true, requireLinearHistory: false }, observed(p)).findings).toEqual([]);
  });

  it('no protection at all is one finding', () => {
    const none = protection({
      requirePullRequest: { value: false, sources: [] },
      approvals: { value: 0, sources: [] },
      linearHistory: { value: false, sources: [] },
      forcePushAllowed: { value: true, sources: [] },
      deletionAllowed: { value: true, sources: [] },
      appliedSources: []
    });
    expect(subjects(run(STRICT, observed(none)))).toEqual(['protection-off']);
  });

  it('trap: classic protection 403 — what it might add is unobservable, what rulesets already allow is not claimed', () => {
    const p = partialProtection({
      mergeQueue: { value: true, sources: [RULESET], complete: false },
      requirePullRequest: { value: false, sources: [], complete: false },
      linearHistory: { value: true, sources: [RULESET], complete: false }
    });
    const r = run(STRICT, observed(p));
    expect(r.findings).toEqual([]);
    expect(r.unobservable!.map((u) => u.subject)).toEqual(['admin bypass for main', 'pull-request requirement for main']);
    expect(r.unobservable![1]).toMatchObject({ missingPermission: 'Administration: read' });
    // A ruleset's admin bypass is certain whatever classic protection says.
    const q = partialProtection({ ...GOOD, adminBypass: { value: true, sources: [RULESET], complete: false } });
    expect(subjects(run({ allowAdminBypass: false }, observed(q)))).toEqual(['admin-bypass']);
  });

  it('protection unobservable → one unobservable entry, no finding', () => {
    expect(run(STRICT, { status: 'unobservable', reason: 'no GitHub token' })).toEqual({
      findings: [],
      unobservable: [{ subject: 'merge-queue trust chain for main', reason: 'no GitHub token' }]
    });
  });
});
