import { describe, expect, it } from '@jest/globals';
import { rule, taintedRefs } from '../../src/rules/md-007-untrusted-input-executed.js';
import { ruleById } from '../../src/rules/index.js';
import type { FindingDraft, RuleResult } from '../../src/model/finding.js';
import { makeSnapshot, ruleConfig, workflowFromYaml } from '../../test-support/snapshot.js';

const P = '.github/workflows/w.yml';

function runFiles(files: Record<string, string>): FindingDraft[] {
  const workflows = Object.entries(files).map(([p, y]) => workflowFromYaml(p, y, p.endsWith('action.yml') ? 'action' : 'workflow'));
  const r = rule.evaluate(makeSnapshot({ workflows }), ruleConfig());
  return Array.isArray(r) ? r : (r as RuleResult).findings;
}
const run = (yaml: string): FindingDraft[] => runFiles({ [P]: yaml });

const wf = (on: string, steps: string, jobExtra = '', top = ''): string =>
  `on: ${on}\n${top}jobs:\n  build:\n    runs-on: ubuntu-latest\n${jobExtra}    steps:\n${steps}\n`;

const refsOf = (expr: string): string[] => taintedRefs(expr, new Map()).map((t) => t.ref);

describe('MD-007 metadata', () => {
  it('is complete and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-007', defaultAction: 'block', fpCeiling: 0.1 });
    for (const k of ['motivation', 'description', 'remediation', 'example'] as const) expect(String(rule.meta[k]).length).toBeGreaterThan(20);
    expect(ruleById('MD-007')).toBe(rule);
  });

  it('its example triggers both shapes', () => {
    const fs = run(rule.meta.example ?? '');
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([
      ['test:#2:injection', 'high'],
      ['test:pr-head-checkout', 'critical']
    ]);
  });
});

describe('MD-007 taint of expressions', () => {
  it.each([
    ['github.event.pull_request.title', ['github.event.pull_request.title']],
    ['github.event.issue.body', ['github.event.issue.body']],
    ['github.head_ref', ['github.head_ref']],
    ['github.event.pull_request.head.ref', ['github.event.pull_request.head.ref']],
    ['github.event.pull_request.head.label', ['github.event.pull_request.head.label']],
    ['github.event.comment.body', ['github.event.comment.body']],
    ['github.event.review.body', ['github.event.review.body']],
    ['github.event.review_comment.body', ['github.event.review_comment.body']],
    ['github.event.commits[0].message', ['github.event.commits.*.message']],
    ['join(github.event.commits.*.message)', ['github.event.commits.*.message']],
    ['github.event.head_commit.author.name', ['github.event.head_commit.author.name']],
    ['github.event.pages[0].page_name', ['github.event.pages.*.page_name']],
    ['github.event.workflow_run.head_branch', ['github.event.workflow_run.head_branch']],
    ["github.event['pull_request']['title']", ['github.event.pull_request.title']],
    ['GITHUB.EVENT.PULL_REQUEST.BODY', ['github.event.pull_request.body']],
    ["github.event.pull_request.title || 'none'", ['github.event.pull_request.title']],
    ["format('PR: {0}', github.event.pull_request.title)", ['github.event.pull_request.title']],
    ['toJSON(github.event.pull_request)', ['github.event.pull_request']],
    ['toJSON(github.event)', ['github.event']],
    ["github.event_name == 'push' && github.event.head_commit.message", ['github.event.head_commit.message']]
  ])('%s is tainted', (expr, refs) => {
    expect(refsOf(expr)).toEqual(refs);
  });

  it.each([
    'github.sha',
    'github.event.pull_request.number',
    'github.event.pull_request.head.sha',
    'github.event.pull_request.head.repo.full_name',
    'github.event.pull_request.user.login',
    'steps.build.outcome',
    'steps.meta.outputs.tags',
    'inputs.title',
    "contains(github.event.pull_request.title, '[skip ci]')",
    "startsWith(github.head_ref, 'release/')",
    "github.event.pull_request.title == 'x'",
    "!contains(github.event.issue.body, 'x')",
    "(github.event.comment.body != '') && 'yes' || 'no'",
    "'github.event.pull_request.title'",
    'github.event.pull_request',
    'github.event.pull_request.title_length'
  ])('%s is not tainted', (expr) => {
    expect(refsOf(expr)).toEqual([]);
  });
});

describe('MD-007 expression injection', () => {
  it('a tainted expression in run is high, with the line of the expression', () => {
    const fs = run(wf('pull_request_target', '      - id: greet\n        run: |\n          echo "hello"\n          echo "${{ github.event.pull_request.title }}"'));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ subject: 'build:greet:injection', severity: 'high', path: P });
    expect(fs[0].evidence).toEqual([{ path: P, line: 9 }]);
    expect(fs[0].message).toContain('github.event.pull_request.title');
    expect(fs[0].message).toContain('"$TITLE"');
  });

  it('is reported on every trigger (issues, issue_comment, push, pull_request)', () => {
    expect(run(wf('issues', '      - run: echo "${{ github.event.issue.title }}"'))).toHaveLength(1);
    expect(run(wf('issue_comment', '      - run: echo ${{ github.event.comment.body }}'))).toHaveLength(1);
    expect(run(wf('push', '      - run: echo "${{ github.event.head_commit.message }}"'))).toHaveLength(1);
    expect(run(wf('pull_request', '      - run: git checkout ${{ github.head_ref }}'))).toHaveLength(1);
  });

  it('the safe env pattern ("$VAR") is silent at step, job and workflow level', () => {
    const safe = [
      wf('pull_request_target', '      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n        run: echo "$TITLE"'),
      wf('issues', '      - run: echo "$BODY"', '    env:\n      BODY: ${{ github.event.issue.body }}\n'),
      wf('issue_comment', '      - run: echo "$C"', '', 'env:\n  C: ${{ github.event.comment.body }}\n'),
      wf('issues', '      - uses: actions/github-script@v7\n        env:\n          T: ${{ github.event.issue.title }}\n        with:\n          script: console.log(process.env.T)')
    ];
    for (const y of safe) expect(run(y)).toEqual([]);
  });

  it('${{ env.X }} where X carries a tainted value is injection, naming the env entry', () => {
    const fs = run(wf('pull_request_target', '      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n        run: echo "${{ env.TITLE }}"'));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain('env.TITLE');
    expect(fs[0].message).toContain('github.event.pull_request.title');
    const jobLevel = run(wf('issues', '      - run: echo "${{ env.BODY }}"', '    env:\n      BODY: "Issue: ${{ github.event.issue.body }}"\n'));
    expect(jobLevel.map((f) => f.subject)).toEqual(['build:#0:injection']);
  });

  it('a step env that overrides a tainted job env with a safe value is silent', () => {
    expect(run(wf('issues', '      - env:\n          BODY: fixed\n        run: echo "${{ env.BODY }}"', '    env:\n      BODY: ${{ github.event.issue.body }}\n'))).toEqual([]);
  });

  it('safe expressions are silent: github.sha, PR number, steps outcome, booleans', () => {
    const y = wf(
      'pull_request_target',
      [
        '      - run: echo "${{ github.sha }} ${{ github.event.pull_request.number }} ${{ steps.x.outcome }}"',
        "      - run: echo ${{ contains(github.event.pull_request.title, 'wip') }}",
        "      - if: contains(github.event.pull_request.body, 'x')\n        run: echo ok",
        '      - uses: some/action@v1\n        with:\n          title: ${{ github.event.pull_request.title }}'
      ].join('\n')
    );
    expect(run(y)).toEqual([]);
  });

  it('github-script script: input is a sink', () => {
    const fs = run(wf('issue_comment', "      - uses: actions/github-script@v7\n        with:\n          script: |\n            const body = `${{ github.event.comment.body }}`\n            console.log(body)"));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain('actions/github-script');
    expect(fs[0].message).toContain('process.env.BODY');
    expect(fs[0].evidence).toEqual([{ path: P, line: 9 }]);
  });

  it('several tainted values in one step are one finding', () => {
    const fs = run(wf('pull_request_target', '      - run: |\n          echo "${{ github.event.pull_request.title }}"\n          echo "${{ github.event.pull_request.body }}"\n          echo "${{ github.event.pull_request.title }}"'));
    expect(fs).toHaveLength(1);
    expect(fs[0].evidence.map((e) => e.line)).toEqual([7, 8, 9]);
  });

  it('composite actions are checked', () => {
    const fs = runFiles({ '.github/actions/x/action.yml': 'name: x\nruns:\n  using: composite\n  steps:\n    - run: echo "${{ github.event.issue.title }}"\n      shell: bash\n' });
    expect(fs.map((f) => f.subject)).toEqual(['(composite):#0:injection']);
  });
});

