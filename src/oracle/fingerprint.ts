import { createHash } from 'node:crypto';

/**
 * Finding id: first 16 hex of sha256(`ruleId|path|subject`). Line numbers are deliberately
 * left out so marks and suppressions survive unrelated edits above the finding.
 */
export function findingId(ruleId: string, path: string, subject: string): string {
  return createHash('sha256').update(`${ruleId}|${path}|${subject}`).digest('hex').slice(0, 16);
}

/** `rules_hash`: sha256 of the sorted `id@version` list, joined by newlines. */
export function rulesHash(rules: readonly { id: string; version: string }[]): string {
  const list = rules.map((r) => `${r.id}@${r.version}`).sort();
  return createHash('sha256').update(list.join('\n')).digest('hex');
}
