import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { collectWorkspace } from '../../src/collect/workspace.js';
import { rule } from '../../src/rules/md-004-over-privileged-token.js';
import { actionName, matchesAction } from '../../src/rules/shared/action-ref.js';
import { ifEvents } from '../../src/rules/shared/expressions.js';
import { runsCode, scopeUses } from '../../src/rules/md-004/scope-use.js';
import { ruleById } from '../../src/rules/index.js';
import type { FindingDraft, RuleResult } from '../../src/model/finding.js';
import type { GovernanceSnapshot } from '../../src/model/snapshot.js';
import { makeSnapshot, ruleConfig, workflowFromYaml } from '../../test-support/snapshot.js';

const WRITE: GovernanceSnapshot['defaultWorkflowPermissions'] = { status: 'observed', value: 'write' };
const READ: GovernanceSnapshot['defaultWorkflowPermissions'] = { status: 'observed', value: 'read' };
const UNOBSERVABLE: GovernanceSnapshot['defaultWorkflowPermissions'] = {
  status: 'unobservable',
  reason: 'GET /repos/o/r/actions/permissions/workflow returned 403',
  missingPermission: 'administration: read'
};

interface Opts {
  defaults?: GovernanceSnapshot['defaultWorkflowPermissions'];
  options?: Record<string, unknown>;
}

function run(files: Record<string, string>, opts: Opts = {}): FindingDraft[] {
  const workflows = Object.entries(files).map(([p, y]) => workflowFromYaml(p, y));
  const snap = makeSnapshot({ workflows, defaultWorkflowPermissions: opts.defaults ?? READ });
  const r = rule.evaluate(snap, ruleConfig(opts.options ?? {}));
  return Array.isArray(r) ? r : (r as RuleResult).findings;
}

const subjects = (fs: FindingDraft[]): string[] => fs.map((f) => f.subject);
const P = '.github/workflows/w.yml';

const job = (id: string, extra = '', steps = '      - run: echo hi'): string =>
  `  ${id}:\n    runs-on: ubuntu-latest\n${extra}    steps:\n${steps}\n`;

describe('MD-004 metadata', () => {
  it('is complete and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-004', severity: 'high', defaultAction: 'warn', fpCeiling: 0.1 });
    for (const k of ['title', 'motivation', 'description', 'remediation', 'example'] as const) {
      expect(String(rule.meta[k]).length).toBeGreaterThan(20);
    }
    expect(ruleById('MD-004')).toBe(rule);
  });

  it('its example triggers it', () => {
    expect(subjects(run({ [P]: rule.meta.example ?? '' }))).toEqual(['write-all']);
  });
});

describe('MD-004 write-all', () => {
  it('workflow-level write-all is high, with the inheriting jobs as evidence', () => {
    const fs = run({ [P]: `on: push\npermissions: write-all\njobs:\n${job('a')}${job('b', '    permissions: {contents: read}\n')}` });
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ subject: 'write-all', path: P, severity: 'high' });
    expect(fs[0].evidence).toEqual([
      { path: P, line: 2, column: 1 },
      { path: P, line: 4, column: 3 }
    ]);
    expect(fs[0].message).toContain('`a`');
    expect(fs[0].message).toContain('contents: read');
  });

  it('workflow-level write-all is still reported when every job overrides it, and the jobs are not', () => {
    const fs = run(
      { [P]: `on:\n  schedule: [{cron: "0 0 * * *"}]\npermissions: write-all\njobs:\n${job('a', '    permissions: {contents: read}\n')}${job('b', '    permissions: {}\n')}` },
      { defaults: WRITE }
    );
    expect(subjects(fs)).toEqual(['write-all']);
    expect(fs[0].message).toMatch(/overrides it/);
    expect(fs[0].evidence).toHaveLength(1);
  });

  it('job-level write-all is high even in a push-only workflow', () => {
    const fs = run({ [P]: `on: push\npermissions: {contents: read}\njobs:\n${job('deploy', '    permissions: write-all\n')}` });
    expect(fs).toEqual([
      expect.objectContaining({ subject: 'deploy:write-all', severity: 'high', evidence: [{ path: P, line: 6, column: 5 }, { path: P, line: 4, column: 3 }] })
    ]);
    expect(fs[0].message).toContain('deploy');
  });
});

