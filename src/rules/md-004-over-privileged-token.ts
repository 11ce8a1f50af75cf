/**
 * MD-004 — over-privileged GITHUB_TOKEN.
 *
 * Findings (DESIGN §4):
 * 1. `permissions: write-all` at workflow level (subject `write-all`) or job level
 *    (`<job>:write-all`) → high. A workflow-level `write-all` is reported even when every job
 *    overrides it: the next job added inherits it.
 * 2. Jobs with no effective `permissions:` (neither their own block nor a workflow-level one; a
 *    job's own block replaces the workflow's, as on GitHub) inherit the repository default:
 *    high when that default is observed `write`, medium when it could not be read, nothing when it
 *    is observed `read`. One finding per workflow (subject `missing-permissions`). Workflows
 *    triggered only by `workflow_call` are left alone: a called workflow runs with (at most) the
 *    caller's token, and the caller is where the permissions are checked.
 * 3. Write scopes in jobs of unattended or privileged workflows (`schedule`, `workflow_dispatch`,
 *    `workflow_run`, `pull_request_target`, `issue_comment`, `issues`, `discussion`,
 *    `discussion_comment`; a job whose `if:` plainly limits it to some events is judged on
 *    those), one finding per job and scope
 *    (subject `<job>:<scope>`), unless the pair is justified by the allow-list below or by the
 *    rule option `allow`:
 *    - high when the job shows no use of the scope (md-004/scope-use.ts: known actions,
 *      github-script calls, `gh` commands, `git push`, registry pushes, OIDC publishers);
 *    - medium when the token reaches a step pm-action cannot see into (handed to a script
 *      explicitly, or a third-party action that takes it by default), or when the job uses
 *      the scope but also runs build, install or script code with it (split the job);
 *    - nothing when it uses the scope and runs no such code (a labeler, a commenter, a release
 *      upload), nor for `id-token` when a publisher or signer visibly uses it.
 *    Write scopes in ordinary (push / pull_request) workflows are not reported.
 * 4. An invalid `permissions:` value (a number, an unknown shorthand, a scope set to something
 *    other than read/write/none) → medium (subject `invalid-permissions` or
 *    `<job>:invalid-permissions`).
 *
 * Action metadata files and files that did not parse (MD-000) are ignored.
 *
 * Rule options (`rules: { MD-004: { allow: [...] } }` in the policy file):
 *   allow: list of `"<scope>"` (write access to that scope is accepted in every job) or
 *          `"<scope>@<owner>/<action>"` (accepted in jobs that use that action or reusable
 *          workflow; `owner/*` and `owner/repo/*` wildcards work).
 */
import type { Evidence, FindingDraft, Rule, RuleMeta } from '../model/finding.js';
import type { RulePolicy } from '../model/policy.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';
import type { Job, PermissionsDecl, WorkflowFile } from '../model/workflow.js';
import { oidcReachableFrom, runsCode, scopeUses, tokenHandedTo } from './md-004/scope-use.js';
import { actionName, matchesAction } from './shared/action-ref.js';
import { ifEvents } from './shared/expressions.js';

export const meta: RuleMeta = {
  id: 'MD-004',
  version: '1.1.0',
  title: 'Over-privileged workflow token',
  severity: 'high',
  confidence: 'high',
  defaultAction: 'warn',
  fpCeiling: 0.1,
  motivation:
    'Every job receives a GITHUB_TOKEN. With write access it can push commits, move tags, publish ' +
    'packages, approve or merge pull requests and rewrite releases. A compromised dependency, a ' +
    'script injection or a malicious pull request in a job that holds such a token turns into a ' +
    'repository compromise. Unattended and privileged triggers (schedule, workflow_dispatch, ' +
    'workflow_run, pull_request_target, issue_comment, issues, discussion) run with the base repository\'s secrets and ' +
    'no human reviewing the run, which makes their tokens the most valuable to an attacker.',
  description:
    'Reports `permissions: write-all` (workflow or job level); jobs without any effective ' +
    '`permissions:` block, which inherit the repository default (high when that default is ' +
    '"read and write", medium when it could not be read, nothing when it is read-only); write ' +
    'scopes granted to jobs of unattended or privileged workflows, except justified pairs such as ' +
    '`id-token: write` for cloud OIDC login, trusted publishing or attestations, `pages: write` for ' +
    '`actions/deploy-pages` and `security-events: write` for `github/codeql-action` — high when the ' +
    'job shows no use of the scope, medium when it hands the token to a script pm-action cannot ' +
    'see into or uses the scope while also running build or install code, nothing when it only ' +
    'does what needs the scope (labelling, commenting, uploading a release); and ' +
    '`permissions:` values GitHub does not accept. Further pairs can be allowed with the `allow` ' +
    'option (`scope` or `scope@owner/action`).',
  remediation:
    'Declare least privilege explicitly: put `permissions: contents: read` (or `permissions: {}`) at ' +
    'the top of every workflow and grant write scopes only in the job that needs them. Move ' +
    'writes out of scheduled and manually dispatched workflows where possible (open a pull request ' +
    'instead of pushing), and set the repository default to read-only (Settings → Actions → ' +
    'General → Workflow permissions).',
  example: [
    'on:',
    '  schedule: [{ cron: "0 3 * * *" }]',
    'permissions: write-all        # every job can push, publish and approve',
    'jobs:',
    '  refresh:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: ./scripts/refresh.sh'
  ].join('\n')
};

