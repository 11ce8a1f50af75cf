/**
 * MD-002 — unpinned execution.
 *
 * Code that a workflow downloads and runs without pinning it to immutable content can change under
 * the repository's feet: a moved tag, a compromised maintainer account or a hijacked download URL
 * turns into code execution with the job's token and secrets.
 *
 * What is reported (one finding per subject; repeated occurrences add evidence):
 * - `uses:` of a third-party action (step) or reusable workflow (job) whose ref is not a full
 *   40-hex (or 64-hex) commit SHA. A SHA followed by a `# v4` comment is pinned. Subject
 *   `<job>:<uses as written>`.
 *   - `./…` local actions and reusable workflows, `$/…` self-repository references and actions of
 *     the repository itself (`<owner>/<repo>/…@ref`) are exempt: their code is the repository's own.
 *   - Owners listed in the rule option `trusted-owners` (default `actions`, `github`) pinned to a
 *     version tag (`v4`, `v4.1.2`, `1.2`) are **low**. A trusted owner's action on a branch
 *     (`@main`) or without a ref is reported like any other (it changes on every push).
 *   - `uses:` values containing `${{` are skipped (GitHub rejects them; nothing to pin).
 *   - `slsa-framework/slsa-github-generator/…@vX.Y.Z` is exempt: the generator verifies its own
 *     ref and documents that it must be referenced by version tag, not SHA.
 * - `docker://image` steps and job `container:` images without `@sha256:`. Subject
 *   `<job>:docker://…` / `<job>:container:<image>`.
 * - `services:` images without `@sha256:` (subject `<job>:service:<id>:<image>`): **low** when a
 *   specific tag is given (service containers do not run the job's steps and get neither the
 *   workspace nor the token), reported like a container when untagged or `:latest`.
 *   Images written as expressions are skipped.
 * - `run:` steps (shell scripts only: bash/sh/pwsh/powershell/cmd or the default shell) that
 *   - pipe a download into an interpreter (`curl … | sh`, `wget -qO- … | sudo bash -s --`,
 *     `curl … | python3 -`), feed it through process or command substitution (`bash <(curl …)`,
 *     `sh -c "$(curl …)"`, `eval "$(wget -O- …)"`), or do the PowerShell equivalents
 *     (`iwr … | iex`, `iex ((New-Object Net.WebClient).DownloadString(…))`) — kind `download-exec`.
 *     A download saved to a file (`curl -o f`, `curl -O`, plain `wget url`) and later run from
 *     it (`sh f`, `bash f`, `python f`, `source f`, `./f`) is the same kind, unless a checksum or
 *     signature check (`sha256sum -c`, `gpg --verify`, `cosign verify-blob`, …) comes first.
 *     Saved downloads never run, a pipe into a parser (`| jq`, `| python -m json.tool`,
 *     `| bash -c '…'`, `| tar xz`) and URLs that address an immutable commit (a 40-hex path
 *     segment) stay quiet;
 *   - `pip install` of requirements without an exact `==` pin (kind `pip-install`); the
 *     interpreter forms `python -m pip`, `pip3`, `uv pip` are recognised. Quiet:
 *     `--require-hashes`, a `-c/--constraint` file, local paths (`.`, `-e .`, `./pkg`, wheels),
 *     VCS or archive URLs pinned to a commit or `#sha256=`, arguments built from variables or
 *     expressions (unknowable), and the installer tool chain itself (`pip`, `setuptools`, `wheel`,
 *     as in `pip install --upgrade pip`). `-r requirements.txt` without `--require-hashes` is
 *     **low** with low confidence (kind `pip-requirements`): the file may pin with hashes, which
 *     pip then enforces, and a rule cannot read it;
 *   - `npm install -g`/`npm i -g`/`yarn global add`/`pnpm add -g` of a package without an exact
 *     `@x.y.z` version (kind `npm-global`; `npm` itself and local paths are quiet);
 *   - `go install module@latest` or another moving query (`@master`, `@v1`) (kind `go-install`;
 *     `@vX.Y.Z`, other tags, pseudo-versions and commit hashes are pinned, `go install ./…` is quiet);
 *   - a tool fetched by a package runner without an exact version (kind `tool-fetch`):
 *     `npx -y pkg` / `npx --package pkg` / `npx pkg@range`, `pnpm dlx`, `yarn dlx`, `pipx run|install`,
 *     `uvx`, `uv tool run|install`, `cargo install` (without `@x.y.z` / `--version x.y.z`, or a
 *     `--git` source without a commit `--rev`). Plain `npx tool` may run the project's own,
 *     lockfile-pinned copy and is left alone, as are `cargo install --path` and variables.
 *   Heredoc bodies fed to anything other than a shell are skipped, as are comments.
 * - `actions/checkout` of another repository (a literal `owner/name`) at a branch, a tag or its
 *   default branch, whose files a later step of the job runs: a local action inside its `path:`
 *   (`uses: ./<path>/…`) or a `run:` with a `working-directory:` inside it (kind
 *   `foreign-checkout`, subject `<job>:<step>:foreign-checkout`). A full-SHA `ref:`, this
 *   repository, expressions, and a later checkout into the same directory end it.
 *   Subject `<job>:<step>:<kind>`, where `<step>` is the step's `id`, else its `name`, else `#<index>`.
 *
 * Severity: medium; **high** when the job is privileged — it runs on `pull_request_target`,
 * `workflow_run`, `issue_comment`, `issues`, `discussion` or `discussion_comment` (a job whose
 * `if:` plainly limits it to other events is judged on those), or the job releases with a writable token (write access
 * to contents/packages/id-token/deployments/attestations/pages, or `write-all`, or no
 * `permissions:` under an observed read-write default, in a workflow triggered by `release` or a job
 * whose id or name says release/publish/deploy). Low findings stay low.
 *
 * Workflows and composite action files are checked; files that did not parse (MD-000) are skipped.
 * Everything is linear in the size of the workflow.
 */
import type { Confidence, Severity } from '../model/common.js';
import type { FindingDraft, Rule, RuleMeta } from '../model/finding.js';
import type { RulePolicy } from '../model/policy.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';
import type { Job, Step, WorkflowFile } from '../model/workflow.js';
import { actionName } from './shared/action-ref.js';
import { ifEvents } from './shared/expressions.js';

export const meta: RuleMeta = {
  id: 'MD-002',
  version: '1.3.0',
  title: 'Unpinned execution',
  severity: 'medium',
  confidence: 'high',
  defaultAction: 'warn',
  fpCeiling: 0.1,
  motivation:
    'A tag, a branch, a container tag or a download URL is a moving pointer: whoever controls it can ' +
    'change the code your workflow runs without a commit to your repository. Compromised actions ' +
    '(tj-actions/changed-files, reviewdog in 2025) and hijacked install scripts (Codecov bash uploader) ' +
    'turned into secret theft in thousands of repositories because workflows ran whatever the tag or ' +
    'URL pointed at that day. Pinning to immutable content (a commit SHA, an image digest, an exact ' +
    'package version or a hash) makes every change to executed third-party code a reviewed diff.',
  description:
    'Reports `uses:` of third-party actions and reusable workflows not pinned to a full commit SHA ' +
    '(a SHA with a trailing `# v4` comment is pinned; local `./` and same-repository references are ' +
    'exempt; version tags of trusted owners — option `trusted-owners`, default `actions`, `github` — ' +
    'are low); `docker://` steps, job `container:` and `services:` images without an `@sha256:` digest ' +
    '(tagged service images are low); and `run:` steps that pipe a download into a shell or interpreter ' +
    '(`curl … | sh`, `bash <(curl …)`, `sh -c "$(curl …)"`, `iwr … | iex`) or save one and run it ' +
    'without a checksum or signature check, `pip install` packages ' +
    'without an exact `==` pin (`-r` files without `--require-hashes` are low; `pip install .`, ' +
    '`-e .`, `--upgrade pip` and constraint files are quiet), `npm install -g` of a package without ' +
    'an exact version, `go install …@latest`, and tools fetched by package runners without an exact ' +
    'version (`npx -y`, `pnpm dlx`, `pipx run`, `uvx`, `cargo install`); and code from another repository checked ' +
    'out at a branch or tag and then run (a local action inside it, a script in its directory). Severity is medium, high in privileged jobs ' +
    '(`pull_request_target`, `workflow_run`, `issue_comment`, `issues`, release jobs with write scopes).',
  remediation:
    'Pin actions to the full commit SHA of the release you reviewed and keep the tag as a comment ' +
    '(`uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`); let Dependabot or ' +
    'Renovate update the SHAs. Pin images by digest (`image: node:20@sha256:…`). Download scripts ' +
    'to a file, verify a checksum (`sha256sum -c`) and then run them, or use a pinned action instead. ' +
    'Pin packages exactly (`pip install tool==1.2.3`, `pip install -r requirements.txt ' +
    '--require-hashes`, `npm install -g tool@1.2.3`, `go install example.com/tool@v1.2.3`).',
  example: [
    'on: pull_request',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4                 # low: trusted owner, tag',
    '      - uses: some-org/setup-tool@v2              # medium: third-party tag',
    '      - run: curl -fsSL https://get.example.com/install.sh | bash',
    '      - run: pip install black'
  ].join('\n')
};