describe('MD-004 missing permissions', () => {
  const NONE = `on: [push, pull_request]\njobs:\n${job('build')}${job('test', '    permissions: {contents: read}\n')}${job('lint')}`;

  it('high when the repository default is observed write: one finding per workflow', () => {
    const fs = run({ [P]: NONE }, { defaults: WRITE });
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ subject: 'missing-permissions', severity: 'high' });
    expect(fs[0].evidence).toEqual([
      { path: P, line: 1, column: 1 },
      { path: P, line: 3, column: 3 },
      { path: P, line: 12, column: 3 }
    ]);
    expect(fs[0].message).toContain('`build`, `lint`');
  });

  it('medium when the default could not be read, saying why and how to make it observable', () => {
    const fs = run({ [P]: NONE }, { defaults: UNOBSERVABLE });
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ subject: 'missing-permissions', severity: 'medium' });
    expect(fs[0].message).toContain('could not be read');
    expect(fs[0].message).toContain('administration: read');
    expect(fs[0].message).toContain('Declaring `permissions:` explicitly');
  });

  it('nothing when the default is observed read', () => {
    expect(run({ [P]: NONE }, { defaults: READ })).toEqual([]);
  });

  it('jobs calling reusable workflows count like other jobs', () => {
    const fs = run({ [P]: 'on: push\njobs:\n  call:\n    uses: octo/shared/.github/workflows/ci.yml@v1\n' }, { defaults: WRITE });
    expect(fs[0].evidence).toEqual([
      { path: P, line: 1, column: 1 },
      { path: P, line: 3, column: 3 }
    ]);
  });

  it('a workflow-level block covers jobs without their own; explicit {} is fine', () => {
    expect(run({ [P]: `on: push\npermissions: {}\njobs:\n${job('a')}` }, { defaults: WRITE })).toEqual([]);
    expect(run({ [P]: `on: push\npermissions: read-all\njobs:\n${job('a')}` }, { defaults: WRITE })).toEqual([]);
  });

  it('workflows triggered only by workflow_call are left to their callers', () => {
    expect(run({ [P]: `on: workflow_call\njobs:\n${job('a')}` }, { defaults: WRITE })).toEqual([]);
    expect(subjects(run({ [P]: `on: [workflow_call, push]\njobs:\n${job('a')}` }, { defaults: WRITE }))).toEqual(['missing-permissions']);
  });

  it('the privileged trigger is mentioned when relevant', () => {
    const fs = run({ [P]: `on:\n  schedule: [{cron: "0 0 * * *"}]\njobs:\n${job('a')}` }, { defaults: WRITE });
    expect(fs[0].message).toContain('`schedule`');
  });
});

