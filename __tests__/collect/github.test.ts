import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { collectGitHub, type CollectGitHubOptions, type GitHubState } from '../../src/collect/github.js';
import type { EffectiveProtection } from '../../src/model/protection.js';
import { GitHubFake } from '../../test-support/github-fake.js';

const R = '/repos/octo-org/octo-repo';
const PATHS = {
  rules: `${R}/rules/branches/main`,
  ruleset42: `${R}/rulesets/42`,
  ruleset73: `${R}/rulesets/73`,
  classic: `${R}/branches/main/protection`,
  perms: `${R}/actions/permissions/workflow`,
  codeowners: `${R}/codeowners/errors`,
  repo: R
};
const PR_PAYLOAD = { pull_request: { number: 7, base: { ref: 'main' }, head: { sha: 'abc1234' } }, repository: { default_branch: 'main' } };

let gh: GitHubFake;
let debug: string[];
let warnings: string[];
let sleeps: number[];

beforeAll(async () => {
  gh = await GitHubFake.start();
});
afterAll(async () => {
  await gh.close();
});
beforeEach(() => {
  gh.reset();
  debug = [];
  warnings = [];
  sleeps = [];
  gh.route(PATHS.rules, 'rules-branch')
    .route(PATHS.ruleset42, 'ruleset-42')
    .route(PATHS.ruleset73, 'ruleset-73')
    .route(PATHS.classic, 'branch-protection')
    .route(PATHS.perms, 'workflow-permissions')
    .route(PATHS.codeowners, 'codeowners-errors')
    .route(PATHS.repo, 'repo');
});