export const DEFAULT_TRUSTED_OWNERS: readonly string[] = ['actions', 'github'];

const FULL_SHA = /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/;
const SHORT_HEX = /^[0-9a-fA-F]{7,39}$/;
/** A version tag: `v4`, `v4.1`, `v4.1.2`, `1.2.3`, `v2.0.0-beta.1`, `release/v1`-style is not. */
const VERSION_TAG = /^v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.-]+)?$/;
const DIGEST = /@sha256:[0-9a-fA-F]{64}\b/;

// ---------------------------------------------------------------------------------------------
// Shared helpers (MD-007 uses some of them)

/** Stable key of a step within its job: `id`, else `name`, else `#<index>`. */
export function stepKey(step: Step): string {
  const id = step.id?.trim();
  if (id) return id;
  const name = step.name?.trim();
  if (name) return name;
  return `#${step.index}`;
}

/** Shell used by a `run:` step when it is a shell script we can read; undefined for python/node/… scripts. */
export function scriptShell(step: Step): 'sh' | 'pwsh' | 'cmd' | undefined {
  const s = step.shell?.trim().toLowerCase();
  if (!s) return 'sh';
  const first = s.split(/\s+/)[0].replace(/^.*[\\/]/, '');
  if (/^(?:ba|z|da|k)?sh(?:\.exe)?$/.test(first)) return 'sh';
  if (first === 'pwsh' || first === 'powershell' || first === 'pwsh.exe' || first === 'powershell.exe') return 'pwsh';
  if (first === 'cmd' || first === 'cmd.exe') return 'cmd';
  return undefined;
}

/** 1-based line of the `idx`-th (0-based) line of a `run:` script. */
export function scriptLine(run: { value: string; line: number }, idx: number): number {
  // Block scalars (`run: |`) start on the line after the key; a single-line script sits on the key's line.
  return run.value.includes('\n') ? run.line + 1 + idx : run.line;
}

// ---------------------------------------------------------------------------------------------
// Privilege

const RELEASE_SCOPES: ReadonlySet<string> = new Set(['contents', 'packages', 'id-token', 'deployments', 'attestations', 'pages']);
const RELEASE_WORDS = /(?:^|[^a-z])(?:release|publish|deploy)/i;

function privilegeReason(wf: WorkflowFile, job: Job, snapshot: GovernanceSnapshot): string | undefined {
  // A job whose `if:` limits it to some events runs on those only.
  const only = ifEvents(job.if?.value);
  const events = new Set(wf.triggers.map((t) => t.event).filter((e) => !only || only.has(e)));
  const runs = only ? 'the job runs on' : 'the workflow runs on';
  if (events.has('pull_request_target')) return `${runs} \`pull_request_target\` (base-repository token and secrets, triggered by outside contributors)`;
  if (events.has('workflow_run')) return `${runs} \`workflow_run\` (privileged follow-up of another run)`;
  for (const e of ['issue_comment', 'issues', 'discussion', 'discussion_comment']) {
    if (events.has(e)) return `${runs} \`${e}\` (base-repository token and secrets, triggered by anyone who can comment or open an issue)`;
  }
  const named = RELEASE_WORDS.test(job.id) || (job.name ? RELEASE_WORDS.test(job.name.value) : false);
  const releasing = events.has('release') || named;
  if (!releasing) return undefined;
  const decl = job.permissions ?? wf.permissions;
  let writes: string[] = [];
  if (!decl) {
    const d = snapshot.defaultWorkflowPermissions;
    if (d.status === 'observed' && d.value === 'write') writes = ['the repository default read-write token'];
  } else if (decl.kind === 'write-all') writes = ['write-all'];
  else if (decl.kind === 'scopes') writes = Object.keys(decl.scopes).filter((s) => decl.scopes[s] === 'write' && RELEASE_SCOPES.has(s)).sort().map((s) => `${s}: write`);
  if (writes.length === 0) return undefined;
  // id-token grants no write to the repository: it lets the job mint OIDC tokens (cloud roles, publishers).
  const what = events.has('release') ? 'runs on `release`' : 'is a release or deployment job by its name';
  if (writes.every((w) => w === 'id-token: write')) return `job \`${job.id}\` ${what} and can mint OIDC tokens (id-token: write)`;
  return `job \`${job.id}\` ${what} and holds a writable token (${writes.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// uses:

type UsesVerdict =
  | { kind: 'exempt' }
  | { kind: 'pinned' }
  | { kind: 'unpinned'; severity: 'low' | 'normal'; why: string };

function trustedOwners(config: RulePolicy | undefined): Set<string> {
  const raw = config?.options?.['trusted-owners'];
  if (raw === undefined) return new Set(DEFAULT_TRUSTED_OWNERS);
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  return new Set(list.filter((x): x is string => typeof x === 'string').map((x) => x.trim().toLowerCase()).filter(Boolean));
}

function classifyUses(value: string, snapshot: GovernanceSnapshot, trusted: ReadonlySet<string>): UsesVerdict {
  const u = value.trim();
  if (u === '' || u.includes('${{')) return { kind: 'exempt' };
  if (u.startsWith('./') || u.startsWith('../') || u.startsWith('$/') || u === '.') return { kind: 'exempt' };
  if (u.startsWith('docker://')) {
    if (DIGEST.test(u)) return { kind: 'pinned' };
    return { kind: 'unpinned', severity: 'normal', why: 'the image is referenced by tag, not by an `@sha256:` digest' };
  }
  const at = u.lastIndexOf('@');
  const name = (at > 0 ? u.slice(0, at) : u).toLowerCase();
  const ref = at > 0 ? u.slice(at + 1).trim() : '';
  const [owner, repo] = name.split('/');
  const self = snapshot.repo;
  if (owner && repo && owner === self.owner.toLowerCase() && repo === self.name.toLowerCase()) return { kind: 'exempt' };
  if (FULL_SHA.test(ref)) return { kind: 'pinned' };
  // The SLSA generator verifies its own ref and must be called by version tag (its documented requirement).
  if (name.startsWith('slsa-framework/slsa-github-generator/') && /^v\d+\.\d+\.\d+$/.test(ref)) return { kind: 'exempt' };
  if (ref === '') return { kind: 'unpinned', severity: 'normal', why: 'it has no ref at all' };
  if (SHORT_HEX.test(ref) && !VERSION_TAG.test(ref)) {
    return { kind: 'unpinned', severity: 'normal', why: `\`${ref}\` is an abbreviated SHA, which GitHub resolves like a branch or tag name and does not accept as a pin` };
  }
  const isTag = VERSION_TAG.test(ref);
  if (isTag && owner && trusted.has(owner)) {
    return { kind: 'unpinned', severity: 'low', why: `\`${ref}\` is a version tag of the trusted owner \`${owner}\`; tags can be moved` };
  }
  return {
    kind: 'unpinned',
    severity: 'normal',
    why: isTag ? `\`${ref}\` is a tag, which its owner (or whoever compromises it) can move` : `\`${ref}\` looks like a branch, which changes with every push`
  };
}

// ---------------------------------------------------------------------------------------------
// Shell scanning

interface Word {
  /** Unquoted text. */
  text: string;
  /** As written. */
  raw: string;
}

