/**
 * CODEOWNERS parser (pure).
 *
 * Follows GitHub's rules (docs: "About code owners"):
 * - blank lines and lines starting with `#` are skipped; a token starting with `#` after the
 *   pattern starts an inline comment;
 * - a line is `pattern owner…`; a pattern with no owners is valid and means "no owner" (it is
 *   kept as an entry with empty `owners`, because it overrides earlier matches);
 * - owners are `@user`, `@org/team` or an e-mail address;
 * - gitignore features GitHub does not support are errors: `!` negation, `[ ]` character
 *   ranges, and `\#` escaping a pattern that starts with `#`;
 * - a line with a syntax error is skipped by GitHub, so it produces an error and no entry;
 * - spaces inside a pattern may be escaped as `\ ` (the entry's pattern holds a plain space);
 * - GitHub ignores a CODEOWNERS file larger than 3 MB.
 */
import { createHash } from 'node:crypto';
import type { CodeownersEntry, CodeownersError, CodeownersFile } from '../model/codeowners.js';

/** GitHub ignores CODEOWNERS files above this size. */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;

const USER_OR_TEAM = /^@[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;
const EMAIL = /^[^@\s]+@[^@\s/]+\.[^@\s/]+$/;

interface Token {
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

/** Split a line on unescaped whitespace; `\ ` stays part of a token (unescaped). */
function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= line.length) break;
    const start = i;
    let text = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] === '\\' && (line[i + 1] === ' ' || line[i + 1] === '\t')) {
        text += line[i + 1];
        i += 2;
      } else {
        text += line[i];
        i++;
      }
    }
    out.push({ text, column: start + 1 });
  }
  return out;
}

function patternProblem(pattern: string): string | undefined {
  if (pattern.startsWith('\\#')) return 'escaping a pattern that starts with `#` (`\\#`) is not supported by CODEOWNERS';
  if (pattern.startsWith('!')) return 'negated patterns (`!`) are not supported by CODEOWNERS';
  if (pattern.includes('[') || pattern.includes(']')) return 'character ranges (`[ ]`) are not supported by CODEOWNERS';
  return undefined;
}

function isValidOwner(owner: string): boolean {
  return USER_OR_TEAM.test(owner) || (!owner.startsWith('@') && EMAIL.test(owner));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Parse a CODEOWNERS file. Never throws. */
export function parseCodeowners(path: string, text: string): CodeownersFile {
  const entries: CodeownersEntry[] = [];
  const errors: CodeownersError[] = [];
  const result: CodeownersFile = { path, sha256: sha256(text), entries, errors };
  if (Buffer.byteLength(text, 'utf8') > CODEOWNERS_MAX_BYTES) {
    errors.push({ line: 1, message: 'CODEOWNERS is larger than 3 MB; GitHub ignores the whole file', source: 'local' });
    return result;
  }
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = src.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const tokens = tokenize(raw);
    if (tokens.length === 0) continue;
    const first = tokens[0];
    if (first.text.startsWith('#')) continue;
    const commentAt = tokens.findIndex((t, idx) => idx > 0 && t.text.startsWith('#'));
    const owners = (commentAt === -1 ? tokens.slice(1) : tokens.slice(1, commentAt));

    const problem = patternProblem(first.text);
    if (problem) {
      errors.push({ line: lineNo, column: first.column, message: `${problem}: \`${first.text}\``, source: 'local' });
      continue;
    }
    const badOwner = owners.find((o) => !isValidOwner(o.text));
    if (badOwner) {
      errors.push({
        line: lineNo,
        column: badOwner.column,
        message: `invalid owner \`${badOwner.text}\`: owners must be @user, @org/team or an e-mail address; GitHub skips this line`,
        source: 'local'
      });
      continue;
    }
    entries.push({ pattern: first.text, owners: owners.map((o) => o.text), line: lineNo });
  }
  return result;
}
