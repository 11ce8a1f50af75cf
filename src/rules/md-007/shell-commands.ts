/**
 * What common shell commands do with their arguments, with no rule knowledge: which ones are
 * interpreters and which operand is the script they run, which build tools run the files of the
 * directory they start in, which read files, which load no code or configuration from the working
 * directory, and which take unquoted variables harmlessly. Used by
 * MD-007's artifact-poisoning scan to tell execution of a downloaded file from reading it as data.
 */
import type { Word } from './shell-lexer.js';

export const INTERPRETER = /^(?:bash|sh|zsh|dash|ksh|source|\.|python(?:[23](?:\.\d+)?)?|pypy3?|node|nodejs|deno|tsx|ts-node|ruby|perl|php|pwsh|powershell|Rscript|lua)$/;
export const MODULE = Symbol('module');
export const INLINE = Symbol('inline');

/** The script file an interpreter runs; MODULE for `python -m`; INLINE for `-c`/`-e` code; undefined for stdin. */
export function scriptArg(base: string, args: readonly Word[]): string | typeof MODULE | typeof INLINE | undefined {
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
export function runsProject(base: string, args: readonly Word[]): boolean {
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
export const DIR_FLAG = /^(?:-C|--directory|--prefix|--cwd|--dir|-f|--file|--makefile|--manifest-path|-p|--project)$/;
export const READ_CMDS: ReadonlySet<string> = new Set(['cat', 'head', 'tail', 'jq', 'yq', 'awk', 'sed', 'cut', 'grep', 'base64', 'sort', 'uniq']);
/** Read commands whose first operand is a program or pattern, not a file. */
export const PROGRAM_FIRST: ReadonlySet<string> = new Set(['jq', 'yq', 'awk', 'sed', 'grep']);
/**
 * Shell keywords, builtins and utilities that load no code or configuration from the working
 * directory: files extracted there cannot change what they do. (`git`, `gh`, interpreters, package
 * managers and build tools are deliberately absent: they read `.git/config`, `node_modules`, `.npmrc`,
 * `sys.path[0]`, build files…)
 */
export const NO_CWD_CODE: ReadonlySet<string> = new Set([
  'echo', 'printf', 'test', '[', '[[', ':', 'true', 'false', 'exit', 'return', 'set', 'unset', 'export', 'local', 'declare',
  'readonly', 'shift', 'read', 'cd', 'pushd', 'popd', 'fi', 'done', 'esac', 'case', 'for', 'sleep', 'wait',
  'cat', 'head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'tr', 'tee', 'grep', 'egrep', 'fgrep', 'sed', 'awk', 'jq', 'yq', 'base64',
  'ls', 'mkdir', 'rm', 'rmdir', 'mv', 'cp', 'touch', 'ln', 'stat', 'basename', 'dirname', 'realpath', 'readlink',
  'date', 'diff', 'cmp', 'sha256sum', 'sha1sum', 'md5sum', 'unzip', 'zip', 'tar', 'gzip', 'gunzip', 'zcat', 'xz', 'curl'
]);

/** Options that make an otherwise inert command run a script or program named by a file (`sed -f`, `tar --to-command`, `curl -K`). */
const RUNS_FILE_OPTION: Readonly<Record<string, RegExp>> = {
  sed: /^(?:-f|--file(?:=.*)?)$/,
  awk: /^(?:-f|--file(?:=.*)?)$/,
  tar: /^(?:-I|-F|--to-command|--use-compress-program|--checkpoint-action|--info-script|--new-volume-script)(?:=.*)?$/,
  curl: /^(?:-K|--config(?:=.*)?)$/
};

/** Is this command (base name and arguments) one whose behaviour files in the working directory cannot change? */
export function cwdInert(base: string, args: readonly Word[]): boolean {
  if (!NO_CWD_CODE.has(base)) return false;
  const opt = RUNS_FILE_OPTION[base];
  return opt === undefined || !args.some((a) => opt.test(a.w));
}

/** Commands for which an unquoted variable is not an argument-injection risk. */
export const SAFE_UNQUOTED: ReadonlySet<string> = new Set(['echo', 'printf', '[[', '[', 'test', ':', 'true', 'false', 'local', 'export', 'declare', 'readonly', 'case', 'return', 'exit', 'let', 'shift', 'unset', 'set', 'for', '((']);