interface Pipeline {
  segments: Word[][];
  /** 0-based script line of the pipeline's start. */
  line: number;
}

const EXPR = /\$\{\{[\s\S]*?\}\}/g;

/** Replace `${{ … }}` by a shell-variable-looking placeholder, keeping line breaks. */
function maskExpressions(script: string): string {
  if (!script.includes('${{')) return script;
  return script.replace(EXPR, (m) => '$GHEXPR' + '\n'.repeat((m.match(/\n/g) ?? []).length));
}

/**
 * Split a script into pipelines of words. A small POSIX-ish tokenizer: quotes, backslash
 * escapes and line continuations, comments, `$(…)`, `<(…)` and backticks kept inside words,
 * operators `| || && ; & ( )` and newlines. Heredoc bodies are skipped unless fed to a shell.
 * Linear in the script length.
 */
function pipelines(script: string): Pipeline[] {
  const src = maskExpressions(script);
  const n = src.length;
  const out: Pipeline[] = [];
  let line = 0;
  let segLine = 0;
  let startLine = 0;
  let segments: Word[][] = [];
  let words: Word[] = [];
  let text = '';
  let raw = '';
  let inWord = false;
  const heredocs: { delim: string; strip: boolean; keep: boolean }[] = [];

  const endWord = (): void => {
    if (inWord) words.push({ text, raw });
    text = '';
    raw = '';
    inWord = false;
  };
  const endSegment = (): void => {
    endWord();
    if (words.length > 0) {
      if (segments.length === 0) startLine = segLine;
      segments.push(words);
    }
    words = [];
  };
  const endPipeline = (): void => {
    endSegment();
    if (segments.length > 0) out.push({ segments, line: startLine });
    segments = [];
  };
  /** Append `src[from, to)` to the current word, counting the line breaks it contains. */
  const take = (from: number, to: number, unquoted?: string): void => {
    const part = src.slice(from, to);
    for (let q = 0; q < part.length; q++) if (part.charCodeAt(q) === 10) line++;
    text += unquoted ?? part;
    raw += part;
    inWord = true;
  };

  let i = 0;
  while (i < n) {
    const c = src[i];
    if (!inWord && words.length === 0) segLine = line;
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      // Line continuation.
      i += src[i + 1] === '\n' ? 2 : 3;
      line++;
      continue;
    }
    if (c === '\\') {
      take(i, Math.min(n, i + 2), src[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (c === '\n') {
      endPipeline();
      line++;
      i++;
      // Heredoc bodies start on the next line; a body fed to a shell is shell code and is scanned.
      for (const h of heredocs.splice(0)) {
        if (h.keep) continue;
        while (i < n) {
          let end = src.indexOf('\n', i);
          if (end === -1) end = n;
          const body = src.slice(i, end).replace(/\r$/, '');
          i = end + 1;
          line++;
          if ((h.strip ? body.replace(/^\t+/, '') : body).trim() === h.delim) break;
        }
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      const stop = end === -1 ? n : end + 1;
      take(i, stop, src.slice(i + 1, end === -1 ? n : end));
      i = stop;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let unq = '';
      while (j < n && src[j] !== '"') {
        if (src[j] === '\\' && j + 1 < n) {
          unq += src[j + 1];
          j += 2;
        } else if (src[j] === '$' && src[j + 1] === '(') {
          const k = balanced(src, j + 1);
          unq += src.slice(j, k);
          j = k;
        } else {
          unq += src[j];
          j++;
        }
      }
      const stop = Math.min(n, j + 1);
      take(i, stop, unq);
      i = stop;
      continue;
    }
    if ((c === '$' || c === '<' || c === '>') && src[i + 1] === '(') {
      const k = balanced(src, i + 1);
      take(i, k);
      i = k;
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      const stop = end === -1 ? n : end + 1;
      take(i, stop);
      i = stop;
      continue;
    }
    if (c === '<' && src[i + 1] === '<') {
      if (src[i + 2] === '<') {
        // Here-string `<<<`: an ordinary redirection.
        take(i, i + 3);
        i += 3;
        continue;
      }
      const m = /^<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(src.slice(i, i + 200));
      if (m) {
        endWord();
        const cmd = commandWords(words)[0]?.text ?? '';
        heredocs.push({ delim: m[3], strip: m[1] === '-', keep: SHELLS.has(baseName(cmd)) });
        i += m[0].length;
        continue;
      }
    }
    if (c === '&' && (src[i + 1] === '>' || (inWord && raw.endsWith('>')))) {
      // `&>file`, `2>&1`, `>&2`: redirections, part of the command.
      take(i, i + 1);
      i++;
      continue;
    }
    if (c === '|' && src[i + 1] !== '|') {
      endSegment();
      i += src[i + 1] === '&' ? 2 : 1;
      continue;
    }
    if (c === '|' || c === '&' || c === ';' || c === '(' || c === ')') {
      const two = src.slice(i, i + 2);
      endPipeline();
      i += two === '||' || two === '&&' || two === ';;' ? 2 : 1;
      continue;
    }
    PLAIN.lastIndex = i;
    const m = PLAIN.exec(src);
    const stop = m && m.index === i ? i + m[0].length : i + 1;
    take(i, stop);
    i = stop;
  }
  endPipeline();
  return out;
}

/** A run of characters with no special meaning to the tokenizer. */
const PLAIN = /[^\s\\'"`$<>|&;()]+/y;

/** Index just past the `)` matching the `(` at `open` (quotes respected, bounded by the text). */
function balanced(src: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      i = end === -1 ? src.length : end + 1;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return src.length;
}

function baseName(cmd: string): string {
  const k = Math.max(cmd.lastIndexOf('/'), cmd.lastIndexOf('\\'));
  const s = (k === -1 ? cmd : cmd.slice(k + 1)).toLowerCase();
  return s.endsWith('.exe') ? s.slice(0, -4) : s;
}

const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'fish', 'mksh']);
const SUDO_VALUE_FLAGS: ReadonlySet<string> = new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T']);
const PREFIX_KEYWORDS: ReadonlySet<string> = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '{', '!', 'time', 'command', 'exec', 'nohup', 'builtin']);

/** The words of a command with leading keywords, `VAR=value` assignments, `sudo …` and `env …` removed. */
function commandWords(words: readonly Word[]): Word[] {
  let i = 0;
  for (;;) {
    if (i >= words.length) return [];
    const w = words[i].text;
    if (PREFIX_KEYWORDS.has(w)) {
      i++;
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i].raw)) {
      i++;
      continue;
    }
    const b = baseName(w);
    if (b === 'sudo' || b === 'doas') {
      i++;
      while (i < words.length && words[i].text.startsWith('-')) {
        const f = words[i].text;
        i++;
        if (f === '--') break;
        if (SUDO_VALUE_FLAGS.has(f)) i++;
      }
      continue;
    }
    if (b === 'env') {
      i++;
      while (i < words.length && (words[i].text.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i].raw))) i++;
      continue;
    }
    return words.slice(i);
  }
}

