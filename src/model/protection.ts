/** Where a protection value came from. */
export type ProtectionSource =
  | { kind: 'ruleset'; id: number; name: string }
  | { kind: 'classic' }
  | { kind: 'repository' };

export interface Sourced<T> {
  value: T;
  sources: ProtectionSource[];
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
  /** Classic `enforce_admins: false` means admins bypass. */
  adminBypass: Sourced<boolean>;
  bypassActors: BypassActor[];
  mergeQueue: Sourced<boolean>;
  /** Parts that could not be read (e.g. classic protection with the default token). */
  partial: { subject: string; reason: string; missingPermission?: string }[];
}

export const GITHUB_ACTIONS_APP_ID = 15368;

export interface MergeGroupPR {
  number: number;
  changedFiles: string[];
}

export interface MergeGroupContents {
  baseRef: string;
  baseSha: string;
  headSha: string;
  headRef: string;
  prs: MergeGroupPR[];
  /** Files changed between base and head of the group. */
  compareFiles: string[];
}
