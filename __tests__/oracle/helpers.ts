import { defaultPolicy } from '../../src/config/policy.js';
import type { EvaluatedFinding, Finding, GovernanceSnapshot, Rule, RuleMeta } from '../../src/model/index.js';

export function emptySnapshot(over: Partial<GovernanceSnapshot> = {}): GovernanceSnapshot {
  return {
    repo: { owner: 'o', name: 'r' },
    event: { name: 'pull_request' },
    workflows: [],
    codeowners: null,
    policy: defaultPolicy(),
    files: {},
    trackedPaths: [],
    protection: { status: 'unobservable', reason: 'test' },
    defaultWorkflowPermissions: { status: 'unobservable', reason: 'test' },
    ...over
  };
}

export function meta(id: string, over: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    version: '1',
    title: `${id} title`,
    severity: 'high',
    confidence: 'high',
    defaultAction: 'block',
    fpCeiling: 0.1,
    motivation: 'm',
    description: 'd',
    remediation: 'r',
    ...over
  };
}

/** A rule that reports one finding per subject given. */
export function fixedRule(id: string, subjects: string[], over: Partial<RuleMeta> = {}): Rule {
  return {
    meta: meta(id, over),
    evaluate: () => subjects.map((s) => ({ subject: s, path: `.github/workflows/${s}.yml`, message: `m ${s}`, evidence: [{ path: `.github/workflows/${s}.yml`, line: 3 }] }))
  };
}

export function finding(over: Partial<EvaluatedFinding> = {}): EvaluatedFinding {
  const base: Finding = {
    id: '0123456789abcdef',
    ruleId: 'MD-001',
    ruleVersion: '1',
    severity: 'high',
    confidence: 'high',
    title: 't',
    message: 'm',
    evidence: [{ path: 'a.yml', line: 1 }],
    remediation: 'r',
    subject: 's',
    path: 'a.yml'
  };
  return { ...base, status: 'open', action: 'block', ...over };
}