describe('MD-007 PR head checkout in privileged workflows', () => {
  const CO = (ref: string, extra = ''): string => `      - uses: actions/checkout@v4\n        with:\n          ref: ${ref}\n${extra}`;

  it.each([
    '${{ github.event.pull_request.head.sha }}',
    '${{ github.event.pull_request.head.ref }}',
    '${{ github.head_ref }}',
    '${{ github.event.pull_request.merge_commit_sha }}',
    'refs/pull/${{ github.event.number }}/merge',
    "${{ format('refs/pull/{0}/head', github.event.pull_request.number) }}"
  ])('pull_request_target + checkout of %s + run → critical', (ref) => {
    const fs = run(wf('pull_request_target', `${CO(ref)}      - run: npm ci && npm test`));
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['build:pr-head-checkout', 'critical']]);
    expect(fs[0].evidence).toEqual([
      { path: P, line: 8 },
      { path: P, line: 9 }
    ]);
  });

  it('workflow_run head sha / head branch + local action → critical', () => {
    for (const ref of ['${{ github.event.workflow_run.head_sha }}', '${{ github.event.workflow_run.head_branch }}']) {
      const fs = run(wf('workflow_run', `${CO(ref)}      - uses: ./.github/actions/build`));
      expect(fs.map((f) => f.severity)).toEqual(['critical']);
      expect(fs[0].message).toContain('local action');
    }
  });

  it('repository: the head repository is a PR checkout', () => {
    const fs = run(wf('pull_request_target', '      - uses: actions/checkout@v4\n        with:\n          repository: ${{ github.event.pull_request.head.repo.full_name }}\n      - run: make'));
    expect(fs.map((f) => f.severity)).toEqual(['critical']);
  });

  it('a ref carried through env is recognised', () => {
    const fs = run(wf('pull_request_target', `${CO('${{ env.PR_SHA }}')}      - run: make`, '    env:\n      PR_SHA: ${{ github.event.pull_request.head.sha }}\n'));
    expect(fs.map((f) => f.severity)).toEqual(['critical']);
  });

  it('gh pr checkout in a run step, then a build action → critical', () => {
    const fs = run(wf('pull_request_target', '      - uses: actions/checkout@v4\n      - run: gh pr checkout ${{ github.event.pull_request.number }}\n      - uses: docker/build-push-action@v5'));
    expect(fs.map((f) => f.severity)).toEqual(['critical']);
  });

  it('only unknown third-party actions after the checkout → high; only inert ones or nothing → medium', () => {
    expect(run(wf('pull_request_target', `${CO('${{ github.event.pull_request.head.sha }}')}      - uses: some-org/lint-action@v1`)).map((f) => f.severity)).toEqual(['high']);
    expect(run(wf('pull_request_target', `${CO('${{ github.event.pull_request.head.sha }}')}      - uses: actions/upload-artifact@v4`)).map((f) => f.severity)).toEqual(['medium']);
    expect(run(wf('pull_request_target', CO('${{ github.event.pull_request.head.sha }}'))).map((f) => f.severity)).toEqual(['medium']);
  });

  it('steps before the checkout do not count', () => {
    expect(run(wf('pull_request_target', `      - run: echo before\n${CO('${{ github.event.pull_request.head.sha }}')}`)).map((f) => f.severity)).toEqual(['medium']);
  });

  it('near misses stay silent', () => {
    const cases = [
      // Default checkout in pull_request_target is the base branch.
      wf('pull_request_target', '      - uses: actions/checkout@v4\n      - run: npm test'),
      // The base ref explicitly.
      wf('pull_request_target', `${CO('${{ github.event.pull_request.base.ref }}')}      - run: npm test`),
      // Head checkout in an ordinary pull_request workflow.
      wf('pull_request', `${CO('${{ github.event.pull_request.head.sha }}')}      - run: npm test`),
      // Same-repository guard on the job.
      wf('pull_request_target', `${CO('${{ github.event.pull_request.head.sha }}')}      - run: npm test`, '    if: github.event.pull_request.head.repo.full_name == github.repository\n'),
      // Merged PRs only.
      wf('pull_request_target', `${CO('${{ github.event.pull_request.head.sha }}')}      - run: npm test`, '    if: github.event.pull_request.merged == true\n')
    ];
    for (const y of cases) expect(run(y)).toEqual([]);
  });

  it('a guard combined with || is not trusted', () => {
    const y = wf('pull_request_target', `${CO('${{ github.event.pull_request.head.sha }}')}      - run: npm test`, "    if: github.event.pull_request.head.repo.full_name == github.repository || github.actor == 'bot'\n");
    expect(run(y).map((f) => f.severity)).toEqual(['critical']);
  });

  it('reusable-workflow jobs are not analysed for checkouts', () => {
    expect(run('on: pull_request_target\njobs:\n  call:\n    uses: ./.github/workflows/x.yml\n')).toEqual([]);
  });
});

