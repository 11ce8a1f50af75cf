/**
 * GitHub API collector: the state pm-action cannot see in the checkout.
 *
 * - effective protection of the target branch: active ruleset rules
 *   (`GET /repos/{o}/{r}/rules/branches/{b}`, readable with the default token), the rulesets'
 *   names and bypass lists (`GET /repos/{o}/{r}/rulesets/{id}`, once per ruleset that applies) and
 *   classic branch protection (`GET …/branches/{b}/protection`: 403 → unobservable with the missing
 *   permission, never "unprotected"; 404 `Branch not protected` → observed, no classic protection),
 *   merged by `mergeProtection`;
 * - repository default workflow permissions (`GET …/actions/permissions/workflow`);
 * - CODEOWNERS errors (`GET …/codeowners/errors`);
 * - on `merge_group`: the group's PRs (from `head_ref` and `GET …/commits/{sha}/pulls` for the
 *   compare's commits), their files (`GET …/pulls/{n}/files`) and `GET …/compare/{base}...{head}`.
 *
 * Target branch: the PR base, the merge-group base, else the repository default branch (from the
 * event payload, else `GET /repos/{o}/{r}`).
 *
 * Never throws. At most one request per URL (pagination aside; retries count as requests); the
 * count is logged with `log.debug` and returned. Without a token nothing is requested and
 * everything is unobservable.
 */
import type { Observed } from '../model/common.js';
import type { CodeownersError } from '../model/codeowners.js';
import type { EffectiveProtection, MergeGroupContents, MergeGroupPR } from '../model/protection.js';
import { GitHubClient, type HttpResult, type RetryOptions } from './github/http.js';
import {
  describe,
  mergeProtection,
  parseBranchRules,
  parseClassic,
  parseRuleset,
  type BranchRule,
  type ClassicProtection,
  type RulesetInfo
} from './github/protection.js';

export interface GitHubState {
  defaultBranch?: string;
  targetBranch?: string;
  protection: Observed<EffectiveProtection>;
  defaultWorkflowPermissions: Observed<'read' | 'write'>;
  /** Errors GitHub reports for CODEOWNERS; [] when there are none (or no file); null when unreadable. */
  codeownersErrors: CodeownersError[] | null;
  /** Only on `merge_group` events. */
  mergeGroup?: Observed<MergeGroupContents>;
  /** Requests sent (every attempt and every page). */
  requestCount: number;
  /** Set when the API could not be reached (network, 5xx or rate limit after retries): degrade with github_api_unavailable. */
  apiUnavailable?: string;
}

export interface CollectGitHubOptions {
  token: string;
  apiUrl: string;
  repository: string;
  eventName: string;
  eventPayload: unknown;
  log: { debug(m: string): void; warning(m: string): void };
  /** Retry tuning (tests keep the budget tiny). */
  retry?: Partial<RetryOptions>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Most commits of a merge group whose associated PRs are looked up (default 100). */
  maxMergeGroupCommits?: number;
  /** Most rulesets whose names and bypass lists are read (default 20). */
  maxRulesets?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const get = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((cur, k) => (isObj(cur) ? cur[k] : undefined), o);

export const ADMIN_READ = 'Administration: read';
const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);
const QUEUE_REF = /^(?:refs\/heads\/)?gh-readonly-queue\/(.+)\/pr-(\d+)-([0-9a-f]{7,40})$/;

function un<T>(reason: string, missingPermission?: string): Observed<T> {
  return missingPermission ? { status: 'unobservable', reason, missingPermission } : { status: 'unobservable', reason };
}

function failure(what: string, r: Extract<HttpResult, { ok: false }>): string {
  return r.kind === 'unavailable' ? `GitHub API unavailable (${r.message})` : `${what} returned ${r.status}: ${r.message}`;
}

