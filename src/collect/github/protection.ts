/**
 * Pure: GitHub REST payloads → EffectiveProtection. Every payload is checked for shape; a payload
 * of the wrong shape is reported as a string (the caller turns it into `unobservable`), never
 * thrown.
 */
import type { Observed } from '../../model/common.js';
import type { BypassActor, EffectiveProtection, ProtectionSource, RequiredCheck, Sourced } from '../../model/protection.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One item of `GET /repos/{o}/{r}/rules/branches/{b}`. */
export interface BranchRule {
  type: string;
  parameters: Obj;
  rulesetId?: number;
  rulesetSourceType?: string;
  rulesetSource?: string;
}

export interface RulesetInfo {
  id: number;
  name: string;
  sourceType?: string;
  source?: string;
  /** Undefined when the response did not include them (token without write access to the ruleset). */
  bypassActors?: { actorType: string; actorId: number | null; bypassMode?: string }[];
}

/** Classic protection as read (`none` = observed: the branch is not protected). */
export type ClassicProtection =
  | { kind: 'none' }
  | {
      kind: 'protected';
      checks: { context: string; appId: number | null }[];
      strict: boolean;
      enforceAdmins: boolean;
      reviews?: { approvals: number; codeOwners: boolean; lastPush: boolean; bypass: BypassActor[] };
      linearHistory: boolean;
      signatures: boolean;
      forcePushes: boolean;
      deletions: boolean;
    };

/** Parse the pages of `rules/branches/{b}`. */
export function parseBranchRules(pages: readonly unknown[]): BranchRule[] | string {
  const out: BranchRule[] = [];
  for (const page of pages) {
    if (!Array.isArray(page)) return `expected a list of rules, got ${describe(page)}`;
    for (const item of page) {
      if (!isObj(item) || typeof item.type !== 'string') return `a rule is not an object with a "type": ${describe(item)}`;
      if (item.parameters !== undefined && !isObj(item.parameters)) return `rule "${item.type}" has parameters that are not an object`;
      out.push({
        type: item.type,
        parameters: (item.parameters as Obj | undefined) ?? {},
        rulesetId: typeof item.ruleset_id === 'number' ? item.ruleset_id : undefined,
        rulesetSourceType: typeof item.ruleset_source_type === 'string' ? item.ruleset_source_type : undefined,
        rulesetSource: typeof item.ruleset_source === 'string' ? item.ruleset_source : undefined
      });
    }
  }
  return out;
}

/** Parse `GET /repos/{o}/{r}/rulesets/{id}`. */
export function parseRuleset(data: unknown): RulesetInfo | string {
  if (!isObj(data) || typeof data.id !== 'number' || typeof data.name !== 'string') return `expected a ruleset with "id" and "name", got ${describe(data)}`;
  const info: RulesetInfo = {
    id: data.id,
    name: data.name,
    sourceType: typeof data.source_type === 'string' ? data.source_type : undefined,
    source: typeof data.source === 'string' ? data.source : undefined
  };
  if (Array.isArray(data.bypass_actors)) {
    info.bypassActors = [];
    for (const a of data.bypass_actors) {
      if (!isObj(a) || typeof a.actor_type !== 'string') return 'a bypass actor has no "actor_type"';
      info.bypassActors.push({
        actorType: a.actor_type,
        actorId: typeof a.actor_id === 'number' ? a.actor_id : null,
        bypassMode: typeof a.bypass_mode === 'string' ? a.bypass_mode : undefined
      });
    }
  }
  return info;
}

const enabled = (v: unknown): boolean => isObj(v) && v.enabled === true;