describe('MD-007 a head file fetched by URL and executed', () => {
  const prt = (steps: string, on = 'pull_request_target') => `on: ${on}\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
  const viaEnv = (cmd: string) => `      - env: {PR_SHA: "$` + `{{ github.event.pull_request.head.sha }}"}\n        run: ${cmd}\n`;

  it.each([
    ['curl | bash with the head SHA from env', viaEnv('curl -fsSL https://raw.githubusercontent.com/o/r/$PR_SHA/ci/check.sh | bash')],
    ['wget -qO- | sh with ${VAR}', viaEnv('wget -qO- "https://raw.githubusercontent.com/o/r/${PR_SHA}/ci/check.sh" | sh')],
    ['deno run of a head URL', viaEnv('deno run https://raw.githubusercontent.com/o/r/$PR_SHA/tools/verify_pr_title.js "$TITLE"')],
    ['the head expression inline', '      - run: curl -sL https://raw.githubusercontent.com/o/r/$' + '{{ github.event.pull_request.head.sha }}/x.sh | bash\n']
  ])('%s → critical', (_name, steps) => {
    const fs = run(prt(steps));
    expect(sevs(fs)).toEqual([['a:pr-head-checkout', 'critical']]);
    expect(fs[0].message).toContain('fetched by URL');
    expect(fs[0].message).toContain('executes the download on the same line');
  });

  it.each([
    ['the base SHA', '      - run: curl -sL https://raw.githubusercontent.com/o/r/$' + '{{ github.sha }}/x.sh | bash\n'],
    ['a head file fetched but only read', viaEnv('curl -fsSL https://raw.githubusercontent.com/o/r/$PR_SHA/package.json | jq .version')],
    ['a variable that is not the head', '      - env: {V: "1.2.3"}\n        run: curl -fsSL https://x.io/$V/install.sh | bash\n']
  ])('%s → no MD-007 finding', (_name, steps) => {
    expect(run(prt(steps)).filter((f) => f.subject.endsWith('pr-head-checkout'))).toEqual([]);
  });

  it('on pull_request (no privilege) it is not MD-007', () => {
    expect(run(prt(viaEnv('curl -fsSL https://raw.githubusercontent.com/o/r/$PR_SHA/ci/check.sh | bash'), 'pull_request'))).toEqual([]);
  });
});

describe('MD-007 robustness', () => {
  it('a file with a parse error is skipped', () => {
    expect(run('on: issues\njobs:\n  a:\n    runs-on: x\n   steps: [{run: "echo ${{ github.event.issue.title }}"}]\n')).toEqual([]);
  });

  it('read-only workflows with only safe expressions stay silent', () => {
    const y = `on: pull_request\npermissions: {contents: read}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo "\${{ github.event.pull_request.number }}" && npm test\n`;
    expect(run(y)).toEqual([]);
  });

  it('a 10,000-step workflow: findings are linear in steps', () => {
    const steps: string[] = ['      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}'];
    for (let i = 0; i < 10_000; i++) {
      if (i % 2 === 0) steps.push(`      - id: s${i}\n        env:\n          T${i}: \${{ github.event.pull_request.title }}\n        run: echo "$T${i}" "\${{ github.sha }}"`);
      else steps.push(`      - id: s${i}\n        run: echo "\${{ github.event.pull_request.body }}"`);
    }
    const fs = run(`on: pull_request_target\nenv:\n  A: \${{ github.event.pull_request.title }}\njobs:\n  b:\n    runs-on: x\n    env:\n      B: \${{ github.head_ref }}\n    steps:\n${steps.join('\n')}\n`);
    expect(fs.filter((f) => f.subject.endsWith(':injection'))).toHaveLength(5000);
    expect(fs.filter((f) => f.subject === 'b:pr-head-checkout').map((f) => f.severity)).toEqual(['critical']);
  });
});

// ---------------------------------------------------------------------------------------------
// issue_comment workflows that check out the pull request

/** An issue_comment workflow with one job `bot`. */
const ic = (steps: string, jobExtra = '', on = 'issue_comment'): string =>
  `on:\n  ${on}:\n    types: [created]\npermissions: {contents: read}\njobs:\n  bot:\n    runs-on: ubuntu-latest\n${jobExtra}    steps:\n${steps}\n`;
const checkoutRef = (ref: string): string => `      - uses: actions/checkout@v4\n        with:\n          ref: ${ref}\n`;
const sevs = (fs: FindingDraft[]): [string, string | undefined][] => fs.map((f) => [f.subject, f.severity]);
const triples = (fs: FindingDraft[]): [string, string | undefined, string | undefined][] => fs.map((f) => [f.subject, f.severity, f.confidence]);
const ISSUE_PR = "    if: github.event.issue.pull_request && startsWith(github.event.comment.body, '/ok-to-test')\n";
const RESOLVE_SCRIPT = [
  '      - id: pr',
  '        uses: actions/github-script@v7',
  '        with:',
  '          result-encoding: string',
  '          script: |',
  '            const { data } = await github.rest.pulls.get({ ...context.repo, pull_number: context.issue.number })',
  '            return data.head.sha',
  ''
].join('\n');

describe('MD-007 issue_comment checkout of the pull request', () => {
  it.each([
    ['refs/pull/${{ github.event.issue.number }}/head'],
    ['refs/pull/${{ github.event.issue.number }}/merge'],
    ["${{ format('refs/pull/{0}/head', github.event.issue.number) }}"],
    ['pull/${{ github.event.issue.number }}/head']
  ])('ref: %s then a run step → critical, with the ref and the run line as evidence', (ref) => {
    const fs = run(ic(`${checkoutRef(ref)}      - run: npm ci && npm test`, ISSUE_PR));
    expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'critical']]);
    expect(fs[0].confidence).toBe('high');
    expect(fs[0].evidence).toEqual([
      { path: P, line: 12 },
      { path: P, line: 13 }
    ]);
    expect(fs[0].message).toContain('`issue_comment`');
    expect(fs[0].message).toContain('github.event.issue.pull_request');
  });

  it('gh pr checkout of the issue number, then a build → critical', () => {
    const fs = run(ic('      - uses: actions/checkout@v4\n      - run: gh pr checkout ${{ github.event.issue.number }}\n        env:\n          GH_TOKEN: ${{ github.token }}\n      - run: make test', ISSUE_PR));
    expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'critical']]);
    expect(fs[0].message).toContain('gh pr checkout');
  });

  it('git fetch of pull/<n>/head, then a local action → critical', () => {
    const fs = run(ic('      - uses: actions/checkout@v4\n      - run: |\n          git fetch origin pull/${{ github.event.issue.number }}/head:pr\n          git checkout pr\n      - uses: ./.github/actions/deploy-preview'));
    expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'critical']]);
    expect(fs[0].evidence[0]).toEqual({ path: P, line: 11 });
  });

  it('only a third-party action after the pull ref checkout → high; nothing → medium', () => {
    expect(sevs(run(ic(`${checkoutRef('refs/pull/${{ github.event.issue.number }}/head')}      - uses: some-org/preview-action@v2`)))).toEqual([['bot:pr-head-checkout', 'high']]);
    expect(sevs(run(ic(checkoutRef('refs/pull/${{ github.event.issue.number }}/head'))))).toEqual([['bot:pr-head-checkout', 'medium']]);
  });

  it('ref from a github-script step that resolves the PR head (pulls.get) → critical, medium confidence, says it is resolved', () => {
    const fs = run(ic(`${RESOLVE_SCRIPT}${checkoutRef('${{ steps.pr.outputs.result }}')}      - run: npm install && npm run build`, ISSUE_PR));
    expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'critical']]);
    expect(fs[0].confidence).toBe('medium');
    expect(fs[0].message).toContain('resolved from the pull request by step `pr`');
    expect(fs[0].evidence.map((e) => e.line)).toEqual([19, 20]);
  });

  it.each([
    [
      'gh pr view --json headRefOid into $GITHUB_OUTPUT',
      '      - id: head\n        run: echo "sha=$(gh pr view ${{ github.event.issue.number }} --json headRefOid --jq .headRefOid)" >> "$GITHUB_OUTPUT"\n',
      '${{ steps.head.outputs.sha }}'
    ],
    [
      'gh api …/pulls/<n> with the head repository',
      '      - id: meta\n        run: |\n          gh api repos/${{ github.repository }}/pulls/${{ github.event.issue.number }} > pr.json\n          echo "ref=$(jq -r .head.ref pr.json)" >> "$GITHUB_OUTPUT"\n',
      '${{ steps.meta.outputs.ref }}'
    ],
    ['fromJSON of a github-script result', RESOLVE_SCRIPT.replace('return data.head.sha', 'return data').replace('          result-encoding: string\n', ''), '${{ fromJSON(steps.pr.outputs.result).head.sha }}'],
    ["index syntax steps['pr']", RESOLVE_SCRIPT, "${{ steps['pr'].outputs.result }}"]
  ])('step-output ref: %s → critical', (_name, resolver, ref) => {
    const fs = run(ic(`${resolver}${checkoutRef(ref)}      - run: ./ci/test.sh`));
    expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'critical']]);
    expect(fs[0].confidence).toBe('medium');
  });

  it('repository: and ref: from the resolving step, and a git checkout of its output in a run step', () => {
    const resolver = '      - id: pr\n        run: gh pr view ${{ github.event.issue.number }} --json headRefName,headRepository > pr.json\n';
    const a = run(ic(`${resolver}      - uses: actions/checkout@v4\n        with:\n          repository: \${{ steps.pr.outputs.repo }}\n      - run: make`));
    expect(sevs(a)).toEqual([['bot:pr-head-checkout', 'critical']]);
    const b = run(ic(`${RESOLVE_SCRIPT}      - uses: actions/checkout@v4\n      - run: git fetch origin \${{ steps.pr.outputs.result }} && git checkout \${{ steps.pr.outputs.result }}\n      - run: make`));
    expect(sevs(b)).toEqual([['bot:pr-head-checkout', 'critical']]);
    expect(b[0].message).toContain('resolved from the pull request');
  });

  it('xt0rted/pull-request-comment-branch (and forks) resolve the pull request head', () => {
    for (const action of ['xt0rted/pull-request-comment-branch@v2', 'chainguard-actions/xt0rted-pull-request-comment-branch@v1', 'eficode/resolve-pr-refs@main']) {
      const fs = run(ic(`      - uses: ${action}\n        id: comment-branch\n${checkoutRef('${{ steps.comment-branch.outputs.head_sha }}')}      - run: npm ci && npm run deploy`, ISSUE_PR));
      expect([action, triples(fs)]).toEqual([action, [['bot:pr-head-checkout', 'critical', 'medium']]]);
      expect(fs[0].message).toContain('resolved from the pull request by step `comment-branch`');
    }
    // Another action's output is not a pull request head.
    expect(run(ic(`      - uses: some-org/get-version@v1\n        id: comment-branch\n${checkoutRef('${{ steps.comment-branch.outputs.head_sha }}')}      - run: make`))).toEqual([]);
  });

  it('a ref carried through a step env entry from the resolving step is followed', () => {
    const fs = run(ic(`${RESOLVE_SCRIPT}      - uses: actions/checkout@v4\n        env:\n          HEAD: \${{ steps.pr.outputs.result }}\n        with:\n          ref: \${{ env.HEAD }}\n      - run: make`));
    expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'critical']]);
  });

  describe('guards', () => {
    const CO = `${checkoutRef('refs/pull/${{ github.event.issue.number }}/head')}      - run: npm test`;
    it.each([
      ["github.event.issue.pull_request && contains(fromJSON('[\"OWNER\",\"MEMBER\",\"COLLABORATOR\"]'), github.event.comment.author_association)"],
      ["github.event.comment.author_association == 'MEMBER'"],
      ["'OWNER' == github.event.comment.author_association"],
      ["github.event.comment.author_association == 'member'"],
      ["${{ github.event.issue.pull_request && (github.event.comment.author_association == 'OWNER' || github.event.comment.author_association == 'COLLABORATOR') && startsWith(github.event.comment.body, '/deploy') }}"],
      ["contains('OWNER,MEMBER', github.event.comment.author_association)"],
      ["contains(fromJSON('[\"octocat\",\"hubot\"]'), github.event.comment.user.login)"],
      ["github.actor == 'octocat'"]
    ])('job if: %s → medium with the time-of-check/time-of-use explanation', (cond) => {
      const fs = run(ic(CO, `    if: ${JSON.stringify(cond)}\n`));
      expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'medium']]);
      expect(fs[0].message).toContain('time-of-check/time-of-use');
      expect(fs[0].message).toContain('medium rather than critical');
      expect(fs[0].title).toBe('Privileged workflow runs pull request code');
    });

    it('a guard on the checkout step itself counts', () => {
      const fs = run(ic(`      - uses: actions/checkout@v4\n        if: github.event.comment.author_association == 'OWNER'\n        with:\n          ref: refs/pull/\${{ github.event.issue.number }}/head\n      - run: npm test`));
      expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'medium']]);
      expect(fs[0].message).toContain("checkout step's `if:`");
    });

    it.each([
      ['github-script getCollaboratorPermissionLevel', "      - uses: actions/github-script@v7\n        with:\n          script: |\n            const { data } = await github.rest.repos.getCollaboratorPermissionLevel({ ...context.repo, username: context.actor })\n            if (!['admin', 'write'].includes(data.permission)) core.setFailed('not allowed')\n"],
      ['gh api collaborators/…/permission', '      - name: check permission\n        run: gh api "repos/${{ github.repository }}/collaborators/${{ github.event.comment.user.login }}/permission" --jq .permission | grep -qE "admin|write"\n'],
      ['github-script team membership', "      - uses: actions/github-script@v7\n        with:\n          script: |\n            await github.rest.teams.getMembershipForUserInOrg({ org: 'o', team_slug: 'perf', username: context.actor })\n"],
      ['a team-membership action that fails the job', '      - uses: TheModdingInquisition/actions-team-membership@a69636a92bc927f32c3910baac06bacc949c984c\n        with: {team: perf, organization: o, token: "${{ secrets.T }}", exit: true}\n'],
      ['a permission-check action', '      - uses: prince-chrismc/check-actor-permissions-action@v3\n        with: {permission: write}\n']
    ])('a preceding permission check (%s) → medium', (_name, check) => {
      const fs = run(ic(`${check}${CO}`));
      expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'medium']]);
      expect(fs[0].message).toContain('permission check of the commenter');
    });

    it('a team-membership action that only reports (exit not true) is not a guard', () => {
      const check = '      - uses: TheModdingInquisition/actions-team-membership@a69636a92bc927f32c3910baac06bacc949c984c\n        with: {team: perf, organization: o, token: "${{ secrets.T }}"}\n';
      expect(sevs(run(ic(`${check}${CO}`)))).toEqual([['bot:pr-head-checkout', 'critical']]);
    });

    it('a long run of expressions in a collaborators URL is read in linear time (no backtracking blow-up)', () => {
      const exprs = ('$' + '{{a}}').repeat(60); // not /permission: the pattern fails after reading them all
      const check = `      - run: gh api "repos/o/r/collaborators/${exprs} x"\n`;
      expect(sevs(run(ic(`${check}${CO}`)))).toEqual([['bot:pr-head-checkout', 'critical']]);
    });

    it('a permission check after the checkout is not a guard', () => {
      const check = '      - run: gh api repos/o/r/collaborators/${{ github.actor }}/permission\n';
      expect(sevs(run(ic(`${checkoutRef('refs/pull/${{ github.event.issue.number }}/head')}${check}      - run: npm test`)))).toEqual([['bot:pr-head-checkout', 'critical']]);
    });

    it('a guard in a job it needs counts, unless the job runs regardless (always())', () => {
      const two = (extra: string): string =>
        "on: issue_comment\njobs:\n  authorize:\n    if: github.event.comment.author_association == 'MEMBER'\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n" +
        `  test:\n    needs: authorize\n${extra}    runs-on: ubuntu-latest\n    steps:\n${checkoutRef('refs/pull/${{ github.event.issue.number }}/head')}      - run: npm test\n`;
      const gated = run(two(''));
      expect(sevs(gated)).toEqual([['test:pr-head-checkout', 'medium']]);
      expect(gated[0].message).toContain('`authorize`');
      expect(sevs(run(two('    if: always()\n')))).toEqual([['test:pr-head-checkout', 'critical']]);
    });

    it('guard and a SHA resolved by the workflow: still medium, and the message says why', () => {
      const fs = run(ic(`${RESOLVE_SCRIPT.replace('id: pr', 'id: sha')}${checkoutRef('${{ steps.sha.outputs.result }}')}      - run: npm test`, "    if: contains(fromJSON('[\"OWNER\",\"MEMBER\"]'), github.event.comment.author_association)\n"));
      expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'medium']]);
      expect(fs[0].message).toContain('pins a commit SHA');
      expect(fs[0].message).toContain('stays medium');
    });

    it.each([
      ['github.event.issue.pull_request'],
      ["github.event.issue.pull_request && contains(github.event.comment.body, '/ok-to-test')"],
      ["github.event.comment.author_association != 'NONE'"],
      ["contains(fromJSON('[\"OWNER\",\"CONTRIBUTOR\"]'), github.event.comment.author_association)"],
      ["contains('OWNER,MEMBER,CONTRIBUTOR', github.event.comment.author_association)"],
      ["github.event.comment.author_association == 'MEMBER' || startsWith(github.event.comment.body, '/force')"],
      ["github.event.issue.author_association == 'MEMBER'"],
      ["contains('octocat', github.actor)"],
      ["github.event.comment.author_association == ''"]
    ])('not a guard: %s → critical', (cond) => {
      const fs = run(ic(CO, `    if: ${JSON.stringify(cond)}\n`));
      expect(sevs(fs)).toEqual([['bot:pr-head-checkout', 'critical']]);
      expect(fs[0].message).not.toContain('time-of-check');
    });

    it('the same-repository guard keeps silencing the job', () => {
      expect(run(ic(CO, '    if: github.event.pull_request.head.repo.full_name == github.repository\n'))).toEqual([]);
    });

    it('pull_request_target behaviour is unchanged: a comment-association condition is no guard there', () => {
      const y = wf('pull_request_target', `${checkoutRef('${{ github.event.pull_request.head.sha }}')}      - run: npm test`, "    if: github.event.comment.author_association == 'MEMBER'\n");
      const fs = run(y);
      expect(sevs(fs)).toEqual([['build:pr-head-checkout', 'critical']]);
      expect(fs[0].message).toContain("Anyone who opens a pull request runs code with this job's token and secrets.");
      expect(fs[0].message).not.toContain('issue_comment');
    });

    it('a guarded critical does not claim that anyone can run code', () => {
      const fs = run(ic(CO, "    if: github.event.comment.author_association == 'OWNER'\n"));
      expect(fs[0].message).not.toContain('Anyone who opens');
    });
  });

  describe('a job gated on a needed job\'s fork check', () => {
    const forked = (cond: string, check = 'gh pr view --json isCrossRepository --jq .isCrossRepository "$PR"'): string =>
      'on: issue_comment\njobs:\n  is-fork:\n    runs-on: ubuntu-latest\n    outputs:\n      fork: ${{ steps.f.outputs.fork }}\n    steps:\n' +
      `      - id: f\n        run: echo "fork=$(${check})" >> "$GITHUB_OUTPUT"\n        env:\n          PR: \${{ github.event.issue.number }}\n` +
      `  build:\n    needs: is-fork\n    if: ${JSON.stringify(cond)}\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: gh pr checkout "$PR"\n      - run: yarn build\n`;

    it.each([["needs.is-fork.outputs.fork == 'false'"], ["${{ needs.is-fork.outputs.fork != 'true' }}"]])('%s → medium, the message says the code is from this repository', (cond) => {
      const fs = run(forked(cond));
      expect(sevs(fs)).toEqual([['build:pr-head-checkout', 'medium']]);
      expect(fs[0].message).toContain('does not come from a fork');
      expect(fs[0].message).toContain('medium rather than critical');
      expect(fs[0].message).not.toContain('Anyone who opens');
    });

    it('a pull request head.repo.fork check counts too', () => {
      const check = "gh api repos/o/r/pulls/$PR --jq .head.repo.fork";
      expect(sevs(run(forked("needs.is-fork.outputs.fork == 'false'", check)))).toEqual([['build:pr-head-checkout', 'medium']]);
    });

    const CHECK = 'gh pr view --json isCrossRepository --jq .isCrossRepository "$PR"';
    it.each([
      ['the output must say "not a fork"', "needs.is-fork.outputs.fork == 'true'", CHECK],
      ['|| is not trusted', "needs.is-fork.outputs.fork == 'false' || github.event.comment.body == '/force'", CHECK],
      ['an output of a job that checks nothing', "needs.is-fork.outputs.fork == 'false'", 'echo false']
    ])('not a guard (%s) → critical', (_name, cond, check) => {
      expect(sevs(run(forked(cond, check)))).toEqual([['build:pr-head-checkout', 'critical']]);
    });
  });

  it('near misses stay silent', () => {
    const cases = [
      // Only comments on the pull request.
      ic("      - uses: actions/github-script@v7\n        with:\n          script: |\n            await github.rest.issues.createComment({ ...context.repo, issue_number: context.issue.number, body: 'Thanks!' })", ISSUE_PR),
      // Only labels it.
      ic("      - uses: actions-ecosystem/action-add-labels@v1\n        with:\n          labels: needs-triage\n      - run: gh issue edit ${{ github.event.issue.number }} --add-label triage", ISSUE_PR),
      // Checks out the default branch and runs the base repository's code.
      ic('      - uses: actions/checkout@v4\n      - run: ./scripts/handle-command.sh', ISSUE_PR),
      ic(`${checkoutRef('main')}      - run: npm test`),
      // pull_request fields are empty on issue_comment: this checks out the default branch.
      ic(`${checkoutRef('${{ github.event.pull_request.head.sha }}')}      - run: npm test`),
      // A step output that does not come from the pull request.
      ic(`      - id: version\n        run: echo "tag=$(git describe --tags)" >> "$GITHUB_OUTPUT"\n${checkoutRef('${{ steps.version.outputs.tag }}')}      - run: make`),
      // The issue number alone is not a pull ref.
      ic(`${checkoutRef('${{ github.event.issue.number }}')}      - run: make`),
      // Not issue_comment: issues events have no pull request.
      ic(`${checkoutRef('refs/pull/${{ github.event.issue.number }}/head')}      - run: make`, '', 'issues')
    ];
    for (const y of cases) expect(run(y)).toEqual([]);
  });

  it('pull_request_target workflows do not use the issue_comment step-output shape', () => {
    expect(run(wf('pull_request_target', `${RESOLVE_SCRIPT}${checkoutRef('${{ steps.pr.outputs.result }}')}      - run: make`))).toEqual([]);
  });

  it('a workflow on both pull_request_target and issue_comment names both triggers', () => {
    const y = `on: [pull_request_target, issue_comment]\njobs:\n  t:\n    runs-on: x\n    steps:\n${checkoutRef('${{ github.event.pull_request.head.sha }}')}      - run: make\n`;
    const fs = run(y);
    expect(sevs(fs)).toEqual([['t:pr-head-checkout', 'critical']]);
    expect(fs[0].message).toContain('`pull_request_target` and `issue_comment`');
  });

  it('malformed input: missing with:, non-string values, odd if: expressions', () => {
    const odd = [
      ic('      - uses: actions/checkout@v4\n      - run: make'),
      ic('      - uses: actions/checkout@v4\n        with:\n      - run: make'),
      ic('      - uses: actions/checkout@v4\n        with: "refs/pull/1/head"\n      - run: make'),
      ic('      - uses: actions/checkout@v4\n        with:\n          ref: [refs/pull/1/head]\n      - run: make'),
      ic('      - uses: actions/checkout@v4\n        with:\n          ref: 12345\n      - run: make'),
      ic('      - uses: 42\n      - run: 7', '    if: true\n')
    ];
    for (const y of odd) expect(run(y)).toEqual([]);
    const CO = `${checkoutRef('refs/pull/${{ github.event.issue.number }}/head')}      - run: make`;
    for (const cond of ['true', "')(('", "contains(fromJSON('[not json'), github.event.comment.author_association)", "contains(fromJSON('[]'), github.event.comment.author_association)", "contains(fromJSON('[1, 2]'), github.actor)", '${{ }}', '((((', "github.event.comment.author_association == 'MEMBER' &&"]) {
      const fs = run(ic(CO, `    if: ${JSON.stringify(cond)}\n`));
      const expected = cond.endsWith('&&') ? 'medium' : 'critical';
      expect([cond, sevs(fs)]).toEqual([cond, [['bot:pr-head-checkout', expected]]]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Artifact poisoning

/** A workflow_run workflow with one job `report`. Line 10 is the first step (without jobExtra). */
const wr = (steps: string, jobExtra = '', on = 'workflow_run:\n    workflows: [CI]\n    types: [completed]'): string =>
  `on:\n  ${on}\npermissions: {pull-requests: write}\njobs:\n  report:\n    runs-on: ubuntu-latest\n${jobExtra}    steps:\n${steps}\n`;
const DL_ROOT = '      - uses: actions/download-artifact@v4\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n          github-token: ${{ github.token }}\n';
const dlTo = (path: string, name = 'pr'): string => `      - uses: actions/download-artifact@v4\n        with:\n          name: ${name}\n          path: ${path}\n          run-id: \${{ github.event.workflow_run.id }}\n          github-token: \${{ github.token }}\n`;
const AP = 'report:artifact-poisoning';

describe('MD-007 artifact poisoning', () => {
  it('download of the triggering run into the workspace, then bash ./script → high, evidence on download and execution', () => {
    const fs = run(wr(`${DL_ROOT}      - run: bash ./scripts/deploy-preview.sh`));
    expect(triples(fs)).toEqual([[AP, 'high', 'high']]);
    expect(fs[0].evidence).toEqual([
      { path: P, line: 10 },
      { path: P, line: 14 }
    ]);
    expect(fs[0].message).toContain('run-id: ${{ github.event.workflow_run.id }}');
    expect(fs[0].message).toContain('artifact poisoning');
    expect(fs[0].message).toContain('the workspace root');
  });

  it.each([
    ['./pr/build.sh', 'pr'],
    ['sh pr/post.sh', 'pr'],
    ['source "$RUNNER_TEMP/pr/env.sh"', '${{ runner.temp }}/pr'],
    ['. ${{ runner.temp }}/pr/env.sh', '${{ runner.temp }}/pr'],
    ['python3 ${RUNNER_TEMP}/pr/comment.py', '${{ runner.temp }}/pr'],
    ['node artifacts/report.js --pr 1', 'artifacts'],
    ['cd artifacts && make', 'artifacts'],
    ['cd "$RUNNER_TEMP/pr"\n          npm install', '${{ runner.temp }}/pr'],
    ['make -C artifacts deploy', 'artifacts'],
    ['pip install -r artifacts/requirements.txt', 'artifacts'],
    ['cat "$RUNNER_TEMP/pr/script" | bash', '${{ runner.temp }}/pr'],
    ['$(cat artifacts/cmd)', 'artifacts']
  ])('downloads to %#: `%s` executes from the download path → high', (script, path) => {
    const fs = run(wr(`${dlTo(path)}      - run: |\n          echo start\n          ${script}`));
    expect(triples(fs)).toEqual([[AP, 'high', 'high']]);
    expect(fs[0].evidence[0]).toEqual({ path: P, line: 10 });
  });

  it('dawidd6/action-download-artifact with run_id or workflow + pr, then execution → high', () => {
    const a = run(wr('      - uses: dawidd6/action-download-artifact@v6\n        with:\n          run_id: ${{ github.event.workflow_run.id }}\n          path: artifacts\n      - run: ./artifacts/publish.sh'));
    expect(triples(a)).toEqual([[AP, 'high', 'high']]);
    expect(a[0].message).toContain('dawidd6/action-download-artifact');
    const b = run(wr('      - uses: dawidd6/action-download-artifact@v6\n        with:\n          workflow: ci.yml\n          pr: ${{ github.event.workflow_run.pull_requests[0].number }}\n      - run: yarn && yarn deploy'));
    expect(triples(b)).toEqual([[AP, 'high', 'high']]);
  });

  it('the Security Lab shape: github-script downloadArtifact to the workspace, unzip, npm ci → high', () => {
    const script = [
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: |',
      '            const artifacts = await github.rest.actions.listWorkflowRunArtifacts({ ...context.repo, run_id: context.payload.workflow_run.id })',
      '            const match = artifacts.data.artifacts.find((a) => a.name === "pr")',
      '            const download = await github.rest.actions.downloadArtifact({ ...context.repo, artifact_id: match.id, archive_format: "zip" })',
      "            require('fs').writeFileSync('${{ github.workspace }}/pr.zip', Buffer.from(download.data))",
      '      - run: unzip pr.zip',
      '      - run: npm ci'
    ].join('\n');
    const fs = run(wr(script));
    expect(triples(fs)).toEqual([[AP, 'high', 'high']]);
    expect(fs[0].evidence).toEqual([
      { path: P, line: 15 },
      { path: P, line: 18 }
    ]);
  });

  it('gh run download of the triggering run, unzip into a temp dir, run a file from it → high', () => {
    const fs = run(
      wr(
        '      - run: |\n          gh run download ${{ github.event.workflow_run.id }} -n site -D "$RUNNER_TEMP/site"\n          unzip "$RUNNER_TEMP/site/bundle.zip" -d "$RUNNER_TEMP/bundle"\n          python "$RUNNER_TEMP/bundle/deploy.py"\n        env:\n          GH_TOKEN: ${{ github.token }}'
      )
    );
    expect(triples(fs)).toEqual([[AP, 'high', 'high']]);
    expect(fs[0].evidence).toEqual([
      { path: P, line: 11 },
      { path: P, line: 13 }
    ]);
  });

  it('a local action after a workspace download → high', () => {
    const fs = run(wr(`${DL_ROOT}      - uses: ./.github/actions/comment`));
    expect(triples(fs)).toEqual([[AP, 'high', 'high']]);
    expect(fs[0].message).toContain('local action');
  });

  it('values read from the artifact flowing into code → high, medium confidence', () => {
    const cases: [string, string][] = [
      // Into $GITHUB_ENV: a newline in the file sets any variable.
      ['env', `${DL_ROOT}      - run: echo "pr_number=$(cat NR)" >> $GITHUB_ENV`],
      // Into ${{ }} of a later run step, through a step output.
      ['output', `${dlTo('${{ runner.temp }}/pr')}      - id: meta\n        run: echo "pr=$(cat "$RUNNER_TEMP/pr/NR")" >> "$GITHUB_OUTPUT"\n      - run: gh pr comment \${{ steps.meta.outputs.pr }} --body done`],
      // jq output into an output, then into github-script code.
      ['jq output', `${dlTo('${{ runner.temp }}/pr')}      - id: meta\n        run: echo "title=$(jq -r .title "$RUNNER_TEMP/pr/event.json")" >> "$GITHUB_OUTPUT"\n      - uses: actions/github-script@v7\n        with:\n          script: |\n            core.info("\${{ steps.meta.outputs.title }}")`],
      // Unquoted in an argument list.
      ['unquoted', `${dlTo('${{ runner.temp }}/pr')}      - run: |\n          PR=$(< "$RUNNER_TEMP/pr/NR")\n          gh pr comment $PR --body "Preview ready"`],
      // read from the file, then unquoted.
      ['read', `${dlTo('${{ runner.temp }}/pr')}      - run: |\n          read -r PR < "$RUNNER_TEMP/pr/NR"\n          gh pr merge $PR --squash`],
      // eval.
      ['eval', `${dlTo('${{ runner.temp }}/pr')}      - run: eval "$(cat $RUNNER_TEMP/pr/vars)"`],
      // A tainted output passed through env and used unquoted.
      ['env unquoted', `${dlTo('${{ runner.temp }}/pr')}      - id: meta\n        run: echo "n=$(cat $RUNNER_TEMP/pr/NR)" >> $GITHUB_OUTPUT\n      - env:\n          N: \${{ steps.meta.outputs.n }}\n        run: gh pr comment $N -b hi`]
    ];
    for (const [name, steps] of cases) {
      const fs = run(wr(steps));
      expect([name, triples(fs)]).toEqual([name, [[AP, 'high', 'medium']]]);
    }
  });

  it('pull_request_target workflows downloading a PR run\'s artifacts are checked too', () => {
    const y = wf('pull_request_target', '      - id: run\n        run: echo "id=$(gh run list -c ${{ github.event.pull_request.head.sha }} --json databaseId -q .[0].databaseId)" >> $GITHUB_OUTPUT\n      - uses: actions/download-artifact@v4\n        with:\n          run-id: ${{ steps.run.outputs.id }}\n          github-token: ${{ github.token }}\n      - run: ./coverage/upload.sh');
    const fs = run(y);
    expect(triples(fs)).toEqual([['build:artifact-poisoning', 'high', 'high']]);
    expect(fs[0].message).toContain('`pull_request_target`');
  });

  it('workspace download and later code the rule cannot tie → medium, with both lines', () => {
    const fs = run(wr(`${DL_ROOT}      - run: gh pr comment "$(jq -r .number event.json)" --body-file comment.md`));
    // The jq read is quoted and only feeds gh: nothing to tie, but the files sit in the workspace.
    expect(triples(fs)).toEqual([[AP, 'medium', 'medium']]);
    expect(fs[0].evidence).toEqual([
      { path: P, line: 10 },
      { path: P, line: 14 }
    ]);
    expect(fs[0].message).toContain('cannot tie');
  });

  it('the Security Lab "safe" variant (Number() in github-script) unzips into the workspace but runs nothing there → silent', () => {
    const steps = [
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: |',
      '            const download = await github.rest.actions.downloadArtifact({ ...context.repo, artifact_id: 1, archive_format: "zip" })',
      "            require('fs').writeFileSync('pr.zip', Buffer.from(download.data))",
      '      - run: unzip pr.zip',
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: |',
      "            const issue_number = Number(require('fs').readFileSync('./NR'))"
    ].join('\n');
    expect(run(wr(steps))).toEqual([]);
    // A later step that runs a tool which reads its configuration from the working directory is medium again.
    const fs = run(wr(`${steps}\n      - run: git log -1 --format=%H`));
    expect(triples(fs)).toEqual([[AP, 'medium', 'medium']]);
    expect(fs[0].evidence).toEqual([
      { path: P, line: 13 },
      { path: P, line: 20 }
    ]);
  });

  it('workspace download followed only by utilities that load nothing from the working directory → silent', () => {
    const cases = [
      // Extract, rearrange and concatenate the files; re-upload them.
      `${DL_ROOT}      - run: unzip report.zip
      - run: |
          mkdir shots
          mv shots-* shots/
          cat diff_*.txt | tee full.txt
      - uses: actions/upload-artifact@v4
        with:
          name: shots
          path: shots`,
      // A test of a file, a value written to $GITHUB_OUTPUT and read by action inputs only (data, not code).
      `${DL_ROOT}      - id: pr
        run: |
          if [[ -f pr-number ]]
          then
            echo "pr-number=$(<pr-number)" >> "$GITHUB_OUTPUT"
          fi
      - uses: peter-evans/create-or-update-comment@v4
        with:
          issue-number: \${{ steps.pr.outputs.pr-number }}
          body-path: comment.txt`,
      // An echo-only step, then read-file and comment actions.
      `${DL_ROOT}      - run: echo "nothing to report"
      - id: n
        uses: juliangruber/read-file-action@v1
        with:
          path: number.txt
      - uses: int128/hide-comment-action@v1
        with:
          issue-number: \${{ steps.n.outputs.content }}`,
      // gh run download into the workspace, its continuation line, then curl.
      wr(
        [
          '      - id: x',
          '        run: |',
          '          gh run download ${{ github.event.workflow_run.id }} \\',
          '            --name info || true',
          '          ID=$(grep -o "[a-z]*" info.txt)',
          '          curl -fsS -X POST "https://example.invalid/" -d "id=$ID"'
        ].join('\n')
      )
    ];
    for (const c of cases) expect(run(c.startsWith('on:') ? c : wr(c))).toEqual([]);
  });

  it.each([
    ['gh', '      - run: gh pr comment 1 --body-file comment.md'],
    ['python -c', '      - run: python3 -c "import json; print(1)"'],
    ['node -e', "      - run: node -e \"require('lodash')\""],
    ['sed -f (a script file)', '      - run: sed -f fix.sed data.txt'],
    ['tar --to-command', '      - run: tar -xf out.tar --to-command=./filter'],
    ['curl -K (a config file)', '      - run: curl -K curlrc https://example.invalid'],
    ['an unknown tool', '      - run: make-report > r.md']
  ])('workspace download, then %s → still medium', (_name, later) => {
    expect(triples(run(wr(`${DL_ROOT}      - run: unzip pr.zip\n${later}`)))).toEqual([[AP, 'medium', 'medium']]);
  });

  const DOCS_SCRIPT_DOWNLOAD = [
    '      - uses: actions/github-script@v8',
    '        with:',
    '          script: |',
    '            let allArtifacts = await github.rest.actions.listWorkflowRunArtifacts({ owner: context.repo.owner, repo: context.repo.repo, run_id: context.payload.workflow_run.id })',
    '            let matchArtifact = allArtifacts.data.artifacts.filter((artifact) => artifact.name == "pr_number")[0]',
    "            let download = await github.rest.actions.downloadArtifact({ owner: context.repo.owner, repo: context.repo.repo, artifact_id: matchArtifact.id, archive_format: 'zip' })",
    "            const fs = require('fs')",
    "            const path = require('path')",
    "            const temp = '${{ runner.temp }}/artifacts'",
    "            fs.writeFileSync(path.join(temp, 'pr_number.zip'), Buffer.from(download.data))",
    '      - run: unzip "${{ runner.temp }}/artifacts/pr_number.zip" -d "${{ runner.temp }}/artifacts"',
    ''
  ].join('\n');

  it("GitHub's documented patterns (runner.temp, read as a number in github-script) are silent", () => {
    const comment = "      - uses: actions/github-script@v8\n        with:\n          script: |\n            const temp = '${{ runner.temp }}/artifacts'\n            const issue_number = Number(require('fs').readFileSync(require('path').join(temp, 'pr_number')))";
    expect(run(wr(`${dlTo('${{ runner.temp }}/artifacts', 'pr_number')}${comment}`))).toEqual([]);
    expect(run(wr(`${DOCS_SCRIPT_DOWNLOAD}${comment}`))).toEqual([]);
  });

  it('the same github-script temp download, then a script from it is run → high', () => {
    const fs = run(wr(`${DOCS_SCRIPT_DOWNLOAD}      - run: bash "\${{ runner.temp }}/artifacts/post.sh"`));
    expect(triples(fs)).toEqual([[AP, 'high', 'high']]);
    expect(fs[0].evidence).toEqual([
      { path: P, line: 15 },
      { path: P, line: 21 }
    ]);
    expect(fs[0].message).toContain('Never execute');
  });

  it('a download path the rule cannot resolve, then code → medium', () => {
    const fs = run(wr(`${dlTo('${{ steps.dirs.outputs.tmp }}')}      - run: ./deploy.sh`));
    expect(triples(fs)).toEqual([[AP, 'medium', 'medium']]);
    expect(fs[0].message).toContain('cannot resolve');
  });

  it('near misses stay silent', () => {
    const cases = [
      // runner.temp, read only by jq into the step summary.
      wr(`${dlTo('${{ runner.temp }}/pr')}      - run: jq -r '.summary' "$RUNNER_TEMP/pr/report.json" >> "$GITHUB_STEP_SUMMARY"\n      - run: npm test`),
      // runner.temp, cat into $GITHUB_OUTPUT after a regex check, used in ${{ }} later.
      wr(
        `${dlTo('${{ runner.temp }}/pr')}      - id: pr\n        run: |\n          pr=$(cat "$RUNNER_TEMP/pr/number")\n          if ! [[ "$pr" =~ ^[0-9]+$ ]]; then echo "bad PR number"; exit 1; fi\n          echo "number=$pr" >> "$GITHUB_OUTPUT"\n      - run: gh pr comment \${{ steps.pr.outputs.number }} --body-file "$RUNNER_TEMP/pr/comment.md"`
      ),
      // Sanitised to digits before $GITHUB_ENV.
      wr(`${dlTo('${{ runner.temp }}/pr')}      - run: echo "PR=$(cat $RUNNER_TEMP/pr/NR | tr -dc '0-9')" >> $GITHUB_ENV`),
      // jq tonumber into an output.
      wr(`${dlTo('${{ runner.temp }}/pr')}      - id: n\n        run: echo "n=$(jq '.number | tonumber' $RUNNER_TEMP/pr/e.json)" >> $GITHUB_OUTPUT\n      - run: echo \${{ steps.n.outputs.n }}`),
      // Quoted use of a value read from the artifact.
      wr(`${dlTo('${{ runner.temp }}/pr')}      - run: |\n          PR="$(cat "$RUNNER_TEMP/pr/NR")"\n          gh pr comment "$PR" --body "ok"`),
      // A here-document body is data: its lines are not commands.
      wr(`${dlTo('${{ runner.temp }}/pr')}      - run: |\n          cat > comment.md <<'EOF'\n          To reproduce run:\n          bash $RUNNER_TEMP/pr/repro.sh\n          EOF\n          gh pr comment 1 --body-file comment.md`),
      // A subdirectory of the workspace, and the base repository's own scripts run (not the artifact's).
      wr(`${dlTo('coverage')}      - run: npm test -- --coverageDirectory other`),
      // workflow_run that downloads its own run's artifacts (no run-id), then runs them.
      wr('      - uses: actions/download-artifact@v4\n        with:\n          name: dist\n      - run: ./dist/install.sh'),
      wr('      - uses: actions/download-artifact@v4\n        with:\n          run-id: ${{ github.run_id }}\n      - run: ./install.sh'),
      wr('      - run: gh run download ${{ github.run_id }} -n dist\n      - run: ./dist/install.sh'),
      // dawidd6 with no run/workflow/pr/commit: this workflow's own artifacts.
      wr('      - uses: dawidd6/action-download-artifact@v6\n        with:\n          name: cache\n      - run: ./cache/restore.sh'),
      // v3 ignores run-id.
      wr('      - uses: actions/download-artifact@v3\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n      - run: ./install.sh'),
      // Plain pull_request / push workflows are not privileged.
      wf('pull_request', `${DL_ROOT}      - run: ./install.sh`),
      wf('push', `${DL_ROOT}      - run: make`),
      // A workspace download with nothing after it.
      wr(DL_ROOT),
      // Code that runs before the download.
      wr(`      - run: ./scripts/prepare.sh\n${DL_ROOT}      - uses: actions/upload-artifact@v4\n        with:\n          name: x\n          path: .`),
      // Guards: only push runs, or same-repository runs, feed this job.
      wr(`${DL_ROOT}      - run: ./deploy.sh`, "    if: github.event.workflow_run.event == 'push'\n"),
      wr(`${DL_ROOT}      - run: ./deploy.sh`, '    if: github.event.workflow_run.head_repository.full_name == github.repository\n')
    ];
    cases.forEach((y, i) => expect([i, run(y)]).toEqual([i, []]));
  });

  it('after a here-document ends, lines are commands again; "<<EOF" inside quotes is not a here-document', () => {
    const after = run(wr(`${dlTo('${{ runner.temp }}/pr')}      - run: |\n          cat > note.md <<-EOF\n          \tsee $RUNNER_TEMP/pr\n          \tEOF\n          bash "$RUNNER_TEMP/pr/x.sh"`));
    expect(triples(after)).toEqual([[AP, 'high', 'high']]);
    expect(after[0].evidence[1]).toEqual({ path: P, line: 20 });
    const quoted = run(wr(`${dlTo('${{ runner.temp }}/pr')}      - run: |\n          echo "body<<EOF" >> "$GITHUB_OUTPUT"\n          echo "EOF" >> "$GITHUB_OUTPUT"\n          bash "$RUNNER_TEMP/pr/x.sh"`));
    expect(triples(quoted)).toEqual([[AP, 'high', 'high']]);
    expect(quoted[0].evidence[1]).toEqual({ path: P, line: 19 });
  });

  it('a guard combined with || is not trusted', () => {
    expect(triples(run(wr(`${DL_ROOT}      - run: ./deploy.sh`, "    if: github.event.workflow_run.event == 'push' || github.actor == 'bot'\n")))).toEqual([[AP, 'high', 'high']]);
  });

  it('artifacts do not cross jobs: a download in one job, execution in another → silent', () => {
    const y = `on:\n  workflow_run:\n    workflows: [CI]\njobs:\n  a:\n    runs-on: x\n    steps:\n${DL_ROOT}  b:\n    needs: a\n    runs-on: x\n    steps:\n      - run: ./deploy.sh\n`;
    expect(run(y)).toEqual([]);
  });

  it('one finding per job; the checkout finding is separate', () => {
    const y = wr(`      - uses: actions/checkout@v4\n        with:\n          ref: \${{ github.event.workflow_run.head_sha }}\n${DL_ROOT}      - run: ./a.sh\n      - run: ./b.sh`);
    expect(triples(run(y)).map(([s, sev]) => [s, sev])).toEqual([
      ['report:pr-head-checkout', 'critical'],
      [AP, 'high']
    ]);
  });

  it('malformed input: missing with:, non-string values, odd if:', () => {
    const cases: [string, string[]][] = [
      [wr('      - uses: actions/download-artifact@v4\n      - run: ./x.sh'), []],
      [wr('      - uses: actions/download-artifact@v4\n        with:\n      - run: ./x.sh'), []],
      [wr('      - uses: actions/download-artifact@v4\n        with: "run-id"\n      - run: ./x.sh'), []],
      [wr('      - uses: actions/download-artifact@v4\n        with:\n          run-id: [1, 2]\n      - run: ./x.sh'), []],
      [wr('      - uses: actions/download-artifact@v4\n        with:\n          run-id: ""\n      - run: ./x.sh'), []],
      // A numeric run id is another run: reported; a non-string path is dropped (workspace root).
      [wr('      - uses: actions/download-artifact@v4\n        with:\n          run-id: 12345\n          path: [a, b]\n      - run: ./x.sh'), ['high']],
      [wr('      - uses: dawidd6/action-download-artifact@v6\n        with:\n          workflow: 7\n      - run: 42'), ['medium']],
      [wr(`${DL_ROOT}      - run: ./x.sh`, '    if: "(((("\n'), ['high']],
      [wr(`${DL_ROOT}      - run: ./x.sh`, '    if: true\n'), ['high']],
      [wr(`${DL_ROOT}      - run: |\n          "unterminated 'quote \`tick $(\n          ))) ;;; |||\n          \\`), ['medium']],
      [wr('      - uses: actions/github-script@v7\n        with:\n          script: downloadArtifact\n      - run: ./x.sh'), ['high']],
      [wr('      - uses:\n      - run:\n      - {}'), []]
    ];
    cases.forEach(([y, want], i) => expect([i, run(y).map((f) => f.severity)]).toEqual([i, want]));
  });

  it('a 20,000-line script after a download is scanned once (linear)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`          jq -r '.items[${i}]' "$RUNNER_TEMP/pr/data.json" >> "$GITHUB_STEP_SUMMARY"`);
    const start = Date.now();
    const quiet = run(wr(`${dlTo('${{ runner.temp }}/pr')}      - run: |\n${lines.join('\n')}`));
    expect(quiet).toEqual([]);
    const loud = run(wr(`${dlTo('${{ runner.temp }}/pr')}      - run: |\n${lines.join('\n')}\n          bash "$RUNNER_TEMP/pr/x.sh"`));
    expect(loud[0].evidence).toEqual([
      { path: P, line: 10 },
      { path: P, line: 17 + 20_000 }
    ]);
    expect(Date.now() - start).toBeLessThan(20_000);
  });
});

