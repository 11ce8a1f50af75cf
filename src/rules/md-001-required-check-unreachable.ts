/**
 * MD-001 — required check unreachable.
 *
 * A required status check that no workflow job can produce on the events that need it leaves
 * every pull request (or merge-queue group) waiting on "Expected — Waiting for status to be
 * reported" forever. Also reported: producers that can be skipped on those events (path / branch /
 * types filters → the check hangs; a job `if:` → GitHub reports the skipped job as passing, so the
 * requirement is met without anything running), and names produced by more than one job.
 *
 * Producible names (GitHub's naming):
 * - a job's `name:` (or its id), with `${{ matrix.* }}` expanded over the matrix (values,
 *   `exclude`, then `include` as GitHub applies them);
 * - when the name does not use the matrix, `<name> (<v1>, <v2>, …)` — the combination's values in
 *   order;
 * - reusable workflows (`uses: ./.github/workflows/x.yml`, `$/…`, or this repository's
 *   `owner/repo/.github/workflows/x.yml@ref`): `<caller> / <callee job>`, recursively;
 * - any other expression in a name is unknown at rest: it becomes a wildcard, and a requirement
 *   only such a name could match gets a low-confidence finding.
 *
 * Events that need the check: `pull_request` (a `pull_request_target` workflow also reports on the
 * PR), and `merge_group` when the merge queue is on (protection, the policy, or a merge_group run).
 * Filters on other events (e.g. `push: paths:`) do not matter. Checks bound to an app other than
 * GitHub Actions (integration id set and ≠ 15368) are left alone.
 *
 * Requirements come from the effective protection; when it cannot be read, from the policy's
 * `expected.required-checks` (said so in the message); when neither exists the rule returns an
 * unobservable entry and no finding.
 *
 * Linear in workflows × jobs × matrix combinations (≤ 256 per job); steps are never visited.
 */
import type { Evidence, FindingDraft, Rule, RuleMeta, RuleResult } from '../model/finding.js';
import type { Confidence, Severity, Unobservable } from '../model/common.js';
import { GITHUB_ACTIONS_APP_ID, describeSources, type ProtectionSource } from '../model/protection.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';
import type { Job, Matrix, Trigger, WorkflowFile } from '../model/workflow.js';

export const meta: RuleMeta = {
  id: 'MD-001',
  version: '1.1.0',
  title: 'Required check unreachable',
  severity: 'high',
  confidence: 'high',
  defaultAction: 'block',
  fpCeiling: 0.1,
  motivation:
    'Branch protection and rulesets name required checks by the exact name a job reports. Rename a ' +
    'job, add a matrix (which appends "(ubuntu-latest)" to the name), move it behind a path filter ' +
    'or forget the `merge_group` trigger, and the requirement can no longer be met: pull requests ' +
    'wait on "Expected — Waiting for status to be reported" until an administrator bypasses the ' +
    'protection, which teaches everyone to bypass it. A job skipped by `if:` is worse: GitHub counts ' +
    'a skipped required check as passed, so the gate is open without anything having run.',
  description:
    'For every required status check (from rulesets and classic branch protection, or the policy\'s ' +
    '`expected.required-checks` when protection cannot be read) computes which workflow jobs report ' +
    'that exact name on the events that need it: `pull_request`, and `merge_group` when the merge ' +
    'queue is on. Names follow GitHub: the job `name:` (or id) with `${{ matrix.* }}` expanded over ' +
    'the matrix, `name (value, value)` for matrix jobs whose name does not use the matrix, and ' +
    '`caller / callee` for reusable workflows. Reports requirements no job produces (naming the ' +
    'requirement\'s source, the nearest job and the names the workflows do produce), producers that ' +
    'can be skipped on those events (`paths`/`paths-ignore`/`branches`/`types` filters, job `if:`), ' +
    'and names produced by more than one job. Checks bound to an app other than GitHub Actions are ' +
    'left alone.',
  remediation:
    'Make the required name and the job name agree: either change the requirement to the name the ' +
    'job reports (shown in the finding), or give the job a fixed `name:` equal to the requirement ' +
    '(for matrix jobs, add an aggregating job such as `build` with `needs: [matrix-job]` and ' +
    '`if: always()` that fails when any leg failed). Trigger the workflow on `pull_request` and, with ' +
    'a merge queue, on `merge_group`. Do not put required jobs behind path filters or `if:` — filter ' +
    'inside the job instead, so the check always reports.',
  example: [
    '# ruleset "main": required status check `build`',
    'on: [pull_request]',
    'jobs:',
    '  build:',
    '    name: Build (${{ matrix.os }})   # reports "Build (ubuntu-latest)", never "build"',
    '    strategy:',
    '      matrix: { os: [ubuntu-latest] }',
    '    runs-on: ${{ matrix.os }}',
    '    steps:',
    '      - run: make'
  ].join('\n')
};

