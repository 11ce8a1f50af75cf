import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DRIFT_ISSUE_MARKER,
  DRIFT_ISSUE_TITLE,
  DRIFT_LABEL,
  PRIORITY_LABEL,
  renderDriftIssueBody,
  syncDriftIssue,
  type DriftIssueReport
} from '../../src/collect/github/issues.js';
import { GitHubClient } from '../../src/collect/github/http.js';
import type { DriftChange } from '../../src/drift/diff.js';
import { GitHubFake } from '../../test-support/github-fake.js';
import { FakeIssueTracker } from '../../test-support/github-issues.js';

const O = 'octo-org';
const R = 'octo-repo';
const BASE = `/repos/${O}/${R}`;

let gh: GitHubFake;
let tracker: FakeIssueTracker;
let warnings: string[];

beforeAll(async () => {
  gh = await GitHubFake.start();
});
afterAll(async () => {
  await gh.close();
});
beforeEach(() => {
  gh.reset();
  tracker = new FakeIssueTracker(gh, O, R);
  warnings = [];
});

/** A fresh client per call, as each run has its own. Retries wait nothing. */
function client(): GitHubClient {
  return new GitHubClient({
    token: 'ghs_test',
    apiUrl: gh.url,
    log: { debug: () => undefined, warning: (m) => warnings.push(m) },
    retry: { baseMs: 1, capMs: 1, budgetMs: 10_000, maxAttempts: 4 },
    sleep: async () => undefined
  });
}

const CHANGES: DriftChange[] = [
  { category: 'file', item: '.github/workflows/ci.yml', kind: 'modified', old: 'a'.repeat(64), new: 'b'.repeat(64) },
  { category: 'workflow-permissions', item: '.github/workflows/ci.yml', kind: 'modified', old: 'contents:read', new: 'contents:write' },
  { category: 'file', item: 'infra/<img src=x onerror=alert(1)>.tf', kind: 'added', new: 'c'.repeat(64) },
  { category: 'required-check', item: 'build | @octocat', kind: 'removed', old: 'required' }
];

function report(over: Partial<DriftIssueReport> = {}): DriftIssueReport {
  return {
    repository: `${O}/${R}`,
    magnitude: 0.45,
    threshold: 0.3,
    trackedItems: 20,
    changes: CHANGES,
    baseline: { createdAt: '2026-11-01T00:00:00.000Z', sha: '1'.repeat(40) },
    current: { ref: 'refs/heads/main', sha: '2'.repeat(40) },
    runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/42',
    ...over
  };
}

