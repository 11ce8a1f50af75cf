import { originDefaultBranch } from '../collect/git-default-branch.js';
import { readFile } from 'node:fs/promises';
import { collectGitHub, type GitHubState } from '../collect/github.js';
import { readBasePolicy } from '../collect/base-policy.js';
import { collectWorkspace, type WorkspaceState } from '../collect/workspace.js';
import { ConfigurationError } from '../config/errors.js';
import { defaultPolicy, parsePolicy } from '../config/policy.js';
import type { DegradedReason, GovernanceSnapshot, Policy, Settings, Unobservable } from '../model/index.js';
import { RULES } from '../rules/index.js';
import type { Log } from './log.js';
import { loadPolicy } from './policy-source.js';

export interface CollectedState {
  snapshot: GovernanceSnapshot;
  workspace: WorkspaceState;
  github: GitHubState;
  degraded: DegradedReason[];
  degradedDetail: string[];
  /** Collector-level gaps (the rules add their own). */
  unobservable: Unobservable[];
}

/** The event payload the runner wrote; {} when there is none (local runs) or it is unreadable. */
export async function readEventPayload(eventPath: string | undefined, log: Log): Promise<unknown> {
  if (!eventPath) return {};
  try {
    return JSON.parse(await readFile(eventPath, 'utf8'));
  } catch (err) {
    log.warning(`The event payload ${eventPath} could not be read (${(err as Error).message}); continuing without it.`);
    return {};
  }
}

/** The branch a pull request or merge group merges into; undefined for other events. */
export function baseRefOf(eventName: string, payload: unknown, env: NodeJS.ProcessEnv): string | undefined {
  const p = (payload ?? {}) as { pull_request?: { base?: { ref?: unknown } }; merge_group?: { base_ref?: unknown } };
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    const ref = p.pull_request?.base?.ref;
    return typeof ref === 'string' && ref ? ref : env.GITHUB_BASE_REF || undefined;
  }
  if (eventName === 'merge_group') {
    const ref = p.merge_group?.base_ref;
    return typeof ref === 'string' && ref ? ref.replace(/^refs\/heads\//, '') : undefined;
  }
  return undefined;
}

/**
 * On pull requests and merge groups the policy comes from the base branch, so a change cannot
 * excuse itself (its own suppressions, thresholds or rule switches). When the base policy cannot
 * be read or is broken, the change's policy is used with every suppression removed, and the run
 * says so.
 */
async function resolvePolicy(settings: Settings, payload: unknown, log: Log): Promise<{ policy: Policy; unobservable?: Unobservable }> {
  const ids = RULES.map((r) => r.meta.id);
  const baseRef = baseRefOf(settings.run.eventName, payload, process.env);
  if (!baseRef) return { policy: await loadPolicy(settings.workspace, settings.policyPath, ids) };
  const r = await readBasePolicy({
    workspace: settings.workspace,
    baseRef,
    policyPath: settings.policyPath,
    api: settings.githubToken ? { token: settings.githubToken, apiUrl: settings.run.apiUrl, repository: settings.run.repository } : undefined
  });
  let problem: string;
  if (!('error' in r)) {
    if (r.text === null) return { policy: defaultPolicy(r.source) };
    try {
      return { policy: parsePolicy(r.text, r.source, ids) };
    } catch (err) {
      if (!(err instanceof ConfigurationError)) throw err;
      problem = `the base branch's policy is broken (${err.message})`;
    }
  } else problem = r.error;
  const own = await loadPolicy(settings.workspace, settings.policyPath, ids);
  log.warning(`The policy could not be taken from the base branch ${baseRef}: ${problem}. Using this change's policy without its suppressions.`);
  return {
    policy: { ...own, suppressions: [] },
    unobservable: { subject: `policy on the base branch ${baseRef}`, reason: `${problem}; this change's policy was used with its suppressions ignored` }
  };
}

/** Operators may shorten (or lengthen) how long pm-action waits out GitHub API trouble. */
export function retryBudget(value: string | undefined): { budgetMs: number } | undefined {
  const n = Number(value);
  return value && Number.isFinite(n) && n >= 0 ? { budgetMs: n } : undefined;
}

/** Reads the workspace and the GitHub API into one GovernanceSnapshot. Never throws for API trouble. */
export async function collectSnapshot(settings: Settings, log: Log, policyOverride?: Policy): Promise<CollectedState> {
  const payload = await readEventPayload(settings.run.eventPath, log);
  const [resolved, workspace] = await Promise.all([
    policyOverride ? { policy: policyOverride, unobservable: undefined } : resolvePolicy(settings, payload, log),
    collectWorkspace(settings.workspace, settings.policyPath)
  ]);
  const policy = resolved.policy;
  const github = await collectGitHub({
    token: settings.githubToken,
    apiUrl: settings.run.apiUrl,
    repository: settings.run.repository,
    eventName: settings.run.eventName,
    eventPayload: payload,
    log,
    retry: retryBudget(process.env.PM_ACTION_GITHUB_RETRY_BUDGET_MS)
  });

  const degraded: DegradedReason[] = [];
  const degradedDetail: string[] = [];
  if (github.apiUnavailable) {
    degraded.push('github_api_unavailable');
    degradedDetail.push(`GitHub API unavailable: ${github.apiUnavailable}`);
  }
  const unobservable: Unobservable[] = resolved.unobservable ? [resolved.unobservable] : [];
  if (github.protection.status === 'unobservable') {
    unobservable.push({ subject: 'branch protection and rulesets', reason: github.protection.reason, missingPermission: github.protection.missingPermission });
  }
  if (github.defaultWorkflowPermissions.status === 'unobservable') {
    const d = github.defaultWorkflowPermissions;
    unobservable.push({ subject: 'repository default workflow permissions', reason: d.reason, missingPermission: d.missingPermission });
  }

  // The API's CODEOWNERS error list supplements the local parse.
  let codeowners = workspace.codeowners;
  if (codeowners && github.codeownersErrors && github.codeownersErrors.length > 0) {
    const seen = new Set(codeowners.errors.map((e) => `${e.line}:${e.message}`));
    codeowners = { ...codeowners, errors: [...codeowners.errors, ...github.codeownersErrors.filter((e) => !seen.has(`${e.line}:${e.message}`))] };
  }

  const [owner, name] = settings.run.repository.split('/');
  // Without a payload or a token, the clone's origin/HEAD still says which branch is the default.
  const defaultBranch = github.defaultBranch ?? (await originDefaultBranch(settings.workspace));
  const snapshot: GovernanceSnapshot = {
    repo: { owner, name, defaultBranch },
    event: { name: settings.run.eventName, targetBranch: github.targetBranch ?? defaultBranch, sha: settings.run.sha, ref: settings.run.ref },
    workflows: workspace.workflows,
    codeowners,
    policy,
    files: workspace.files,
    trackedPaths: workspace.trackedPaths,
    protection: github.protection,
    defaultWorkflowPermissions: github.defaultWorkflowPermissions,
    ...(github.mergeGroup ? { mergeGroup: github.mergeGroup } : {})
  };
  log.info(
    `Collected ${workspace.workflows.length} workflow/action file(s), ${workspace.trackedPaths.length} tracked path(s), ` +
      `${github.requestCount} GitHub API request(s); policy: ${policy.source}`
  );
  return { snapshot, workspace, github, degraded, degradedDetail, unobservable };
}