describe('MD-004 write scopes in unattended or privileged workflows', () => {
  it('one high finding per job and write scope, evidence on the scope line', () => {
    const fs = run({
      [P]: `on:\n  workflow_dispatch:\njobs:\n${job('release', '    permissions:\n      contents: write\n      packages: write\n      issues: read\n')}`
    });
    expect(subjects(fs)).toEqual(['release:contents', 'release:packages']);
    expect(fs[0]).toMatchObject({ severity: 'high', path: P });
    expect(fs[0].evidence).toEqual([{ path: P, line: 7 }, { path: P, line: 4, column: 3 }]);
    expect(fs[0].message).toContain('release');
    expect(fs[0].message).toContain('contents: write');
    expect(fs[0].message).toContain('`workflow_dispatch`');
  });

  it.each(['schedule', 'workflow_dispatch', 'workflow_run', 'pull_request_target', 'issue_comment', 'issues', 'discussion', 'discussion_comment'])('%s is privileged', (event) => {
    const fs = run({ [P]: `on: ${event}\npermissions:\n  contents: write\njobs:\n${job('a')}${job('b')}` });
    expect(subjects(fs)).toEqual(['a:contents', 'b:contents']);
    expect(fs[0].evidence[0]).toEqual({ path: P, line: 3 });
  });

  it('push-only and pull_request workflows with write scopes stay quiet', () => {
    const fs = run({
      [P]: `on:\n  push:\n    branches: [main]\n  pull_request:\npermissions:\n  contents: write\n  pull-requests: write\njobs:\n${job('a')}`
    });
    expect(fs).toEqual([]);
  });

  it('a read-only scheduled workflow stays quiet', () => {
    expect(run({ [P]: `on:\n  schedule: [{cron: "0 3 * * *"}]\npermissions:\n  contents: read\n  issues: none\njobs:\n${job('a')}` }, { defaults: WRITE })).toEqual([]);
  });

  it('job-level permissions replace a writable workflow level', () => {
    const y = `on: schedule\npermissions:\n  contents: write\njobs:\n${job('reads', '    permissions:\n      contents: read\n')}${job('inherits')}`;
    expect(subjects(run({ [P]: y }))).toEqual(['inherits:contents']);
  });

  it('id-token: write with configure-aws-credentials is justified; other scopes are not', () => {
    const steps = '      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4\n        with: {role-to-assume: arn:aws:iam::1:role/x, aws-region: eu-west-1}\n      - run: aws s3 sync dist s3://bucket';
    const fs = run({ [P]: `on: workflow_dispatch\njobs:\n${job('deploy', '    permissions:\n      id-token: write\n      contents: write\n', steps)}` });
    expect(subjects(fs)).toEqual(['deploy:contents']);
  });

  it('id-token: write without an OIDC consumer is reported', () => {
    const fs = run({ [P]: `on: workflow_dispatch\njobs:\n${job('x', '    permissions:\n      id-token: write\n')}` });
    expect(subjects(fs)).toEqual(['x:id-token']);
  });

  it('built-in justified pairs', () => {
    const pages = `on: workflow_dispatch\njobs:\n${job('pages', '    permissions: {pages: write, id-token: write}\n', '      - uses: actions/deploy-pages@v4')}`;
    expect(run({ [P]: pages })).toEqual([]);
    const codeql = `on: schedule\njobs:\n${job('scan', '    permissions: {security-events: write}\n', '      - uses: github/codeql-action/upload-sarif@v3')}`;
    expect(run({ [P]: codeql })).toEqual([]);
    const attest = `on: workflow_dispatch\njobs:\n${job('att', '    permissions: {attestations: write, id-token: write}\n', '      - uses: actions/attest-build-provenance@v2')}`;
    expect(run({ [P]: attest })).toEqual([]);
    const gcp = `on: schedule\njobs:\n${job('g', '    permissions: {id-token: write}\n', '      - uses: google-github-actions/auth@v2')}`;
    expect(run({ [P]: gcp })).toEqual([]);
    const azure = `on: schedule\njobs:\n${job('z', '    permissions: {id-token: write}\n', '      - uses: Azure/login@v2')}`;
    expect(run({ [P]: azure })).toEqual([]);
    const cosign = `on: schedule\njobs:\n${job('s', '    permissions: {id-token: write}\n', '      - uses: sigstore/cosign-installer@v3')}`;
    expect(run({ [P]: cosign })).toEqual([]);
    // pages: write is not justified by codeql, security-events not by deploy-pages
    const mixed = `on: schedule\njobs:\n${job('m', '    permissions: {pages: write, security-events: write}\n', '      - uses: github/codeql-action/analyze@v3')}`;
    expect(subjects(run({ [P]: mixed }))).toEqual(['m:pages']);
  });

  it('pm-action with aws-role-arn justifies id-token', () => {
    const steps = '      - uses: PhaseMirror/pm-action@v1\n        with:\n          aws-role-arn: arn:aws:iam::1:role/pm';
    expect(run({ [P]: `on: workflow_dispatch\njobs:\n${job('c', '    permissions: {id-token: write}\n', steps)}` })).toEqual([]);
    const without = '      - uses: PhaseMirror/pm-action@v1';
    expect(subjects(run({ [P]: `on: workflow_dispatch\njobs:\n${job('c', '    permissions: {id-token: write}\n', without)}` }))).toEqual(['c:id-token']);
  });

  it('pm-action justifies issues (drift issue) and pull-requests (comment replies), not contents', () => {
    const steps = '      - uses: PhaseMirror/pm-action@v1\n        with:\n          mode: drift';
    const y = `on: schedule\njobs:\n${job('d', '    permissions: {contents: write, issues: write, pull-requests: write}\n', steps)}`;
    expect(subjects(run({ [P]: y }))).toEqual(['d:contents']);
  });

  it('a local reusable workflow justifies the caller through its steps', () => {
    const callee = `on: workflow_call\npermissions: {}\njobs:\n${job('deploy', '    permissions: {id-token: write}\n', '      - uses: aws-actions/configure-aws-credentials@v4')}`;
    const caller = 'on: workflow_dispatch\njobs:\n  call:\n    uses: ./.github/workflows/deploy.yml\n    permissions:\n      id-token: write\n      contents: write\n';
    const fs = run({ '.github/workflows/deploy.yml': callee, [P]: caller });
    expect(fs.map((f) => [f.path, f.subject])).toEqual([[P, 'call:contents']]);
  });

  it('the allow option accepts `scope` and `scope@owner/action`', () => {
    // An action pm-action knows nothing of: no visible use, so every write scope is reported.
    const y = `on: workflow_dispatch\njobs:\n${job('r', '    permissions: {contents: write, packages: write, issues: write}\n', '      - uses: softprops/unknown-release@v2')}`;
    expect(subjects(run({ [P]: y }))).toEqual(['r:contents', 'r:issues', 'r:packages']);
    expect(subjects(run({ [P]: y }, { options: { allow: ['contents@softprops/unknown-release', 'packages'] } }))).toEqual(['r:issues']);
    expect(subjects(run({ [P]: y }, { options: { allow: ['contents@softprops/*'] } }))).toEqual(['r:issues', 'r:packages']);
    expect(subjects(run({ [P]: y }, { options: { allow: ['contents@other/action'] } }))).toEqual(['r:contents', 'r:issues', 'r:packages']);
    // malformed option values are ignored
    expect(subjects(run({ [P]: y }, { options: { allow: [42, null, '', '@x/y'] } }))).toHaveLength(3);
    expect(subjects(run({ [P]: y }, { options: { allow: 'issues' } }))).toEqual(['r:contents', 'r:packages']);
  });
});

