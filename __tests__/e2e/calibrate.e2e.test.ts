/**
 * dist/index.js in calibrate mode, run the way the runner runs it: a workflow_dispatch run marks
 * a finding (the next check run treats it as a false positive, the calibration table shows the
 * new FPR), and an issue_comment run answers the PR comment command against the fake GitHub API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runAction } from '../../test-support/action-runner.js';
import { GitHubFake } from '../../test-support/github-fake.js';

async function workspace(sample: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-calib-e2e-'));
  await cp(path.join('samples', sample), dir, { recursive: true, filter: (src) => !/[/](\.phase-mirror|dissonance_report\.json|phase-mirror\.sarif)$/.test(src) });
  return dir;
}

const report = async (ws: string) => JSON.parse(await readFile(path.join(ws, 'dissonance_report.json'), 'utf8'));

let gh: GitHubFake;
beforeAll(async () => {
  gh = await GitHubFake.start();
});
afterAll(async () => {
  await gh.close();
});

describe('calibrate mode of dist/index.js', () => {
  it('workflow_dispatch marks a finding: the next check shows it as false_positive, the calibration table the new FPR', async () => {
    const ws = await workspace('over-privileged');
    const first = await runAction({ workspace: ws, inputs: { cache: 'false' } });
    expect(first.code).toBe(0);
    const before = await report(ws);
    expect(before.items.map((i: { status: string }) => i.status)).toEqual(['open', 'open']);
    const id: string = before.items[0].id;

    const dispatch = await runAction({
      workspace: ws,
      inputs: { cache: 'false', 'false-positive': id, reviewer: 'alice', ticket: 'SEC-9' },
      event: { name: 'workflow_dispatch', payload: { inputs: { 'false-positive': id, reviewer: 'alice', ticket: 'SEC-9' } } },
      env: { GITHUB_RUN_ID: '1002', GITHUB_REF: 'refs/heads/main' }
    });
    expect(dispatch.code).toBe(0);
    expect(dispatch.stdout).toContain(`Marked ${id} (MD-004) as a false positive (reviewer alice, ticket SEC-9).`);
    expect(dispatch.outputs).toMatchObject({ decision: 'pass', findings: '0', blocking: '0' });
    // rule | action | events | FP | pending | FPR | events (30 d) | FPR (30 d) | versions | ceiling | breach | advice
    expect(dispatch.summary).toMatch(/\| MD-004 \| warn \| 2 \| 1 \| 1 \| 1\.000 \| 2 \| 1\.000 \| [^|]+ \| 0\.1 \| yes \| insufficient_data \|/);
    expect(dispatch.summary).toContain(`Marked as false positive: \`${id}\``);
    const calibration = JSON.parse(await readFile(path.join(ws, 'calibration_report.json'), 'utf8'));
    expect(dispatch.outputs['report-path']).toBe(path.join(ws, 'calibration_report.json'));
    const md4 = calibration.rules.find((r: { rule_id: string }) => r.rule_id === 'MD-004');
    expect(md4.by_count).toMatchObject({ total: 2, false_positives: 1, pending: 1, fpr: 1 });
    expect(calibration.contribution).toMatchObject({ status: 'skipped', reason: 'no_consent' });

    const second = await runAction({ workspace: ws, inputs: { cache: 'false' }, env: { GITHUB_RUN_ID: '1003' } });
    expect(second.code).toBe(0);
    const after = await report(ws);
    expect(after.items.find((i: { id: string }) => i.id === id).status).toBe('false_positive');
    expect(after.summary.false_positives).toBe(1);
    expect(second.outputs.findings).toBe('1');
  });

  it('a workflow_dispatch mark without a reviewer is a configuration error', async () => {
    const ws = await workspace('over-privileged');
    const r = await runAction({ workspace: ws, inputs: { cache: 'false', 'false-positive': '0123456789abcdef' }, event: { name: 'workflow_dispatch' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("::error::Configuration error: Input 'false-positive' needs 'reviewer'");
  });

  it('issue_comment: an authorised command is marked and answered; an unauthorised one changes nothing', async () => {
    const ws = await workspace('over-privileged');
    await runAction({ workspace: ws, inputs: { cache: 'false' } });
    const id: string = (await report(ws)).items[0].id;
    gh.reset();
    gh.route('/repos/acme/widgets/collaborators/alice/permission', { status: 200, body: { permission: 'write', role_name: 'write', user: { login: 'alice' } } });
    gh.route('/repos/acme/widgets/collaborators/mallory/permission', { status: 200, body: { permission: 'read', role_name: 'read', user: { login: 'mallory' } } });
    gh.on('POST', '/repos/acme/widgets/issues/7/comments', (req) => ({ status: 201, body: { id: 9, body: (req.body as { body: string }).body } }));
    const comment = (login: string) => ({
      name: 'issue_comment',
      payload: { action: 'created', issue: { number: 7, pull_request: { url: 'x' } }, comment: { body: `/phase-mirror false-positive ${id} SEC-11`, user: { login, type: 'User' } } }
    });
    const common = { workspace: ws, inputs: { cache: 'false', 'github-token': 'ghs_test' }, env: { GITHUB_API_URL: gh.url, GITHUB_REF: 'refs/heads/main' } };

    const denied = await runAction({ ...common, event: comment('mallory') });
    expect(denied.code).toBe(0);
    expect(denied.summary).toContain('Outcome: **unauthorised**');
    const ok = await runAction({ ...common, event: comment('alice') });
    expect(ok.code).toBe(0);
    expect(ok.summary).toContain('Outcome: **marked**');
    const posted = gh.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { body: string }).body);
    expect(posted).toHaveLength(2);
    expect(posted[0]).toContain('Nothing was changed');
    expect(posted[1]).toContain(`marked finding \`${id}\``);

    await runAction({ workspace: ws, inputs: { cache: 'false' }, env: { GITHUB_RUN_ID: '1005' } });
    expect((await report(ws)).items.find((i: { id: string }) => i.id === id).status).toBe('false_positive');
  });
});