function collect(extra: Partial<CollectGitHubOptions> = {}): Promise<GitHubState> {
  return collectGitHub({
    token: 'ghs_test',
    apiUrl: gh.url,
    repository: 'octo-org/octo-repo',
    eventName: 'pull_request',
    eventPayload: PR_PAYLOAD,
    log: { debug: (m) => debug.push(m), warning: (m) => warnings.push(m) },
    retry: { baseMs: 1, capMs: 4, budgetMs: 100, maxAttempts: 3 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra
  });
}

function observed(s: GitHubState): EffectiveProtection {
  expect(s.protection.status).toBe('observed');
  return (s.protection as { value: EffectiveProtection }).value;
}

const names = (sources: { kind: string; name?: string }[]): string[] => sources.map((s) => (s.kind === 'ruleset' ? (s.name as string) : s.kind));

describe('collectGitHub: effective protection', () => {
  it('merges rulesets and classic protection, recording where each value came from', async () => {
    const s = await collect();
    expect(s.targetBranch).toBe('main');
    expect(s.defaultBranch).toBe('main');
    const p = observed(s);
    expect(p.requiredChecks.map((c) => [c.context, c.integrationId, names(c.sources)])).toEqual([
      ['build', 15368, ['main protection']],
      ['security/scan', 9999, ['main protection']],
      ['test', 15368, ['classic']],
      ['ci/legacy', null, ['classic']]
    ]);
    expect(p.requiredChecksComplete).toBeUndefined();
    expect(p.approvals).toEqual({ value: 2, sources: [{ kind: 'classic' }] });
    expect(p.codeOwnerReview).toEqual({ value: true, sources: [{ kind: 'classic' }] });
    expect(p.lastPushApproval.value).toBe(true);
    expect(names(p.linearHistory.sources)).toEqual(['main protection']);
    expect(p.linearHistory.value).toBe(true);
    expect(p.signedCommits.value).toBe(true);
    expect(p.forcePushAllowed.value).toBe(false);
    expect(names(p.forcePushAllowed.sources)).toEqual(['main protection', 'classic']);
    expect(p.deletionAllowed.value).toBe(false);
    expect(p.strictChecks.value).toBe(true);
    expect(p.requirePullRequest.value).toBe(true);
    // Repository admin role (id 5) in ruleset 42 and enforce_admins: false in classic protection.
    expect(p.adminBypass.value).toBe(true);
    expect(names(p.adminBypass.sources)).toEqual(['main protection', 'classic']);
    expect(p.mergeQueue.value).toBe(true);
    expect(p.mergeQueue.sources).toEqual([{ kind: 'ruleset', id: 73, name: 'org merge queue', sourceType: 'Organization', source: 'octo-org' }]);
    // The org ruleset's bypass list is not shown to this token: said so, not guessed.
    expect(p.bypassActorsComplete).toBe(false);
    expect(p.partial).toEqual([{ subject: 'bypass actors of org merge queue', reason: expect.stringContaining('write access') }]);
    expect(s.defaultWorkflowPermissions).toEqual({ status: 'observed', value: 'write' });
    expect(s.codeownersErrors).toEqual([
      { line: 3, column: 1, message: 'Invalid pattern on line 3: Did you mean `**/*.rb`?', source: 'api' },
      { line: 7, column: 7, message: 'Invalid owner on line 7:', source: 'api' }
    ]);
    expect(s.apiUnavailable).toBeUndefined();
  });

  it('counts requests, makes one per endpoint, sends the token, and logs the count', async () => {
    const s = await collect();
    const paths = gh.requests.map((r) => r.path).sort();
    expect(paths).toEqual([PATHS.perms, PATHS.codeowners, PATHS.classic, PATHS.rules, PATHS.ruleset42, PATHS.ruleset73].sort());
    expect(new Set(paths).size).toBe(paths.length);
    expect(s.requestCount).toBe(6);
    expect(gh.requests.every((r) => r.auth && r.method === 'GET')).toBe(true);
    expect(gh.requests.find((r) => r.path === PATHS.codeowners)?.query).toEqual({ ref: 'abc1234' });
    expect(debug).toContain('GitHub API requests: 6');
  });

  it('403 on classic protection → unobservable with the missing permission, rulesets still read', async () => {
    gh.fail(PATHS.classic, 'forbidden');
    const s = await collect();
    const p = observed(s);
    expect(p.partial).toContainEqual({
      subject: 'classic branch protection for main',
      reason: expect.stringContaining('Resource not accessible by integration'),
      missingPermission: 'Administration: read'
    });
    expect(p.requiredChecks.map((c) => c.context)).toEqual(['build', 'security/scan']);
    expect(p.requiredChecksComplete).toBe(false);
    // Nothing is claimed about what classic protection may add: values are marked incomplete.
    expect(p.approvals).toEqual({ value: 1, sources: [expect.objectContaining({ id: 42 })], complete: false });
    expect(p.codeOwnerReview.complete).toBe(false);
    expect(p.linearHistory).toMatchObject({ value: true, complete: false });
    expect(gh.count(PATHS.classic)).toBe(1);
    expect(s.apiUnavailable).toBeUndefined();
  });

  it('404 "Branch not protected" → observed: no classic protection', async () => {
    gh.fail(PATHS.classic, 'not-protected');
    const p = observed(await collect());
    expect(p.partial.filter((x) => x.subject.startsWith('classic'))).toEqual([]);
    expect(p.requiredChecksComplete).toBeUndefined();
    expect(p.approvals).toEqual({ value: 1, sources: [expect.objectContaining({ kind: 'ruleset', id: 42 })] });
    expect(p.codeOwnerReview).toEqual({ value: false, sources: [] });
    expect(names(p.adminBypass.sources)).toEqual(['main protection']);
    expect(p.appliedSources?.map((x) => x.kind)).toEqual(['ruleset', 'ruleset']);
  });

  it('any other 404 on classic protection → unobservable, not "unprotected"', async () => {
    gh.fail(PATHS.classic, 'not-found');
    const p = observed(await collect());
    expect(p.partial).toContainEqual({ subject: 'classic branch protection for main', reason: expect.stringContaining('404: Not Found'), missingPermission: undefined });
    expect(p.requiredChecksComplete).toBe(false);
  });

  it('rulesets and classic protection both unreadable → protection unobservable', async () => {
    gh.fail(PATHS.classic, 'forbidden').fail(PATHS.rules, 'not-found');
    const s = await collect();
    expect(s.protection).toEqual({ status: 'unobservable', reason: expect.stringContaining('neither the rulesets'), missingPermission: 'Administration: read' });
  });

  it('403 on default workflow permissions → unobservable with the missing permission', async () => {
    gh.fail(PATHS.perms, 'forbidden');
    const s = await collect();
    expect(s.defaultWorkflowPermissions).toEqual({ status: 'unobservable', reason: expect.stringContaining('403'), missingPermission: 'Administration: read' });
  });

  it('404 on CODEOWNERS errors means no CODEOWNERS file: no errors', async () => {
    gh.fail(PATHS.codeowners, 'not-found');
    expect((await collect()).codeownersErrors).toEqual([]);
  });
});

describe('collectGitHub: retries', () => {
  it('retries 500s with backoff, then succeeds', async () => {
    gh.fail(PATHS.rules, 'server-error', { times: 2 });
    const s = await collect();
    expect(gh.count(PATHS.rules)).toBe(3);
    expect(observed(s).requiredChecks).toHaveLength(4);
    expect(s.requestCount).toBe(8);
    expect(sleeps).toHaveLength(2);
    expect(s.apiUnavailable).toBeUndefined();
  });

  it('honours retry-after on a secondary rate limit, then succeeds', async () => {
    gh.fail(PATHS.classic, 'secondary-rate-limit', { times: 1, retryAfter: 2 });
    const s = await collect({ retry: { baseMs: 1, capMs: 4, budgetMs: 10_000, maxAttempts: 3 } });
    expect(gh.count(PATHS.classic)).toBe(2);
    expect(sleeps).toEqual([2000]);
    expect(observed(s).approvals.value).toBe(2);
  });

  it('retries a reset connection and a 502 with an HTML body', async () => {
    gh.fail(PATHS.perms, 'reset', { times: 1 }).fail(PATHS.codeowners, 'bad-gateway', { times: 1 });
    const s = await collect();
    expect(s.defaultWorkflowPermissions).toEqual({ status: 'observed', value: 'write' });
    expect(s.codeownersErrors).toHaveLength(2);
    expect(gh.count(PATHS.perms)).toBe(2);
    expect(gh.count(PATHS.codeowners)).toBe(2);
  });

  it('does not retry 404 or 422', async () => {
    gh.fail(PATHS.perms, 'not-found').fail(PATHS.codeowners, 'unprocessable');
    const s = await collect();
    expect(gh.count(PATHS.perms)).toBe(1);
    expect(gh.count(PATHS.codeowners)).toBe(1);
    expect(s.defaultWorkflowPermissions.status).toBe('unobservable');
    expect(s.codeownersErrors).toBeNull();
    expect(sleeps).toEqual([]);
    expect(s.requestCount).toBe(6);
  });

  it('does not retry a primary rate limit; the API counts as unavailable', async () => {
    gh.fail(PATHS.rules, 'primary-rate-limit');
    const s = await collect();
    expect(gh.count(PATHS.rules)).toBe(1);
    expect(s.apiUnavailable).toMatch(/rate limit/);
  });

  it('API down (every request 5xx) → apiUnavailable, everything unobservable, bounded requests', async () => {
    for (const p of Object.values(PATHS)) gh.fail(p, 'server-error');
    const s = await collect({ retry: { baseMs: 1, capMs: 4, budgetMs: 100, maxAttempts: 3 } });
    expect(s.apiUnavailable).toMatch(/HTTP 500/);
    expect(s.protection.status).toBe('unobservable');
    expect(s.defaultWorkflowPermissions.status).toBe('unobservable');
    expect(s.codeownersErrors).toBeNull();
    // Four endpoints × at most three attempts; none is retried after the API is known to be down.
    expect(s.requestCount).toBeLessThanOrEqual(12);
    expect(s.requestCount).toBe(gh.requests.length);
    expect(warnings.some((w) => w.includes('GitHub API unavailable'))).toBe(true);
  });

  it('a spent retry budget gives up at once', async () => {
    gh.fail(PATHS.rules, 'secondary-rate-limit', { retryAfter: 60 });
    const s = await collect({ retry: { baseMs: 1, capMs: 4, budgetMs: 1000, maxAttempts: 5 } });
    expect(gh.count(PATHS.rules)).toBe(1);
    expect(sleeps).toEqual([]);
    expect(s.apiUnavailable).toMatch(/retry budget/);
  });
});

describe('collectGitHub: malformed data and missing inputs', () => {
  it('no token → zero requests, everything unobservable', async () => {
    const s = await collect({ token: '', eventName: 'merge_group', eventPayload: {} });
    expect(gh.requests).toEqual([]);
    expect(s.requestCount).toBe(0);
    expect(s.protection).toEqual({ status: 'unobservable', reason: 'no GitHub token' });
    expect(s.defaultWorkflowPermissions).toEqual({ status: 'unobservable', reason: 'no GitHub token' });
    expect(s.mergeGroup).toEqual({ status: 'unobservable', reason: 'no GitHub token' });
    expect(s.codeownersErrors).toBeNull();
  });

  it('a garbage body is unobservable with a clear reason, never a throw', async () => {
    gh.fail(PATHS.rules, 'garbage').fail(PATHS.perms, 'garbage');
    const s = await collect();
    const p = observed(s);
    expect(p.partial[0]).toEqual({ subject: 'repository rulesets for main', reason: expect.stringMatching(/malformed response from GET .*rules\/branches\/main: expected a list of rules/) });
    expect(p.requiredChecks.map((c) => c.context)).toEqual(['test', 'ci/legacy']);
    expect(s.defaultWorkflowPermissions).toEqual({ status: 'unobservable', reason: expect.stringContaining('malformed response') });
  });

  it('wrong shapes inside a valid JSON body are unobservable', async () => {
    gh.route(PATHS.rules, { status: 200, body: [{ type: 'pull_request', parameters: 'yes' }] });
    gh.route(PATHS.classic, { status: 200, body: { required_status_checks: { contexts: 'build' } } });
    const s = await collect();
    expect(s.protection).toEqual({ status: 'unobservable', reason: expect.stringContaining('malformed response'), missingPermission: undefined });
  });

  it('a bad repository name or payload makes no request it cannot make sense of', async () => {
    const s = await collect({ repository: 'not a repo' });
    expect(s.protection.status).toBe('unobservable');
    expect(gh.requests).toEqual([]);
    const t = await collect({ eventPayload: 'nonsense' });
    // The PR payload has no base ref: the default branch (read from the API) is used and a warning says why.
    expect(t.targetBranch).toBe('main');
    expect(gh.count(PATHS.repo)).toBe(1);
    expect(warnings.some((w) => w.includes('pull_request.base.ref'))).toBe(true);
  });

  it('push events use the repository default branch', async () => {
    gh.route(`${R}/rules/branches/main`, { status: 200, body: [] });
    const s = await collect({ eventName: 'push', eventPayload: { ref: 'refs/heads/feature' } });
    expect(s.targetBranch).toBe('main');
    expect(gh.count(PATHS.repo)).toBe(1);
  });
});

describe('collectGitHub: merge groups', () => {
  const HEAD = '3333333333333333333333333333333333333333';
  const BASE = '0000000000000000000000000000000000000000';
  const payload = {
    merge_group: { head_sha: HEAD, head_ref: `refs/heads/gh-readonly-queue/main/pr-13-${'a'.repeat(40)}`, base_sha: BASE, base_ref: 'refs/heads/main' },
    repository: { default_branch: 'main' }
  };
  const cmp = `${R}/compare/${BASE}...${HEAD}`;

  function routeGroup(): void {
    gh.route(cmp, 'compare')
      .route(`${R}/commits/1111111111111111111111111111111111111111/pulls`, 'commit-pulls-12')
      .route(`${R}/commits/2222222222222222222222222222222222222222/pulls`, 'commit-pulls-other-base')
      .route(`${R}/commits/${HEAD}/pulls`, 'commit-pulls-none')
      .route(`${R}/pulls/12/files`, 'pull-files-12')
      .route(`${R}/pulls/13/files`, 'pull-files-13');
  }

  it('collects the PRs (head_ref + commits), their files and the compare, following pagination', async () => {
    routeGroup();
    gh.pageSize = 1;
    const s = await collect({ eventName: 'merge_group', eventPayload: payload });
    expect(s.targetBranch).toBe('main');
    expect(s.mergeGroup).toEqual({
      status: 'observed',
      value: {
        baseRef: 'main',
        baseSha: BASE,
        headSha: HEAD,
        headRef: payload.merge_group.head_ref,
        prs: [
          { number: 12, title: 'Fix parser', changedFiles: ['src/parser.ts', 'src/parser.test.ts'], foundBy: 'commit' },
          { number: 13, changedFiles: ['docs/guide.md', 'docs/missing.md'], foundBy: 'head_ref' }
        ],
        compareFiles: ['docs/guide.md', 'src/parser.test.ts', 'src/parser.ts']
      }
    });
    // Three compare pages (one commit each; files on page 1), two pages of files per PR.
    expect(gh.count(cmp)).toBe(3);
    expect(gh.count(`${R}/pulls/12/files`)).toBe(2);
    expect(gh.count(`${R}/pulls/13/files`)).toBe(2);
    expect(gh.requests.filter((r) => r.path === cmp).map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    // Every URL once.
    const urls = gh.requests.map((r) => `${r.path}?${new URLSearchParams(r.query).toString()}`);
    expect(new Set(urls).size).toBe(urls.length);
    expect(s.requestCount).toBe(gh.requests.length);
  });

  it('a PR whose files cannot be listed (422) is marked, not retried, and the rest is collected', async () => {
    routeGroup();
    gh.fail(`${R}/pulls/12/files`, 'unprocessable');
    const s = await collect({ eventName: 'merge_group', eventPayload: payload });
    const mg = s.mergeGroup as { status: 'observed'; value: { prs: { number: number; filesUnobservable?: string }[] } };
    expect(mg.status).toBe('observed');
    expect(mg.value.prs[0]).toMatchObject({ number: 12, filesUnobservable: expect.stringContaining('422') });
    expect(gh.count(`${R}/pulls/12/files`)).toBe(1);
  });

  it('compare unavailable → merge group unobservable', async () => {
    routeGroup();
    gh.fail(cmp, 'not-found');
    const s = await collect({ eventName: 'merge_group', eventPayload: payload });
    expect(s.mergeGroup).toEqual({ status: 'unobservable', reason: expect.stringContaining('404') });
  });

  it('a malformed merge_group payload → unobservable with the missing fields named', async () => {
    const s = await collect({ eventName: 'merge_group', eventPayload: { merge_group: { head_sha: HEAD } } });
    expect(s.mergeGroup).toEqual({ status: 'unobservable', reason: 'the merge_group event payload is malformed: missing base_sha, head_ref, base_ref' });
  });

  it('merge group base other than the default branch is the target branch', async () => {
    gh.route(`${R}/rules/branches/release/1.x`, { status: 200, body: [] });
    gh.route(`${R}/branches/release/1.x/protection`, 'branch-protection');
    const p = { merge_group: { ...payload.merge_group, base_ref: 'refs/heads/release/1.x' }, repository: { default_branch: 'main' } };
    const s = await collect({ eventName: 'merge_group', eventPayload: p });
    expect(s.targetBranch).toBe('release/1.x');
    expect(observed(s).branch).toBe('release/1.x');
  });
});