describe('MD-004 write scopes the job visibly uses', () => {
  const lockThreads = '      - uses: dessant/lock-threads@7266a7ce5c1df01b1c6db85bf8cd86c737dadbe7';

  it('a scheduled lock-threads job with issues and pull-requests write is quiet; a scope it does not use is not', () => {
    const y = `on:\n  schedule: [{cron: "0 * * * *"}]\npermissions: {}\njobs:\n${job('lock', '    permissions: {issues: write, pull-requests: write, contents: write}\n', lockThreads)}`;
    const fs = run({ [P]: y });
    expect(subjects(fs)).toEqual(['lock:contents']);
    expect(fs[0]).toMatchObject({ severity: 'high' });
    expect(fs[0].message).toContain('No step of the job visibly uses it');
  });

  it('a workflow_run commenter (github-script createComment) is quiet, as is a labeler on pull_request_target', () => {
    const comment = [
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: |',
      '            await github.rest.issues.createComment({ ...context.repo, issue_number: 1, body: "size: 3 kB" })'
    ].join('\n');
    const y = `on:\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\njobs:\n${job('comment', '    permissions: {pull-requests: write}\n', comment)}`;
    expect(run({ [P]: y })).toEqual([]);
    const labeler = `on: pull_request_target\njobs:\n${job('label', '    permissions: {contents: read, pull-requests: write}\n', '      - uses: actions/labeler@v5')}`;
    expect(run({ [P]: labeler })).toEqual([]);
  });

  it('gh and git commands count as uses; reading commands do not', () => {
    const gh = (cmd: string, perm: string) => `on: issue_comment\njobs:\n${job('c', `    permissions: {${perm}: write}\n`, `      - run: ${cmd}\n        env: {GH_TOKEN: "\${{ github.token }}"}`)}`;
    expect(run({ [P]: gh('gh pr comment "$PR" --body "/retest accepted"', 'pull-requests') })).toEqual([]);
    expect(run({ [P]: gh('gh release create "v1.2.3" --generate-notes', 'contents') })).toEqual([]);
    expect(run({ [P]: gh("gh api -X POST repos/o/r/issues/1/labels -f 'labels[]=triage'", 'issues') })).toEqual([]);
    // Near misses: reading with gh is no use of the write scope; the token is handed over, so medium.
    for (const read of ['gh pr view "$PR" --json title', 'gh api repos/o/r/issues/1']) {
      const fs = run({ [P]: gh(read, read.startsWith('gh api') ? 'issues' : 'pull-requests') });
      expect(fs.map((f) => f.severity)).toEqual(['medium']);
      expect(fs[0].message).toContain('the token is handed to');
    }
  });

  it('a release job that pushes a tag but also builds with npm is medium, saying to split the build off', () => {
    const steps = ['      - uses: actions/checkout@v4', '      - run: npm ci && npm run build', '      - run: |', '          git tag "v$VERSION"', '          git push origin "v$VERSION"'].join('\n');
    const fs = run({ [P]: `on: workflow_dispatch\njobs:\n${job('tag', '    permissions: {contents: write}\n', steps)}` });
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ subject: 'tag:contents', severity: 'medium', title: 'Write scope held while the job runs build code' });
    expect(fs[0].message).toContain('`git push`');
    expect(fs[0].message).toContain('`npm ci`');
    expect(fs[0].message).toContain('artifact');
  });

  it('runsCode reads commands, not quoted data: jq programs, continuations and $(…) captures', () => {
    const step = (run: string) => [{ index: 0, line: 1, column: 1, with: {}, env: {}, run: { value: run, line: 1, column: 1 } }];
    const jqPipeline = [
      'pr=$(gh api "repos/o/r/pulls" --jq \'.[]\' \\',
      '  | jq -s --arg sha "$SHA" \'[.[] | select(.head.sha == $sha) | .number]\')',
      'echo "pr=$pr" >> "$GITHUB_OUTPUT"'
    ].join('\n');
    expect(runsCode(step(jqPipeline))).toBeUndefined();
    expect(runsCode(step('echo "; make all | sh"'))).toBeUndefined();
    // A command substitution inside double quotes runs; so does the captured command of an assignment.
    expect(runsCode(step('echo "version=$(node -p 1)" >> "$GITHUB_OUTPUT"'))).toBe('`node -p 1`');
    expect(runsCode(step('v=$(python3 get_version.py)'))).toBe('`python3 get_version.py`');
    expect(runsCode(step('git push \\\n  origin main && npm publish'))).toBe('`npm publish`');
  });

  it('git push is found behind options, and a long option list without push does not hang the match', () => {
    const use = (cmd: string) => scopeUses([{ index: 0, line: 1, column: 1, with: {}, env: {}, run: { value: cmd, line: 1, column: 1 } }]).get('contents');
    expect(use('git -C site -c user.name=bot push origin gh-pages')).toBe('`git push`');
    expect(use('git push --tags')).toBe('`git push`');
    expect(use('git pull --rebase')).toBeUndefined();
    // 2^40 ways to read these options as flags or values if the pattern were ambiguous.
    expect(use(`git ${'-q '.repeat(60)}status`)).toBeUndefined();
    expect(use(`git ${'-c a=b '.repeat(60)}status`)).toBeUndefined();
  });

  it('a push job whose run steps only move data around (git, gh, jq, echo) is quiet', () => {
    const steps = ['      - uses: actions/checkout@v4', '      - run: |', '          git config user.name bot', '          echo "$(date)" > stamp', '          jq . data.json > /dev/null', '          git commit -am stamp && git push'].join('\n');
    expect(run({ [P]: `on:\n  schedule: [{cron: "0 3 * * *"}]\njobs:\n${job('stamp', '    permissions: {contents: write}\n', steps)}` })).toEqual([]);
  });

  it('a third-party action the tables do not know may use the default token: medium; first-party ones are taken not to write', () => {
    const unknown = `on: pull_request_target\njobs:\n${job('p', '    permissions: {issues: write}\n', '      - uses: octo/doc-previewer@v1')}`;
    const fs = run({ [P]: unknown });
    expect(fs.map((f) => f.severity)).toEqual(['medium']);
    expect(fs[0].message).toContain('`octo/doc-previewer@v1`, which gets the token by default');
    const firstParty = `on: pull_request_target\njobs:\n${job('p', '    permissions: {issues: write}\n', '      - uses: actions/upload-artifact@v4')}`;
    expect(run({ [P]: firstParty }).map((f) => f.severity)).toEqual(['high']);
  });

  it('a token handed to an opaque script is medium; with no visible use and no hand-over it stays high', () => {
    const handed = `on: workflow_dispatch\njobs:\n${job('rel', '    permissions: {contents: write}\n', '      - run: ./scripts/release.sh\n        env:\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}')}`;
    const fs = run({ [P]: handed });
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['rel:contents', 'medium']]);
    expect(fs[0].message).toContain('pm-action cannot see what that does with it');
    const silent = `on: workflow_dispatch\njobs:\n${job('rel', '    permissions: {contents: write}\n', '      - run: ./scripts/release.sh')}`;
    expect(run({ [P]: silent }).map((f) => f.severity)).toEqual(['high']);
  });

  it('id-token: trusted publishing is justified; without a consumer the advice is to remove it, not to make it read', () => {
    const pypi = `on: workflow_dispatch\npermissions: {}\njobs:\n${job('deploy', '    permissions: {id-token: write}\n', '      - uses: pypa/gh-action-pypi-publish@release/v1')}`;
    expect(run({ [P]: pypi })).toEqual([]);
    const npm = `on: workflow_dispatch\njobs:\n${job('pub', '    permissions: {id-token: write}\n', '      - run: npm ci\n      - run: npm publish --provenance')}`;
    expect(run({ [P]: npm })).toEqual([]);
    const none = `on: workflow_dispatch\njobs:\n${job('x', '    permissions: {id-token: write}\n', '      - run: echo "nothing to sign"')}`;
    const fs = run({ [P]: none });
    expect(fs[0].severity).toBe('high');
    expect(fs[0].message).toContain('Remove `id-token: write`');
    expect(fs[0].message).not.toContain('id-token: read');
    // Any code the job runs could mint a token: medium, and the token is not said to be "handed" anywhere.
    const build = `on: workflow_dispatch\njobs:\n${job('x', '    permissions: {id-token: write}\n', '      - run: make\n        env: {GH_TOKEN: "${{ github.token }}"}')}`;
    const [b] = run({ [P]: build });
    expect(b.severity).toBe('medium');
    expect(b.message).toContain('any step can request an OIDC token, and the job runs `make`');
    expect(b.message).toContain('If nothing in the job needs an OIDC token, remove `id-token: write`; if it does, allow it with the MD-004 option');
    expect(b.message).not.toContain('handed');
    // npm trusted publishing: setup-node with a registry, a publishing step, no NODE_AUTH_TOKEN.
    const trusted = [
      '      - uses: actions/setup-node@v4',
      '        with: {registry-url: "https://registry.npmjs.org"}',
      '      - name: Publish to npm',
      '        run: ./tools/release/publish.sh'
    ].join('\n');
    expect(run({ [P]: `on: workflow_dispatch\njobs:\n${job('p', '    permissions: {id-token: write}\n', trusted)}` })).toEqual([]);
    // A remote reusable workflow gets the job's permissions out of sight: medium.
    const remote = 'on: issue_comment\npermissions: {pull-requests: write}\njobs:\n  style:\n    uses: o/r/.github/workflows/style-bot.yml@main\n';
    const [r] = run({ [P]: remote });
    expect(r).toMatchObject({ subject: 'style:pull-requests', severity: 'medium' });
    expect(r.message).toContain('the job calls the reusable workflow `o/r/.github/workflows/style-bot.yml`');
  });

  it('a ghcr.io login uses packages; another registry does not', () => {
    const login = (registry: string) =>
      `on: schedule\njobs:\n${job('img', '    permissions: {packages: write}\n', `      - uses: docker/login-action@v3\n        with:\n          registry: ${registry}\n      - run: docker push ${registry}/o/img:nightly`)}`;
    expect(run({ [P]: login('ghcr.io') })).toEqual([]);
    expect(run({ [P]: login('docker.io') }).map((f) => f.subject)).toEqual(['img:packages']);
  });

  it('a caller of a local reusable workflow that declares its permissions does not inherit the default', () => {
    const callee = `on: workflow_call\npermissions:\n  contents: read\njobs:\n${job('a')}`;
    const caller = 'on: pull_request\njobs:\n  test:\n    uses: ./.github/workflows/test.yml\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n';
    const fs = run({ '.github/workflows/test.yml': callee, [P]: caller }, { defaults: WRITE });
    expect(subjects(fs)).toEqual(['missing-permissions']);
    expect(fs[0].message).toContain('`build`');
    expect(fs[0].message).not.toContain('`test`');
    // A callee without permissions of its own: the caller inherits the default, and is reported.
    const open = `on: workflow_call\njobs:\n${job('a')}`;
    expect(run({ '.github/workflows/test.yml': open, [P]: caller }, { defaults: WRITE })[0].message).toContain('`test`');
  });
});

