/**
 * MD-003 — declared ≠ live.
 *
 * The policy's `expected:` section states what the repository's settings must be. Each key is
 * compared with the live EffectiveProtection (or the repository's default workflow permissions):
 * one finding per differing key, both values shown, evidence the policy line. A key whose live
 * value cannot be read is an `unobservable` entry, never a finding. When a protection source could
 * not be read (e.g. classic protection with the default token) a difference is claimed only when
 * the unread source could not explain it (a stricter live value is certain; a weaker one is not).
 */
import type { Unobservable } from '../model/common.js';
import type { FindingDraft, Rule, RuleMeta, RuleResult } from '../model/finding.js';
import type { ExpectedSettings } from '../model/policy.js';
import { describeSources, type EffectiveProtection, type Sourced } from '../model/protection.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';

export const meta: RuleMeta = {
  id: 'MD-003',
  version: '1.0.0',
  title: 'Declared governance differs from live settings',
  severity: 'medium',
  confidence: 'high',
  defaultAction: 'warn',
  fpCeiling: 0.1,
  motivation:
    'A policy file that says "two approvals, linear history, read-only token" is only worth ' +
    'something if the repository is configured that way. Settings drift silently — a ruleset is ' +
    'disabled during an incident, a required check is removed to unblock a release — and the ' +
    'written policy keeps claiming a protection that no longer exists.',
  description:
    'Compares each key of the policy\'s `expected:` section (`required-checks`, `approvals`, ' +
    '`code-owner-review`, `linear-history`, `signed-commits`, `default-workflow-permissions`, ' +
    '`merge-queue`) with the live effective protection of the target branch (rulesets and classic ' +
    'branch protection merged) and the repository\'s default workflow permissions. One finding per ' +
    'differing key shows both values and where the live value comes from. Keys whose live value ' +
    'cannot be read (for example classic protection with the default token) are listed as ' +
    'unobservable, never reported as differences.',
  remediation:
    'Decide which side is right. If the policy is, restore the setting (Settings → Rules → ' +
    'Rulesets, or Branches for classic protection; Settings → Actions → General for workflow ' +
    'permissions). If the live setting is, update `expected:` in the policy file in the same pull ' +
    'request that explains why.',
  example: ['# .github/phase-mirror.yml', 'expected:', '  approvals: 2            # the ruleset requires 1', '  linear-history: true    # no rule requires it'].join('\n')
};

type Key = keyof ExpectedSettings;

const KEBAB: Record<Key, string> = {
  requiredChecks: 'required-checks',
  approvals: 'approvals',
  codeOwnerReview: 'code-owner-review',
  linearHistory: 'linear-history',
  signedCommits: 'signed-commits',
  defaultWorkflowPermissions: 'default-workflow-permissions',
  mergeQueue: 'merge-queue'
};

const ORDER: Key[] = ['requiredChecks', 'approvals', 'codeOwnerReview', 'linearHistory', 'signedCommits', 'mergeQueue', 'defaultWorkflowPermissions'];

const BOOL_FIELD: Partial<Record<Key, keyof EffectiveProtection>> = {
  codeOwnerReview: 'codeOwnerReview',
  linearHistory: 'linearHistory',
  signedCommits: 'signedCommits',
  mergeQueue: 'mergeQueue'
};

function policyPath(source: string): string {
  const i = source.indexOf(':');
  return i > 0 && !source.startsWith('/') ? source.slice(i + 1) : source;
}

const code = (xs: readonly string[]): string => (xs.length === 0 ? '(none)' : xs.map((x) => `\`${x}\``).join(', '));

function unreadReasons(p: EffectiveProtection): { reason: string; missingPermission?: string } {
  const parts = p.partial.filter((x) => !x.subject.startsWith('bypass'));
  const missingPermission = parts.find((x) => x.missingPermission)?.missingPermission;
  return { reason: parts.map((x) => `${x.subject}: ${x.reason}`).join('; ') || 'a protection source could not be read', ...(missingPermission ? { missingPermission } : {}) };
}

