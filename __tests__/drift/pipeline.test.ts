import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../../src/config/settings.js';
import { silentLog } from '../../src/pipeline/log.js';
import { runDrift } from '../../src/pipeline/drift.js';
import { createLocalStores } from '../../src/store/local/index.js';
import { StoreError, type Stores } from '../../src/store/types.js';
import { GitHubFake } from '../../test-support/github-fake.js';
import { FakeIssueTracker } from '../../test-support/github-issues.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const CI = `name: ci
on: [pull_request]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
`;
const INFRA = 'resource "aws_s3_bucket" "b" {}\n';

async function repo(extra: Record<string, string> = {}): Promise<string> {
  const ws = await mkdtemp(path.join(tmpdir(), 'pm-drift-'));
  const files: Record<string, string> = { '.github/workflows/ci.yml': CI, 'infra/main.tf': INFRA, 'README.md': 'hello\n', ...extra };
  for (const [rel, text] of Object.entries(files)) await put(ws, rel, text);
  return ws;
}

async function put(ws: string, rel: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(ws, rel)), { recursive: true });
  await writeFile(path.join(ws, rel), text);
}

const settingsFor = (ws: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}) =>
  parseSettings((n) => inputs[n], { GITHUB_REPOSITORY: 'acme/widgets', GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1', GITHUB_EVENT_NAME: 'schedule', GITHUB_SHA: 'a'.repeat(40), GITHUB_REF: 'refs/heads/main', ...env }, ws);

async function drift(ws: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}, stores?: Stores) {
  const s = settingsFor(ws, inputs, env);
  const r = await runDrift(s, { stores: stores ?? (await createLocalStores(s.dataDir)), log: silentLog, githubRetry: { baseMs: 1, capMs: 1, budgetMs: 50 } });
  return { r, s, report: JSON.parse(await readFile(s.reportPath, 'utf8')) };
}

const baselineFile = (ws: string) => path.join(ws, '.phase-mirror', 'baseline.json');

describe('runDrift on the local store', () => {
  it('first run: the baseline is created and saved, magnitude 0, the report says so', async () => {
    const ws = await repo();
    const { r, s, report } = await drift(ws);
    expect(s.mode).toBe('drift');
    expect(r.drift).toMatchObject({ baseline_status: 'created', baseline_created: true, baseline_saved: true, magnitude: 0, changes: [], tracked_files: 2 });
    expect(r.drift.message).toMatch(/baseline created/);
    const stored = JSON.parse(await readFile(baselineFile(ws), 'utf8')).baselines['acme/widgets'].baseline;
    expect(stored).toMatchObject({
      schemaVersion: 1,
      repository: 'acme/widgets',
      sha: 'a'.repeat(40),
      files: { '.github/workflows/ci.yml': sha(CI), 'infra/main.tf': sha(INFRA) },
      workflows: { '.github/workflows/ci.yml': { triggers: ['pull_request'], permissions: 'contents:read', jobs: { build: 'contents:read' } } }
    });
    expect(report.meta.mode).toBe('drift');
    expect(report.meta.drift).toMatchObject({ baseline_created: true, magnitude: 0, threshold: 0.3, changes: [] });
    expect(report.meta.l0.find((x: { check: string }) => x.check === 'drift_magnitude')).toMatchObject({ status: 'pass' });
    expect(r.summary).toContain('**Baseline created**');
    expect(r.evaluation.decision.degraded).toBe(false);
  });

  it('a change is reported item by item (old → new) with its magnitude; the baseline stays until updated', async () => {
    const ws = await repo();
    await drift(ws);
    const before = await readFile(baselineFile(ws), 'utf8');
    const ci2 = CI.replace('contents: read', 'contents: write');
    await put(ws, '.github/workflows/ci.yml', ci2);
    await put(ws, 'infra/extra.tf', 'x\n');
    await put(ws, 'README.md', 'changed, but not tracked\n');

    const { r, report } = await drift(ws, {}, { GITHUB_RUN_ID: '8' });
    expect(r.drift.baseline_status).toBe('compared');
    expect(r.drift.changes).toEqual([
      { category: 'file', item: '.github/workflows/ci.yml', kind: 'modified', old: sha(CI), new: sha(ci2) },
      { category: 'file', item: 'infra/extra.tf', kind: 'added', new: sha('x\n') },
      { category: 'workflow-permissions', item: '.github/workflows/ci.yml', kind: 'modified', old: 'contents:read', new: 'contents:write' },
      { category: 'job-permissions', item: '.github/workflows/ci.yml#build', kind: 'modified', old: 'contents:read', new: 'contents:write' }
    ]);
    // files 1+1 of 3, permissions 2+2 of 2+2, triggers 0 of 2: (2 + 4) / (3 + 6) = 0.6667
    expect(r.drift.magnitude).toBe(0.6667);
    expect(r.drift.tracked_items).toBe(9);
    expect(r.drift.over_threshold).toBe(true);
    expect(report.meta.drift).toMatchObject({ magnitude: 0.6667, threshold: 0.3, over_threshold: true, baseline_saved: false });
    expect(report.meta.drift.changes).toHaveLength(4);
    // Over the threshold: L0 drift_magnitude fails closed (critical, blocks) and the rules still ran.
    const l0 = report.items.find((i: { rule_id: string }) => i.rule_id === 'L0-drift-magnitude');
    expect(l0).toMatchObject({ severity: 'critical', status: 'open' });
    expect(r.evaluation.decision.outcome).toBe('block');
    expect(report.meta.l0.map((x: { check: string }) => x.check)).toContain('permission_bits');
    expect(r.summary).toContain('| workflow permissions | modified | .github/workflows/ci.yml | contents:read | contents:write |');

    // Not updated: the stored baseline is byte-for-byte the first one, and the drift persists.
    expect(await readFile(baselineFile(ws), 'utf8')).toBe(before);
    const again = await drift(ws, {}, { GITHUB_RUN_ID: '9' });
    expect(again.r.drift.changes).toHaveLength(4);
  });

  it('a small change stays under the threshold: reported, no L0 finding', async () => {
    const extra: Record<string, string> = {};
    for (let i = 0; i < 20; i++) extra[`infra/m${i}.tf`] = `module ${i}\n`;
    const ws = await repo(extra);
    await drift(ws);
    await put(ws, 'infra/m3.tf', 'module 3 changed\n');
    const { r, report } = await drift(ws);
    expect(r.drift.changes).toEqual([{ category: 'file', item: 'infra/m3.tf', kind: 'modified', old: sha('module 3\n'), new: sha('module 3 changed\n') }]);
    expect(r.drift.magnitude).toBeGreaterThan(0);
    expect(r.drift.over_threshold).toBe(false);
    expect(report.items.some((i: { rule_id: string }) => i.rule_id === 'L0-drift-magnitude')).toBe(false);
  });

  it('update-baseline writes the current state: the next run sees no drift', async () => {
    const ws = await repo();
    await drift(ws);
    await put(ws, 'infra/main.tf', 'changed\n');
    const upd = await drift(ws, { 'update-baseline': 'true' });
    expect(upd.r.drift).toMatchObject({ baseline_status: 'compared', baseline_saved: true, baseline_created: false });
    expect(upd.r.drift.changes).toHaveLength(1);
    expect(upd.r.summary).toContain('The baseline was updated');
    const next = await drift(ws);
    expect(next.r.drift).toMatchObject({ magnitude: 0, changes: [], baseline_saved: false });
  });

  it('a malformed baseline file: degraded baseline_unavailable, nothing compared, the file untouched', async () => {
    const ws = await repo();
    await mkdir(path.join(ws, '.phase-mirror'), { recursive: true });
    await writeFile(baselineFile(ws), '{"baselines": {"acme/widgets": ');
    const { r, report } = await drift(ws);
    expect(r.drift).toMatchObject({ baseline_status: 'unavailable', magnitude: null, baseline_saved: false, changes: [] });
    expect(r.drift.message).toMatch(/could not be used .*left as it is/);
    expect(r.evaluation.decision.degradedReasons).toContain('baseline_unavailable');
    expect(report.meta.degraded.reasons).toContain('baseline_unavailable');
    expect(report.meta.degraded.detail).toMatch(/drift baseline unavailable/);
    expect(report.meta.l0.find((x: { check: string }) => x.check === 'drift_magnitude')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/baseline could not be compared/) });
    expect(await readFile(baselineFile(ws), 'utf8')).toBe('{"baselines": {"acme/widgets": ');
    expect((await readdir(path.join(ws, '.phase-mirror'))).filter((f) => f.includes('corrupt'))).toEqual([]);
  });

  it('a stored document that is not a baseline: degraded, untouched; update-baseline replaces it', async () => {
    const ws = await repo();
    await mkdir(path.join(ws, '.phase-mirror'), { recursive: true });
    const text = JSON.stringify({ baselines: { 'acme/widgets': { savedAt: '2026-01-01T00:00:00Z', baseline: { hello: 'world' } } } });
    await writeFile(baselineFile(ws), text);
    const { r } = await drift(ws);
    expect(r.drift.baseline_status).toBe('unavailable');
    expect(r.drift.message).toContain('no schemaVersion');
    expect(await readFile(baselineFile(ws), 'utf8')).toBe(text);

    const upd = await drift(ws, { 'update-baseline': 'true' });
    expect(upd.r.drift).toMatchObject({ baseline_status: 'unavailable', baseline_saved: true });
    expect((await drift(ws)).r.drift).toMatchObject({ baseline_status: 'compared', magnitude: 0 });
  });

  it('a baseline of an unknown schema version: L0 schema_hash fails, the baseline is kept', async () => {
    const ws = await repo();
    await mkdir(path.join(ws, '.phase-mirror'), { recursive: true });
    const text = JSON.stringify({ baselines: { 'acme/widgets': { savedAt: '2026-01-01T00:00:00Z', baseline: { schemaVersion: 99, files: {}, workflows: {} } } } });
    await writeFile(baselineFile(ws), text);
    const { r, report } = await drift(ws);
    expect(r.drift).toMatchObject({ baseline_status: 'unsupported', magnitude: null, baseline_saved: false });
    expect(report.items.find((i: { rule_id: string }) => i.rule_id === 'L0-schema-hash')).toMatchObject({ severity: 'critical', message: expect.stringMatching(/baseline/) });
    expect(await readFile(baselineFile(ws), 'utf8')).toBe(text);
  });

  it('the baseline store is down: degraded, the new baseline is spooled into meta.unrecorded', async () => {
    const ws = await repo();
    const s = settingsFor(ws);
    const local = await createLocalStores(s.dataDir);
    const down = () => Promise.reject(new StoreError('S3 unreachable: connect ECONNREFUSED', true));
    const stores: Stores = { ...local, baseline: { load: async () => null, save: down } };
    const { r, report } = await drift(ws, {}, {}, stores);
    expect(r.drift).toMatchObject({ baseline_status: 'created', baseline_created: false, baseline_saved: false });
    expect(r.evaluation.decision.degradedReasons).toContain('baseline_unavailable');
    expect(report.meta.unrecorded).toEqual([expect.objectContaining({ store: 'baseline', operation: 'save', error: expect.stringContaining('ECONNREFUSED') })]);
    expect(report.meta.unrecorded[0].payload.files['infra/main.tf']).toBe(sha(INFRA));

    const loadDown: Stores = { ...local, baseline: { load: down, save: down } };
    const second = await drift(ws, {}, {}, loadDown);
    expect(second.r.drift).toMatchObject({ baseline_status: 'unavailable', baseline_saved: false });
    expect(second.report.meta.unrecorded).toBeUndefined();
  });

  it("pm-action's own outputs never drift, even with drift.paths: ['**']", async () => {
    const ws = await repo({ '.github/phase-mirror.yml': 'drift:\n  paths: ["**"]\n' });
    await drift(ws);
    const { r } = await drift(ws, {}, { GITHUB_RUN_ID: '8' });
    expect(r.drift.changes).toEqual([]);
    expect(Object.keys(JSON.parse(await readFile(baselineFile(ws), 'utf8')).baselines['acme/widgets'].baseline.files).sort()).toEqual([
      '.github/phase-mirror.yml',
      '.github/workflows/ci.yml',
      'README.md',
      'infra/main.tf'
    ]);
  });
});

describe('runDrift and the drift issue', () => {
  let gh: GitHubFake;
  beforeAll(async () => {
    gh = await GitHubFake.start();
  });
  afterAll(async () => {
    await gh.close();
  });
  const env = () => ({ GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'octo-org/octo-repo', PM_ACTION_GITHUB_RETRY_BUDGET_MS: '20' });

  it('opens the issue on drift, and an issue failure is a warning plus degraded github_api_unavailable, never a crash', async () => {
    gh.reset();
    const tracker = new FakeIssueTracker(gh, 'octo-org', 'octo-repo');
    const ws = await repo();
    await drift(ws, { 'github-token': 'ghs_x' }, env());
    expect(tracker.issues).toHaveLength(0); // first run: baseline only

    await put(ws, 'infra/main.tf', 'changed\n');
    // Who last changed the file, as the commits API says.
    gh.route('/repos/octo-org/octo-repo/commits', {
      status: 200,
      body: [{ sha: 'c'.repeat(40), html_url: 'https://github.com/octo-org/octo-repo/commit/cccc', commit: { author: { name: 'Mona', email: 'm@x', date: '2026-11-27T00:00:00Z' } }, author: { login: 'mona', id: 2 } }]
    });
    const opened = await drift(ws, { 'github-token': 'ghs_x' }, env());
    expect(opened.r.drift.changes).toEqual([expect.objectContaining({ item: 'infra/main.tf', by: { author: '@mona', commit: 'c'.repeat(40) } })]);
    const commitsAsked = gh.requests.filter((q) => q.path === '/repos/octo-org/octo-repo/commits');
    expect(commitsAsked.map((q) => q.query)).toEqual([{ path: 'infra/main.tf', per_page: '1', sha: 'a'.repeat(40) }]);
    expect(tracker.issues[0].body).toContain(`| @\u200dmona in ${'c'.repeat(12)} |`);
    expect(opened.r.drift.issue).toMatchObject({ action: 'created', number: 1 });
    expect(opened.report.meta.drift.issue).toMatchObject({ action: 'created', number: 1, url: 'https://github.com/octo-org/octo-repo/issues/1' });
    expect(tracker.open()).toHaveLength(1);
    expect(opened.r.evaluation.decision.degradedReasons).not.toContain('github_api_unavailable');

    gh.on('PATCH', '/repos/octo-org/octo-repo/issues/1', () => ({ status: 500, body: { message: 'Server Error' } }));
    const failed = await drift(ws, { 'github-token': 'ghs_x' }, env());
    expect(failed.r.drift.issue).toMatchObject({ action: 'failed', number: 1 });
    expect(failed.r.evaluation.decision.degradedReasons).toContain('github_api_unavailable');
    expect(failed.report.meta.degraded.detail).toMatch(/drift issue not maintained/);
    expect(failed.r.drift.changes).toHaveLength(1);
  });

  it('create-issue: false, or no token: no issue request at all', async () => {
    gh.reset();
    new FakeIssueTracker(gh, 'octo-org', 'octo-repo');
    const ws = await repo();
    await drift(ws, { 'github-token': 'ghs_x' }, env());
    await put(ws, 'infra/main.tf', 'changed\n');
    gh.requests.length = 0;
    const off = await drift(ws, { 'github-token': 'ghs_x', 'create-issue': 'false' }, env());
    expect(off.r.drift.issue).toBeUndefined();
    const noToken = await drift(ws, {}, env());
    expect(noToken.r.drift.issue).toBeUndefined();
    expect(gh.requests.filter((q) => q.path.includes('/issues') || q.path.includes('/labels'))).toEqual([]);
  });
});
