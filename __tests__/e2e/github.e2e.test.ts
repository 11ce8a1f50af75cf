import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runAction } from '../../test-support/action-runner.js';
import { GitHubFake } from '../../test-support/github-fake.js';

const R = '/repos/octo-org/octo-repo';
const TOKEN = 'ghs_e2eSecretTokenValue0000000000000000000';
const WORKFLOW = `name: ci
on:
  pull_request:
  merge_group:
permissions:
  contents: read
jobs:
  build:
    name: Build (\${{ matrix.os }})
    strategy:
      matrix:
        os: [ubuntu-latest]
    runs-on: \${{ matrix.os }}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: make
`;

let gh: GitHubFake;
beforeAll(async () => {
  gh = await GitHubFake.start();
});
afterAll(async () => {
  await gh.close();
});

async function repo(): Promise<string> {
  const ws = await mkdtemp(path.join(tmpdir(), 'pm-gh-'));
  await mkdir(path.join(ws, '.github', 'workflows'), { recursive: true });
  await writeFile(path.join(ws, '.github', 'workflows', 'ci.yml'), WORKFLOW);
  return ws;
}

describe('dist/index.js against the fake GitHub API', () => {
  it('ruleset requires `build`, the job produces `Build (ubuntu-latest)`: MD-001 blocks, classic protection 403 is unobservable', async () => {
    gh.reset();
    gh.route(`${R}/rules/branches/main`, 'rules-branch')
      .route(`${R}/rulesets/42`, 'ruleset-42')
      .route(`${R}/rulesets/73`, 'ruleset-73')
      .route(`${R}/actions/permissions/workflow`, 'workflow-permissions')
      .route(`${R}/codeowners/errors`, 'codeowners-errors')
      .route(R, 'repo')
      .fail(`${R}/branches/main/protection`, 'forbidden');
    const ws = await repo();
    const r = await runAction({
      workspace: ws,
      inputs: { cache: 'false', strict: 'true', 'github-token': TOKEN },
      env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'octo-org/octo-repo' },
      event: { name: 'pull_request', payload: { pull_request: { number: 7, base: { ref: 'main' } }, repository: { default_branch: 'main' } } }
    });
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(r.stdout.split(`::add-mask::${TOKEN}`).join('')).not.toContain(TOKEN);
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('block');

    const report = JSON.parse(await readFile(path.join(ws, 'dissonance_report.json'), 'utf8'));
    const md001 = report.items.filter((i: { rule_id: string }) => i.rule_id === 'MD-001');
    expect(md001).toHaveLength(1);
    expect(md001[0].message).toContain('Build (ubuntu-latest)');
    expect(md001[0].message).toMatch(/ruleset/i);
    expect(md001[0].evidence.some((e: { path: string; line?: number }) => e.path === '.github/workflows/ci.yml' && e.line)).toBe(true);
    // `security/scan` is bound to another app: left alone.
    expect(JSON.stringify(md001)).not.toContain('security/scan');

    const classic = report.meta.unobservable.find((u: { missing_permission?: string }) => u.missing_permission === 'Administration: read');
    expect(classic).toBeDefined();

    // Every endpoint at most once; the collector's count is in the debug output. The one other
    // request is the policy read from the base branch (the workspace is no git checkout).
    const paths = gh.requests.map((q) => q.path);
    expect(new Set(paths).size).toBe(paths.length);
    const policyReads = paths.filter((p) => p === `${R}/contents/.github/phase-mirror.yml`);
    expect(policyReads).toHaveLength(1);
    expect(r.stdout).toContain(`::debug::GitHub API requests: ${gh.requests.length - policyReads.length}`);
    expect(gh.requests.every((q) => q.auth)).toBe(true);
  });

  it('API down: still a decision, degraded github_api_unavailable, the step does not fail', async () => {
    gh.reset();
    for (const p of ['/rules/branches/main', '/branches/main/protection', '/actions/permissions/workflow', '/codeowners/errors', '']) {
      gh.fail(`${R}${p}`, 'server-error');
    }
    const ws = await repo();
    const r = await runAction({
      workspace: ws,
      inputs: { cache: 'false', 'github-token': TOKEN },
      env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'octo-org/octo-repo', PM_ACTION_GITHUB_RETRY_BUDGET_MS: '50' },
      event: { name: 'pull_request', payload: { pull_request: { number: 7, base: { ref: 'main' } } } }
    });
    expect(r.code).toBe(0);
    expect(r.outputs.degraded).toBe('true');
    const report = JSON.parse(await readFile(path.join(ws, 'dissonance_report.json'), 'utf8'));
    expect(report.meta.degraded.reasons).toContain('github_api_unavailable');
  });
});
