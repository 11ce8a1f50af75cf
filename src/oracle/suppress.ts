import type { Finding, Suppression } from '../model/index.js';

export interface SuppressionMatch {
  reason: string;
  approvedBy?: string;
  expires?: string;
}

export interface SuppressionOutcome {
  /** finding id → the suppression that applies. */
  matches: Map<string, SuppressionMatch>;
  /** Entries that do not suppress anything because they are invalid. */
  invalid: { line: number; problem: string }[];
}

function isExpired(expires: string | undefined, now: Date): boolean {
  if (!expires) return false;
  // Holds through the whole expiry day, UTC.
  return now.getTime() >= Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
}

/** Gitignore-free path match for suppressions: exact path, a `dir/` prefix, or a `*`/`**` glob. */
export function pathMatches(pattern: string, path: string): boolean {
  if (pattern === path) return true;
  if (pattern.endsWith('/')) return path.startsWith(pattern);
  if (!pattern.includes('*')) return false;
  const re = pattern
    .split('**')
    .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${re}$`).test(path);
}

/**
 * Applies the policy's suppressions. An entry without a reason, or past its expiry, suppresses
 * nothing and is reported so someone fixes it.
 */
export function matchSuppressions(findings: readonly Finding[], suppressions: readonly Suppression[], now: Date): SuppressionOutcome {
  const invalid: { line: number; problem: string }[] = [];
  const valid: Suppression[] = [];
  for (const s of suppressions) {
    const what = s.finding ? `finding ${s.finding}` : `rule ${s.rule}${s.path ? ` on ${s.path}` : ''}`;
    if (!s.reason || !s.reason.trim()) invalid.push({ line: s.line, problem: `suppression of ${what} has no reason, so it does not apply` });
    else if (isExpired(s.expires, now)) invalid.push({ line: s.line, problem: `suppression of ${what} expired on ${s.expires}, so it no longer applies` });
    else valid.push(s);
  }
  const matches = new Map<string, SuppressionMatch>();
  for (const f of findings) {
    // L0 invariants are not rules: they can never be suppressed.
    if (f.ruleId.startsWith('L0-')) continue;
    const s = valid.find((v) =>
      v.finding ? v.finding === f.id : v.rule === f.ruleId && (!v.path || f.evidence.some((e) => pathMatches(v.path!, e.path)) || pathMatches(v.path, f.path))
    );
    if (s) matches.set(f.id, { reason: s.reason!, approvedBy: s.approvedBy, expires: s.expires });
  }
  return { matches, invalid };
}
