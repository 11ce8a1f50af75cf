/**
 * MD-004: what a job visibly does with its token. A labeler, a commenter or a release job needs
 * its write scope; reporting it at high with the advice to drop it is noise, and the finding that
 * matters is a scope nobody uses, or one held while the job also runs build or dependency code.
 * Pure functions over the job's steps; the tables name documented uses only.
 */
import type { Step } from '../../model/workflow.js';
import { actionName, matchesAction } from '../shared/action-ref.js';

/** Actions whose documented use needs write access to these scopes. */
const ACTION_SCOPES: readonly { uses: string[]; scopes: string[]; withRegistry?: RegExp }[] = [
  { uses: ['actions/labeler'], scopes: ['pull-requests', 'issues'] },
  { uses: ['github/issue-labeler', 'andymckay/labeler', 'actions-ecosystem/action-add-labels', 'actions-ecosystem/action-remove-labels'], scopes: ['issues', 'pull-requests'] },
  { uses: ['actions/stale'], scopes: ['issues', 'pull-requests', 'actions'] },
  { uses: ['dessant/lock-threads', 'dessant/label-actions'], scopes: ['issues', 'pull-requests', 'discussions'] },
  { uses: ['actions/first-interaction'], scopes: ['issues', 'pull-requests'] },
  {
    uses: ['peter-evans/create-or-update-comment', 'marocchino/sticky-pull-request-comment', 'thollander/actions-comment-pull-request', 'mshick/add-pr-comment'],
    scopes: ['issues', 'pull-requests']
  },
  { uses: ['peter-evans/create-issue-from-file', 'jasonetco/create-an-issue'], scopes: ['issues'] },
  { uses: ['peter-evans/create-pull-request'], scopes: ['contents', 'pull-requests'] },
  { uses: ['peter-evans/enable-pull-request-automerge'], scopes: ['pull-requests', 'contents'] },
  { uses: ['hmarr/auto-approve-action'], scopes: ['pull-requests'] },
  {
    uses: ['softprops/action-gh-release', 'ncipollo/release-action', 'actions/create-release', 'actions/upload-release-asset', 'svenstaro/upload-release-action'],
    scopes: ['contents']
  },
  { uses: ['googleapis/release-please-action', 'google-github-actions/release-please-action'], scopes: ['contents', 'pull-requests', 'issues'] },
  { uses: ['changesets/action', 'release-drafter/release-drafter'], scopes: ['contents', 'pull-requests'] },
  { uses: ['cycjimmy/semantic-release-action'], scopes: ['contents', 'issues', 'pull-requests'] },
  { uses: ['stefanzweifel/git-auto-commit-action', 'endbug/add-and-commit', 'ad-m/github-push-action'], scopes: ['contents'] },
  { uses: ['jamesives/github-pages-deploy-action', 'peaceiris/actions-gh-pages'], scopes: ['contents'] },
  { uses: ['gradle/actions/dependency-submission', 'actions/go-dependency-submission', 'advanced-security/maven-dependency-submission-action'], scopes: ['contents'] },
  { uses: ['rustsec/audit-check'], scopes: ['checks', 'issues'] },
  {
    uses: ['enricomi/publish-unit-test-result-action', 'dorny/test-reporter', 'mikepenz/action-junit-report', 'louisbrunner/checks-action'],
    scopes: ['checks', 'pull-requests']
  },
  { uses: ['github/super-linter', 'super-linter/super-linter'], scopes: ['statuses'] },
  { uses: ['actions/dependency-review-action'], scopes: ['pull-requests'] },
  { uses: ['chrnorm/deployment-action', 'bobheadxi/deployments'], scopes: ['deployments'] },
  { uses: ['actions/delete-package-versions'], scopes: ['packages'] },
  { uses: ['docker/login-action'], scopes: ['packages'], withRegistry: /ghcr\.io/i },
  { uses: ['ossf/scorecard-action'], scopes: ['security-events', 'id-token'] },
  // OIDC trusted publishing and secret brokers.
  { uses: ['pypa/gh-action-pypi-publish', 'rust-lang/crates-io-auth-action', 'hashicorp/vault-action'], scopes: ['id-token'] }
];