describe('MD-007 pull_request_target gated on a label ("safe to test")', () => {
  const CHECKOUT_HEAD = '      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci && npm test';
  const ON_LABELED = '\n  pull_request_target:\n    types: [labeled]';

  it.each([
    "    if: github.event.label.name == 'safe to test'\n",
    "    if: ${{ 'ok-to-test' == github.event.label.name }}\n",
    "    if: contains(github.event.pull_request.labels.*.name, 'safe-to-test')\n",
    "    if: github.event.action == 'labeled' && github.event.label.name == 'safe to test'\n",
    "    if: (github.event.label.name == 'a' || github.event.label.name == 'b')\n"
  ])('job if: %s → medium, with the time-of-check/time-of-use explanation', (cond) => {
    const fs = run(wf(ON_LABELED, CHECKOUT_HEAD, cond));
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['build:pr-head-checkout', 'medium']]);
    expect(fs[0].message).toMatch(/gated on a label/);
    expect(fs[0].message).toMatch(/time-of-check\/time-of-use/);
    expect(fs[0].message).not.toMatch(/Anyone who opens a pull request/);
  });

  it('a label condition on the checkout step counts too', () => {
    const steps = "      - uses: actions/checkout@v4\n        if: contains(github.event.pull_request.labels.*.name, 'safe to test')\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make";
    expect(run(wf(ON_LABELED, steps)).map((f) => f.severity)).toEqual(['medium']);
  });

  it.each([
    ['a negated label test', "    if: \"!contains(github.event.pull_request.labels.*.name, 'do-not-test')\"\n"],
    ['a label OR anything else', "    if: github.event.label.name == 'safe' || github.actor == 'dependabot[bot]'\n"],
    ['a label inequality', "    if: github.event.label.name != 'wip'\n"],
    ['the head ref, not a label', "    if: contains(github.event.pull_request.head.ref, 'safe')\n"],
    ['the pull request title', "    if: contains(github.event.pull_request.title, 'safe to test')\n"]
  ])('not a label gate: %s → still critical', (_what, cond) => {
    const fs = run(wf(ON_LABELED, CHECKOUT_HEAD, cond));
    expect(fs.map((f) => f.severity)).toEqual(['critical']);
    expect(fs[0].message).toMatch(/Anyone who opens a pull request/);
  });

  it('workflow_run alongside pull_request_target: the label does not gate the workflow_run runs → still critical', () => {
    const y = wf(`${ON_LABELED}\n  workflow_run:\n    workflows: [CI]\n    types: [completed]`, CHECKOUT_HEAD, "    if: github.event.label.name == 'safe to test'\n");
    expect(run(y).map((f) => f.severity)).toEqual(['critical']);
  });
});