describe('MD-004 jobs limited to some events by their if:', () => {
  it('a job that runs only on `push` in a workflow also on issue_comment is judged on `push` (not privileged): quiet', () => {
    const y = `on: [issue_comment, push]\njobs:\n${job('triage', "    if: github.repository_owner == 'o' && github.event_name == 'push'\n    permissions: {contents: write}\n", '      - run: ./triage.sh')}`;
    expect(run({ [P]: y })).toEqual([]);
    // Limited to `issues`, which anyone can fire: judged, and the message names it.
    const issues = `on: [issue_comment, issues]\njobs:\n${job('triage', "    if: github.event_name == 'issues'\n    permissions: {contents: write}\n", '      - uses: someone/agent-action@0123456789012345678901234567890123456789')}`;
    const fs = run({ [P]: issues });
    expect(fs.map((f) => f.subject)).toEqual(['triage:contents']);
    expect(fs[0].message).toContain('it runs on `issues`');
  });

  it('the message names the events the job can run on', () => {
    const y = `on: [issue_comment, schedule, push]\njobs:\n${job('c', "    if: ${{ github.event_name == 'issue_comment' }}\n    permissions: {contents: write}\n", '      - run: ./x.sh')}`;
    const fs = run({ [P]: y });
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain('it runs on `issue_comment`');
    expect(fs[0].message).not.toContain('`schedule`');
  });

  it('ifEvents reads plain conditions only', () => {
    expect(ifEvents("github.event_name == 'push'")).toEqual(new Set(['push']));
    expect(ifEvents("${{ 'schedule' == github.event_name }}")).toEqual(new Set(['schedule']));
    expect(ifEvents("github.event_name == 'push' || github.event_name == 'schedule'")).toEqual(new Set(['push', 'schedule']));
    expect(ifEvents("github.event_name == 'push' && github.ref == 'refs/heads/main'")).toEqual(new Set(['push']));
    expect(ifEvents("github.event_name == 'issues' && (github.event.label.name == 'crash' || github.event.label.name == 'needs repro')")).toEqual(new Set(['issues']));
    expect(ifEvents("(github.event_name == 'push' || github.event_name == 'schedule') && always()")).toEqual(new Set(['push', 'schedule']));
    expect(ifEvents("(github.event_name == 'push') && (github.actor == 'x')")).toEqual(new Set(['push']));
    // Traps: negations and mixed disjunctions say nothing certain.
    expect(ifEvents("github.event_name != 'push'")).toBeUndefined();
    expect(ifEvents("!(github.event_name == 'push')")).toBeUndefined();
    expect(ifEvents("github.event_name == 'push' || github.actor == 'bot'")).toBeUndefined();
    expect(ifEvents('always()')).toBeUndefined();
    expect(ifEvents(undefined)).toBeUndefined();
  });
});