const URL_RE = /https?:\/\/[^\s"'`)|;<>]+/;

function firstUrl(words: readonly Word[]): string | undefined {
  for (const w of words) {
    const m = URL_RE.exec(w.text);
    if (m) return m[0];
  }
  return undefined;
}

/** A URL that names immutable content: a path segment that is a full commit SHA. */
function immutableUrl(url: string | undefined): boolean {
  if (!url) return false;
  return url
    .replace(/^https?:\/\/[^/]+/, '')
    .split(/[/?#]/)
    .some((seg) => /^[0-9a-f]{40}$/i.test(seg));
}

/** Does this command write a download to stdout? (`curl url`, `wget -qO- url`) */
function downloadsToStdout(cmd: readonly Word[]): boolean {
  if (cmd.length === 0) return false;
  const b = baseName(cmd[0].text);
  const args = cmd.slice(1).map((w) => w.text);
  if (b === 'curl') {
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      if (a === '--output' || a === '-o') {
        const v = args[k + 1];
        if (v !== '-' && v !== '/dev/stdout') return false;
        k++;
        continue;
      }
      if (a.startsWith('--output=')) {
        const v = a.slice('--output='.length);
        if (v !== '-' && v !== '/dev/stdout') return false;
        continue;
      }
      if (a === '--remote-name' || a === '--remote-name-all' || a === '-O' || a === '--output-dir') return false;
      if (/^-[A-Za-z]/.test(a) && !a.startsWith('--')) {
        const m = /^-([A-Za-z]*?)([oO])(.*)$/.exec(a);
        // Letters before `o` must be flags without a value (`-fsSLo`), not `-H…`/`-d…` values.
        if (m && !/[HdXuAeTFbcKmrwxyYzECDQ]/.test(m[1])) {
          if (m[2] === 'O') return false;
          const v = m[3] !== '' ? m[3] : args[k + 1];
          if (v !== '-' && v !== '/dev/stdout') return false;
        }
      }
    }
    return true;
  }
  if (b === 'wget') {
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      if (a === '--output-document' || a === '-O') {
        const v = args[k + 1];
        return v === '-' || v === '/dev/stdout';
      }
      if (a.startsWith('--output-document=')) {
        const v = a.slice('--output-document='.length);
        return v === '-' || v === '/dev/stdout';
      }
      if (/^-[A-Za-z]*O/.test(a) && !a.startsWith('--')) {
        const rest = a.slice(a.indexOf('O') + 1);
        const v = rest !== '' ? rest : args[k + 1];
        return v === '-' || v === '/dev/stdout';
      }
    }
    return false;
  }
  return false;
}

const INTERPRETERS = /^(?:(?:ba|z|da|k|mk)?sh|ash|fish|python(?:\d(?:\.\d+)?)?|pypy3?|perl|ruby|node|php)$/;

/** Does this command execute its standard input? (`sh`, `bash -s --`, `python3 -`, `sudo -E bash`) */
function executesStdin(cmd: readonly Word[]): boolean {
  if (cmd.length === 0) return false;
  const b = baseName(cmd[0].text);
  if (b === 'source' || b === '.') return cmd[1]?.text === '/dev/stdin' || cmd[1]?.text === '-';
  if (b === 'iex' || b === 'invoke-expression') return true;
  if (!INTERPRETERS.test(b)) return false;
  const shell = SHELLS.has(b);
  for (let k = 1; k < cmd.length; k++) {
    const a = cmd[k].text;
    if (a === '-') return true;
    if (a === '--') return shell ? cmd.slice(1, k).some((w) => /^-[a-zA-Z]*s/.test(w.text)) : k + 1 >= cmd.length;
    if (/^[0-9]*[<>]/.test(a)) continue; // redirection
    if (shell) {
      if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a)) return false;
      if (/^-[a-zA-Z]*s[a-zA-Z]*$/.test(a)) return true;
      if (a === '-o' || a === '-O' || a === '+o' || a === '+O') {
        k++;
        continue;
      }
      if (a.startsWith('-') || a.startsWith('+')) continue;
      return false; // a script file argument: stdin is data
    }
    if (['-c', '-m', '-e', '-E', '-p', '-r', '--eval', '--print', '--run'].includes(a)) return false;
    if (a.startsWith('-')) continue;
    return false;
  }
  return true;
}

const SUBST_DOWNLOAD = /^(?:<|\$)\(\s*(?:sudo\s+)?(curl|wget)\b([^)]*)/;
const BACKTICK_DOWNLOAD = /^`\s*(?:sudo\s+)?(curl|wget)\b([^`]*)/;

