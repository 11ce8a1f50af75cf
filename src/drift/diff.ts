import type { Baseline } from './baseline.js';

export type ChangeKind = 'added' | 'removed' | 'modified';
export type ChangeCategory = 'file' | 'workflow-triggers' | 'workflow-permissions' | 'job-permissions' | 'protection' | 'required-check';

export interface DriftChange {
  category: ChangeCategory;
  item: string;
  kind: ChangeKind;
  old?: string;
  new?: string;
}

export interface DriftResult {
  changes: DriftChange[];
  /** Weighted changed items / weighted tracked items, 0…1. */
  magnitude: number;
  trackedItems: number;
}

/**
 * Weights: a protection or permission change matters more than an edit to a tracked file,
 * because it changes what the gate enforces rather than what it reads.
 */
const WEIGHT: Record<ChangeCategory, number> = {
  file: 1,
  'workflow-triggers': 2,
  'workflow-permissions': 2,
  'job-permissions': 2,
  protection: 3,
  'required-check': 3
};

function diffMaps(category: ChangeCategory, before: Record<string, string>, after: Record<string, string>, out: DriftChange[], weights: { total: number; changed: number }): void {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of [...keys].sort()) {
    weights.total += WEIGHT[category];
    const a = before[k];
    const b = after[k];
    if (a === b) continue;
    weights.changed += WEIGHT[category];
    out.push(a === undefined ? { category, item: k, kind: 'added', new: b } : b === undefined ? { category, item: k, kind: 'removed', old: a } : { category, item: k, kind: 'modified', old: a, new: b });
  }
}

/** Every change between two baselines, and the drift magnitude. Pure and deterministic. */
export function diffBaselines(before: Baseline, after: Baseline): DriftResult {
  const changes: DriftChange[] = [];
  const w = { total: 0, changed: 0 };
  diffMaps('file', before.files, after.files, changes, w);
  const trig = (b: Baseline) => Object.fromEntries(Object.entries(b.workflows).map(([p, f]) => [p, f.triggers.join(',')]));
  const perm = (b: Baseline) => Object.fromEntries(Object.entries(b.workflows).map(([p, f]) => [p, f.permissions]));
  const jobs = (b: Baseline) => Object.fromEntries(Object.entries(b.workflows).flatMap(([p, f]) => Object.entries(f.jobs).map(([j, v]) => [`${p}#${j}`, v])));
  diffMaps('workflow-triggers', trig(before), trig(after), changes, w);
  diffMaps('workflow-permissions', perm(before), perm(after), changes, w);
  diffMaps('job-permissions', jobs(before), jobs(after), changes, w);
  // Protection that could not be read on either side is not compared: unknown is not a change.
  if (before.protection && after.protection) diffMaps('protection', before.protection, after.protection, changes, w);
  if (before.requiredChecks && after.requiredChecks) {
    const set = (xs: string[]) => Object.fromEntries(xs.map((x) => [x, 'required']));
    diffMaps('required-check', set(before.requiredChecks), set(after.requiredChecks), changes, w);
  }
  return { changes, magnitude: w.total === 0 ? 0 : Math.round((w.changed / w.total) * 10000) / 10000, trackedItems: w.total };
}