export async function collectGitHub(opts: CollectGitHubOptions): Promise<GitHubState> {
  const { log } = opts;
  const payload = isObj(opts.eventPayload) ? opts.eventPayload : {};
  const isMergeGroup = opts.eventName === 'merge_group';
  const all = (reason: string, extra: Partial<GitHubState> = {}): GitHubState => ({
    protection: un(reason),
    defaultWorkflowPermissions: un(reason),
    codeownersErrors: null,
    ...(isMergeGroup ? { mergeGroup: un<MergeGroupContents>(reason) } : {}),
    requestCount: 0,
    ...extra
  });

  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(opts.repository.trim());
  if (!m) {
    log.debug('GitHub API requests: 0');
    return all(`the repository name "${opts.repository}" is not owner/name`);
  }
  const [, owner, repo] = m;
  let defaultBranch = str(get(payload, 'repository', 'default_branch'));
  // ---- target branch
  let targetBranch: string | undefined;
  let targetProblem: string | undefined;
  if (PR_EVENTS.has(opts.eventName)) {
    targetBranch = str(get(payload, 'pull_request', 'base', 'ref'));
    if (!targetBranch) targetProblem = `the ${opts.eventName} event payload has no pull_request.base.ref`;
  } else if (isMergeGroup) {
    targetBranch = str(get(payload, 'merge_group', 'base_ref'))?.replace(/^refs\/heads\//, '');
    if (!targetBranch) targetProblem = 'the merge_group event payload has no merge_group.base_ref';
  }
  if (!opts.token) {
    log.debug('GitHub API requests: 0 (no token)');
    return all('no GitHub token', { defaultBranch, targetBranch: targetBranch ?? defaultBranch });
  }

  const client = new GitHubClient({ token: opts.token, apiUrl: opts.apiUrl, log, retry: opts.retry, sleep: opts.sleep, random: opts.random });
  const state = all('not collected');
  const base = { owner, repo };

  if (targetProblem) log.warning(`${targetProblem}; using the repository default branch`);
  if (!targetBranch && !defaultBranch) {
    const r = await client.get('GET /repos/{owner}/{repo}', base);
    if (r.ok) {
      defaultBranch = str(get(r.data, 'default_branch'));
      if (!defaultBranch) targetProblem = `GET /repos/${owner}/${repo} returned ${describe(r.data)} without a default_branch`;
    } else targetProblem = failure(`GET /repos/${owner}/${repo}`, r);
  }
  targetBranch ??= defaultBranch;
  state.defaultBranch = defaultBranch;
  state.targetBranch = targetBranch;

  const headSha = str(get(payload, 'pull_request', 'head', 'sha')) ?? str(get(payload, 'merge_group', 'head_sha'));
  const [protection, dwp, codeowners, mergeGroup] = await Promise.all([
    targetBranch
      ? collectProtection(client, owner, repo, targetBranch, opts.maxRulesets ?? 20)
      : Promise.resolve(un<EffectiveProtection>(`the target branch is unknown: ${targetProblem ?? 'no branch'}`)),
    collectWorkflowPermissions(client, owner, repo),
    collectCodeownersErrors(client, owner, repo, headSha),
    isMergeGroup ? collectMergeGroup(client, owner, repo, payload, opts.maxMergeGroupCommits ?? 100, log) : Promise.resolve(undefined)
  ]);
  state.protection = protection;
  state.defaultWorkflowPermissions = dwp;
  state.codeownersErrors = codeowners;
  if (mergeGroup) state.mergeGroup = mergeGroup;
  else delete state.mergeGroup;
  state.requestCount = client.requests;
  if (client.down) state.apiUnavailable = client.down;
  log.debug(`GitHub API requests: ${client.requests}`);
  return state;
}

async function collectProtection(client: GitHubClient, owner: string, repo: string, branch: string, maxRulesets: number): Promise<Observed<EffectiveProtection>> {
  const rulesPath = `GET /repos/${owner}/${repo}/rules/branches/${branch}`;
  const classicPath = `GET /repos/${owner}/${repo}/branches/${branch}/protection`;
  const [rulesRes, classicRes] = await Promise.all([
    client.getPages('GET /repos/{owner}/{repo}/rules/branches/{branch}', { owner, repo, branch, per_page: 100 }),
    client.get('GET /repos/{owner}/{repo}/branches/{branch}/protection', { owner, repo, branch })
  ]);

  let rules: Observed<BranchRule[]>;
  if (rulesRes.ok) {
    const parsed = parseBranchRules(rulesRes.pages);
    rules = typeof parsed === 'string' ? un(`malformed response from ${rulesPath}: ${parsed}`) : { status: 'observed', value: parsed };
  } else rules = un(failure(rulesPath, rulesRes));

  let classic: Observed<ClassicProtection>;
  if (classicRes.ok) {
    const parsed = parseClassic(classicRes.data);
    classic = typeof parsed === 'string' ? un(`malformed response from ${classicPath}: ${parsed}`) : { status: 'observed', value: parsed };
  } else if (classicRes.kind === 'http' && classicRes.status === 404 && /branch not protected/i.test(classicRes.message)) {
    classic = { status: 'observed', value: { kind: 'none' } };
  } else if (classicRes.kind === 'http' && classicRes.status === 403 && !/upgrade|plan/i.test(classicRes.message)) {
    classic = un(`${classicPath} returned 403 (${classicRes.message}): the token cannot read classic branch protection`, ADMIN_READ);
  } else {
    classic = un(failure(classicPath, classicRes));
  }

  const rulesets = new Map<number, RulesetInfo>();
  const rulesetErrors = new Map<number, string>();
  if (rules.status === 'observed') {
    const ids = [...new Set(rules.value.map((r) => r.rulesetId).filter((id): id is number => id !== undefined))].slice(0, maxRulesets);
    const results = await Promise.all(ids.map((ruleset_id) => client.get('GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', { owner, repo, ruleset_id })));
    ids.forEach((id, i) => {
      const r = results[i];
      const what = `GET /repos/${owner}/${repo}/rulesets/${id}`;
      if (!r.ok) rulesetErrors.set(id, failure(what, r));
      else {
        const parsed = parseRuleset(r.data);
        if (typeof parsed === 'string') rulesetErrors.set(id, `malformed response from ${what}: ${parsed}`);
        else rulesets.set(id, parsed);
      }
    });
  }
  return mergeProtection({ branch, rules, rulesets, rulesetErrors, classic });
}

async function collectWorkflowPermissions(client: GitHubClient, owner: string, repo: string): Promise<Observed<'read' | 'write'>> {
  const what = `GET /repos/${owner}/${repo}/actions/permissions/workflow`;
  const r = await client.get('GET /repos/{owner}/{repo}/actions/permissions/workflow', { owner, repo });
  if (r.ok) {
    const v = get(r.data, 'default_workflow_permissions');
    if (v === 'read' || v === 'write') return { status: 'observed', value: v };
    return un(`malformed response from ${what}: default_workflow_permissions is ${describe(v)}`);
  }
  if (r.kind === 'http' && r.status === 403) return un(`${what} returned 403 (${r.message})`, ADMIN_READ);
  return un(failure(what, r));
}

async function collectCodeownersErrors(client: GitHubClient, owner: string, repo: string, ref: string | undefined): Promise<CodeownersError[] | null> {
  const r = await client.get('GET /repos/{owner}/{repo}/codeowners/errors', ref ? { owner, repo, ref } : { owner, repo });
  if (!r.ok) return r.kind === 'http' && r.status === 404 ? [] : null;
  const list = get(r.data, 'errors');
  if (!Array.isArray(list)) return null;
  const out: CodeownersError[] = [];
  for (const e of list) {
    if (!isObj(e) || typeof e.line !== 'number') return null;
    const message = str(e.message)?.split('\n')[0] ?? str(e.kind) ?? 'CODEOWNERS error';
    const suggestion = str(e.suggestion);
    const err: CodeownersError = { line: e.line, message: suggestion && !message.includes(suggestion) ? `${message} ${suggestion}` : message, source: 'api' };
    if (typeof e.column === 'number') err.column = e.column;
    out.push(err);
  }
  return out;
}

async function collectMergeGroup(
  client: GitHubClient,
  owner: string,
  repo: string,
  payload: Obj,
  maxCommits: number,
  log: CollectGitHubOptions['log']
): Promise<Observed<MergeGroupContents>> {
  const mg = payload.merge_group;
  const headSha = str(get(mg, 'head_sha'));
  const baseSha = str(get(mg, 'base_sha'));
  const headRef = str(get(mg, 'head_ref'));
  const baseRefFull = str(get(mg, 'base_ref'));
  const missing = ['head_sha', 'base_sha', 'head_ref', 'base_ref'].filter((k) => !str(get(mg, k)));
  if (!isObj(mg) || missing.length > 0 || !headSha || !baseSha || !headRef || !baseRefFull) {
    return un(`the merge_group event payload is malformed: ${isObj(mg) ? `missing ${missing.join(', ')}` : 'no merge_group object'}`);
  }
  const baseRef = baseRefFull.replace(/^refs\/heads\//, '');
  const compareWhat = `GET /repos/${owner}/${repo}/compare/${baseSha}...${headSha}`;
  const cmp = await client.getPages('GET /repos/{owner}/{repo}/compare/{basehead}', { owner, repo, basehead: `${baseSha}...${headSha}`, per_page: 100 });
  if (!cmp.ok) return un(failure(compareWhat, cmp));
  const files = new Set<string>();
  const commits: string[] = [];
  for (const page of cmp.pages) {
    if (!isObj(page) || !Array.isArray(page.commits)) return un(`malformed response from ${compareWhat}: expected a comparison with "commits", got ${describe(page)}`);
    if (page.files !== undefined && !Array.isArray(page.files)) return un(`malformed response from ${compareWhat}: "files" is not a list`);
    for (const f of (page.files as unknown[] | undefined) ?? []) {
      const name = str(get(f, 'filename'));
      if (!name) return un(`malformed response from ${compareWhat}: a file has no "filename"`);
      files.add(name);
    }
    for (const c of page.commits) {
      const sha = str(get(c, 'sha'));
      if (!sha) return un(`malformed response from ${compareWhat}: a commit has no "sha"`);
      commits.push(sha);
    }
  }

  const prs = new Map<number, MergeGroupPR>();
  const q = QUEUE_REF.exec(headRef);
  if (q) prs.set(Number(q[2]), { number: Number(q[2]), changedFiles: [], foundBy: 'head_ref' });
  else log.warning(`merge_group head_ref "${headRef}" is not gh-readonly-queue/<base>/pr-<N>-<sha>; the group's PRs come from its commits only`);

  if (commits.length > maxCommits) log.debug(`merge group has ${commits.length} commits; associated PRs are looked up for the first ${maxCommits}`);
  const shas = commits.slice(0, maxCommits);
  const assoc = await Promise.all(shas.map((commit_sha) => client.getPages('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { owner, repo, commit_sha, per_page: 100 })));
  assoc.forEach((r, i) => {
    if (!r.ok) {
      log.debug(`PRs associated with ${shas[i]} could not be read: ${r.kind === 'http' ? `${r.status} ${r.message}` : r.message}`);
      return;
    }
    for (const page of r.pages) {
      if (!Array.isArray(page)) continue;
      for (const pr of page) {
        const n = get(pr, 'number');
        if (typeof n !== 'number') continue;
        const state = get(pr, 'state');
        const prBase = str(get(pr, 'base', 'ref'));
        if ((state !== undefined && state !== 'open') || (prBase !== undefined && prBase !== baseRef)) continue;
        const title = str(get(pr, 'title'));
        const existing = prs.get(n);
        if (existing) existing.title ??= title;
        else prs.set(n, { number: n, ...(title ? { title } : {}), changedFiles: [], foundBy: 'commit' });
      }
    }
  });

  const list = [...prs.values()].sort((a, b) => a.number - b.number);
  const fileResults = await Promise.all(
    list.map((pr) => client.getPages('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner, repo, pull_number: pr.number, per_page: 100 }))
  );
  list.forEach((pr, i) => {
    const r = fileResults[i];
    const what = `GET /repos/${owner}/${repo}/pulls/${pr.number}/files`;
    if (!r.ok) {
      pr.filesUnobservable = failure(what, r);
      return;
    }
    const names: string[] = [];
    for (const page of r.pages) {
      if (!Array.isArray(page)) {
        pr.filesUnobservable = `malformed response from ${what}: expected a list of files, got ${describe(page)}`;
        return;
      }
      for (const f of page) {
        const name = str(get(f, 'filename'));
        if (!name) {
          pr.filesUnobservable = `malformed response from ${what}: a file has no "filename"`;
          return;
        }
        names.push(name);
      }
    }
    if (r.truncated) pr.filesUnobservable = `${what}: more pages than were read`;
    pr.changedFiles = names;
  });

  const contents: MergeGroupContents = { baseRef, baseSha, headSha, headRef, prs: list, compareFiles: [...files].sort() };
  if (files.size >= 300 || cmp.truncated) contents.compareFilesTruncated = true;
  return { status: 'observed', value: contents };
}