/** `<(curl …)`, `$(wget -qO- …)`, `` `curl …` `` at the start of a word's text. */
function substitutedDownload(text: string): { url?: string } | undefined {
  const t = text.replace(/^["']/, '');
  const m = SUBST_DOWNLOAD.exec(t) ?? BACKTICK_DOWNLOAD.exec(t);
  if (!m) return undefined;
  if (m[1] === 'wget' && !/(?:^|\s)-[A-Za-z]*O\s*-(?:\s|$)|--output-document[= ]-(?:\s|$)|-[A-Za-z]*O\s*\/dev\/stdout/.test(m[2])) return undefined;
  if (m[1] === 'curl' && /(?:^|\s)(?:-[A-Za-z]*[oO]\s*(?!-(?:\s|$))\S|--output[= ](?!-)|--remote-name)/.test(m[2])) return undefined;
  return { url: URL_RE.exec(m[2])?.[0] };
}

const PWSH_PIPE = /\b(?:iwr|irm|invoke-webrequest|invoke-restmethod)\b[^|\n]*\|\s*(?:iex|invoke-expression)\b/i;
const PWSH_CALL = /\b(?:iex|invoke-expression)\b\s*[(&]?[^\n]*\b(?:downloadstring|iwr|irm|invoke-webrequest|invoke-restmethod)\b/i;

interface RunHit {
  kind: 'download-exec' | 'pip-install' | 'pip-requirements' | 'npm-global' | 'go-install' | 'tool-fetch';
  /** 0-based script line. */
  line: number;
  detail: string;
  /** URLs for download-exec. */
  url?: string;
}

function downloadExec(p: Pipeline): RunHit | undefined {
  const cmds = p.segments.map(commandWords);
  let downloadAt = -1;
  for (let k = 0; k < cmds.length; k++) {
    if (downloadAt === -1 && downloadsToStdout(cmds[k])) {
      downloadAt = k;
      continue;
    }
    if (downloadAt !== -1 && executesStdin(cmds[k])) {
      const url = firstUrl(cmds[downloadAt]);
      if (immutableUrl(url)) return undefined;
      return { kind: 'download-exec', line: p.line, url, detail: `pipes a download${url ? ` of ${url}` : ''} into \`${cmds[k][0].text}\`` };
    }
  }
  // Process and command substitution: `bash <(curl …)`, `sh -c "$(curl …)"`, `eval "$(curl …)"`, `source <(curl …)`.
  for (const cmd of cmds) {
    if (cmd.length < 2) continue;
    const b = baseName(cmd[0].text);
    const interp = INTERPRETERS.test(b) || b === 'source' || b === '.' || b === 'eval';
    if (!interp) continue;
    for (let k = 1; k < cmd.length; k++) {
      const prev = cmd[k - 1].text;
      const viaC = prev === '-c' || (SHELLS.has(b) && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(prev));
      const word = cmd[k].text;
      const isProc = word.startsWith('<(');
      if (!(isProc || viaC || b === 'eval')) continue;
      const d = substitutedDownload(word);
      if (!d) continue;
      if (immutableUrl(d.url)) return undefined;
      return { kind: 'download-exec', line: p.line, url: d.url, detail: `runs a download${d.url ? ` of ${d.url}` : ''} through \`${cmd[0].text}\` (${isProc ? 'process' : 'command'} substitution)` };
    }
  }
  return undefined;
}

const PIP_CMD = /^pip(?:\d(?:\.\d+)?)?$/;
const PY_CMD = /^(?:python(?:\d(?:\.\d+)?)?|py|pypy3?)$/;
const PIP_GLOBAL_VALUE = new Set(['--proxy', '--log', '--cache-dir', '--python', '--retries', '--timeout', '--exists-action', '--trusted-host', '--cert', '--client-cert', '--src', '--keyring-provider', '--use-feature', '--use-deprecated']);
const PIP_INSTALL_VALUE = new Set([
  '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '-t', '--target', '--prefix', '--root', '--platform', '--python-version',
  '--implementation', '--abi', '--only-binary', '--no-binary', '--progress-bar', '--upgrade-strategy', '--global-option', '--install-option',
  '-C', '--config-settings', '--report', '--src', '--trusted-host', '--proxy', '--log', '--cache-dir', '--retries', '--timeout', '--python',
  '--exists-action', '--cert', '--client-cert', '--keyring-provider', '--use-feature', '--use-deprecated', '--group'
]);
const PIP_BOOTSTRAP: ReadonlySet<string> = new Set(['pip', 'setuptools', 'wheel']);

/** Arguments after `install` for `pip install`, `python -m pip install`, `uv pip install`; undefined otherwise. */
function pipInstallArgs(cmd: readonly Word[]): string[] | undefined {
  if (cmd.length === 0) return undefined;
  const b = baseName(cmd[0].text);
  let k: number;
  if (PIP_CMD.test(b)) k = 1;
  else if (b === 'uv' && cmd[1]?.text === 'pip') k = 2;
  else if (PY_CMD.test(b)) {
    k = 1;
    while (k < cmd.length && cmd[k].text.startsWith('-') && cmd[k].text !== '-m') k++;
    if (cmd[k]?.text !== '-m' || cmd[k + 1]?.text !== 'pip') return undefined;
    k += 2;
  } else return undefined;
  while (k < cmd.length && cmd[k].text.startsWith('-')) {
    if (PIP_GLOBAL_VALUE.has(cmd[k].text)) k++;
    k++;
  }
  if (cmd[k]?.text !== 'install') return undefined;
  return cmd.slice(k + 1).map((w) => w.text);
}

type PkgVerdict = 'pinned' | 'unpinned' | 'ignore';

function classifyPipRequirement(token: string): PkgVerdict {
  const t = token.trim();
  if (t === '' || t.includes('$')) return 'ignore';
  if (/^(?:git\+|hg\+|svn\+|bzr\+)/i.test(t)) {
    const ref = /@([^@#]+)(?:#.*)?$/.exec(t.replace(/^[a-z+]+:\/\/[^/]*@/i, ''))?.[1];
    return ref && FULL_SHA.test(ref) ? 'pinned' : 'unpinned';
  }
  if (/^https?:\/\//i.test(t)) return /#sha(?:256|384|512)=/i.test(t) || immutableUrl(t) ? 'pinned' : 'unpinned';
  if (/^(?:\.|\/|~|[A-Za-z]:\\)/.test(t) || (t.includes('/') && !t.includes('://')) || /\.(?:whl|tar\.gz|zip|tgz|tar\.bz2)$/i.test(t)) return 'ignore';
  const spec = t.split(';')[0].trim();
  const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(spec)?.[0] ?? '';
  if (PIP_BOOTSTRAP.has(name.toLowerCase().replace(/_/g, '-'))) return 'ignore';
  const m = /===?\s*([^,\s]+)\s*$/.exec(spec);
  if (m && !/,/.test(spec) && !m[1].includes('*')) return 'pinned';
  return 'unpinned';
}

function pipInstall(p: Pipeline): RunHit | undefined {
  for (const cmd of p.segments.map(commandWords)) {
    const args = pipInstallArgs(cmd);
    if (!args) continue;
    const reqs: string[] = [];
    const unpinned: string[] = [];
    let quiet = false;
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      if (a === '--require-hashes' || a === '--dry-run' || a === '-h' || a === '--help') quiet = true;
      else if (a === '-r' || a === '--requirement') reqs.push(args[++k] ?? '');
      else if (a.startsWith('--requirement=')) reqs.push(a.slice(14));
      else if (/^-r.+/.test(a)) reqs.push(a.slice(2));
      else if (a === '-c' || a === '--constraint' || a.startsWith('--constraint=') || /^-c.+/.test(a)) {
        quiet = true;
        if (a === '-c' || a === '--constraint') k++;
      } else if (a === '-e' || a === '--editable') {
        if (classifyPipRequirement(args[++k] ?? '') === 'unpinned') unpinned.push(args[k]);
      } else if (a.startsWith('--editable=')) {
        if (classifyPipRequirement(a.slice(11)) === 'unpinned') unpinned.push(a.slice(11));
      } else if (PIP_INSTALL_VALUE.has(a)) k++;
      else if (a.startsWith('-')) continue;
      else if (a.startsWith('>') || a.startsWith('<') || /^\d*>/.test(a)) {
        if (a === '>' || a === '2>' || a === '<' || a === '>>') k++;
      } else if (classifyPipRequirement(a) === 'unpinned') unpinned.push(a);
    }
    if (quiet) continue;
    if (unpinned.length > 0) {
      return { kind: 'pip-install', line: p.line, detail: `installs ${unpinned.map((x) => `\`${x}\``).join(', ')} from PyPI without an exact \`==\` version` };
    }
    const files = reqs.filter((r) => r !== '' && !r.includes('$'));
    if (files.length > 0) {
      return { kind: 'pip-requirements', line: p.line, detail: `installs ${files.map((x) => `\`${x}\``).join(', ')} without \`--require-hashes\`` };
    }
  }
  return undefined;
}

const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const NPM_VALUE = new Set(['--prefix', '--registry', '--tag', '--location', '--cache', '--userconfig', '--globalconfig', '--loglevel', '--omit', '--include', '--install-strategy', '-w', '--workspace']);

function classifyNpmPackage(token: string): PkgVerdict {
  const t = token.trim();
  if (t === '' || t.includes('$')) return 'ignore';
  if (/^(?:\.|\/|~|file:)/.test(t) || /\.(?:tgz|tar\.gz)$/.test(t)) return 'ignore';
  if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|https?:)/.test(t) || (/^[^@][^@/]*\/[^@]/.test(t) && !t.startsWith('@'))) {
    const hash = /#(.+)$/.exec(t)?.[1];
    return hash && FULL_SHA.test(hash) ? 'pinned' : 'unpinned';
  }
  const at = t.lastIndexOf('@');
  const name = at > 0 ? t.slice(0, at) : t;
  if (name === 'npm' || name === 'corepack') return 'ignore';
  if (at <= 0) return 'unpinned';
  return EXACT_SEMVER.test(t.slice(at + 1)) ? 'pinned' : 'unpinned';
}