/** Triggers that run unattended or with the base repository's privileges. */
/**
 * DESIGN §4 names the first five; `issues`, `discussion` and `discussion_comment` are added
 * because anyone can fire them and they run with the base repository's token and secrets.
 */
export const PRIVILEGED_TRIGGERS: readonly string[] = ['schedule', 'workflow_dispatch', 'workflow_run', 'pull_request_target', 'issue_comment', 'issues', 'discussion', 'discussion_comment'];
const PRIVILEGED = new Set(PRIVILEGED_TRIGGERS);

interface AllowPair {
  scope: string;
  /** Action or reusable-workflow patterns (`owner/repo`, `owner/repo/path`, `owner/*`). */
  uses: string[];
  /** Extra condition on the step's inputs. */
  withKey?: string;
  why: string;
}

/**
 * Built-in justified pairs. Each names a scope and the actions whose documented use needs it.
 * - id-token: write — OIDC federation to a cloud provider (the job exchanges the token for
 *   short-lived credentials instead of storing long-lived secrets): AWS, Google Cloud, Azure.
 * - id-token: write — keyless Sigstore signing of attestations (`actions/attest*`, `sigstore/*`)
 *   and SLSA provenance generation (`slsa-framework/slsa-github-generator`).
 * - id-token: write — `actions/deploy-pages` verifies the Pages deployment with an OIDC token.
 * - id-token: write — pm-action itself when given `aws-role-arn` (it assumes the role via OIDC).
 * - pages: write — `actions/deploy-pages` publishes the site.
 * - security-events: write — `github/codeql-action/*` uploads code-scanning results (SARIF).
 * - attestations: write — `actions/attest*` stores the attestation in the repository.
 */
export const BUILTIN_ALLOW: readonly AllowPair[] = [
  { scope: 'id-token', uses: ['aws-actions/configure-aws-credentials'], why: 'OIDC login to AWS' },
  { scope: 'id-token', uses: ['google-github-actions/auth'], why: 'OIDC login to Google Cloud' },
  { scope: 'id-token', uses: ['azure/login'], why: 'OIDC login to Azure' },
  { scope: 'id-token', uses: ['actions/attest-build-provenance', 'actions/attest', 'actions/attest-sbom'], why: 'Sigstore signing of attestations' },
  { scope: 'id-token', uses: ['sigstore/*'], why: 'keyless Sigstore signing' },
  { scope: 'id-token', uses: ['slsa-framework/slsa-github-generator/*'], why: 'SLSA provenance signing' },
  { scope: 'id-token', uses: ['actions/deploy-pages'], why: 'GitHub Pages deployment' },
  { scope: 'id-token', uses: ['pypa/gh-action-pypi-publish', 'rust-lang/crates-io-auth-action'], why: 'trusted publishing to PyPI / crates.io' },
  { scope: 'id-token', uses: ['hashicorp/vault-action'], why: 'OIDC login to Vault' },
  { scope: 'id-token', uses: ['phasemirror/pm-action'], withKey: 'aws-role-arn', why: 'pm-action assumes its AWS role via OIDC' },
  { scope: 'issues', uses: ['phasemirror/pm-action'], why: 'pm-action opens and updates the one drift issue' },
  { scope: 'pull-requests', uses: ['phasemirror/pm-action'], why: 'pm-action answers /phase-mirror comment commands on pull requests' },
  { scope: 'pages', uses: ['actions/deploy-pages'], why: 'GitHub Pages deployment' },
  { scope: 'security-events', uses: ['github/codeql-action/*'], why: 'code-scanning upload' },
  { scope: 'attestations', uses: ['actions/attest-build-provenance', 'actions/attest', 'actions/attest-sbom'], why: 'storing attestations' }
];