/** REST calls of `actions/github-script` (octokit) and the scopes they write. */
const SCRIPT_CALLS: readonly { re: RegExp; scopes: string[] }[] = [
  {
    re: /\bissues\s*\.\s*(?:createComment|updateComment|deleteComment|addLabels|removeLabel|setLabels|removeAllLabels|create|update|lock|unlock|addAssignees|removeAssignees|createLabel|updateLabel|deleteLabel)\b/,
    scopes: ['issues', 'pull-requests']
  },
  { re: /\breactions\s*\.\s*createFor(?:Issue|IssueComment|PullRequestReviewComment)\b/, scopes: ['issues', 'pull-requests'] },
  {
    re: /\bpulls\s*\.\s*(?:create|update|merge|createReview|submitReview|dismissReview|requestReviewers|removeRequestedReviewers|createReviewComment|updateReview|updateBranch)\b/,
    scopes: ['pull-requests']
  },
  {
    re: /\brepos\s*\.\s*(?:createRelease|updateRelease|deleteRelease|uploadReleaseAsset|updateReleaseAsset|deleteReleaseAsset|createOrUpdateFileContents|deleteFile|merge|createDispatchEvent|createCommitComment)\b|\bgit\s*\.\s*(?:createRef|updateRef|deleteRef|createTag|createCommit|createTree|createBlob)\b/,
    scopes: ['contents']
  },
  { re: /\brepos\s*\.\s*createCommitStatus\b/, scopes: ['statuses'] },
  { re: /\brepos\s*\.\s*(?:createDeployment|createDeploymentStatus|deleteDeployment)\b/, scopes: ['deployments'] },
  { re: /\bchecks\s*\.\s*(?:create|update|createSuite|rerequestRun|rerequestSuite)\b/, scopes: ['checks'] },
  {
    re: /\bactions\s*\.\s*(?:createWorkflowDispatch|reRunWorkflow|reRunWorkflowFailedJobs|reRunJobForWorkflowRun|cancelWorkflowRun|deleteArtifact|deleteWorkflowRun|deleteActionsCacheByKey|deleteActionsCacheById|enableWorkflow|disableWorkflow)\b/,
    scopes: ['actions']
  },
  // GraphQL mutations, by name.
  { re: /\b(?:addComment|addLabelsToLabelable|removeLabelsFromLabelable|closeIssue|reopenIssue|updateIssue|lockLockable|unlockLockable)\b/, scopes: ['issues', 'pull-requests'] },
  { re: /\b(?:addDiscussionComment|closeDiscussion|updateDiscussion|markDiscussionCommentAsAnswer|lockLockable)\b/, scopes: ['discussions'] },
  { re: /\b(?:enablePullRequestAutoMerge|mergePullRequest|addPullRequestReview|updatePullRequest|closePullRequest)\b/, scopes: ['pull-requests'] }
];

/** `gh` subcommands and the scopes they write. */
const GH_COMMANDS: readonly { re: RegExp; scopes: string[] }[] = [
  { re: /\bgh\s+issue\s+(?:comment|edit|close|reopen|create|lock|unlock|delete|transfer|pin|unpin|develop)\b/, scopes: ['issues'] },
  { re: /\bgh\s+pr\s+(?:comment|edit|review|close|reopen|create|ready|lock|unlock)\b/, scopes: ['pull-requests', 'issues'] },
  { re: /\bgh\s+pr\s+merge\b/, scopes: ['pull-requests', 'contents'] },
  { re: /\bgh\s+release\s+(?:create|upload|edit|delete|delete-asset)\b/, scopes: ['contents'] },
  { re: /\bgh\s+(?:workflow\s+(?:run|enable|disable)|run\s+(?:rerun|cancel|delete)|cache\s+delete)\b/, scopes: ['actions'] },
  { re: /\bgh\s+label\s+(?:create|edit|delete|clone)\b/, scopes: ['issues'] }
];