describe('MD-004 invalid and malformed input', () => {
  it('invalid permission blocks are medium with the raw value', () => {
    const fs = run({ [P]: `on: push\npermissions: 7\njobs:\n${job('a', '    permissions: {contents: admin}\n')}` });
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([
      ['invalid-permissions', 'medium'],
      ['a:invalid-permissions', 'medium']
    ]);
    expect(fs[0].message).toContain('`7`');
    expect(fs[1].message).toContain('contents: admin');
  });

  it('an invalid workflow level does not also count as missing', () => {
    expect(subjects(run({ [P]: `on: push\npermissions: write\njobs:\n${job('a')}` }, { defaults: WRITE }))).toEqual(['invalid-permissions']);
  });

  it('files with parse errors, action files and jobs that are not a map are ignored', () => {
    const fs = run(
      {
        '.github/workflows/broken.yml': 'on: push\npermissions: write-all\njobs: [\n',
        '.github/workflows/list.yml': 'on: schedule\njobs: [a, b]\n',
        '.github/workflows/str.yml': 'on: schedule\njobs: build\n'
      },
      { defaults: WRITE }
    );
    expect(fs).toEqual([]);
    const action = workflowFromYaml('action.yml', 'name: a\nruns:\n  using: composite\n  steps: [{run: x, shell: bash}]\n', 'action');
    const r = rule.evaluate(makeSnapshot({ workflows: [action], defaultWorkflowPermissions: WRITE }), ruleConfig());
    expect(r).toEqual([]);
  });

  it('a workflow without on: or jobs is quiet', () => {
    expect(run({ [P]: 'name: nothing\n' }, { defaults: WRITE })).toEqual([]);
  });

  it('subjects carry no line numbers and are stable when lines move', () => {
    const y = `on: schedule\npermissions: {contents: write}\njobs:\n${job('a')}`;
    const a = run({ [P]: y }, { defaults: WRITE });
    const b = run({ [P]: `# moved\n\n${y}` }, { defaults: WRITE });
    expect(subjects(a)).toEqual(subjects(b));
    expect(a[0].evidence[0].line).not.toBe(b[0].evidence[0].line);
  });

  it('is linear: a workflow with many jobs and steps', () => {
    let y = 'on: schedule\npermissions: {contents: write}\njobs:\n';
    for (let i = 0; i < 300; i++) y += job(`j${i}`, '', Array.from({ length: 20 }, (_, k) => `      - uses: a/b${k}@v1`).join('\n'));
    expect(run({ [P]: y })).toHaveLength(300);
  });
});