interface UseRef {
  /** `owner/repo[/path]`, lower-cased, without `@ref`. */
  name: string;
  withKeys: ReadonlySet<string>;
}

function parseAllowOption(config: RulePolicy | undefined): AllowPair[] {
  const raw = config?.options?.allow;
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  const out: AllowPair[] = [];
  for (const item of list) {
    if (typeof item !== 'string') continue;
    const at = item.indexOf('@');
    const scope = (at === -1 ? item : item.slice(0, at)).trim().toLowerCase();
    if (scope === '') continue;
    const action = at === -1 ? '' : item.slice(at + 1).trim();
    out.push({ scope, uses: action ? [action] : [], why: `allowed by the rule option \`${item}\`` });
  }
  return out;
}

/** The local reusable workflow a job calls (`uses: ./…`), if it is in the snapshot. */
function localCallee(job: Job, byPath: ReadonlyMap<string, WorkflowFile>): WorkflowFile | undefined {
  const ref = job.uses?.value.trim();
  return ref?.startsWith('./') ? byPath.get(ref.slice(2).replace(/@.*$/, '')) : undefined;
}

/** The job and, through local reusable-workflow calls (each callee once), the jobs it runs. */
function runJobs(job: Job, byPath: ReadonlyMap<string, WorkflowFile>, seen: Set<string> = new Set()): Job[] {
  const out = [job];
  const wf = localCallee(job, byPath);
  if (wf && !seen.has(wf.path)) {
    seen.add(wf.path);
    for (const j of wf.jobs) out.push(...runJobs(j, byPath, seen));
  }
  return out;
}

/** Actions used by a job: its steps', its remote reusable-workflow call, and the same of local callees. */
function jobUses(jobs: readonly Job[]): UseRef[] {
  const out: UseRef[] = [];
  for (const job of jobs) {
    for (const step of job.steps) {
      const name = step.uses ? actionName(step.uses.value) : undefined;
      if (name) out.push({ name, withKeys: new Set(Object.keys(step.with).filter((k) => step.with[k].value.trim() !== '')) });
    }
    const name = job.uses ? actionName(job.uses.value.trim()) : undefined;
    if (name) out.push({ name, withKeys: new Set(Object.keys(job.with)) });
  }
  return out;
}

/**
 * A job calling a local reusable workflow that declares its own permissions (at the top, or on
 * every job) runs with no more than those: it does not inherit the repository default.
 */
function calleeDeclaresPermissions(job: Job, byPath: ReadonlyMap<string, WorkflowFile>): boolean {
  const wf = localCallee(job, byPath);
  if (!wf) return false;
  const ok = (d: PermissionsDecl | undefined): boolean => d !== undefined && d.kind !== 'write-all' && d.kind !== 'invalid';
  return ok(wf.permissions) || (wf.jobs.length > 0 && wf.jobs.every((j) => ok(j.permissions)));
}

function justification(scope: string, uses: readonly UseRef[], allow: readonly AllowPair[]): AllowPair | undefined {
  const s = scope.toLowerCase();
  for (const pair of allow) {
    if (pair.scope !== s) continue;
    if (pair.uses.length === 0) return pair;
    for (const u of uses) {
      if (pair.withKey && !u.withKeys.has(pair.withKey)) continue;
      if (pair.uses.some((p) => matchesAction(u.name, p))) return pair;
    }
  }
  return undefined;
}

function label(wf: WorkflowFile): string {
  return wf.name ? `"${wf.name}" (${wf.path})` : `\`${wf.path}\``;
}

function list(items: readonly string[]): string {
  return items.map((i) => `\`${i}\``).join(', ');
}

function permissionsEvidence(wf: WorkflowFile, decl: PermissionsDecl): Evidence {
  return { path: wf.path, line: decl.line, column: decl.column };
}