const writes = () => gh.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`);

describe('the drift issue', () => {
  it('creates the labels and one issue listing every change, magnitude and threshold, escaped', async () => {
    const r = await syncDriftIssue(client(), O, R, report());
    expect(r).toMatchObject({ action: 'created', number: 1, url: `https://github.com/${O}/${R}/issues/1`, warnings: [] });
    expect(writes()).toEqual([`POST ${BASE}/labels`, `POST ${BASE}/labels`, `POST ${BASE}/issues`]);
    expect([...tracker.labels.keys()].sort()).toEqual([DRIFT_LABEL, PRIORITY_LABEL]);
    expect(tracker.labels.get(DRIFT_LABEL)).toMatchObject({ color: 'fbca04' });

    const [issue] = tracker.issues;
    expect(issue.title).toBe(DRIFT_ISSUE_TITLE);
    expect(issue.labels.map((l) => l.name)).toEqual([DRIFT_LABEL, PRIORITY_LABEL]);
    const body = issue.body!;
    expect(body.startsWith(DRIFT_ISSUE_MARKER)).toBe(true);
    expect(body).toContain('Magnitude 0.4500');
    expect(body).toContain('threshold 0.3');
    expect(body).toContain('over the threshold');
    expect(body).toContain('| workflow permissions | modified | .github/workflows/ci.yml | contents:read | contents:write |');
    expect(body).toContain(`${'a'.repeat(12)}…`);
    expect(body).toContain('| required check | removed |');
    // Repository-controlled strings cannot form HTML or mentions, nor break the table.
    expect(body).not.toContain('<img');
    expect(body).toContain('&lt;img');
    expect(body).not.toMatch(/@octocat/);
    expect(body).toContain('build \\| @\u200doctocat');
    expect(body).toContain('\n\nRun: https://github.com/octo-org/octo-repo/actions/runs/42\n');
  });

  it('a second run edits the same issue: no duplicate, labels not created again', async () => {
    await syncDriftIssue(client(), O, R, report());
    gh.requests.length = 0;
    const r = await syncDriftIssue(client(), O, R, report({ magnitude: 0.5, changes: CHANGES.slice(0, 2) }));
    expect(r).toMatchObject({ action: 'updated', number: 1 });
    expect(writes()).toEqual([`PATCH ${BASE}/issues/1`]);
    expect(gh.requests.filter((q) => q.method === 'GET' && q.path.startsWith(`${BASE}/labels/`))).toHaveLength(2);
    expect(tracker.issues).toHaveLength(1);
    expect(tracker.issues[0].body).toContain('Magnitude 0.5000');
    expect(tracker.issues[0].body).not.toContain('required check');
    // Labels unchanged: the PATCH carries the body only.
    expect(gh.requests.find((q) => q.method === 'PATCH')!.body).toEqual({ body: tracker.issues[0].body });
  });

  it('back under the threshold: priority-high is removed, labels people added are kept', async () => {
    await syncDriftIssue(client(), O, R, report());
    tracker.issues[0].labels.push(tracker.addLabel('triaged'));
    const r = await syncDriftIssue(client(), O, R, report({ magnitude: 0.1 }));
    expect(r.action).toBe('updated');
    expect(tracker.issues[0].labels.map((l) => l.name)).toEqual(['triaged', DRIFT_LABEL]);
    expect(tracker.issues[0].body).toContain('within the threshold');
  });

  it('drift back to zero: closed with a comment; afterwards nothing is written', async () => {
    await syncDriftIssue(client(), O, R, report());
    gh.requests.length = 0;
    const r = await syncDriftIssue(client(), O, R, report({ magnitude: 0, changes: [] }));
    expect(r).toMatchObject({ action: 'closed', number: 1 });
    expect(writes()).toEqual([`POST ${BASE}/issues/1/comments`, `PATCH ${BASE}/issues/1`]);
    expect(tracker.issues[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(tracker.comments).toHaveLength(1);
    expect(tracker.comments[0].body).toContain('Drift returned to zero');

    gh.requests.length = 0;
    expect(await syncDriftIssue(client(), O, R, report({ magnitude: 0, changes: [] }))).toMatchObject({ action: 'none' });
    expect(writes()).toEqual([]);
    // Drift again later: a new issue (the closed one stays closed).
    expect(await syncDriftIssue(client(), O, R, report())).toMatchObject({ action: 'created', number: 2 });
  });

  it('label created by someone else meanwhile: 422 already_exists is fine', async () => {
    tracker.addLabel(DRIFT_LABEL);
    tracker.addLabel(PRIORITY_LABEL);
    // The GET says 404 (created right after it), the POST then meets the existing label.
    gh.fail(`${BASE}/labels/${DRIFT_LABEL}`, 'not-found', { times: 1 });
    const r = await syncDriftIssue(client(), O, R, report());
    expect(r).toMatchObject({ action: 'created', warnings: [] });
    const post = gh.requests.filter((q) => q.method === 'POST' && q.path === `${BASE}/labels`);
    expect(post).toHaveLength(1);
    expect(post[0].body).toMatchObject({ name: DRIFT_LABEL, color: 'fbca04' });
    expect(tracker.labels.size).toBe(2);
  });

  it('finds the issue by label and exact title across pages; pull requests and other titles are ignored', async () => {
    gh.pageSize = 2;
    tracker.addIssue('Something else', { labels: [DRIFT_LABEL] });
    tracker.addIssue(DRIFT_ISSUE_TITLE, { labels: [DRIFT_LABEL], pullRequest: true });
    tracker.addIssue(DRIFT_ISSUE_TITLE, { labels: ['other'] });
    tracker.addIssue(`${DRIFT_ISSUE_TITLE} (old)`, { labels: [DRIFT_LABEL] });
    tracker.addIssue(DRIFT_ISSUE_TITLE, { labels: [DRIFT_LABEL], state: 'closed' });
    const mine = tracker.addIssue(DRIFT_ISSUE_TITLE, { labels: [DRIFT_LABEL, PRIORITY_LABEL] });
    const r = await syncDriftIssue(client(), O, R, report());
    expect(r).toMatchObject({ action: 'updated', number: mine.number });
    expect(writes()).toEqual([`PATCH ${BASE}/issues/${mine.number}`]);
    const list = gh.requests.filter((q) => q.method === 'GET' && q.path === `${BASE}/issues`);
    expect(list.length).toBeGreaterThan(1);
    expect(list[0].query).toMatchObject({ labels: DRIFT_LABEL, state: 'open' });
  });

  it('two open drift issues (made by hand): the oldest is maintained, no third is made', async () => {
    const a = tracker.addIssue(DRIFT_ISSUE_TITLE, { labels: [DRIFT_LABEL] });
    const b = tracker.addIssue(DRIFT_ISSUE_TITLE, { labels: [DRIFT_LABEL] });
    const r = await syncDriftIssue(client(), O, R, report({ magnitude: 0.1 }));
    expect(r).toMatchObject({ action: 'updated', number: a.number });
    expect(r.warnings.join()).toContain(`#${b.number}`);
    expect(tracker.issues).toHaveLength(2);
  });

  it('creating the issue hits a 5xx: not retried (it may exist now), reported as failed', async () => {
    // Only the POST fails (the listing shares the path); later handlers win.
    gh.on('POST', `${BASE}/issues`, () => ({ status: 502, raw: '<html>502 Bad Gateway</html>', headers: { 'content-type': 'text/html' } }));
    const r = await syncDriftIssue(client(), O, R, report());
    expect(r.action).toBe('failed');
    expect(r.error).toMatch(/creating the drift issue/);
    expect(r.error).toMatch(/not retried/);
    expect(gh.requests.filter((q) => q.method === 'POST' && q.path === `${BASE}/issues`)).toHaveLength(1);
  });

  it('editing hits transient errors: PATCH is retried and succeeds', async () => {
    await syncDriftIssue(client(), O, R, report());
    gh.fail(`${BASE}/issues/1`, 'bad-gateway', { times: 2 });
    const r = await syncDriftIssue(client(), O, R, report({ magnitude: 0.2 }));
    expect(r).toMatchObject({ action: 'updated', number: 1 });
    expect(gh.requests.filter((q) => q.method === 'PATCH')).toHaveLength(3);
    expect(tracker.issues[0].body).toContain('Magnitude 0.2000');
  });

  it('no permission to write issues (403): failed with the reason, nothing thrown', async () => {
    gh.on('POST', `${BASE}/labels`, () => ({ status: 403, body: { message: 'Resource not accessible by integration', status: '403' } }));
    gh.on('POST', `${BASE}/issues`, () => ({ status: 403, body: { message: 'Resource not accessible by integration', status: '403' } }));
    const r = await syncDriftIssue(client(), O, R, report());
    expect(r.action).toBe('failed');
    expect(r.error).toContain('403: Resource not accessible by integration');
    expect(r.warnings.some((w) => w.includes(`creating label '${DRIFT_LABEL}'`))).toBe(true);
  });

  it('the listing is unavailable: failed, nothing written', async () => {
    gh.fail(`${BASE}/issues`, 'server-error');
    const r = await syncDriftIssue(client(), O, R, report());
    expect(r.action).toBe('failed');
    expect(r.error).toMatch(/listing drift issues: GitHub API unavailable/);
    expect(writes()).toEqual([]);
  });
});

