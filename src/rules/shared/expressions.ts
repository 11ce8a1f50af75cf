/**
 * GitHub expressions (`if:` conditions, `${{ … }}`) as the rules read them: top-level logical
 * operators, wrapping parentheses, and what a condition says about the triggering event.
 */

/** Strip parentheses that wrap the whole operand. */
export function unwrap(s: string): string {
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

/**
 * Splits a GitHub expression at its top-level logical operators (`&&`, `||`, or only the one
 * given), respecting parentheses, brackets and string literals.
 */
export function splitLogical(expr: string, only?: '&&' | '||'): string[] {
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
    else if (depth === 0 && (c === '&' || c === '|') && expr[i + 1] === c && (only === undefined || only[0] === c)) {
      out.push(expr.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(expr.slice(start));
  return out;
}

const EVENT_ATOM = /^(?:github\s*\.\s*event_name\s*==\s*(['"])([\w-]+)\1|(['"])([\w-]+)\3\s*==\s*github\s*\.\s*event_name)$/;

/**
 * The events a job's `if:` restricts it to, when it plainly does: a top-level `&&` conjunct that
 * is `github.event_name == 'x'`, or an `||` of such comparisons only. Undefined when no conjunct
 * says anything certain about the event (negations, comparisons mixed with other tests).
 */
export function ifEvents(cond: string | undefined): Set<string> | undefined {
  if (!cond) return undefined;
  const expr = cond.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  for (const conjunct of splitLogical(expr, '&&')) {
    const atoms = splitLogical(unwrap(conjunct), '||').map((a) => EVENT_ATOM.exec(unwrap(a)));
    if (atoms.every((m) => m !== null)) return new Set(atoms.map((m) => m![2] ?? m![4]));
  }
  return undefined;
}