/** `gh api` paths (with a writing method or fields) and the scopes they write. */
const GH_API_PATHS: readonly { re: RegExp; scopes: string[] }[] = [
  { re: /\/issues\b/, scopes: ['issues', 'pull-requests'] },
  { re: /\/pulls\b/, scopes: ['pull-requests'] },
  { re: /\/(?:releases|git\/|contents\/|merges|dispatches)/, scopes: ['contents'] },
  { re: /\/statuses\//, scopes: ['statuses'] },
  { re: /\/check-(?:runs|suites)/, scopes: ['checks'] },
  { re: /\/deployments/, scopes: ['deployments'] },
  { re: /\/actions\//, scopes: ['actions'] }
];

/** Run-step commands that use the token's write access, beyond `gh`. */
const RUN_WRITES: readonly { re: RegExp; scopes: string[]; what: string }[] = [
  // Options may take a value that does not start with `-` (`-C dir`, `-c k=v`); unambiguous, so no backtracking blow-up.
  { re: /\bgit(?:\s+-\S+(?:\s+[^-\s]\S*)?)*?\s+push\b/, scopes: ['contents'], what: '`git push`' },
  { re: /\bdocker\s+(?:image\s+)?push\s+\S*ghcr\.io|\bghcr\.io\b[^\n]*--push\b|--push\b[^\n]*\bghcr\.io\b/, scopes: ['packages'], what: 'a push to ghcr.io' },
  { re: /\bnpm\s+publish\b/, scopes: ['id-token', 'packages'], what: '`npm publish`' },
  { re: /\buv\s+publish\b/, scopes: ['id-token'], what: '`uv publish` (trusted publishing)' },
  { re: /\bcosign\s+(?:sign|attest)\b/, scopes: ['id-token'], what: '`cosign` keyless signing' },
  { re: /\bACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN)\b/, scopes: ['id-token'], what: 'an OIDC token request' }
];

/** First words of commands that run no code of the repository or of its dependencies. */
const INERT = new Set([
  'gh', 'git', 'echo', 'printf', 'cat', 'jq', 'yq', 'test', '[', '[[', 'cd', 'export', 'ls', 'mkdir', 'rm', 'cp', 'mv', 'touch',
  'sed', 'awk', 'grep', 'head', 'tail', 'sort', 'uniq', 'wc', 'tr', 'cut', 'date', 'sleep', 'true', 'false', 'exit', 'set',
  'if', 'then', 'else', 'elif', 'fi', 'for', 'do', 'done', 'while', 'until', 'case', 'esac', 'in', 'function', '{', '}', ';;',
  'tee', 'base64', 'sha256sum', 'shasum', 'sha1sum', 'md5sum', 'env', 'basename', 'dirname', 'read', 'local', 'declare',
  'unset', 'shift', 'return', 'readonly', 'zip', 'unzip', 'tar', 'gzip', 'gunzip', 'find', 'curl', 'wget', 'docker', 'cosign',
  'printenv', 'pwd', 'realpath', 'readlink', 'xxd', 'diff', 'cmp', 'chmod', 'ln', 'stat', 'du', 'df', 'uname', 'whoami',
  'hostname', 'id', 'which', 'type', 'trap', 'wait', 'shopt', ':'
]);
/** Among INERT words, invocations that do run code after all (`npm publish` runs lifecycle scripts, so npm is never inert). */
const RUNS_ANYWAY = /^docker\s+(?:build|buildx\s+build|run|compose)\b/;

const words = (line: string): string[] => line.trim().split(/\s+/);

function actionOf(step: Step): string | undefined {
  return step.uses ? actionName(step.uses.value) : undefined;
}

function stepLabel(step: Step): string {
  return step.name ? `step "${step.name}"` : step.uses ? `\`${step.uses.value.trim()}\`` : `step ${step.index + 1}`;
}

/**
 * Scope → how the job visibly writes with it (the first use found): a known action, a
 * github-script call, a `gh` command, `git push`, a registry push or an OIDC publisher.
 */
export function scopeUses(steps: readonly Step[]): Map<string, string> {
  const out = new Map<string, string>();
  const add = (scopes: readonly string[], what: string): void => {
    for (const s of scopes) if (!out.has(s)) out.set(s, what);
  };
  // npm trusted publishing: setup-node pointed at a registry, then a publishing step, no token.
  let npmRegistry = false;
  for (const step of steps) {
    const name = actionOf(step);
    if (name && matchesAction(name, 'actions/setup-node') && (step.with['registry-url']?.value.trim() ?? '') !== '') npmRegistry = true;
    if (npmRegistry && step.run && /\bpublish/i.test(`${step.name ?? ''} ${step.run.value}`) && !('NODE_AUTH_TOKEN' in step.env)) {
      add(['id-token'], `npm trusted publishing (${stepLabel(step)} after \`actions/setup-node\` with \`registry-url\`)`);
    }
    if (name) {
      for (const a of ACTION_SCOPES) {
        if (!a.uses.some((p) => matchesAction(name, p))) continue;
        if (a.withRegistry && !a.withRegistry.test(step.with.registry?.value ?? '')) continue;
        add(a.scopes, `\`${step.uses!.value.trim()}\``);
      }
      if (matchesAction(name, 'actions/github-script') && step.with.script) {
        for (const c of SCRIPT_CALLS) {
          const m = c.re.exec(step.with.script.value);
          if (m) add(c.scopes, `\`${m[0].replace(/\s+/g, '')}\` in ${stepLabel(step)}`);
        }
      }
    }
    const run = step.run?.value;
    if (!run) continue;
    for (const c of GH_COMMANDS) {
      const m = c.re.exec(run);
      if (m) add(c.scopes, `\`${m[0].replace(/\s+/g, ' ')}\``);
    }
    for (const line of run.split('\n')) {
      if (!/\bgh\s+api\b/.test(line)) continue;
      const writing = /(?:-X|--method)\s*=?\s*['"]?(?:POST|PUT|PATCH|DELETE)\b|\s-(?:f|F|-field|-raw-field|-input)\b/i.test(line);
      if (!writing) continue;
      for (const p of GH_API_PATHS) if (p.re.test(line)) add(p.scopes, '`gh api` writing to ' + (/\s(\/?repos\/\S+)/.exec(line)?.[1] ?? 'the REST API'));
    }
    for (const w of RUN_WRITES) if (w.re.test(run)) add(w.scopes, w.what);
  }
  return out;
}

/**
 * The first command of the job that runs repository or dependency code (a build, an install, a
 * script, an interpreter), or undefined when its `run:` steps only move data around.
 */
export function runsCode(steps: readonly Step[]): string | undefined {
  for (const step of steps) {
    const run = step.run?.value;
    if (!run) continue;
    if (step.shell && !/^(?:bash|sh|pwsh|powershell|cmd)\b/i.test(step.shell.trim())) return `a \`shell: ${step.shell.trim()}\` script`;
    let heredoc: string | null = null;
    // Continuation lines belong to the command they continue.
    for (const raw of run.replace(/\\\r?\n/g, ' ').split('\n')) {
      if (heredoc !== null) {
        if (raw.trim() === heredoc) heredoc = null;
        continue;
      }
      const here = /<<-?\s*['"]?([A-Za-z_]\w*)['"]?/.exec(raw);
      if (here) heredoc = here[1];
      // Quoted text is data (jq programs, messages): blank it before splitting into commands.
      const line = raw
        .replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, (q) => (q.startsWith('"') ? ` "" ${(q.match(/\$\([^()]*\)/g) ?? []).join(' ; ')} ` : '""'))
        .replace(/(^|\s)#.*$/, '')
        .trim();
      if (line === '') continue;
      for (const part of line.split(/&&|\|\||;|\||\$\(|`|\)/)) {
        let cmd = part.trim().replace(/^(?:[A-Za-z_]\w*=(?:""|\S*)\s*)+/, '');
        cmd = cmd.replace(/^(?:sudo|time|nohup|env)\s+(?:[A-Za-z_]\w*=\S*\s+)*/, '').replace(/^[({!]\s*/, '');
        if (cmd === '' || /^[A-Za-z_]\w*=/.test(cmd) || /^[)}]/.test(cmd) || cmd.startsWith('""')) continue;
        const first = words(cmd)[0];
        if (INERT.has(first) && !RUNS_ANYWAY.test(cmd)) continue;
        if (first.startsWith('$') && !first.includes('/')) continue; // `$VAR` expansions
        if (/^[<>\d&]/.test(first)) continue; // redirections
        return `\`${cmd.length > 60 ? `${cmd.slice(0, 57)}…` : cmd}\``;
      }
    }
  }
  return undefined;
}

/**
 * Where an OIDC token may be requested out of pm-action's sight: any step can ask for one
 * (`ACTIONS_ID_TOKEN_REQUEST_*`), so the first third-party action the tables do not know, else
 * the first command that runs code.
 */
export function oidcReachableFrom(steps: readonly Step[]): string | undefined {
  for (const step of steps) {
    const name = actionOf(step);
    if (!name || name.startsWith('actions/') || name.startsWith('github/')) continue;
    if (ACTION_SCOPES.some((a) => a.uses.some((p) => matchesAction(name, p)))) continue;
    return `any step can request an OIDC token, and the job runs \`${step.uses!.value.trim()}\``;
  }
  const code = runsCode(steps);
  return code ? `any step can request an OIDC token, and the job runs ${code}` : undefined;
}

const TOKEN_REF = /\$\{\{\s*(?:secrets\s*\.\s*GITHUB_TOKEN|github\s*\.\s*token)\s*\}\}/i;

/**
 * Where the job's token may be used out of pm-action's sight: a step it is handed to explicitly
 * (an `env:` or `with:` value), else a third-party action the tables do not know (actions take
 * `github.token` by default). First-party actions (`actions/*`, `github/*`) not in the tables
 * are taken not to write. Undefined when neither.
 */
export function tokenHandedTo(steps: readonly Step[]): string | undefined {
  for (const step of steps) {
    const values = [...Object.values(step.env), ...Object.values(step.with)];
    if (values.some((v) => TOKEN_REF.test(v.value))) return `the token is handed to ${stepLabel(step)}`;
  }
  for (const step of steps) {
    const name = actionOf(step);
    if (!name || name.startsWith('actions/') || name.startsWith('github/')) continue;
    if (ACTION_SCOPES.some((a) => a.uses.some((p) => matchesAction(name, p)))) continue;
    return `the job runs \`${step.uses!.value.trim()}\`, which gets the token by default`;
  }
  return undefined;
}