describe('MD-007 artifact poisoning and working-directory', () => {
  it('a build tool in a step whose working-directory is the download directory → high', () => {
    const fs = run(wr(`${dlTo('pr')}      - working-directory: pr\n        run: npm install && npm run build`));
    expect(triples(fs)).toEqual([[AP, 'high', 'high']]);
    expect(fs[0].evidence.map((e) => e.line)).toEqual([10, 17]);
  });

  it.each([
    ['the job', '    defaults:\n      run:\n        working-directory: ./pr/\n', ''],
    ['the workflow', '', 'defaults:\n  run:\n    working-directory: pr\n']
  ])('defaults.run.working-directory of %s counts too', (_what, jobExtra, top) => {
    const y = wr(`${dlTo('pr')}      - run: make`, jobExtra).replace('jobs:\n', `${top}jobs:\n`);
    expect(triples(run(y))).toEqual([[AP, 'high', 'high']]);
  });

  it('a step working-directory elsewhere (runner temp, an expression) is not the download', () => {
    for (const dir of ['${{ runner.temp }}/tools', '/opt/tools', '${{ inputs.dir }}']) {
      const fs = run(wr(`${dlTo('pr')}      - working-directory: ${dir}\n        run: make`));
      expect(fs.map((f) => f.severity)).toEqual([]);
    }
  });

  it('with a download into the workspace root, any workspace directory may hold its files', () => {
    const fs = run(wr(`${DL_ROOT}      - working-directory: frontend\n        run: npm ci`));
    expect(triples(fs)).toEqual([[AP, 'high', 'high']]);
  });
});
