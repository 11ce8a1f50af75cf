/**
 * Generic reading of shell script lines, with no rule knowledge: splitting a line into simple
 * commands (`lex`, which also notes unquoted variable expansions), detecting the start of a
 * here-document, splitting a command into words and finding its command word past assignments,
 * `sudo` / `env` and keywords. Used by MD-007's artifact-poisoning scan, which reads a `run:`
 * script line by line.
 */

export interface Seg {
  text: string;
  /** Variables expanded outside quotes (`$X`, `${X}`). */
  vars: string[];
}

/**
 * Split a shell line into simple commands at `;`, `&`, `|`, parentheses, `$(…)` and backticks
 * (command substitutions become their own segments), noting the unquoted variable expansions.
 */
export function lex(line: string): Seg[] {
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
export function heredocStart(line: string): { word: string; strip: boolean } | undefined {
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

export interface Word {
  /** The word with its quotes removed. */
  w: string;
  /** It started with a single-quoted part (a literal, such as a jq program). */
  literal: boolean;
}

export function words(seg: string): Word[] {
  const out: Word[] = [];
  for (const m of seg.matchAll(/(?:'[^']*'?|"(?:[^"\\]|\\.)*"?|[^\s'"])+/g)) out.push({ w: m[0].replace(/["']/g, ''), literal: m[0].startsWith("'") });
  return out;
}

const PREFIX_WORDS: ReadonlySet<string> = new Set(['sudo', 'exec', 'time', 'nohup', 'env', 'command', 'builtin', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', '}', 'xargs']);

/** Index of the command word: leading assignments, `sudo`/`env`/… (with their options) and keywords skipped. */
export function commandIndex(ws: readonly Word[]): number {
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