describe('GitHubClient.send', () => {
  it('POST is retried after a secondary rate limit (GitHub did not act on it), not after a 500', async () => {
    gh.fail(`${BASE}/issues`, 'secondary-rate-limit', { times: 1, retryAfter: 0 });
    const ok = await client().send('POST', 'POST /repos/{owner}/{repo}/issues', { owner: O, repo: R }, { title: 't' });
    expect(ok).toMatchObject({ ok: true, status: 201 });
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(2);

    gh.requests.length = 0;
    gh.fail(`${BASE}/issues`, 'server-error', { times: 1 });
    const bad = await client().send('POST', 'POST /repos/{owner}/{repo}/issues', { owner: O, repo: R }, { title: 't' });
    expect(bad).toMatchObject({ ok: false, kind: 'unavailable', status: 500 });
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it('a definitive 4xx is returned as is, never retried; the JSON body arrives', async () => {
    const r = await client().send('POST', 'POST /repos/{owner}/{repo}/issues', { owner: O, repo: R }, { body: 'no title' });
    expect(r).toMatchObject({ ok: false, kind: 'http', status: 422 });
    expect(gh.requests.filter((q) => q.method === 'POST')).toEqual([expect.objectContaining({ body: { body: 'no title' }, auth: true })]);
  });

  it('renders a body that stays under GitHub’s size limit however many changes there are', () => {
    const many: DriftChange[] = Array.from({ length: 5000 }, (_, i) => ({ category: 'file', item: `infra/m${i}.tf`, kind: 'added', new: 'd'.repeat(64) }));
    const body = renderDriftIssueBody(report({ changes: many }));
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/…and \d+ more change\(s\)/);
  });
});
