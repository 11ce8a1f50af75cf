/**
 * MD-102 — merge-queue trust chain.
 *
 * Against the policy's `merge-queue:` section: the merge queue must be on (`required`), admins
 * must not bypass (`allow-admin-bypass: false`), nobody may push directly (`allow-direct-pushes:
 * false` — a pull request is required and force pushes are blocked), history must be linear
 * (`require-linear-history`). No protection at all is one finding. Orphaned required checks are
 * MD-001's. Without a `merge-queue:` section the rule says nothing. Values a source that could not
 * be read might change are unobservable entries, never findings.
 */
import type { Unobservable } from '../model/common.js';
import type { FindingDraft, Rule, RuleMeta, RuleResult } from '../model/finding.js';
import { describeSources, type Sourced } from '../model/protection.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';

export const meta: RuleMeta = {
  id: 'MD-102',
  version: '1.0.0',
  title: 'Merge-queue trust chain broken',
  severity: 'high',
  confidence: 'high',
  defaultAction: 'warn',
  fpCeiling: 0.1,
  motivation:
    'A merge queue only guarantees that the base branch is always the tested combination of what ' +
    'was merged if nothing reaches the branch another way. An admin bypass, a direct push, a force ' +
    'push or a merge commit outside the queue each put untested code on the branch that every ' +
    'queued pull request is then tested against.',
  description:
    'Checks the effective protection of the target branch against the policy\'s `merge-queue:` ' +
    'section: `required` (a merge-queue rule is active), `allow-admin-bypass: false` (classic ' +
    'protection enforced for admins; no ruleset lets the admin role, organisation admins or ' +
    'enterprise owners bypass), `allow-direct-pushes: false` (a pull request is required and force ' +
    'pushes are blocked) and `require-linear-history`. A branch with no protection at all is ' +
    'reported once. Required checks no job produces are reported by MD-001.',
  remediation:
    'In the branch\'s ruleset enable "Require merge queue", "Require a pull request before ' +
    'merging", "Block force pushes" and "Require linear history", and remove the admin role from ' +
    'the bypass list (or, for classic protection, enable "Do not allow bypassing the above ' +
    'settings"). If the policy is stricter than you need, relax the `merge-queue:` section instead.',
  example: [
    '# .github/phase-mirror.yml',
    'merge-queue:',
    '  required: true',
    '  allow-admin-bypass: false   # the ruleset lists "Repository admin" as a bypass actor'
  ].join('\n')
};

function policyPath(source: string): string {
  const i = source.indexOf(':');
  return i > 0 && !source.startsWith('/') ? source.slice(i + 1) : source;
}

export function evaluate(snapshot: GovernanceSnapshot): RuleResult {
  const findings: FindingDraft[] = [];
  const unobservable: Unobservable[] = [];
  const mq = snapshot.policy.mergeQueue;
  if (!mq) return { findings, unobservable };
  const file = policyPath(snapshot.policy.source);
  const evidence = [{ path: file, line: snapshot.policy.mergeQueueLine ?? 1 }];
  const prot = snapshot.protection;
  const branch = snapshot.event.targetBranch ?? (prot.status === 'observed' ? prot.value.branch : snapshot.repo.defaultBranch) ?? 'the target branch';
  if (prot.status !== 'observed') {
    unobservable.push({ subject: `merge-queue trust chain for ${branch}`, reason: prot.reason, ...(prot.missingPermission ? { missingPermission: prot.missingPermission } : {}) });
    return { findings, unobservable };
  }
  const p = prot.value;
  const unread = p.partial.filter((x) => !x.subject.startsWith('bypass'));
  const unreadWhy = unread.map((x) => `${x.subject}: ${x.reason}`).join('; ');
  const unreadPerm = unread.find((x) => x.missingPermission)?.missingPermission;

  const finding = (subject: string, title: string, message: string): void => {
    findings.push({ subject, path: file, title, message: `${message} The policy's \`merge-queue:\` section (${file}) requires otherwise.`, evidence });
  };
  const unknown = (what: string, reason: string, missingPermission?: string): void => {
    unobservable.push({ subject: `${what} for ${branch}`, reason, ...(missingPermission ? { missingPermission } : {}) });
  };
  /** A requirement the policy wants on: false is certain only when every source was read. */
  const wantOn = (v: Sourced<boolean>, subject: string, what: string, title: string, message: string): void => {
    if (v.value) return;
    if (v.complete === false) unknown(what, `not required by the readable sources; ${unreadWhy}`, unreadPerm);
    else finding(subject, title, message);
  };

  const noProtection = (p.appliedSources?.length ?? 1) === 0 && p.partial.length === 0 && p.requiredChecks.length === 0;
  if (noProtection) {
    finding(
      'protection-off',
      'Branch is not protected',
      `${branch} has no ruleset and no classic branch protection: anyone with write access can push, force-push or delete it, and there is no merge queue.`
    );
    return { findings, unobservable };
  }

  if (mq.required) {
    wantOn(p.mergeQueue, 'merge-queue-off', 'merge queue', 'Merge queue is off', `${branch} has no active merge-queue rule, so pull requests merge without being tested against what is merged before them.`);
  }
  if (mq.allowAdminBypass === false) {
    const a = p.adminBypass;
    if (a.value) {
      finding('admin-bypass', 'Admins can bypass the protection', `Admins can bypass the protection of ${branch}: ${describeSources(a.sources).replace('classic branch protection', 'classic branch protection (not enforced for administrators)')} — and with it the merge queue.`);
    } else if (a.complete === false) {
      const why = p.partial.map((x) => `${x.subject}: ${x.reason}`).join('; ');
      unknown('admin bypass', why, unreadPerm);
    }
  }
  if (mq.allowDirectPushes === false) {
    wantOn(p.requirePullRequest, 'direct-pushes', 'pull-request requirement', 'Direct pushes possible', `${branch} does not require a pull request, so anyone with write access can push to it directly, around the merge queue.`);
    if (p.forcePushAllowed.value) {
      if (p.forcePushAllowed.complete === false) unknown('force-push protection', `no readable source blocks force pushes; ${unreadWhy}`, unreadPerm);
      else finding('force-push', 'Force pushes allowed', `Force pushes to ${branch} are not blocked, so its history can be rewritten around the merge queue.`);
    }
  }
  if (mq.requireLinearHistory) {
    wantOn(p.linearHistory, 'linear-history', 'linear history', 'Linear history not required', `${branch} does not require linear history, so merge commits that the queue never built can land on it.`);
  }
  return { findings, unobservable };
}

export const rule: Rule = { meta, evaluate };
