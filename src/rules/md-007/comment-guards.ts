/**
 * MD-007 — `issue_comment` guards: whether a job or step is restricted to trusted commenters
 * (an `author_association` of OWNER / MEMBER / COLLABORATOR or named users in an `if:`, or a step
 * asking the API for the commenter's permission). A guarded comment-triggered checkout is reported
 * as medium instead of being dropped; the rule module's header documents the accepted shapes.
 */
import type { Job, Step } from '../../model/workflow.js';
import { actionName } from '../shared/action-ref.js';
import { splitLogical, stepLabel, unwrap } from './common.js';

/** Code that checks the commenter's permission or team membership through the API. */
export const PERMISSION_CHECK =
  // `$` only starts an expression block: a character class that also took `$` would let a run of
  // `${{…}}` be read two ways each, and a long one that fails would backtrack exponentially.
  /\bgetCollaboratorPermissionLevel\b|\bcollaborators\/(?:\$\{\{[^}]*\}\}|\$(?!\{\{)|[^\s'"`/$])+\/permission\b|\b(?:getMembershipForUserInOrg|checkMembershipForUser|getMembershipForUser)\b|\borgs\/[^\s'"`/]+\/(?:teams\/[^\s'"`/]+\/memberships|members)\//i;

/** Actions that fail the job unless the actor has write access or belongs to a team (`with` keys that make them fail, if any). */
const GATE_ACTIONS: readonly { name: RegExp; failsWhen?: (w: Record<string, { value: string }>) => boolean }[] = [
  { name: /^themoddinginquisition\/actions-team-membership$/, failsWhen: (w) => /^true$/i.test(w.exit?.value.trim() ?? '') },
  { name: /^prince-chrismc\/check-actor-permissions-action$/ },
  { name: /^lannonbr\/repo-permission-check-action$/ },
  { name: /^sushichop\/action-repository-permission$/ }
];

/** A step that stops the job unless the commenter is trusted: an API permission or membership check, or a gate action. */
export function isPermissionGate(step: Step, code: string): boolean {
  if (PERMISSION_CHECK.test(code)) return true;
  const uses = step.uses ? actionName(step.uses.value) : undefined;
  if (!uses) return false;
  const gate = GATE_ACTIONS.find((g) => g.name.test(uses));
  return gate !== undefined && (gate.failsWhen ? gate.failsWhen(step.with) : true);
}

const ASSOC_REF = /^github\s*\.\s*event\s*\.\s*comment\s*\.\s*author_association$/i;
const LOGIN_REF = /^(?:github\s*\.\s*(?:actor|triggering_actor)|github\s*\.\s*event\s*\.\s*comment\s*\.\s*user\s*\.\s*login)$/i;
const TRUSTED_ASSOC: ReadonlySet<string> = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
const UNTRUSTED_ASSOC: readonly string[] = ['CONTRIBUTOR', 'FIRST_TIMER', 'FIRST_TIME_CONTRIBUTOR', 'MANNEQUIN', 'NONE'];


/** A string array written as `fromJSON('[…]')`, or undefined. */
function jsonList(arg: string): string[] | undefined {
  const m = /^fromjson\s*\(\s*'((?:[^']|'')*)'\s*\)$/i.exec(arg.trim());
  if (!m) return undefined;
  try {
    const v: unknown = JSON.parse(m[1].replace(/''/g, "'"));
    return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** One comparison that admits only trusted commenters: a trusted association or a named user. */
function trustAtom(operand: string): boolean {
  const t = unwrap(operand);
  const left = /^([\w.\s]+?)\s*==\s*'([^']*)'$/.exec(t);
  const right = left ? undefined : /^'([^']*)'\s*==\s*([\w.\s]+?)$/.exec(t);
  const eq = left ? { ref: left[1].trim(), lit: left[2] } : right ? { ref: right[2].trim(), lit: right[1] } : undefined;
  if (eq) {
    if (ASSOC_REF.test(eq.ref)) return TRUSTED_ASSOC.has(eq.lit.toUpperCase());
    return LOGIN_REF.test(eq.ref) && eq.lit.trim() !== '';
  }
  const c = /^contains\s*\(([\s\S]*),\s*([\w.\s]+)\)$/i.exec(t);
  if (!c) return false;
  const [arg, ref] = [c[1].trim(), c[2].trim()];
  const list = jsonList(arg);
  if (ASSOC_REF.test(ref)) {
    if (list) return list.every((x) => TRUSTED_ASSOC.has(x.toUpperCase()));
    // `contains('OWNER,MEMBER', …)` is a substring test: safe only if no other association is a substring.
    const lit = /^'([^']*)'$/.exec(arg)?.[1].toUpperCase();
    return lit !== undefined && [...TRUSTED_ASSOC].some((a) => lit.includes(a)) && !UNTRUSTED_ASSOC.some((a) => lit.includes(a));
  }
  return LOGIN_REF.test(ref) && list !== undefined;
}

/**
 * Does the condition admit only trusted commenters? True when a top-level `&&` conjunct is a trusted
 * association / named-user comparison, or an `||` of such comparisons only.
 * `github.event.issue.pull_request` (the comment is on a pull request) is not such a condition.
 */
export function commenterGuard(cond: string | undefined): boolean {
  if (!cond) return false;
  const expr = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(cond)?.[1] ?? cond;
  for (const conjunct of splitLogical(expr, '&&')) {
    const alternatives = splitLogical(unwrap(conjunct), '||');
    if (alternatives.every((a) => trustAtom(a))) return true;
  }
  return false;
}

/** A step that asks whether the pull request comes from a fork (`gh pr view --json isCrossRepository`, `pr.head.repo.fork`). */
export const FORK_CHECK = /\bisCrossRepository\b|\bhead\.repo\.fork\b/;

/**
 * The job it needs (one of `forkChecks`, jobs with a `FORK_CHECK` step) whose output the job's `if:` requires to
 * say "not a fork" (`needs.<id>.outputs.<x> == 'false'` or `!= 'true'`, no `||`), if any.
 */
export function forkGateOf(job: Job, forkChecks: ReadonlySet<string>): string | undefined {
  const cond = job.if?.value;
  if (!cond || forkChecks.size === 0 || cond.includes('||')) return undefined;
  for (const m of cond.matchAll(/\bneeds\s*\.\s*([A-Za-z_][\w-]*)\s*\.\s*outputs\s*\.\s*[\w-]+\s*(?:==\s*'?false\b'?|!=\s*'?true\b'?)/gi)) {
    if (job.needs.includes(m[1]) && forkChecks.has(m[1])) return m[1];
  }
  return undefined;
}

/** How a job is restricted to trusted commenters, if it is (`issue_comment` only). */
export function commentGuardOf(job: Job, checkoutStep: Step, permissionStep: Step | undefined, gatedByNeeds: string | undefined): string | undefined {
  if (commenterGuard(job.if?.value)) return `the job's \`if:\` (\`${job.if?.value.trim()}\`)`;
  if (commenterGuard(checkoutStep.if?.value)) return `the checkout step's \`if:\` (\`${checkoutStep.if?.value.trim()}\`)`;
  if (permissionStep) return `a permission check of the commenter in ${stepLabel(permissionStep)}`;
  if (gatedByNeeds) return `the job it needs, \`${gatedByNeeds}\`, which checks the commenter`;
  return undefined;
}

/** `github.event.label.name == 'x'` (either side) or `contains(github.event.pull_request.labels.*.name, 'x')`. */
const LABEL_ATOM =
  /^(?:github\s*\.\s*event\s*\.\s*label\s*\.\s*name\s*==\s*'[^']+'|'[^']+'\s*==\s*github\s*\.\s*event\s*\.\s*label\s*\.\s*name|contains\s*\(\s*github\s*\.\s*event\s*\.\s*pull_request\s*\.\s*labels\s*\.\s*\*\s*\.\s*name\s*,\s*'[^']+'\s*\))$/i;

/**
 * A `pull_request_target` condition that requires a label: only people with triage or write
 * access can label a pull request, so a maintainer chose to run it (the "safe to test" gate).
 * As for comment guards, every alternative of some `&&` conjunct must be such a test.
 */
export function labelGuard(cond: string | undefined): boolean {
  if (!cond) return false;
  const expr = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(cond)?.[1] ?? cond;
  for (const conjunct of splitLogical(expr, '&&')) {
    const alternatives = splitLogical(unwrap(conjunct), '||');
    if (alternatives.every((a) => LABEL_ATOM.test(unwrap(a).trim()))) return true;
  }
  return false;
}

/** Where a `pull_request_target` checkout is gated on a label, described; undefined when it is not. */
export function labelGuardOf(job: Job, checkoutStep: Step): string | undefined {
  if (labelGuard(job.if?.value)) return `the job's \`if:\` (\`${job.if?.value.trim()}\`)`;
  if (labelGuard(checkoutStep.if?.value)) return `the checkout step's \`if:\` (\`${checkoutStep.if?.value.trim()}\`)`;
  return undefined;
}
