/** Where a protection value came from. */
export type ProtectionSource =
  | {
      kind: 'ruleset';
      id: number;
      name: string;
      /** `Repository` or `Organization` (the ruleset's `source_type`), when known. */
      sourceType?: string;
      /** `owner/repo` or the organisation that owns the ruleset, when known. */
      source?: string;
    }
  | { kind: 'classic' }
  | { kind: 'repository' };

/**
 * A merged protection value and the sources that set it.
 *
 * `complete: false` means a source that could have set the value could not be read (typically
 * classic branch protection with the default token): `value` is then only what the readable
 * sources say. Rules must not claim a difference the unread source could explain. Absent means
 * complete.
 */
export interface Sourced<T> {
  value: T;
  sources: ProtectionSource[];
  complete?: boolean;
}

export interface RequiredCheck {
  context: string;
  /** GitHub App id the check must come from; null/undefined = any. 15368 is GitHub Actions. */
  integrationId?: number | null;
  sources: ProtectionSource[];
}

export interface BypassActor {
  actorType: string;
  actorId?: number | null;
  bypassMode?: string;
  source: ProtectionSource;
}

/** Rulesets, classic protection and the merge-queue rule merged for one branch. */
export interface EffectiveProtection {
  branch: string;
  requiredChecks: RequiredCheck[];
  /** False when a source of required checks could not be read (absent = complete). */
  requiredChecksComplete?: boolean;
  /** Checks must be up to date with the base branch. */
  strictChecks: Sourced<boolean>;
  requirePullRequest: Sourced<boolean>;
  approvals: Sourced<number>;
  codeOwnerReview: Sourced<boolean>;
  lastPushApproval: Sourced<boolean>;
  linearHistory: Sourced<boolean>;
  signedCommits: Sourced<boolean>;
  forcePushAllowed: Sourced<boolean>;
  deletionAllowed: Sourced<boolean>;
  /**
   * Someone with the admin role can bypass a protection source: classic `enforce_admins: false`,
   * or a ruleset bypass actor that is the repository admin role, an organisation admin or an
   * enterprise owner.
   */
  adminBypass: Sourced<boolean>;
  bypassActors: BypassActor[];
  /** False when some ruleset's bypass list could not be read (absent = complete). */
  bypassActorsComplete?: boolean;
  mergeQueue: Sourced<boolean>;
  /** Every source that applies to the branch (rulesets with active rules, classic when present). */
  appliedSources?: ProtectionSource[];
  /** Parts that could not be read (e.g. classic protection with the default token). */
  partial: { subject: string; reason: string; missingPermission?: string }[];
}

export const GITHUB_ACTIONS_APP_ID = 15368;

export interface MergeGroupPR {
  number: number;
  title?: string;
  changedFiles: string[];
  /** Set when the PR's file list could not be read; `changedFiles` is then empty. */
  filesUnobservable?: string;
  /** How the PR was found: named in the queue branch, or associated with a commit of the group. */
  foundBy?: 'head_ref' | 'commit';
}

export interface MergeGroupContents {
  baseRef: string;
  baseSha: string;
  headSha: string;
  headRef: string;
  prs: MergeGroupPR[];
  /** Files changed between base and head of the group. */
  compareFiles: string[];
  /** GitHub lists at most 300 files for a comparison; true when that limit may have been hit. */
  compareFilesTruncated?: boolean;
}

/** `ruleset "name" (id 42)`, `classic branch protection`, `repository settings`. */
export function describeSource(s: ProtectionSource): string {
  if (s.kind === 'ruleset') {
    const org = s.sourceType === 'Organization' ? ` of organisation ${s.source ?? ''}`.trimEnd() : '';
    return `ruleset "${s.name}" (id ${s.id})${org}`;
  }
  return s.kind === 'classic' ? 'classic branch protection' : 'repository settings';
}

export function describeSources(sources: readonly ProtectionSource[]): string {
  if (sources.length === 0) return 'no protection source';
  return sources.map(describeSource).join(' and ');
}
