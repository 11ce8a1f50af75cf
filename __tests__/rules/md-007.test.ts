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