export function evaluate(snapshot: GovernanceSnapshot): RuleResult {
  const findings: FindingDraft[] = [];
  const unobservable: Unobservable[] = [];
  const { expected, expectedLines } = snapshot.policy;
  const file = policyPath(snapshot.policy.source);
  const prot = snapshot.protection;
  const branch = snapshot.event.targetBranch ?? (prot.status === 'observed' ? prot.value.branch : snapshot.repo.defaultBranch) ?? 'the target branch';

  const differ = (key: Key, declared: string, live: string, detail: string): void => {
    findings.push({
      subject: KEBAB[key],
      path: file,
      title: `Declared \`${KEBAB[key]}\` differs from the live setting`,
      message: `The policy declares \`${KEBAB[key]}: ${declared}\`, but the live value for ${branch} is ${live}. ${detail}`.trim(),
      evidence: [{ path: file, line: expectedLines[key] ?? 1 }]
    });
  };
  const unknown = (key: Key, reason: string, missingPermission?: string): void => {
    unobservable.push({ subject: `live value of expected.${KEBAB[key]} for ${branch}`, reason, ...(missingPermission ? { missingPermission } : {}) });
  };

  for (const key of ORDER) {
    const want = expected[key];
    if (want === undefined) continue;

    if (key === 'defaultWorkflowPermissions') {
      const dwp = snapshot.defaultWorkflowPermissions;
      if (dwp.status !== 'observed') unknown(key, dwp.reason, dwp.missingPermission);
      else if (dwp.value !== want) {
        differ(key, String(want), `\`${dwp.value}\` (repository setting: Settings → Actions → General → Workflow permissions)`, dwp.value === 'write' ? 'Every workflow without a `permissions:` block gets a read-write token.' : '');
      }
      continue;
    }
    if (prot.status !== 'observed') {
      unknown(key, prot.reason, prot.missingPermission);
      continue;
    }
    const p = prot.value;
    const unread = unreadReasons(p);

    if (key === 'requiredChecks') {
      const declared = [...new Set(want as string[])];
      const live = [...new Set(p.requiredChecks.map((c) => c.context))];
      const missing = declared.filter((c) => !live.includes(c));
      const extra = live.filter((c) => !declared.includes(c));
      const complete = p.requiredChecksComplete !== false;
      if (extra.length > 0 || (missing.length > 0 && complete)) {
        const parts: string[] = [];
        if (missing.length > 0) parts.push(complete ? `Declared but not required: ${code(missing)}.` : `Declared but not required by the readable sources: ${code(missing)} (${unread.reason}).`);
        if (extra.length > 0) {
          const from = extra.map((c) => `\`${c}\` (${describeSources(p.requiredChecks.find((x) => x.context === c)?.sources ?? [])})`);
          parts.push(`Required but not declared: ${from.join(', ')}.`);
        }
        differ(key, `[${declared.join(', ')}]`, `[${live.join(', ')}]`, parts.join(' '));
      } else if (missing.length > 0) {
        unknown(key, `${code(missing)} are not required by the readable sources; ${unread.reason}`, unread.missingPermission);
      }
      continue;
    }

    if (key === 'approvals') {
      const a = p.approvals;
      const n = want as number;
      if (a.value === n) continue;
      // With a source unread, the live count is at least a.value: only "more than declared" is certain.
      if (a.complete === false && a.value < n) unknown(key, `the readable sources require ${a.value}; ${unread.reason}`, unread.missingPermission);
      else differ(key, String(n), `${a.complete === false ? 'at least ' : ''}${a.value} (${describeSources(a.sources)})`, a.value < n ? 'Fewer approvals are enforced than the policy promises.' : '');
      continue;
    }

    const field = BOOL_FIELD[key] as keyof EffectiveProtection;
    const v = p[field] as Sourced<boolean>;
    const b = want as boolean;
    if (v.value === b) continue;
    // An unread source may turn a requirement on, never off: a live `true` is certain, a live `false` is not.
    if (v.complete === false && !v.value) {
      unknown(key, `the readable sources do not require it; ${unread.reason}`, unread.missingPermission);
      continue;
    }
    differ(key, String(b), v.value ? `true (${describeSources(v.sources)})` : 'false (no ruleset or branch protection requires it)', '');
  }
  return { findings, unobservable };
}

export const rule: Rule = { meta, evaluate };
