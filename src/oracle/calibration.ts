import type { Demotion, RuleMeta, RulePolicy } from '../model/index.js';

/** The part of a recorded event calibration needs (structurally the store's FPEvent). */
export interface CalibrationEvent {
  outcome: 'pending' | 'false_positive' | 'true_positive';
  reviewer?: string;
  ruleVersion?: string;
}

export interface RuleStats {
  total: number;
  falsePositives: number;
  pending: number;
  reviewed: number;
  /** FP / (total − pending); null when nothing has been reviewed. */
  fpr: number | null;
}

/** Window sizes for demotion (DESIGN §6): the last 200 reviewed events, at least 20 of them. */
export const DEMOTION_WINDOW = 200;
export const DEMOTION_MIN_REVIEWED = 20;

export function ruleStats(events: readonly CalibrationEvent[]): RuleStats {
  let fp = 0;
  let pending = 0;
  for (const e of events) {
    if (e.outcome === 'pending') pending++;
    else if (e.outcome === 'false_positive') fp++;
  }
  const reviewed = events.length - pending;
  return { total: events.length, falsePositives: fp, pending, reviewed, fpr: reviewed > 0 ? fp / reviewed : null };
}

/**
 * Blocking rules whose measured FPR over their window exceeds their ceiling run as `warn`.
 * `windows` holds each rule's most recent events, newest first.
 */
export function computeDemotions(
  metas: readonly RuleMeta[],
  actions: Readonly<Record<string, 'block' | 'warn'>>,
  policies: Readonly<Record<string, RulePolicy>>,
  windows: ReadonlyMap<string, readonly CalibrationEvent[]>
): Demotion[] {
  const out: Demotion[] = [];
  for (const meta of metas) {
    if (actions[meta.id] !== 'block') continue;
    const reviewed = (windows.get(meta.id) ?? []).filter((e) => e.outcome !== 'pending').slice(0, DEMOTION_WINDOW);
    if (reviewed.length < DEMOTION_MIN_REVIEWED) continue;
    const stats = ruleStats(reviewed);
    const ceiling = policies[meta.id]?.fpCeiling ?? meta.fpCeiling;
    if (stats.fpr !== null && stats.fpr > ceiling) {
      out.push({ ruleId: meta.id, fpr: round4(stats.fpr), ceiling, reviewed: stats.reviewed, from: 'block', to: 'warn' });
    }
  }
  return out;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
