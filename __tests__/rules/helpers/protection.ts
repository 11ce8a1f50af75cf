/** Builders for EffectiveProtection in rule tests. */
import type { Observed } from '../../../src/model/common.js';
import type { EffectiveProtection, ProtectionSource, RequiredCheck } from '../../../src/model/protection.js';

export const RULESET: ProtectionSource = { kind: 'ruleset', id: 42, name: 'main protection', sourceType: 'Repository', source: 'octo-org/octo-repo' };
export const CLASSIC: ProtectionSource = { kind: 'classic' };

export function protection(over: Partial<EffectiveProtection> = {}): EffectiveProtection {
  return {
    branch: 'main',
    requiredChecks: [],
    strictChecks: { value: false, sources: [] },
    requirePullRequest: { value: true, sources: [RULESET] },
    approvals: { value: 1, sources: [RULESET] },
    codeOwnerReview: { value: false, sources: [] },
    lastPushApproval: { value: false, sources: [] },
    linearHistory: { value: true, sources: [RULESET] },
    signedCommits: { value: false, sources: [] },
    forcePushAllowed: { value: false, sources: [RULESET] },
    deletionAllowed: { value: false, sources: [RULESET] },
    adminBypass: { value: false, sources: [] },
    bypassActors: [],
    mergeQueue: { value: false, sources: [] },
    appliedSources: [RULESET],
    partial: [],
    ...over
  };
}

/** Rulesets readable, classic protection 403 with the default token. */
export function partialProtection(over: Partial<EffectiveProtection> = {}): EffectiveProtection {
  const inc = <T>(v: { value: T; sources: ProtectionSource[] }) => ({ ...v, complete: false });
  const base = protection();
  return {
    ...base,
    requiredChecksComplete: false,
    strictChecks: inc(base.strictChecks),
    requirePullRequest: inc(base.requirePullRequest),
    approvals: inc(base.approvals),
    codeOwnerReview: inc(base.codeOwnerReview),
    lastPushApproval: inc(base.lastPushApproval),
    linearHistory: inc(base.linearHistory),
    signedCommits: inc(base.signedCommits),
    forcePushAllowed: inc(base.forcePushAllowed),
    deletionAllowed: inc(base.deletionAllowed),
    adminBypass: inc(base.adminBypass),
    mergeQueue: inc(base.mergeQueue),
    partial: [
      {
        subject: 'classic branch protection for main',
        reason: 'GET /repos/octo-org/octo-repo/branches/main/protection returned 403 (Resource not accessible by integration)',
        missingPermission: 'Administration: read'
      }
    ],
    ...over
  };
}

export const observed = (p: EffectiveProtection): Observed<EffectiveProtection> => ({ status: 'observed', value: p });

export function check(context: string, integrationId: number | null = 15368, sources: ProtectionSource[] = [RULESET]): RequiredCheck {
  return { context, integrationId, sources };
}
