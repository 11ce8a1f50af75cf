import type { EffectiveProtection, GovernanceSnapshot, Observed, PermissionsDecl } from '../model/index.js';

/** Bumped when the baseline's shape changes; L0 schema_hash refuses versions it does not know. */
export const BASELINE_SCHEMA_VERSION = 1;
export const SUPPORTED_BASELINE_VERSIONS: readonly number[] = [1];

export interface WorkflowFacts {
  triggers: string[];
  /** Workflow-level permissions rendered as text (`write-all`, `contents:read,…`, `(none)`). */
  permissions: string;
  /** Job id → effective permissions text. */
  jobs: Record<string, string>;
}

/** A structured governance snapshot: what drift is measured against. */
export interface Baseline {
  schemaVersion: number;
  createdAt: string;
  repository: string;
  ref: string;
  sha: string;
  /** Tracked governance files (policy `drift.paths`): path → sha256. */
  files: Record<string, string>;
  workflows: Record<string, WorkflowFacts>;
  /** Flattened effective protection (key → value), or null when it could not be read. */
  protection: Record<string, string> | null;
  requiredChecks: string[] | null;
}

function permissionsText(p: PermissionsDecl | undefined): string {
  if (!p) return '(none)';
  if (p.kind !== 'scopes') return p.raw ?? p.kind;
  const scopes = Object.entries(p.scopes).sort(([a], [b]) => (a < b ? -1 : 1));
  return scopes.length === 0 ? '{}' : scopes.map(([k, v]) => `${k}:${v}`).join(',');
}

function flattenProtection(p: EffectiveProtection): Record<string, string> {
  const out: Record<string, string> = {
    'require-pull-request': String(p.requirePullRequest.value),
    approvals: String(p.approvals.value),
    'code-owner-review': String(p.codeOwnerReview.value),
    'last-push-approval': String(p.lastPushApproval.value),
    'strict-checks': String(p.strictChecks.value),
    'linear-history': String(p.linearHistory.value),
    'signed-commits': String(p.signedCommits.value),
    'force-push-allowed': String(p.forcePushAllowed.value),
    'deletion-allowed': String(p.deletionAllowed.value),
    'admin-bypass': String(p.adminBypass.value),
    'merge-queue': String(p.mergeQueue.value),
    'bypass-actors': p.bypassActors.map((a) => `${a.actorType}:${a.actorId ?? ''}:${a.bypassMode ?? ''}`).sort().join(',')
  };
  return out;
}

export function buildBaseline(
  snapshot: GovernanceSnapshot,
  trackedFiles: Record<string, string>,
  meta: { repository: string; ref: string; sha: string; createdAt: string }
): Baseline {
  const workflows: Record<string, WorkflowFacts> = {};
  for (const wf of snapshot.workflows) {
    if (wf.kind !== 'workflow' || wf.parseError) continue;
    const jobs: Record<string, string> = {};
    for (const j of wf.jobs) jobs[j.id] = permissionsText(j.permissions ?? wf.permissions);
    workflows[wf.path] = { triggers: wf.triggers.map((t) => t.event).sort(), permissions: permissionsText(wf.permissions), jobs };
  }
  const prot: Observed<EffectiveProtection> = snapshot.protection;
  return {
    schemaVersion: BASELINE_SCHEMA_VERSION,
    ...meta,
    files: { ...trackedFiles },
    workflows,
    protection: prot.status === 'observed' ? flattenProtection(prot.value) : null,
    requiredChecks: prot.status === 'observed' ? prot.value.requiredChecks.map((c) => c.context).sort() : null
  };
}

/** Validates a loaded baseline; throws with a clear reason when it is not one. */
export function parseBaseline(value: unknown): Baseline {
  const b = value as Partial<Baseline> | null;
  if (!b || typeof b !== 'object') throw new Error('the baseline is not a JSON object');
  if (typeof b.schemaVersion !== 'number') throw new Error('the baseline has no schemaVersion');
  if (typeof b.files !== 'object' || b.files === null || typeof b.workflows !== 'object' || b.workflows === null) {
    throw new Error('the baseline lacks its files or workflows sections');
  }
  return b as Baseline;
}