/** Parse `GET /repos/{o}/{r}/branches/{b}/protection`. */
export function parseClassic(data: unknown): ClassicProtection | string {
  if (!isObj(data)) return `expected a branch protection object, got ${describe(data)}`;
  const classic: Extract<ClassicProtection, { kind: 'protected' }> = {
    kind: 'protected',
    checks: [],
    strict: false,
    enforceAdmins: enabled(data.enforce_admins),
    linearHistory: enabled(data.required_linear_history),
    signatures: enabled(data.required_signatures),
    forcePushes: enabled(data.allow_force_pushes),
    deletions: enabled(data.allow_deletions)
  };
  const rsc = data.required_status_checks;
  if (rsc !== undefined && rsc !== null) {
    if (!isObj(rsc)) return '"required_status_checks" is not an object';
    classic.strict = rsc.strict === true;
    const seen = new Set<string>();
    if (Array.isArray(rsc.checks)) {
      for (const c of rsc.checks) {
        if (!isObj(c) || typeof c.context !== 'string') return 'a required status check has no "context"';
        classic.checks.push({ context: c.context, appId: typeof c.app_id === 'number' ? c.app_id : null });
        seen.add(c.context);
      }
    }
    if (rsc.contexts !== undefined) {
      if (!Array.isArray(rsc.contexts) || rsc.contexts.some((c) => typeof c !== 'string')) return '"required_status_checks.contexts" is not a list of names';
      for (const c of rsc.contexts as string[]) if (!seen.has(c)) classic.checks.push({ context: c, appId: null });
    }
  }
  const prr = data.required_pull_request_reviews;
  if (prr !== undefined && prr !== null) {
    if (!isObj(prr)) return '"required_pull_request_reviews" is not an object';
    const bypass: BypassActor[] = [];
    const allow = prr.bypass_pull_request_allowances;
    if (isObj(allow)) {
      for (const [key, type] of [['users', 'User'], ['teams', 'Team'], ['apps', 'Integration']] as const) {
        const list = allow[key];
        if (Array.isArray(list)) for (const a of list) bypass.push({ actorType: type, actorId: isObj(a) && typeof a.id === 'number' ? a.id : null, bypassMode: 'pull_request', source: { kind: 'classic' } });
      }
    }
    classic.reviews = {
      approvals: typeof prr.required_approving_review_count === 'number' ? prr.required_approving_review_count : 0,
      codeOwners: prr.require_code_owner_reviews === true,
      lastPush: prr.require_last_push_approval === true,
      bypass
    };
  }
  return classic;
}

/** Admin role bypass: the repository admin role (id 5), organisation admins, enterprise owners. */
export function isAdminActor(a: { actorType: string; actorId?: number | null }): boolean {
  return a.actorType === 'OrganizationAdmin' || a.actorType === 'EnterpriseOwner' || (a.actorType === 'RepositoryRole' && a.actorId === 5);
}

function sameSource(a: ProtectionSource, b: ProtectionSource): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'ruleset' || a.id === (b as { id: number }).id;
}

function addSource(list: ProtectionSource[], s: ProtectionSource): void {
  if (!list.some((x) => sameSource(x, s))) list.push(s);
}

export interface ProtectionInputs {
  branch: string;
  rules: Observed<BranchRule[]>;
  /** Ruleset details by id (those that could be read). */
  rulesets: Map<number, RulesetInfo>;
  /** Ruleset ids whose details could not be read, with why. */
  rulesetErrors: Map<number, string>;
  classic: Observed<ClassicProtection>;
}

/**
 * Merge rulesets and classic protection. Stricter wins: required checks are the union, approvals
 * the maximum, booleans that require something are true when any source requires it, force push /
 * deletion are allowed only when no source forbids them. When one side could not be read, values
 * are marked incomplete and the side is listed in `partial`. Both unreadable → unobservable.
 */