function evaluateWorkflow(
  wf: WorkflowFile,
  snapshot: GovernanceSnapshot,
  allow: readonly AllowPair[],
  byPath: ReadonlyMap<string, WorkflowFile>
): FindingDraft[] {
  const out: FindingDraft[] = [];
  const privileged = [...new Set(wf.triggers.map((t) => t.event).filter((e) => PRIVILEGED.has(e)))];
  const callOnly = wf.triggers.length > 0 && wf.triggers.every((t) => t.event === 'workflow_call');
  const top = wf.permissions;

  if (top?.kind === 'write-all') {
    const inheriting = wf.jobs.filter((j) => !j.permissions);
    const detail =
      wf.jobs.length === 0
        ? 'No job is defined yet; every job added will inherit it.'
        : inheriting.length > 0
          ? `Job(s) ${list(inheriting.map((j) => j.id))} inherit it and can write to every scope (contents, packages, pull requests, actions, …).`
          : 'Every job currently overrides it with its own `permissions:` block, but any job added later inherits write access to every scope.';
    out.push({
      subject: 'write-all',
      path: wf.path,
      severity: 'high',
      title: 'Workflow grants `permissions: write-all`',
      message:
        `Workflow ${label(wf)} sets \`permissions: write-all\` at workflow level. ${detail} ` +
        'Replace it with `permissions: contents: read` (or `{}`) and grant only the write scopes a job needs in that job.',
      evidence: [permissionsEvidence(wf, top), ...inheriting.map((j) => ({ path: wf.path, line: j.line, column: j.column }))]
    });
  } else if (top?.kind === 'invalid') {
    out.push({
      subject: 'invalid-permissions',
      path: wf.path,
      severity: 'medium',
      title: 'Invalid `permissions:` block',
      message:
        `Workflow ${label(wf)} has a workflow-level \`permissions:\` value GitHub does not accept: \`${top.raw ?? ''}\`. ` +
        'GitHub rejects the workflow, and the intended token permissions are unknown. Use `read-all`, `write-all`, `{}` or a mapping of scopes to `read`, `write` or `none`.',
      evidence: [permissionsEvidence(wf, top)]
    });
  }

  const missing: Job[] = [];
  for (const job of wf.jobs) {
    const own = job.permissions;
    if (own?.kind === 'write-all') {
      out.push({
        subject: `${job.id}:write-all`,
        path: wf.path,
        severity: 'high',
        title: 'Job grants `permissions: write-all`',
        message:
          `Job \`${job.id}\` in workflow ${label(wf)} sets \`permissions: write-all\`, giving its token write access to every scope. ` +
          'Replace it with the specific scopes the job needs (for example `contents: read`, plus `<scope>: write` only where required).',
        evidence: [permissionsEvidence(wf, own), { path: wf.path, line: job.line, column: job.column }]
      });
      continue;
    }
    if (own?.kind === 'invalid') {
      out.push({
        subject: `${job.id}:invalid-permissions`,
        path: wf.path,
        severity: 'medium',
        title: 'Invalid `permissions:` block',
        message:
          `Job \`${job.id}\` in workflow ${label(wf)} has a \`permissions:\` value GitHub does not accept: \`${own.raw ?? ''}\`. ` +
          'GitHub rejects the workflow, and the intended token permissions are unknown. Use `read-all`, `write-all`, `{}` or a mapping of scopes to `read`, `write` or `none`.',
        evidence: [permissionsEvidence(wf, own), { path: wf.path, line: job.line, column: job.column }]
      });
      continue;
    }
    const effective = own ?? top;
    if (!effective) {
      if (!calleeDeclaresPermissions(job, byPath)) missing.push(job);
      continue;
    }
    if (effective.kind !== 'scopes' || privileged.length === 0) continue;
    // A job whose `if:` limits it to some events is judged on those only.
    const only = ifEvents(job.if?.value);
    const jobPrivileged = only ? privileged.filter((e) => only.has(e)) : privileged;
    if (jobPrivileged.length === 0) continue;
    const inherited = own === undefined;
    const jobs = runJobs(job, byPath);
    const uses = jobUses(jobs);
    const steps = jobs.flatMap((j) => j.steps);
    const used = scopeUses(steps);
    const code = runsCode(steps);
    // A remote reusable workflow runs with the job's permissions, out of sight.
    const remote = jobs.map((j) => (j.uses ? actionName(j.uses.value) : undefined)).find((n) => n !== undefined);
    const handed = tokenHandedTo(steps) ?? (remote ? `the job calls the reusable workflow \`${remote}\`, which runs with these permissions` : undefined);
    for (const scope of Object.keys(effective.scopes).sort()) {
      if (effective.scopes[scope] !== 'write') continue;
      if (justification(scope, uses, allow)) continue;
      const use = used.get(scope);
      // The job does what needs the scope and nothing else with it; a publisher's OIDC token is
      // its purpose whatever else the job runs.
      if (use && (!code || scope === 'id-token')) continue;
      const source = inherited ? 'the workflow-level `permissions:` block, which it inherits' : 'its own `permissions:` block';
      const head = `Job \`${job.id}\` in workflow ${label(wf)} gets \`${scope}: write\` from ${source}, and ${only ? 'it runs on' : 'the workflow runs on'} ${list(jobPrivileged)} (unattended or privileged triggers).`;
      const allowOption = `allow it with the MD-004 option \`allow: ["${scope}@<owner>/<action>"]\``;
      const allowHint = `if the pair is justified, ${allowOption}`;
      const drop = scope === 'id-token' ? 'Remove `id-token: write`' : `Drop it to \`${scope}: read\` (or \`none\`)`;
      // Where the scope may be used out of sight: the token handed over (or, for id-token, any step able to mint one).
      const via = scope === 'id-token' ? (oidcReachableFrom(steps) ?? (remote ? `the job calls the reusable workflow \`${remote}\`` : undefined)) : handed;
      let severity: 'high' | 'medium' = 'high';
      let title = 'Write scope in an unattended or privileged workflow';
      let message: string;
      if (use) {
        severity = 'medium';
        title = 'Write scope held while the job runs build code';
        message =
          `${head} It needs it for ${use}, but it also runs ${code} with that token: a compromised dependency or build script could write too. ` +
          `Move the build into a job without write access and hand its output over as an artifact, leaving only the write in this job; or ${allowHint}.`;
      } else if (via) {
        severity = 'medium';
        const ifNot = scope === 'id-token' ? 'If nothing in the job needs an OIDC token' : `If that step does not write to \`${scope}\``;
        message =
          `${head} No step visibly ${scope === 'id-token' ? 'uses' : 'writes with'} it, but ${via}, and pm-action cannot see what that does with it. ` +
          `${ifNot}, ${drop.charAt(0).toLowerCase()}${drop.slice(1)}; if it does, ${allowOption}.`;
      } else {
        message =
          `${head} No step of the job visibly uses it. ${drop} unless the job really writes; if it does, move the write into a workflow a person reviews ` +
          `(e.g. open a pull request instead of pushing), or, ${allowHint}.`;
      }
      out.push({
        subject: `${job.id}:${scope}`,
        path: wf.path,
        severity,
        title,
        message,
        evidence: [
          { path: wf.path, line: effective.scopeLines[scope] ?? effective.line },
          { path: wf.path, line: job.line, column: job.column }
        ]
      });
    }
  }

  if (missing.length > 0 && !callOnly) {
    const dwp = snapshot.defaultWorkflowPermissions;
    if (dwp.status === 'observed' && dwp.value === 'read') return out;
    const jobs = list(missing.map((j) => j.id));
    const trig = privileged.length > 0 ? ` The workflow runs on ${list(privileged)}, unattended or privileged, which makes a writable token more dangerous.` : '';
    const fix =
      'Add `permissions: contents: read` (or `permissions: {}`) at the top of the workflow and grant write scopes only in the jobs that need them.';
    const evidence: Evidence[] = [
      { path: wf.path, line: wf.on?.line ?? 1, column: wf.on?.column ?? 1 },
      ...missing.map((j) => ({ path: wf.path, line: j.line, column: j.column }))
    ];
    if (dwp.status === 'observed') {
      out.push({
        subject: 'missing-permissions',
        path: wf.path,
        severity: 'high',
        title: 'Jobs inherit a read-write default token',
        message:
          `Workflow ${label(wf)} declares no \`permissions:\`, so job(s) ${jobs} run with the repository default, which is "read and write" for every scope.${trig} ${fix}`,
        evidence
      });
    } else {
      const why = dwp.missingPermission ? `${dwp.reason}; reading it needs ${dwp.missingPermission}` : dwp.reason;
      out.push({
        subject: 'missing-permissions',
        path: wf.path,
        severity: 'medium',
        title: 'Jobs inherit the repository default token permissions',
        message:
          `Workflow ${label(wf)} declares no \`permissions:\`, so job(s) ${jobs} run with the repository's default token permissions, ` +
          `and that default could not be read (${why}). If it is "read and write", these jobs can push code and publish packages.${trig} ` +
          `${fix} Declaring \`permissions:\` explicitly makes the token observable from the workflow itself, whatever the repository setting.`,
        evidence
      });
    }
  }
  return out;
}

export function evaluate(snapshot: GovernanceSnapshot, config: RulePolicy): FindingDraft[] {
  const allow = [...BUILTIN_ALLOW, ...parseAllowOption(config)];
  const byPath = new Map<string, WorkflowFile>();
  for (const wf of snapshot.workflows) if (wf.kind === 'workflow' && !wf.parseError) byPath.set(wf.path, wf);
  const out: FindingDraft[] = [];
  for (const wf of snapshot.workflows) {
    if (wf.kind !== 'workflow' || wf.parseError) continue;
    out.push(...evaluateWorkflow(wf, snapshot, allow, byPath));
  }
  return out;
}

export const rule: Rule = { meta, evaluate };
