import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../../src/config/settings.js';
import { runCheck } from '../../src/pipeline/check.js';
import { silentLog } from '../../src/pipeline/log.js';
import { createLocalStores } from '../../src/store/local/index.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).toString();

/** A repository whose main branch is known as origin/main, checked out on a PR branch. */
async function prRepo(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-base-'));
  await cp(path.join('samples', 'over-privileged'), dir, { recursive: true, filter: (src) => !/[/](\.phase-mirror|dissonance_report\.json|phase-mirror\.sarif)$/.test(src) });
  await writeFile(path.join(dir, '.github', 'phase-mirror.yml'), 'rules:\n  MD-004: warn\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  git(dir, 'checkout', '-qb', 'pr');
  return dir;
}

async function check(dir: string, event: string, payload: unknown) {
  const eventPath = path.join(dir, '..', `${path.basename(dir)}-event.json`);
  await writeFile(eventPath, JSON.stringify(payload));
  const s = parseSettings(() => undefined, { GITHUB_REPOSITORY: 'acme/widgets', GITHUB_EVENT_NAME: event, GITHUB_EVENT_PATH: eventPath, GITHUB_RUN_ID: '1' }, dir);
  return runCheck(s, { stores: await createLocalStores(s.dataDir), log: silentLog });
}

describe('the policy comes from the base branch on pull requests', () => {
  it('a PR that suppresses its own finding still gets the finding', async () => {
    const dir = await prRepo();
    const first = await check(dir, 'pull_request', { pull_request: { base: { ref: 'main' } } });
    const target = first.evaluation.findings.find((f) => f.status === 'open')!;
    await writeFile(
      path.join(dir, '.github', 'phase-mirror.yml'),
      `rules:\n  MD-004: off\nsuppressions:\n  - finding: ${target.id}\n    reason: trust me\n`
    );
    git(dir, 'commit', '-qam', 'excuse myself');

    const pr = await check(dir, 'pull_request', { pull_request: { base: { ref: 'main' } } });
    expect(pr.report.meta.policy_source).toBe('origin/main:.github/phase-mirror.yml');
    expect(pr.evaluation.findings.find((f) => f.id === target.id)).toMatchObject({ status: 'open' });

    // The same tree on a push uses its own policy: the rule is off there.
    const push = await check(dir, 'push', {});
    expect(push.evaluation.findings.find((f) => f.id === target.id)).toBeUndefined();
  });

  it('a merge group reads the policy of the branch it merges into', async () => {
    const dir = await prRepo();
    await writeFile(path.join(dir, '.github', 'phase-mirror.yml'), 'rules:\n  MD-004: off\n');
    git(dir, 'commit', '-qam', 'off');
    const mg = await check(dir, 'merge_group', { merge_group: { base_ref: 'refs/heads/main', head_ref: 'gh-readonly-queue/main/pr-1-abc' } });
    expect(mg.evaluation.findings.some((f) => f.ruleId === 'MD-004')).toBe(true);
  });

  it('no policy on the base branch means the defaults, not the PR’s policy', async () => {
    const dir = await prRepo();
    git(dir, 'rm', '-q', '.github/phase-mirror.yml');
    git(dir, 'commit', '-qm', 'drop policy on main');
    git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
    await writeFile(path.join(dir, '.github', 'phase-mirror.yml'), 'rules:\n  MD-004: off\n');
    const pr = await check(dir, 'pull_request', { pull_request: { base: { ref: 'main' } } });
    expect(pr.evaluation.findings.some((f) => f.ruleId === 'MD-004')).toBe(true);
  });
});
