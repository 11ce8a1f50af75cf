import type { Observed } from './common.js';
import type { CodeownersFile } from './codeowners.js';
import type { Policy } from './policy.js';
import type { EffectiveProtection, MergeGroupContents } from './protection.js';
import type { WorkflowFile } from './workflow.js';

export interface RepoRef {
  owner: string;
  name: string;
  defaultBranch?: string;
}

export interface EventInfo {
  name: string;
  /** Branch whose protection applies: PR base, merge-group base, else the default branch. */
  targetBranch?: string;
  sha?: string;
  ref?: string;
}

export interface GovernanceSnapshot {
  repo: RepoRef;
  event: EventInfo;
  workflows: WorkflowFile[];
  codeowners: CodeownersFile | null;
  policy: Policy;
  /** Governance files: path → sha256. */
  files: Record<string, string>;
  /** Every tracked file path (posix, repo-relative), for pattern matching. */
  trackedPaths: string[];
  protection: Observed<EffectiveProtection>;
  defaultWorkflowPermissions: Observed<'read' | 'write'>;
  mergeGroup?: Observed<MergeGroupContents>;
}
