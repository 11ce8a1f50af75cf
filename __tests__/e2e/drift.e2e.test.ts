/**
 * The scheduled drift run end to end: dist/index.js spawned like the runner does for a
 * `schedule` event, against the fake GitHub API. Run `npm run build` first.
 *
 * 1. first run: baseline created, no issue request;
 * 2. the repository changed: exactly one issue opened (labels created);
 * 3. a second run: the same issue edited, nothing created;
 * 4. the change reverted: the issue closed with a comment.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runAction, type ActionRun } from '../../test-support/action-runner.js';
import { GitHubFake, type RecordedRequest } from '../../test-support/github-fake.js';
import { FakeIssueTracker } from '../../test-support/github-issues.js';

const R = '/repos/octo-org/octo-repo';
const TOKEN = 'ghs_e2eDriftTokenValue00000000000000000000';
const CI = `name: ci
on: [pull_request]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: make
`;
const CHANGED = CI.replace('contents: read', 'contents: write');

let gh: GitHubFake;
let tracker: FakeIssueTracker;
let ws: string;
let runId = 100;

beforeAll(async () => {
  gh = await GitHubFake.start();
  gh.route(`${R}/rules/branches/main`, 'rules-branch')
    .route(`${R}/rulesets/42`, 'ruleset-42')
    .route(`${R}/rulesets/73`, 'ruleset-73')
    .route(`${R}/actions/permissions/workflow`, 'workflow-permissions')
    .route(`${R}/codeowners/errors`, 'codeowners-errors')
    .route(R, 'repo')
    .fail(`${R}/branches/main/protection`, 'forbidden')
    .route(`${R}/commits`, {
      status: 200,
      body: [{ sha: 'd'.repeat(40), html_url: `https://github.com/octo-org/octo-repo/commit/${'d'.repeat(40)}`, commit: { author: { name: 'Mona Lisa', date: '2026-11-27T00:00:00Z' } }, author: { login: 'mona', id: 2 } }]
    });
  tracker = new FakeIssueTracker(gh, 'octo-org', 'octo-repo');

  ws = await mkdtemp(path.join(tmpdir(), 'pm-drift-e2e-'));
  await mkdir(path.join(ws, '.github', 'workflows'), { recursive: true });
  await mkdir(path.join(ws, 'infra'), { recursive: true });
  await writeFile(path.join(ws, '.github', 'workflows', 'ci.yml'), CI);
  // The example workflow shipped with pm-action runs this job: L0 checks its permissions.
  await copyFile(path.resolve('.github/workflows/drift-detection.yml'), path.join(ws, '.github', 'workflows', 'drift-detection.yml'));
  await writeFile(path.join(ws, 'infra', 'main.tf'), 'resource "aws_s3_bucket" "b" {}\n');
  // A low threshold: one workflow's permissions changing is "over" it.
  await writeFile(path.join(ws, '.github', 'phase-mirror.yml'), 'drift:\n  threshold: 0.05\n');
});
afterAll(async () => {
  await gh.close();
});

async function scheduled(): Promise<{ run: ActionRun; requests: RecordedRequest[]; report: ReturnType<typeof JSON.parse> }> {
  const from = gh.requests.length;
  const run = await runAction({
    workspace: ws,
    inputs: { cache: 'false', 'github-token': TOKEN },
    env: {
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: String(++runId),
      GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/drift-detection.yml@refs/heads/main',
      GITHUB_JOB: 'drift'
    },
    event: { name: 'schedule', payload: { schedule: '17 5 * * *', repository: { default_branch: 'main', full_name: 'octo-org/octo-repo' } } }
  });
  const report = JSON.parse(await readFile(path.join(ws, 'dissonance_report.json'), 'utf8'));
  return { run, requests: gh.requests.slice(from), report };
}

const issueWrites = (rs: RecordedRequest[]) =>
  rs.filter((q) => q.method !== 'GET' && (q.path.startsWith(`${R}/issues`) || q.path.startsWith(`${R}/labels`))).map((q) => `${q.method} ${q.path}`);
const touchesIssues = (rs: RecordedRequest[]) => rs.filter((q) => q.path.startsWith(`${R}/issues`) || q.path.startsWith(`${R}/labels`));

describe('dist/index.js on a schedule event (drift mode)', () => {
  it('creates the baseline, opens one issue on drift, edits it, closes it after the revert', async () => {
    // 1. First run: baseline created, magnitude 0, no issue traffic at all.
    const first = await scheduled();
    expect(first.run.stderr).toBe('');
    expect(first.run.code).toBe(0);
    expect(first.run.outputs['drift-magnitude']).toBe('0');
    expect(first.report.meta).toMatchObject({ mode: 'drift', event: 'schedule' });
    expect(first.report.meta.drift).toMatchObject({ baseline_status: 'created', baseline_created: true, magnitude: 0 });
    expect(first.report.meta.l0.find((x: { check: string }) => x.check === 'permission_bits')).toMatchObject({ status: 'pass' });
    expect(first.run.summary).toContain('Baseline created');
    expect(touchesIssues(first.requests)).toEqual([]);
    expect(first.run.stdout).toContain(`::add-mask::${TOKEN}`);

    // 2. The repository changed: exactly one issue, labels made once.
    await writeFile(path.join(ws, '.github', 'workflows', 'ci.yml'), CHANGED);
    const second = await scheduled();
    expect(second.report.meta.drift).toMatchObject({ baseline_status: 'compared', over_threshold: true, issue: { action: 'created', number: 1 } });
    const magnitude = Number(second.run.outputs['drift-magnitude']);
    expect(magnitude).toBeGreaterThan(0.05);
    expect(magnitude).toBe(second.report.meta.drift.magnitude);
    // Over the threshold the L0 invariant fails closed: the step fails, after the issue is opened.
    expect(second.run.outputs.decision).toBe('block');
    expect(second.run.code).toBe(1);
    expect(second.run.stdout).toMatch(/::error .*drift magnitude/);
    expect(issueWrites(second.requests)).toEqual([`POST ${R}/labels`, `POST ${R}/labels`, `POST ${R}/issues`]);
    expect(second.requests.filter((q) => q.method === 'POST' && q.path === `${R}/labels`).map((q) => (q.body as { name: string }).name)).toEqual([
      'drift-detection',
      'priority-high'
    ]);
    const created = second.requests.find((q) => q.method === 'POST' && q.path === `${R}/issues`)!.body as { title: string; body: string; labels: string[] };
    expect(created.labels).toEqual(['drift-detection', 'priority-high']);
    expect(created.body).toContain('| workflow permissions | modified | .github/workflows/ci.yml | contents:read | contents:write |');
    expect(created.body).toContain(`Magnitude ${magnitude.toFixed(4)}`);
    // Who last changed the file (the commits API), named without pinging them.
    expect(created.body).toContain(`| @\u200dmona in ${'d'.repeat(12)} |`);
    expect(second.requests.filter((q) => q.path === `${R}/commits`).map((q) => q.query.path)).toEqual(['.github/workflows/ci.yml']);
    expect(created.body).toContain(`https://github.com/octo-org/octo-repo/actions/runs/${runId}`);
    expect(tracker.open()).toHaveLength(1);
    expect(second.run.summary).toContain('Drift issue #1 created');
    expect(touchesIssues(second.requests).every((q) => q.auth)).toBe(true);
    expect(second.run.stdout.split(`::add-mask::${TOKEN}`).join('')).not.toContain(TOKEN);

    // 3. Still drifted: the same issue is edited, nothing is created.
    const third = await scheduled();
    expect(issueWrites(third.requests)).toEqual([`PATCH ${R}/issues/1`]);
    expect(third.requests.find((q) => q.method === 'PATCH')!.body).toEqual({ body: expect.stringContaining(`actions/runs/${runId}`) });
    expect(third.report.meta.drift.issue).toMatchObject({ action: 'updated', number: 1 });
    expect(tracker.issues).toHaveLength(1);

    // 4. Reverted: drift back to zero, the issue is closed with a comment.
    await writeFile(path.join(ws, '.github', 'workflows', 'ci.yml'), CI);
    const fourth = await scheduled();
    expect(fourth.run.code).toBe(0);
    expect(fourth.run.outputs['drift-magnitude']).toBe('0');
    expect(issueWrites(fourth.requests)).toEqual([`POST ${R}/issues/1/comments`, `PATCH ${R}/issues/1`]);
    expect(fourth.requests.find((q) => q.method === 'PATCH')!.body).toEqual({ state: 'closed', state_reason: 'completed' });
    expect(fourth.report.meta.drift).toMatchObject({ magnitude: 0, changes: [], issue: { action: 'closed', number: 1 } });
    expect(tracker.open()).toEqual([]);
    expect(tracker.comments.map((c) => c.issue)).toEqual([1]);

    // Over all runs: one issue, each label created once.
    expect(tracker.issues).toHaveLength(1);
    expect(gh.requests.filter((q) => q.method === 'POST' && q.path === `${R}/issues`)).toHaveLength(1);
    expect(gh.requests.filter((q) => q.method === 'POST' && q.path === `${R}/labels`)).toHaveLength(2);
  });
});