function npmGlobal(p: Pipeline): RunHit | undefined {
  for (const cmd of p.segments.map(commandWords)) {
    if (cmd.length < 3) continue;
    const b = baseName(cmd[0].text).replace(/\.cmd$/, '');
    const words = cmd.map((w) => w.text);
    let args: string[];
    let global = false;
    if (b === 'npm' && ['install', 'i', 'add', 'in', 'isntall'].includes(words[1])) {
      args = words.slice(2);
      global = args.some((a) => a === '-g' || a === '--global' || a === '--location=global' || a === '--global=true');
      if (!global) {
        const loc = args.indexOf('--location');
        global = loc !== -1 && args[loc + 1] === 'global';
      }
    } else if (b === 'yarn' && words[1] === 'global' && words[2] === 'add') {
      args = words.slice(3);
      global = true;
    } else if (b === 'pnpm' && ['add', 'install', 'i'].includes(words[1])) {
      args = words.slice(2);
      global = args.includes('-g') || args.includes('--global');
    } else continue;
    if (!global) continue;
    const unpinned: string[] = [];
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      if (NPM_VALUE.has(a)) {
        k++;
        continue;
      }
      if (a.startsWith('-') || a.startsWith('>') || a.startsWith('2>')) continue;
      if (classifyNpmPackage(a) === 'unpinned') unpinned.push(a);
    }
    if (unpinned.length > 0) {
      return { kind: 'npm-global', line: p.line, detail: `installs ${unpinned.map((x) => `\`${x}\``).join(', ')} globally without an exact version` };
    }
  }
  return undefined;
}

/** Version queries that move: `latest`, `upgrade`, `patch`, branch names, partial versions, ranges. Tags and commits are pinned. */
const GO_MOVING = /^(?:latest|upgrade|patch|master|main|head|trunk|develop|dev|v\d+(?:\.\d+)?|[<>].*)$/i;

function goInstall(p: Pipeline): RunHit | undefined {
  for (const cmd of p.segments.map(commandWords)) {
    if (cmd.length < 3 || baseName(cmd[0].text) !== 'go' || cmd[1].text !== 'install') continue;
    const moving: string[] = [];
    for (const w of cmd.slice(2)) {
      const a = w.text;
      if (a.startsWith('-') || a.includes('$')) continue;
      const at = a.lastIndexOf('@');
      if (at <= 0) continue;
      if (GO_MOVING.test(a.slice(at + 1))) moving.push(a);
    }
    if (moving.length > 0) {
      return { kind: 'go-install', line: p.line, detail: `installs ${moving.map((x) => `\`${x}\``).join(', ')}, a moving version query, not an exact version` };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Tools fetched and run (or installed) by a package runner, without an exact version.

const PY_EXACT = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?\s*===?\s*[^,*\s]+$/;

/** `pkg==1.2.3` / `pkg@1.2.3`: pinned; a bare or ranged name: unpinned; variables and paths: ignore. */
function classifyPyTool(token: string): PkgVerdict {
  const t = token.trim();
  if (t === '' || t.includes('$') || /^(?:\.|\/|~)/.test(t) || /\.(?:whl|tar\.gz|zip)$/i.test(t)) return 'ignore';
  if (/^(?:git\+|https?:)/i.test(t)) return classifyPipRequirement(t);
  if (PY_EXACT.test(t)) return 'pinned';
  const at = t.lastIndexOf('@');
  if (at > 0 && EXACT_SEMVER.test(t.slice(at + 1))) return 'pinned';
  return 'unpinned';
}

/** The first argument that is not a flag (skipping the values of `valued` flags). */
function firstOperand(args: readonly string[], valued: ReadonlySet<string> = new Set()): string | undefined {
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (valued.has(a)) {
      k++;
      continue;
    }
    if (a === '--') return args[k + 1];
    if (!a.startsWith('-')) return a;
  }
  return undefined;
}

function flagValue(args: readonly string[], names: readonly string[]): string | undefined {
  for (let k = 0; k < args.length; k++) {
    for (const n of names) {
      if (args[k] === n) return args[k + 1];
      if (n.startsWith('--') && args[k].startsWith(`${n}=`)) return args[k].slice(n.length + 1);
    }
  }
  return undefined;
}

/**
 * `npx -y pkg` / `npx --package pkg`, `pnpm dlx`, `yarn dlx`, `pipx run|install`, `uvx`,
 * `uv tool run|install`, `cargo install` of a tool without an exact version: each run fetches
 * whatever the registry serves that day. `npx pkg` without `-y`/`--package` may run the
 * project's own (lockfile-pinned) copy and is left alone.
 */
function toolFetch(p: Pipeline): RunHit | undefined {
  for (const cmd of p.segments.map(commandWords)) {
    if (cmd.length < 2) continue;
    const b = baseName(cmd[0].text).replace(/\.cmd$/, '');
    const w = cmd.map((x) => x.text);
    let tool: string | undefined;
    let verdict: PkgVerdict = 'ignore';
    let how = '';
    if (b === 'npx') {
      const args = w.slice(1);
      const pkg = flagValue(args, ['-p', '--package']);
      const fetches = pkg !== undefined || args.includes('-y') || args.includes('--yes') || /@/.test(firstOperand(args, new Set(['-p', '--package', '-c', '--call'])) ?? '');
      if (!fetches) continue;
      tool = pkg ?? firstOperand(args, new Set(['-p', '--package', '-c', '--call']));
      verdict = tool ? classifyNpmPackage(tool) : 'ignore';
      how = '`npx`';
    } else if (((b === 'pnpm' || b === 'yarn') && w[1] === 'dlx') || b === 'pnpx') {
      const args = w.slice(b === 'pnpx' ? 1 : 2);
      tool = flagValue(args, ['-p', '--package']) ?? firstOperand(args, new Set(['-p', '--package']));
      verdict = tool ? classifyNpmPackage(tool) : 'ignore';
      how = b === 'pnpx' ? '`pnpx`' : `\`${b} dlx\``;
    } else if (b === 'pipx' && (w[1] === 'run' || w[1] === 'install')) {
      const args = w.slice(2);
      tool = flagValue(args, ['--spec']) ?? firstOperand(args, new Set(['--spec', '--python', '--pip-args', '--index-url', '--suffix']));
      verdict = tool ? classifyPyTool(tool) : 'ignore';
      how = `\`pipx ${w[1]}\``;
    } else if (b === 'uvx' || (b === 'uv' && w[1] === 'tool' && (w[2] === 'run' || w[2] === 'install'))) {
      const args = b === 'uvx' ? w.slice(1) : w.slice(3);
      tool = flagValue(args, ['--from']) ?? firstOperand(args, new Set(['--from', '--with', '--python', '-p', '--index', '--index-url', '--extra-index-url']));
      verdict = tool ? classifyPyTool(tool) : 'ignore';
      how = b === 'uvx' ? '`uvx`' : `\`uv tool ${w[2]}\``;
    } else if (b === 'cargo' && w[1] === 'install') {
      const args = w.slice(2);
      if (args.includes('--path') || args.some((a) => a.startsWith('--path='))) continue;
      const git = flagValue(args, ['--git']);
      tool = firstOperand(args, new Set(['--version', '--vers', '--git', '--branch', '--tag', '--rev', '--root', '--registry', '--index', '-j', '--jobs', '--features', '-F', '--target', '--profile', '--bin', '--example', '--config', '-Z']));
      const version = flagValue(args, ['--version', '--vers']);
      if (git !== undefined) {
        const rev = flagValue(args, ['--rev']);
        verdict = rev && FULL_SHA.test(rev) ? 'pinned' : 'unpinned';
        tool ??= git;
      } else if (!tool || tool.includes('$')) verdict = 'ignore';
      else if (version !== undefined) verdict = /^=?\s*v?\d+\.\d+\.\d+/.test(version) ? 'pinned' : version.includes('$') ? 'ignore' : 'unpinned';
      else verdict = /@=?\d+\.\d+\.\d+/.test(tool) ? 'pinned' : 'unpinned';
      how = '`cargo install`';
    } else continue;
    if (verdict === 'unpinned' && tool) {
      return { kind: 'tool-fetch', line: p.line, detail: `fetches \`${tool}\` with ${how} without an exact version` };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// A download saved to a file, then executed from it, with no verification in between.

const VERIFY = /\b(?:sha(?:1|224|256|384|512)sum|shasum|b2sum|md5sum)\b[^\n]*(?:\s-c\b|--check\b)|\bgpg2?\b[^\n]*--verify\b|\bcosign\s+verify(?:-blob)?\b|\bminisign\b[^\n]*\s-V\b|\bslsa-verifier\b|\bgh\s+attestation\s+verify\b|\bopenssl\s+dgst\b[^\n]*-verify\b/;

function normFile(t: string): string {
  return t.replace(/^["']|["']$/g, '').replace(/^\.\//, '');
}

/** The file a `curl`/`wget` command saves its download to, and the URL; undefined for stdout or no URL. */
function savedDownload(cmd: readonly Word[]): { file: string; url: string } | undefined {
  if (cmd.length < 2) return undefined;
  const b = baseName(cmd[0].text);
  if (b !== 'curl' && b !== 'wget') return undefined;
  const url = firstUrl(cmd);
  if (!url) return undefined;
  const args = cmd.slice(1).map((w) => w.text);
  const remote = (): string => normFile(url.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? '');
  if (b === 'curl') {
    const out = flagValue(args, ['-o', '--output']);
    if (out !== undefined) return out === '-' || out === '/dev/stdout' ? undefined : { file: normFile(out), url };
    for (const a of args) {
      if (a === '-O' || a === '--remote-name') return { file: remote(), url };
      const m = /^-([A-Za-z]*?)([oO])(.*)$/.exec(a);
      if (m && !a.startsWith('--') && !/[HdXuAeTFbcKmrwxyYzECDQ]/.test(m[1])) {
        if (m[2] === 'O') return { file: remote(), url };
        const v = m[3] !== '' ? m[3] : args[args.indexOf(a) + 1];
        return v && v !== '-' && v !== '/dev/stdout' ? { file: normFile(v), url } : undefined;
      }
    }
    return undefined;
  }
  const out = flagValue(args, ['-O', '--output-document']);
  if (out !== undefined) return out === '-' || out === '/dev/stdout' ? undefined : { file: normFile(out), url };
  if (args.some((a) => /^-[A-Za-z]*q?O/.test(a) && !a.startsWith('--'))) return undefined; // `-qO-` and the like: stdout forms
  return { file: remote(), url };
}

/** The file a command executes: `sh f`, `bash f`, `python f`, `source f`, `. f`, `./f`, `/tmp/f`. */
function executedFile(cmd: readonly Word[]): string | undefined {
  if (cmd.length === 0) return undefined;
  const first = cmd[0].text;
  const b = baseName(first);
  if (b === 'source' || b === '.') return cmd[1] ? normFile(cmd[1].text) : undefined;
  if (INTERPRETERS.test(b)) {
    for (let k = 1; k < cmd.length; k++) {
      const a = cmd[k].text;
      if (a === '-c' || a === '-m' || a === '-e' || a === '-' || (SHELLS.has(b) && /^-[a-zA-Z]*[cs][a-zA-Z]*$/.test(a))) return undefined;
      if (a.startsWith('-') || a.startsWith('+')) continue;
      return normFile(a);
    }
    return undefined;
  }
  if (first.includes('/') && !first.includes('$')) return normFile(first);
  return undefined;
}

function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  const base = (x: string) => x.slice(x.lastIndexOf('/') + 1);
  // A relative name matches the same name under a directory the script changed into.
  return (!a.includes('/') || !b.includes('/')) && base(a) === base(b);
}

/** Across the script's pipelines: a saved download later executed, no checksum or signature check anywhere before. */
function downloadThenRun(pipes: readonly Pipeline[], script: string): RunHit | undefined {
  const saved: { file: string; url: string }[] = [];
  const lines = script.split('\n');
  for (const p of pipes) {
    if (VERIFY.test(lines[p.line] ?? '')) return undefined;
    for (const cmd of p.segments.map(commandWords)) {
      const d = savedDownload(cmd);
      if (d) {
        if (!immutableUrl(d.url) && d.file !== '') saved.push(d);
        continue;
      }
      const f = executedFile(cmd);
      if (!f) continue;
      const hit = saved.find((d) => sameFile(d.file, f));
      if (hit) return { kind: 'download-exec', line: p.line, url: hit.url, detail: `downloads ${hit.url} to \`${hit.file}\` and runs it with \`${cmd[0].text}\`, unverified` };
    }
  }
  return undefined;
}

const MAYBE: readonly RegExp[] = [
  /\b(?:curl|wget)\b/,
  /\bpip[\d.]*\b[^\n]*\binstall\b/,
  /(?:-g\b|--global|--location|\bglobal\s+add)/,
  /\bgo\s+install\b/,
  /\b(?:npx|pnpx|dlx|pipx|uvx|uv\s+tool|cargo\s+install)\b/
];

/** All unpinned-execution patterns of one `run:` script, one per kind (the first occurrence). Exported for tests. */
export function scanRunScript(script: string): RunHit[] {
  const hits = new Map<RunHit['kind'], RunHit>();
  const add = (h: RunHit | undefined): void => {
    if (h && !hits.has(h.kind)) hits.set(h.kind, h);
  };
  if (PWSH_PIPE.test(script) || PWSH_CALL.test(script)) {
    const lines = script.split('\n');
    for (let k = 0; k < lines.length; k++) {
      if (PWSH_PIPE.test(lines[k]) || PWSH_CALL.test(lines[k])) {
        const url = URL_RE.exec(lines[k])?.[0];
        if (!immutableUrl(url)) add({ kind: 'download-exec', line: k, url, detail: `runs a download${url ? ` of ${url}` : ''} with \`Invoke-Expression\`` });
        break;
      }
    }
  }
  // Cheap pre-filter: most scripts contain none of the commands we look for.
  if (!MAYBE.some((re) => re.test(script))) return [...hits.values()];
  const pipes = pipelines(script);
  for (const p of pipes) {
    add(downloadExec(p));
    add(pipInstall(p));
    add(npmGlobal(p));
    add(goInstall(p));
    add(toolFetch(p));
  }
  if (/\b(?:curl|wget)\b/.test(script)) add(downloadThenRun(pipes, script));
  return [...hits.values()];
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const KIND_TEXT: Record<RunHit['kind'], { title: string; fix: string }> = {
  'download-exec': {
    title: 'Downloaded script executed without verification',
    fix: 'Download to a file, verify its checksum (`echo "<sha256>  install.sh" | sha256sum -c`) and run it from the file, pin the URL to a commit, or use a SHA-pinned action that installs the tool.'
  },
  'pip-install': {
    title: '`pip install` without pinned versions',
    fix: 'Pin exact versions (`pip install tool==1.2.3`), or install from a requirements file with hashes (`pip install --require-hashes -r requirements.txt`, e.g. generated by `pip-compile --generate-hashes`).'
  },
  'pip-requirements': {
    title: '`pip install -r` without `--require-hashes`',
    fix: 'Generate hashes (`pip-compile --generate-hashes`, `uv pip compile --generate-hashes`) and install with `pip install --require-hashes -r requirements.txt`. If the file already carries `--hash` entries, add `--require-hashes` to make the guarantee explicit.'
  },
  'npm-global': {
    title: 'Global npm package installed without a version',
    fix: 'Install an exact version (`npm install -g tool@1.2.3`), or add the tool to `devDependencies` so the lockfile pins it and run it with `npx`.'
  },
  'tool-fetch': {
    title: 'Tool fetched and run without an exact version',
    fix: 'Name an exact version (`npx -y tool@1.2.3`, `pnpm dlx tool@1.2.3`, `pipx run tool==1.2.3`, `uvx tool@1.2.3`, `cargo install tool@1.2.3 --locked`), or add the tool to the project\'s lockfile and run it from there.'
  },
  'go-install': {
    title: '`go install` of a moving version',
    fix: 'Install an exact version (`go install example.com/tool@v1.2.3`), or track the tool in `go.mod` (a `tool` directive or tools.go) and `go install` it without a version.'
  }
};

interface Ctx {
  snapshot: GovernanceSnapshot;
  trusted: ReadonlySet<string>;
  drafts: Map<string, FindingDraft>;
}

function finalSeverity(base: 'low' | 'normal', privileged: string | undefined): Severity {
  if (base === 'low') return 'low';
  return privileged ? 'high' : 'medium';
}

function add(ctx: Ctx, draft: FindingDraft): void {
  const key = `${draft.path}\u0000${draft.subject}`;
  const prev = ctx.drafts.get(key);
  if (!prev) {
    ctx.drafts.set(key, draft);
    return;
  }
  for (const e of draft.evidence) if (!prev.evidence.some((p) => p.line === e.line && p.path === e.path)) prev.evidence.push(e);
}

function where(wf: WorkflowFile, job: Job): string {
  return wf.kind === 'action' ? `composite action \`${wf.path}\`` : `job \`${job.id}\` of \`${wf.path}\``;
}

/** The comment to keep next to a SHA pin: the tag written, or `vX.Y.Z` when the ref is a branch (`main`, `master`) or missing. */
function pinComment(ref: string): string {
  const at = ref.lastIndexOf('@');
  const tag = at === -1 ? '' : ref.slice(at + 1);
  return /^v\d|^\d+\.\d/.test(tag) ? tag : 'vX.Y.Z (the release you reviewed)';
}

function checkUses(ctx: Ctx, wf: WorkflowFile, job: Job, uses: { value: string; line: number; column: number }, isWorkflowCall: boolean, priv: string | undefined): void {
  const v = classifyUses(uses.value, ctx.snapshot, ctx.trusted);
  if (v.kind !== 'unpinned') return;
  const ref = uses.value.trim();
  const severity = finalSeverity(v.severity, priv);
  const docker = ref.startsWith('docker://');
  const what = docker ? 'Docker image' : isWorkflowCall ? 'reusable workflow' : 'action';
  const privText = priv && severity === 'high' ? ` This matters more here: ${priv}.` : '';
  const fix = docker
    ? 'Reference the image by digest: `docker://image@sha256:<digest>` (keep the tag in a comment).'
    : `Pin it to the full commit SHA of the reviewed release and keep the tag as a comment (\`${ref.replace(/@.*$/, '')}@<40-hex sha> # ${pinComment(ref)}\`); Dependabot and Renovate keep such pins up to date.`;
  add(ctx, {
    subject: `${job.id}:${ref}`,
    path: wf.path,
    severity,
    confidence: 'high',
    title: docker ? 'Docker image not pinned by digest' : severity === 'low' ? 'Trusted action pinned to a tag, not a SHA' : `Third-party ${what} not pinned to a commit SHA`,
    message: `The ${what} \`${ref}\` in ${where(wf, job)} is not pinned to immutable content: ${v.why}.${privText} ${fix}`,
    evidence: [{ path: wf.path, line: uses.line, column: uses.column, snippet: `uses: ${ref}` }]
  });
}

function checkImage(ctx: Ctx, wf: WorkflowFile, job: Job, image: { id: string; image: string; line: number; column: number }, service: boolean, priv: string | undefined): void {
  const img = image.image.trim();
  if (img === '' || img.includes('${{') || DIGEST.test(img)) return;
  const lastSlash = img.lastIndexOf('/');
  const tagAt = img.indexOf(':', lastSlash + 1);
  const tag = tagAt === -1 ? '' : img.slice(tagAt + 1);
  const floating = tag === '' || tag === 'latest';
  const base: 'low' | 'normal' = service && !floating ? 'low' : 'normal';
  const severity = finalSeverity(base, priv);
  const label = service ? `service container \`${image.id}\`` : 'job container';
  const why = floating ? (tag === '' ? 'it has no tag, so it means `:latest`, which changes with every push' : '`:latest` changes with every push') : `the tag \`${tag}\` can be re-pushed`;
  const privText = priv && severity === 'high' ? ` This matters more here: ${priv}.` : '';
  add(ctx, {
    subject: service ? `${job.id}:service:${image.id}:${img}` : `${job.id}:container:${img}`,
    path: wf.path,
    severity,
    confidence: 'high',
    title: service ? 'Service container image not pinned by digest' : 'Job container image not pinned by digest',
    message:
      `The ${label} image \`${img}\` in ${where(wf, job)} is not pinned by digest: ${why}.` +
      (service ? '' : ' Every step of the job runs inside this image, with the job\'s token and secrets.') +
      `${privText} Pin it: \`image: ${img.split('@')[0]}@sha256:<digest>\`.`,
    evidence: [{ path: wf.path, line: image.line, column: image.column, snippet: `image: ${img}` }]
  });
}

function checkRun(ctx: Ctx, wf: WorkflowFile, job: Job, step: Step, priv: string | undefined): void {
  const run = step.run;
  if (!run) return;
  if (!scriptShell(step)) return;
  for (const hit of scanRunScript(run.value)) {
    const low = hit.kind === 'pip-requirements';
    const severity = finalSeverity(low ? 'low' : 'normal', priv);
    const confidence: Confidence = low ? 'low' : 'high';
    const text = KIND_TEXT[hit.kind];
    const privText = priv && severity === 'high' ? ` This matters more here: ${priv}.` : '';
    const caveat = low ? ' (If the file pins every requirement with `--hash`, pip already enforces the hashes; adding `--require-hashes` states it and makes this finding go away.)' : '';
    const stepLabel = step.id || step.name ? `step \`${stepKey(step)}\`` : `step ${step.index + 1}`;
    add(ctx, {
      subject: `${job.id}:${stepKey(step)}:${hit.kind}`,
      path: wf.path,
      severity,
      confidence,
      title: text.title,
      message: `The \`run:\` ${stepLabel} in ${where(wf, job)} ${hit.detail}; what runs can change without a change to this repository.${caveat}${privText} ${text.fix}`,
      evidence: [{ path: wf.path, line: scriptLine(run, hit.line), snippet: lineOf(run.value, hit.line) }],
      remediation: text.fix
    });
  }
}

function lineOf(script: string, idx: number): string {
  const lines = script.split('\n', idx + 1);
  const l = (lines[idx] ?? lines[lines.length - 1] ?? '').trim();
  return l.length > 200 ? `${l.slice(0, 200)}…` : l;
}

/** A checkout of another repository at a moving ref: where its files land, and what it names. */
interface ForeignCheckout {
  step: Step;
  /** Normalised path (`''` for the workspace root). */
  dir: string;
  what: string;
}

/** `path:` as written → a relative directory without `./` or trailing `/` (`''` for the root). */
function checkoutDir(raw: string | undefined): string {
  let t = (raw ?? '').trim().replace(/^["']|["']$/g, '');
  while (t.startsWith('./')) t = t.slice(2);
  return t === '.' ? '' : t.replace(/\/+$/, '');
}

/**
 * `actions/checkout` of another repository (a literal `owner/name`, not this one) at a branch, a
 * tag or its default branch, that is, at a ref that can move. Undefined otherwise (this
 * repository, a full SHA, an expression).
 */
function foreignCheckout(step: Step, snapshot: GovernanceSnapshot): ForeignCheckout | undefined {
  if ((step.uses ? actionName(step.uses.value) : undefined) !== 'actions/checkout') return undefined;
  const repo = step.with.repository?.value.trim() ?? '';
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) return undefined;
  if (repo.toLowerCase() === `${snapshot.repo.owner}/${snapshot.repo.name}`.toLowerCase()) return undefined;
  const ref = step.with.ref?.value.trim() ?? '';
  if (FULL_SHA.test(ref) || ref.includes('${{')) return undefined;
  return { step, dir: checkoutDir(step.with.path?.value), what: `\`${repo}\`${ref ? ` at \`${ref}\`` : ' at its default branch'}` };
}

/** The foreign checkout whose files a later step runs: a local action inside it, or a `run:` working in it. */
function runsForeign(step: Step, checkouts: readonly ForeignCheckout[]): ForeignCheckout | undefined {
  const inside = (p: string, c: ForeignCheckout) => c.dir === '' || p === c.dir || p.startsWith(`${c.dir}/`);
  const local = step.uses?.value.trim();
  if (local?.startsWith('./')) {
    const p = checkoutDir(local.replace(/@.*$/, ''));
    return [...checkouts].reverse().find((c) => inside(p, c));
  }
  if (step.run && step.workingDirectory) {
    const p = checkoutDir(step.workingDirectory);
    return [...checkouts].reverse().find((c) => c.dir !== '' && inside(p, c));
  }
  return undefined;
}

function checkForeign(ctx: Ctx, wf: WorkflowFile, job: Job, step: Step, c: ForeignCheckout, priv: string | undefined): void {
  const severity = finalSeverity('normal', priv);
  const privText = priv && severity === 'high' ? ` This matters more here: ${priv}.` : '';
  const how = step.uses ? `runs the action \`${step.uses.value.trim()}\` from it` : `runs a script in \`${step.workingDirectory}\``;
  const fix = 'Check the other repository out at a full commit SHA (`ref: <40-hex sha>`), or publish its action and pin it by SHA like any other.';
  add(ctx, {
    subject: `${job.id}:${stepKey(step)}:foreign-checkout`,
    path: wf.path,
    severity,
    confidence: 'high',
    title: 'Code from another repository run at a moving ref',
    message: `${where(wf, job)[0].toUpperCase()}${where(wf, job).slice(1)} checks out ${c.what} and ${how}; what runs changes whenever that repository does.${privText} ${fix}`,
    evidence: [
      { path: wf.path, line: c.step.line, column: c.step.column },
      { path: wf.path, line: step.uses?.line ?? step.run?.line ?? step.line }
    ],
    remediation: fix
  });
}

function evaluateFile(ctx: Ctx, wf: WorkflowFile): void {
  for (const job of wf.jobs) {
    const priv = wf.kind === 'workflow' ? privilegeReason(wf, job, ctx.snapshot) : undefined;
    if (job.uses) checkUses(ctx, wf, job, job.uses, true, priv);
    if (job.container) checkImage(ctx, wf, job, job.container, false, priv);
    for (const s of job.services) checkImage(ctx, wf, job, s, true, priv);
    let foreign: ForeignCheckout[] = [];
    for (const step of job.steps) {
      const f = foreignCheckout(step, ctx.snapshot);
      if (step.uses && actionName(step.uses.value) === 'actions/checkout') {
        // A later checkout into the same directory replaces what was there.
        const dir = checkoutDir(step.with.path?.value);
        foreign = foreign.filter((c) => c.dir !== dir);
        if (f) foreign.push(f);
      }
      if (step.uses) checkUses(ctx, wf, job, step.uses, false, priv);
      if (step.run) checkRun(ctx, wf, job, step, priv);
      const ran = foreign.length > 0 ? runsForeign(step, foreign) : undefined;
      if (ran) checkForeign(ctx, wf, job, step, ran, priv);
    }
  }
}

export function evaluate(snapshot: GovernanceSnapshot, config: RulePolicy): FindingDraft[] {
  const ctx: Ctx = { snapshot, trusted: trustedOwners(config), drafts: new Map() };
  for (const wf of snapshot.workflows) {
    if (wf.parseError) continue;
    evaluateFile(ctx, wf);
  }
  return [...ctx.drafts.values()];
}

export const rule: Rule = { meta, evaluate };