// ---------------------------------------------------------------------------------------------
// Names

/** Placeholder for a part of a name that is unknown at rest. */
const UNKNOWN = '\u0000';
const MAX_COMBOS = 256;
const EXPR = /\$\{\{\s*([^}]*?)\s*\}\}/g;

interface Name {
  /** The name with UNKNOWN where an expression could not be evaluated. */
  text: string;
  /** Evidence: where the name is produced (the job, or the callee job). */
  wf: WorkflowFile;
  job: Job;
  /** The caller chain, outermost first (for reusable workflows). */
  via: { wf: WorkflowFile; job: Job }[];
}

function scalar(v: unknown): string | undefined {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** GitHub's matrix expansion: product of the dimensions, minus `exclude`, then `include`. */
export function expandMatrix(m: Matrix): Record<string, unknown>[] | undefined {
  if (m.dynamic) return undefined;
  const keys = Object.keys(m.dimensions);
  let combos: Record<string, unknown>[] = keys.length > 0 ? [{}] : [];
  for (const k of keys) {
    const values = m.dimensions[k];
    if (combos.length * values.length > MAX_COMBOS) return undefined;
    const next: Record<string, unknown>[] = [];
    for (const c of combos) for (const v of values) next.push({ ...c, [k]: v });
    combos = next;
  }
  combos = combos.filter((c) => !m.exclude.some((ex) => Object.keys(ex).every((k) => same(c[k], ex[k]))));
  const product = combos.length;
  for (const inc of m.include) {
    let matched = false;
    for (let i = 0; i < product; i++) {
      const c = combos[i];
      if (keys.every((k) => !(k in inc) || same(c[k], inc[k]))) {
        Object.assign(c, inc);
        matched = true;
      }
    }
    if (!matched) combos.push({ ...inc });
    if (combos.length > MAX_COMBOS) return undefined;
  }
  return combos;
}

/** Render `${{ … }}` in a name: `matrix.x(.y)` from the combination, anything else unknown. */
function render(template: string, combo: Record<string, unknown> | undefined): string {
  return template.replace(EXPR, (_m, expr: string) => {
    const mm = /^matrix\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)$/.exec(expr);
    if (!mm || !combo) return UNKNOWN;
    let v: unknown = combo;
    for (const part of mm[1].split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    return scalar(v) ?? UNKNOWN;
  });
}

/** The names a job reports for itself (without reusable-workflow prefixes). */
export function ownNames(job: Job): string[] {
  const template = job.name?.value ?? job.id;
  if (!job.matrix) return [render(template, {})];
  const usesMatrix = /\$\{\{[^}]*\bmatrix\b/.test(template);
  const combos = expandMatrix(job.matrix);
  if (!combos) return [usesMatrix ? render(template, undefined) : `${render(template, {})} (${UNKNOWN})`];
  const out = new Set<string>();
  for (const c of combos) {
    if (usesMatrix) out.add(render(template, c));
    else {
      const values = Object.values(c).map((v) => scalar(v) ?? UNKNOWN);
      out.add(values.length > 0 ? `${render(template, {})} (${values.join(', ')})` : render(template, {}));
    }
  }
  return [...out];
}

/** A reusable-workflow reference in this repository, as a workflow path; undefined for other repositories. */
function localCallee(uses: string, repoFullName: string): string | undefined {
  const u = uses.trim().replace(/@[^@]*$/, '');
  if (u.startsWith('./')) return u.slice(2);
  if (u.startsWith('$/')) return u.slice(2);
  const lower = u.toLowerCase();
  const prefix = `${repoFullName.toLowerCase()}/`;
  if (lower.startsWith(prefix) && lower.includes('/.github/workflows/')) return u.slice(prefix.length);
  return undefined;
}

class Namer {
  constructor(
    private readonly byPath: ReadonlyMap<string, WorkflowFile>,
    private readonly repo: string
  ) {}

  /** Every name a job reports, following reusable workflows (depth ≤ 4). */
  names(wf: WorkflowFile, job: Job, via: { wf: WorkflowFile; job: Job }[] = [], depth = 0): Name[] {
    const own = ownNames(job);
    if (!job.uses) return own.map((text) => ({ text, wf, job, via }));
    const calleePath = localCallee(job.uses.value, this.repo);
    const callee = calleePath ? this.byPath.get(calleePath) : undefined;
    if (!callee || depth >= 4) return own.map((text) => ({ text: `${text} / ${UNKNOWN}`, wf, job, via }));
    const out: Name[] = [];
    for (const cj of callee.jobs) {
      const inner = this.names(callee, cj, [...via, { wf, job }], depth + 1);
      for (const prefix of own) for (const n of inner) out.push({ ...n, text: `${prefix} / ${n.text}` });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Events and filters

type Need = 'pull_request' | 'merge_group';

/** Branch filter glob → RegExp (`*` within a segment, `**` across, `?`, `+`, `[…]`). */
function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '.';
    else if (c === '+') re += '+';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end === -1) re += '\\[';
      else {
        re += glob.slice(i, end + 1);
        i = end;
      }
    } else re += c.replace(/[.^$|(){}\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return /(?!)/;
  }
}

/** GitHub's branch filter: the last matching pattern wins; `!` negates. */
function branchIncluded(patterns: readonly string[], branch: string): boolean {
  let included = false;
  for (const p of patterns) {
    const neg = p.startsWith('!');
    if (globRegex(neg ? p.slice(1) : p).test(branch)) included = !neg;
  }
  return included;
}

interface Coverage {
  runs: 'no' | 'yes' | 'maybe';
  /** Why not / why maybe. */
  why?: string;
  trigger?: Trigger;
  /** A branch filter that could not be checked: the target branch is unknown. */
  unverified?: string;
}

/** A `branches:` list that includes every branch name: `**` (or `*`, for names without `/`) last among the patterns that match. */
function includesEveryBranch(patterns: readonly string[]): boolean {
  let all = false;
  for (const p of patterns) {
    if (p === '**' || p === '*') all = true;
    else if (p.startsWith('!')) all = false;
  }
  return all;
}

function list(xs: readonly string[]): string {
  return xs.map((x) => `\`${x}\``).join(', ');
}

function coverage(wf: WorkflowFile, need: Need, target: string | undefined): Coverage {
  const events = need === 'pull_request' ? ['pull_request', 'pull_request_target'] : ['merge_group'];
  const trig = wf.triggers.find((t) => events.includes(t.event));
  if (!trig) return { runs: 'no', why: `the workflow is not triggered by ${need}` };
  const f = trig.filters;
  // With the target branch unknown a filter cannot be judged either way: it is left out of the
  // findings and reported as unobservable (a guess would be a finding on nothing).
  let unverified: string | undefined;
  if (f.branches && f.branches.length > 0 && !includesEveryBranch(f.branches)) {
    if (target && !branchIncluded(f.branches, target)) {
      return { runs: 'no', why: `its \`${trig.event}: branches:\` filter (${list(f.branches)}) does not include ${target}`, trigger: trig };
    }
    if (!target) unverified = `\`${trig.event}: branches:\` (${list(f.branches)})`;
  }
  if (f.branchesIgnore && f.branchesIgnore.length > 0) {
    if (target && f.branchesIgnore.some((p) => globRegex(p).test(target))) {
      return { runs: 'no', why: `its \`${trig.event}: branches-ignore:\` filter (${list(f.branchesIgnore)}) excludes ${target}`, trigger: trig };
    }
    if (!target) unverified = `\`${trig.event}: branches-ignore:\` (${list(f.branchesIgnore)})`;
  }
  const note = unverified ? { unverified } : {};
  if (need === 'pull_request') {
    if (f.paths && f.paths.length > 0) return { runs: 'maybe', why: `its \`${trig.event}: paths:\` filter (${list(f.paths)}) skips pull requests that change no matching file`, trigger: trig, ...note };
    if (f.pathsIgnore && f.pathsIgnore.length > 0) {
      return { runs: 'maybe', why: `its \`${trig.event}: paths-ignore:\` filter (${list(f.pathsIgnore)}) skips pull requests that change only those files`, trigger: trig, ...note };
    }
    if (f.types && f.types.length > 0 && !f.types.includes('synchronize')) {
      return { runs: 'maybe', why: `its \`${trig.event}: types:\` (${list(f.types)}) leave out \`synchronize\`, so new pushes to a pull request do not run it`, trigger: trig, ...note };
    }
  }
  return { runs: 'yes', trigger: trig, ...note };
}

/** Whether a workflow runs on pushes to pull-request branches (a push-only producer). */
function runsOnPushToBranches(wf: WorkflowFile, target: string | undefined): boolean {
  const t = wf.triggers.find((x) => x.event === 'push');
  if (!t) return false;
  const b = t.filters.branches;
  if (!b || b.length === 0) return true;
  return b.some((p) => /[*?[+]/.test(p) && !(target && p === target));
}

const TRIVIAL_IF = new Set(['always()', 'success()', '!cancelled()', 'true']);

function skippingIf(job: Job): string | undefined {
  if (!job.if) return undefined;
  const expr = job.if.value.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1').trim();
  return TRIVIAL_IF.has(expr) ? undefined : job.if.value.trim();
}

// ---------------------------------------------------------------------------------------------
// Requirements

interface Requirement {
  context: string;
  integrationId?: number | null;
  /** Human description of where the requirement comes from. */
  from: string;
  fromPolicy: boolean;
}

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

const show = (text: string): string => text.split(UNKNOWN).join('…');

/** The produced name closest to a requirement, and every produced name. */
type Closest = (context: string) => { best: { c: Candidate; d: number } | undefined; all: Candidate[] };

/** A produced name prepared once for closest-match search. */
interface Candidate {
  name: Name;
  shown: string;
  lower: string;
}

/** Closeness of a produced name to a required one (lower is closer); `bound` allows an early exit. */
function distance(required: string, c: Candidate, bound: number): number {
  const r = required.toLowerCase();
  const p = c.lower;
  if (p === r) return 0;
  if (p.startsWith(`${r} (`) || p.startsWith(`${r} / `) || p.endsWith(` / ${r}`)) return 1;
  if (2 + Math.abs(p.length - r.length) >= bound) return bound;
  return 2 + levenshtein(r, p.length > 120 ? p.slice(0, 120) : p);
}

function patternOf(text: string): RegExp {
  return new RegExp(`^${text.split(UNKNOWN).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

function where(n: Name): string {
  const chain = n.via.length > 0 ? ` (called from job \`${n.via[0].job.id}\` in ${n.via[0].wf.path})` : '';
  return `job \`${n.job.id}\` in ${n.wf.path}, line ${n.job.line}${chain}`;
}

function jobEvidence(n: Name): Evidence[] {
  const ev: Evidence[] = [];
  if (n.via.length > 0) ev.push({ path: n.via[0].wf.path, line: n.via[0].job.line, column: n.via[0].job.column });
  ev.push({ path: n.wf.path, line: n.job.line, column: n.job.column });
  if (n.job.name && n.job.name.line !== n.job.line) ev.push({ path: n.wf.path, line: n.job.name.line, column: n.job.name.column });
  return ev;
}

function policyPath(snapshot: GovernanceSnapshot): string {
  const s = snapshot.policy.source;
  const i = s.indexOf(':');
  return i > 0 && !s.startsWith('/') ? s.slice(i + 1) : s;
}

interface Producer {
  name: Name;
  /** The workflow whose triggers run the job: the name's own, or the outermost caller's. */
  trigWf: WorkflowFile;
  cov: Record<Need, Coverage>;
  skipIf?: string;
  /** The job whose `if:` it is, when that is a caller's rather than the named job's. */
  skipCaller?: { wf: WorkflowFile; job: Job };
  push: boolean;
}

export function evaluate(snapshot: GovernanceSnapshot): RuleResult {
  const findings: FindingDraft[] = [];
  const unobservable: Unobservable[] = [];
  const branch = snapshot.event.targetBranch ?? (snapshot.protection.status === 'observed' ? snapshot.protection.value.branch : undefined) ?? snapshot.repo.defaultBranch;
  const branchLabel = branch ?? 'the protected branch';
  const expected = snapshot.policy.expected.requiredChecks;
  const expectedLine = snapshot.policy.expectedLines.requiredChecks;
  const policyFile = policyPath(snapshot);
  const fromPolicy = `the policy's \`expected.required-checks\` (${policyFile}${expectedLine ? `, line ${expectedLine}` : ''})`;

  // ---- requirements
  const reqs: Requirement[] = [];
  let mergeQueue = snapshot.event.name === 'merge_group';
  const p = snapshot.protection;
  if (p.status === 'observed') {
    const prot = p.value;
    for (const c of prot.requiredChecks) reqs.push({ context: c.context, integrationId: c.integrationId, from: describeSources(c.sources as ProtectionSource[]), fromPolicy: false });
    mergeQueue ||= prot.mergeQueue.value;
    if (prot.requiredChecksComplete === false) {
      for (const part of prot.partial) {
        if (part.subject.startsWith('bypass')) continue;
        unobservable.push({
          subject: `required status checks from ${part.subject}`,
          reason: `${part.reason}${expected ? '; MD-001 also checked the policy\'s expected.required-checks' : ''}`,
          ...(part.missingPermission ? { missingPermission: part.missingPermission } : {})
        });
      }
      for (const c of expected ?? []) {
        if (!reqs.some((r) => r.context === c)) reqs.push({ context: c, from: `${fromPolicy} (live protection only partly readable)`, fromPolicy: true });
      }
      if (!prot.mergeQueue.value && snapshot.policy.expected.mergeQueue) mergeQueue = true;
    }
  } else if (expected) {
    unobservable.push({
      subject: `required status checks for ${branchLabel}`,
      reason: `${p.reason}; MD-001 checked the policy's expected.required-checks instead`,
      ...(p.missingPermission ? { missingPermission: p.missingPermission } : {})
    });
    for (const c of expected) reqs.push({ context: c, from: `${fromPolicy} (live protection could not be read)`, fromPolicy: true });
    mergeQueue ||= snapshot.policy.expected.mergeQueue === true;
  } else {
    unobservable.push({
      subject: `required status checks for ${branchLabel}`,
      reason: `${p.reason}; and the policy declares no expected.required-checks`,
      ...(p.missingPermission ? { missingPermission: p.missingPermission } : {})
    });
    return { findings, unobservable };
  }
  if (reqs.length === 0) return { findings, unobservable };
  const needs: Need[] = mergeQueue ? ['pull_request', 'merge_group'] : ['pull_request'];

  // ---- producers: one pass over workflows × jobs
  const workflows = snapshot.workflows.filter((w) => w.kind === 'workflow' && !w.parseError);
  const broken = snapshot.workflows.filter((w) => w.kind === 'workflow' && w.parseError).length;
  const byPath = new Map(workflows.map((w) => [w.path, w]));
  const namer = new Namer(byPath, `${snapshot.repo.owner}/${snapshot.repo.name}`);
  const exact = new Map<string, Producer[]>();
  const fuzzy: Producer[] = [];
  const all: Name[] = [];
  for (const wf of workflows) {
    const cov = { pull_request: coverage(wf, 'pull_request', branch), merge_group: coverage(wf, 'merge_group', branch) };
    const push = runsOnPushToBranches(wf, branch);
    // Called-only workflows produce names only under their callers.
    if (wf.triggers.length > 0 && wf.triggers.every((t) => t.event === 'workflow_call')) continue;
    for (const job of wf.jobs) {
      for (const name of namer.names(wf, job)) {
        // A caller's `if:` skips its called jobs too; it is named as the caller's.
        const callerIf = name.job !== job ? skippingIf(job) : undefined;
        const skipIf = callerIf ?? skippingIf(name.job);
        const prod: Producer = { name, trigWf: wf, cov, skipIf, push, ...(callerIf ? { skipCaller: { wf, job } } : {}) };
        all.push(name);
        if (name.text.includes(UNKNOWN)) fuzzy.push(prod);
        else {
          const l = exact.get(name.text);
          if (l) l.push(prod);
          else exact.set(name.text, [prod]);
        }
      }
    }
  }

  let candidates: Candidate[] | undefined;
  const prepared = (): Candidate[] => {
    if (!candidates) {
      const byText = new Map<string, Candidate>();
      for (const n of all) if (!byText.has(n.text)) byText.set(n.text, { name: n, shown: show(n.text), lower: show(n.text).toLowerCase() });
      candidates = [...byText.values()];
    }
    return candidates;
  };
  // Names within distance 0 or 1 of a requirement (case-only difference, the matrix suffix
  // ` (…)`, a reusable-workflow ` / ` part), indexed once so most look-ups skip the scan.
  let near: { same: Map<string, Candidate>; one: Map<string, Candidate> } | undefined;
  const nearIndex = (): NonNullable<typeof near> => {
    if (!near) {
      near = { same: new Map(), one: new Map() };
      const put = (m: Map<string, Candidate>, k: string, c: Candidate): void => {
        if (!m.has(k)) m.set(k, c);
      };
      for (const c of prepared()) {
        put(near.same, c.lower, c);
        for (let i = c.lower.indexOf(' ('); i > 0; i = c.lower.indexOf(' (', i + 1)) put(near.one, c.lower.slice(0, i), c);
        for (let i = c.lower.indexOf(' / '); i > 0; i = c.lower.indexOf(' / ', i + 1)) {
          put(near.one, c.lower.slice(0, i), c);
          put(near.one, c.lower.slice(i + 3), c);
        }
      }
    }
    return near;
  };
  const closest: Closest = (context) => {
    const all = prepared();
    const r = context.toLowerCase();
    const idx = nearIndex();
    const hit = idx.same.get(r) ?? idx.one.get(r);
    if (hit) return { best: { c: hit, d: distance(context, hit, Number.MAX_SAFE_INTEGER) }, all };
    let best: { c: Candidate; d: number } | undefined;
    for (const c of all) {
      const d = distance(context, c, best ? best.d : Number.MAX_SAFE_INTEGER);
      if (!best || d < best.d) best = { c, d };
    }
    return { best, all };
  };
  const seen = new Set<string>();
  /** Workflow → a branch filter of it that could not be checked (the target branch is unknown). */
  const unverifiedFilters = new Map<string, string>();
  for (const req of reqs) {
    if (seen.has(req.context)) continue;
    seen.add(req.context);
    if (req.integrationId !== undefined && req.integrationId !== null && req.integrationId !== GITHUB_ACTIONS_APP_ID) continue;
    const producers = exact.get(req.context) ?? [];
    for (const pr of producers) for (const n of needs) if (pr.cov[n].unverified) unverifiedFilters.set(pr.trigWf.path, pr.cov[n].unverified!);
    const missing = needs.filter((n) => !producers.some((pr) => pr.cov[n].runs !== 'no'));
    const policyEvidence: Evidence[] = req.fromPolicy && expectedLine ? [{ path: policyFile, line: expectedLine }] : [];
    const requirement = `Required check \`${req.context}\` (required by ${req.from} for ${branchLabel})`;

    if (missing.length > 0) {
      findings.push(unreachable(req, requirement, missing, producers, fuzzy, closest, policyEvidence, broken, branchLabel, policyFile));
      continue;
    }
    // Skippable: every producer on an event that needs the check can be skipped there.
    const skips: string[] = [];
    let ifOnly = true;
    for (const n of needs) {
      const on = producers.filter((pr) => pr.cov[n].runs !== 'no');
      if (on.every((pr) => pr.cov[n].runs === 'maybe' || pr.skipIf)) {
        for (const pr of on) {
          if (pr.cov[n].runs === 'maybe') {
            ifOnly = false;
            skips.push(`on ${n}, ${where(pr.name)} can be skipped: ${pr.cov[n].why}`);
          } else if (pr.skipCaller) {
            skips.push(`on ${n}, ${where(pr.name)} runs only when its caller does: job \`${pr.skipCaller.job.id}\` in ${pr.skipCaller.wf.path}, line ${pr.skipCaller.job.line}, has \`if: ${pr.skipIf}\``);
          } else skips.push(`on ${n}, ${where(pr.name)} runs only \`if: ${pr.skipIf}\``);
        }
      }
    }
    const first = producers[0].name;
    if (skips.length > 0) {
      const consequence = ifOnly
        ? 'When the condition is false GitHub skips the job and reports the skipped check as passing, so the requirement is met without the job having run.'
        : 'A workflow skipped by a filter never reports the check, so the pull request (or merge group) waits on "Expected — Waiting for status to be reported".';
      findings.push({
        subject: `${req.context}#skippable`,
        path: first.wf.path,
        severity: 'medium',
        confidence: ifOnly ? 'medium' : 'high',
        title: 'Required check can be skipped',
        message: `${requirement} is produced, but every producer can be skipped: ${[...new Set(skips)].join('; ')}. ${consequence} Make the job always run and filter inside it (or in a later step) instead.`,
        evidence: [...uniqueEvidence(producers.flatMap((pr) => [...jobEvidence(pr.name), ...triggerEvidence(pr)])), ...policyEvidence]
      });
    }
    // Duplicates: more than one check run with this name on an event.
    for (const n of needs) {
      const on = producers.filter((pr) => pr.cov[n].runs !== 'no');
      if (on.length > 1) {
        findings.push({
          subject: `${req.context}#duplicate`,
          path: first.wf.path,
          severity: 'low',
          confidence: 'high',
          title: 'Required check produced by more than one job',
          message:
            `${requirement} is reported by ${on.length} check runs on ${n}: ${[...new Set(on.map((pr) => where(pr.name)))].join('; ')}. ` +
            'GitHub satisfies the requirement with whichever run of that name it sees, so one of them can pass while the other fails or never runs. Give each job a distinct name and require the one that gates the merge.',
          evidence: [...uniqueEvidence(on.flatMap((pr) => jobEvidence(pr.name))), ...policyEvidence]
        });
        break;
      }
    }
  }
  for (const [wfPath, filter] of unverifiedFilters) {
    unobservable.push({
      subject: `whether the ${filter} filter of ${wfPath} lets its required checks run`,
      reason: 'the target branch is unknown (no event payload, no GitHub token to read the default branch, and no origin/HEAD in the checkout)',
      ruleId: 'MD-001'
    });
  }
  return { findings, unobservable };
}

function triggerEvidence(pr: Producer): Evidence[] {
  const out: Evidence[] = [];
  // The trigger is the calling workflow's when the job is a reusable workflow's.
  for (const c of [pr.cov.pull_request, pr.cov.merge_group]) if (c.runs === 'maybe' && c.trigger) out.push({ path: pr.trigWf.path, line: c.trigger.line, column: c.trigger.column });
  return out;
}

function uniqueEvidence(ev: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return ev.filter((e) => {
    const k = `${e.path}:${e.line ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function unreachable(
  req: Requirement,
  requirement: string,
  missing: Need[],
  producers: Producer[],
  fuzzy: Producer[],
  closest: Closest,
  policyEvidence: Evidence[],
  broken: number,
  branchLabel: string,
  policyFile: string
): FindingDraft {
  const events = missing.join(' and ');
  let confidence: Confidence = 'high';
  const severity: Severity = 'high';
  const parts: string[] = [];
  let nearest: Name | undefined;

  if (producers.length > 0) {
    // Produced, but not on every event that needs it.
    nearest = producers[0].name;
    const why = producers
      .map((pr) => missing.map((n) => pr.cov[n].why).filter(Boolean).map((w) => `${where(pr.name)}: ${w}`))
      .flat();
    parts.push(`${requirement} is reported by ${producers.length === 1 ? 'a job' : `${producers.length} jobs`}, but not on ${events}: ${[...new Set(why)].join('; ')}.`);
    if (missing.includes('pull_request') && producers.every((pr) => pr.push)) {
      confidence = 'medium';
      parts.push('It runs on `push`, which covers branches pushed to this repository, never pull requests from forks.');
    }
    if (missing.includes('merge_group')) {
      parts.push('The merge queue is on, so every group waits for this check until the queue times out and removes the pull requests.');
      parts.push('Add `merge_group:` to the workflow\'s `on:`.');
    } else parts.push(`Pull requests to ${branchLabel} wait on "Expected — Waiting for status to be reported".`);
  } else {
    const maybe = fuzzy.filter((pr) => patternOf(pr.name.text).test(req.context) && missing.some((n) => pr.cov[n].runs !== 'no'));
    if (maybe.length > 0) {
      confidence = 'low';
      nearest = maybe[0].name;
      parts.push(
        `${requirement} matches no fixed job name on ${events}; only names computed at run time could produce it: ` +
          `${[...new Set(maybe.map((pr) => `\`${show(pr.name.text)}\` (${where(pr.name)})`))].slice(0, 5).join(', ')}. ` +
          'If those expressions do not evaluate to this exact name, pull requests wait on it forever.'
      );
    } else {
      const { best, all: cands } = closest(req.context);
      nearest = best?.c.name;
      parts.push(`${requirement} is produced by no workflow job on ${events}.`);
      if (best) {
        const produced = best.c.shown;
        const hint =
          best.c.lower === req.context.toLowerCase()
            ? ' — the same name in a different case; check names are compared exactly'
            : best.c.lower.startsWith(`${req.context.toLowerCase()} (`)
              ? ' — GitHub appends the matrix values to a matrix job\'s name'
              : '';
        parts.push(`The closest name the workflows do produce is \`${produced}\` (${where(best.c.name)})${hint}.`);
        const others: string[] = [];
        for (const c of cands) {
          if (others.length >= 8) break;
          if (c !== best.c) others.push(c.shown);
        }
        if (others.length > 0) parts.push(`Other names they produce: ${list(others)}.`);
      } else {
        parts.push('No workflow runs on these events at all.');
      }
      parts.push(`Until a check named \`${req.context}\` reports, pull requests to ${branchLabel} wait on "Expected — Waiting for status to be reported".`);
      if ((req.integrationId === undefined || req.integrationId === null) && /^[^\s/:]+[/:]\S/.test(req.context)) {
        if (confidence === 'high') confidence = 'medium';
        parts.push('The requirement is not bound to an app and its name looks like an external status: if a service outside GitHub Actions reports it, bind the requirement to that app and this finding goes away.');
      }
    }
  }
  if (broken > 0) {
    if (confidence === 'high') confidence = 'medium';
    parts.push(`${broken} workflow file(s) could not be parsed (MD-000) and may produce it.`);
  }
  const evidence = uniqueEvidence([...(nearest ? jobEvidence(nearest) : []), ...policyEvidence]);
  return {
    subject: req.context,
    path: nearest?.wf.path ?? (policyEvidence.length > 0 ? policyFile : '.github/workflows'),
    severity,
    confidence,
    message: parts.join(' '),
    evidence: evidence.length > 0 ? evidence : [{ path: '.github/workflows' }]
  };
}

export const rule: Rule = { meta, evaluate };