export function mergeProtection(inp: ProtectionInputs): Observed<EffectiveProtection> {
  const { rules, classic } = inp;
  if (rules.status === 'unobservable' && classic.status === 'unobservable') {
    return {
      status: 'unobservable',
      reason: `neither the rulesets (${rules.reason}) nor classic branch protection (${classic.reason}) for ${inp.branch} could be read`,
      missingPermission: classic.missingPermission ?? rules.missingPermission
    };
  }
  const complete = rules.status === 'observed' && classic.status === 'observed';
  const flag = <T>(value: T): Sourced<T> => (complete ? { value, sources: [] } : { value, sources: [], complete: false });
  const p: EffectiveProtection = {
    branch: inp.branch,
    requiredChecks: [],
    strictChecks: flag(false),
    requirePullRequest: flag(false),
    approvals: flag(0),
    codeOwnerReview: flag(false),
    lastPushApproval: flag(false),
    linearHistory: flag(false),
    signedCommits: flag(false),
    forcePushAllowed: flag(true),
    deletionAllowed: flag(true),
    adminBypass: flag(false),
    bypassActors: [],
    mergeQueue: flag(false),
    appliedSources: [],
    partial: []
  };
  if (!complete) p.requiredChecksComplete = false;
  const approvalsBy: [number, ProtectionSource][] = [];
  const applied = p.appliedSources as ProtectionSource[];
  const set = (field: Sourced<boolean>, s: ProtectionSource, value = true): void => {
    field.value = value;
    addSource(field.sources, s);
  };
  const addCheck = (context: string, integrationId: number | null, s: ProtectionSource): void => {
    let c: RequiredCheck | undefined = p.requiredChecks.find((x) => x.context === context && (x.integrationId ?? null) === integrationId);
    if (!c) {
      c = { context, integrationId, sources: [] };
      p.requiredChecks.push(c);
    }
    addSource(c.sources, s);
  };

  if (rules.status === 'unobservable') {
    p.partial.push({ subject: `repository rulesets for ${inp.branch}`, reason: rules.reason, missingPermission: rules.missingPermission });
  } else {
    const sources = new Map<number, ProtectionSource>();
    const sourceOf = (r: BranchRule): ProtectionSource => {
      const id = r.rulesetId ?? -1;
      let s = sources.get(id);
      if (!s) {
        const info = inp.rulesets.get(id);
        s = {
          kind: 'ruleset',
          id,
          name: info?.name ?? (id >= 0 ? `ruleset ${id}` : 'unknown ruleset'),
          sourceType: info?.sourceType ?? r.rulesetSourceType,
          source: info?.source ?? r.rulesetSource
        };
        sources.set(id, s);
        addSource(applied, s);
        if (info?.bypassActors) {
          for (const a of info.bypassActors) {
            p.bypassActors.push({ ...a, source: s });
            if (isAdminActor(a)) set(p.adminBypass, s);
          }
        } else {
          p.bypassActorsComplete = false;
          p.adminBypass.complete = false;
          const why = inp.rulesetErrors.get(id) ?? 'the API did not return the bypass list (it is shown only to tokens with write access to the ruleset)';
          p.partial.push({ subject: `bypass actors of ${s.name}`, reason: why });
        }
      }
      return s;
    };
    for (const r of rules.value) {
      const s = sourceOf(r);
      const q = r.parameters;
      switch (r.type) {
        case 'required_status_checks': {
          const list = Array.isArray(q.required_status_checks) ? q.required_status_checks : [];
          for (const c of list) {
            if (isObj(c) && typeof c.context === 'string') addCheck(c.context, typeof c.integration_id === 'number' ? c.integration_id : null, s);
          }
          if (q.strict_required_status_checks_policy === true) set(p.strictChecks, s);
          break;
        }
        case 'pull_request': {
          set(p.requirePullRequest, s);
          approvalsBy.push([typeof q.required_approving_review_count === 'number' ? q.required_approving_review_count : 0, s]);
          if (q.require_code_owner_review === true) set(p.codeOwnerReview, s);
          if (q.require_last_push_approval === true) set(p.lastPushApproval, s);
          break;
        }
        case 'required_linear_history':
          set(p.linearHistory, s);
          break;
        case 'required_signatures':
          set(p.signedCommits, s);
          break;
        case 'non_fast_forward':
          set(p.forcePushAllowed, s, false);
          break;
        case 'deletion':
          set(p.deletionAllowed, s, false);
          break;
        case 'merge_queue':
          set(p.mergeQueue, s);
          break;
        default:
          break;
      }
    }
  }

  if (classic.status === 'unobservable') {
    p.partial.push({ subject: `classic branch protection for ${inp.branch}`, reason: classic.reason, missingPermission: classic.missingPermission });
    p.adminBypass.complete = false;
  } else if (classic.value.kind === 'protected') {
    const c = classic.value;
    const s: ProtectionSource = { kind: 'classic' };
    applied.push(s);
    for (const chk of c.checks) addCheck(chk.context, chk.appId, s);
    if (c.strict) set(p.strictChecks, s);
    if (c.reviews) {
      set(p.requirePullRequest, s);
      approvalsBy.push([c.reviews.approvals, s]);
      if (c.reviews.codeOwners) set(p.codeOwnerReview, s);
      if (c.reviews.lastPush) set(p.lastPushApproval, s);
      p.bypassActors.push(...c.reviews.bypass);
    }
    if (c.linearHistory) set(p.linearHistory, s);
    if (c.signatures) set(p.signedCommits, s);
    if (!c.forcePushes) set(p.forcePushAllowed, s, false);
    if (!c.deletions) set(p.deletionAllowed, s, false);
    if (!c.enforceAdmins) set(p.adminBypass, s);
  }
  // Approvals: the highest count wins; its sources are those that ask for it.
  for (const [n] of approvalsBy) if (n > p.approvals.value) p.approvals.value = n;
  if (p.approvals.value > 0) for (const [n, s] of approvalsBy) if (n === p.approvals.value) addSource(p.approvals.sources, s);
  return { status: 'observed', value: p };
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.trim() === '' ? 'an empty body' : `text "${v.trim().slice(0, 60)}"`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