describe('MD-004 helpers', () => {
  it('actionName strips refs and ignores local and docker references', () => {
    expect(actionName('Actions/Checkout@v4')).toBe('actions/checkout');
    expect(actionName('github/codeql-action/upload-sarif@abc')).toBe('github/codeql-action/upload-sarif');
    expect(actionName('./.github/actions/x')).toBeUndefined();
    expect(actionName('docker://alpine:3')).toBeUndefined();
    expect(actionName('')).toBeUndefined();
  });

  it('matchesAction', () => {
    expect(matchesAction('github/codeql-action/analyze', 'github/codeql-action/*')).toBe(true);
    expect(matchesAction('github/codeql-action', 'github/codeql-action/*')).toBe(true);
    expect(matchesAction('github/codeql-actions', 'github/codeql-action/*')).toBe(false);
    expect(matchesAction('actions/attest-build-provenance', 'actions/attest')).toBe(false);
    expect(matchesAction('actions/attest', 'actions/attest')).toBe(true);
    expect(matchesAction('sigstore/cosign-installer', 'sigstore/*')).toBe(true);
  });
});

describe('MD-004 on the README samples', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'samples');
  const check = async (name: string, defaults: GovernanceSnapshot['defaultWorkflowPermissions']): Promise<string[]> => {
    const ws = await collectWorkspace(path.join(root, name), '.github/phase-mirror.yml');
    const r = rule.evaluate(makeSnapshot({ ...ws, defaultWorkflowPermissions: defaults }), ruleConfig());
    return (Array.isArray(r) ? r : (r as RuleResult).findings).map((f) => `${f.path}#${f.subject}@${f.severity}`);
  };

  it('over-privileged: write-all on the schedule and contents: write on the dispatch', async () => {
    expect(await check('over-privileged', UNOBSERVABLE)).toEqual([
      '.github/workflows/nightly.yml#write-all@high',
      '.github/workflows/release.yml#tag:contents@medium'
    ]);
  });

  it('clean: nothing, whatever the repository default', async () => {
    expect(await check('clean', WRITE)).toEqual([]);
    expect(await check('clean', UNOBSERVABLE)).toEqual([]);
  });
});
