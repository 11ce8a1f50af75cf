/**
 * Rule registry. A new rule is one file in this folder exporting `rule: Rule`, added here.
 * `RULES` is sorted by id.
 */
import type { Rule } from '../model/finding.js';
import { rule as md000 } from './md-000-unparseable.js';
import { rule as md001 } from './md-001-required-check-unreachable.js';
import { rule as md002 } from './md-002-unpinned-execution.js';
import { rule as md003 } from './md-003-declared-vs-live.js';
import { rule as md004 } from './md-004-over-privileged-token.js';
import { rule as md005 } from './md-005-merge-group-patch-missing.js';
import { rule as md006 } from './md-006-codeowners-dissonance.js';
import { rule as md007 } from './md-007-untrusted-input-executed.js';
import { rule as md102 } from './md-102-merge-queue-trust-chain.js';

export const RULES: readonly Rule[] = [md000, md001, md002, md003, md004, md005, md006, md007, md102].sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));

const BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}
