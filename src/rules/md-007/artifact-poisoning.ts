/**
 * MD-007 shape 3 — artifact poisoning (`workflow_run`, `pull_request_target`): detection of
 * downloads of another run's artifacts and where they land, then a line-by-line walk of the job's
 * later steps that follows the taint (downloaded paths, extracted and copied files, variables and
 * step outputs read from them) to an execution, a write to `$GITHUB_ENV` / `$GITHUB_PATH`, `${{ }}`
 * or an unquoted argument. `artifactFindings` produces the `<job>:artifact-poisoning` finding. The
 * rule module's header documents the shapes and severities.
 */
import type { Evidence, FindingDraft } from '../../model/finding.js';
import type { Job, Step, WorkflowFile } from '../../model/workflow.js';
import { scriptLine } from '../md-002-unpinned-execution.js';
import { actionName, matchesAction } from '../shared/action-ref.js';
import { BUILD_ACTIONS, EXPRESSION, execution, guarded, matchesAny, stepLabel } from './common.js';
import { DIR_FLAG, INLINE, INTERPRETER, MODULE, PROGRAM_FIRST, READ_CMDS, SAFE_UNQUOTED, cwdInert, runsProject, scriptArg } from './shell-commands.js';
import { commandIndex, heredocStart, lex, words } from './shell-lexer.js';

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

/** Does this simple command run anything but an inert utility (see `cwdInert`)? */
function runsCode(seg: string): boolean {
  const ws = words(seg);
  let i = commandIndex(ws);
  // Redirections (`<file`, `2>/dev/null`) are not the command, nor is the rest of a quoted word after a
  // command substitution (`echo "n=$(<f)" >> …` leaves `" >> "` behind).
  while (i < ws.length && (/^\d*[<>]/.test(ws[i].w) || /^(?:\s|$)/.test(ws[i].w))) i++;
  if (i >= ws.length) return false;
  const cmd = ws[i].w;
  // Neither a `case` pattern (`*)`, `(x)`) split off by the lexer nor the options on a continuation line is a command.
  if (/^[*(-]/.test(cmd)) return false;
  return !cwdInert(cmd.startsWith('/') ? cmd.slice(cmd.lastIndexOf('/') + 1) : cmd, ws.slice(i + 1));
}

/** Walk one `run:` script line by line: downloads (`gh run download`), taint propagation and executions. */
/**
 * Where a `run:` script starts: its `working-directory:` (the step's, else the job's or the
 * workflow's `defaults.run`), resolved like a `cd` from the workspace.
 */
function startCwd(dir: string | undefined, st: ArtifactState): Cwd {
  const t = dir === undefined ? '' : normPath(dir);
  if (t === '' || t === '..') return { kind: 'workspace' };
  const d = tiedPath(t, st, { kind: 'workspace' });
  if (d) return { kind: 'tainted', dl: d };
  // As for `cd`: another directory of the workspace is still the workspace (a download into its
  // root can hold it); an absolute path or an expression is somewhere else.
  return isAbsolute(t) || t.includes('${{') ? { kind: 'elsewhere' } : { kind: 'workspace' };
}

function scanRun(step: Step, run: { value: string; line: number }, st: ArtifactState, later: { v?: Later }, dir: string | undefined): PoisonHit | undefined {
  const lines = run.value.split('\n');
  const vars = new Map<string, Download>();
  for (const k of Object.keys(step.env)) {
    const t = taintedOutputRef(step.env[k].value, st);
    if (t) vars.set(k, t.dl);
  }
  let cwd: Cwd = startCwd(dir, st);
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

    for (const re of VALIDATE) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m; m = re.exec(line)) vars.delete(m[1]);
    }
    const segs = lex(line);
    // Code that files in the workspace could change: any command but the inert utilities (`echo`, `cat`, `unzip`, `jq`, …).
    if (!later.v && (st.root ?? st.unknown) && segs.some((seg) => runsCode(seg.text))) later.v = { dl: (st.root ?? st.unknown) as Download, step, line: at };
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
function poisonedUse(step: Step, st: ArtifactState, later: { v?: Later }, defaultDir: string | undefined): PoisonHit | undefined {
  if (step.run) return scanRun(step, step.run, st, later, step.workingDirectory ?? defaultDir);
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

export function artifactFindings(wf: WorkflowFile, job: Job, privileged: string, out: FindingDraft[]): void {
  if (job.uses || job.steps.length === 0 || guarded(job.if?.value) || trustedRunGuard(job.if?.value)) return;
  const st: ArtifactState = { dirs: new Map(), outputs: new Map() };
  const later: { v?: Later } = {};
  let hit: PoisonHit | undefined;
  for (const step of job.steps) {
    if (tainted(st) || (step.run !== undefined && /\bgh\s+run\s+download\b/.test(step.run.value))) {
      hit = poisonedUse(step, st, later, job.defaultWorkingDirectory ?? wf.defaultWorkingDirectory);
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
