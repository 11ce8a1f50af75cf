import type { Settings } from '../model/index.js';
import { ruleStats } from '../oracle/calibration.js';
import { RULES } from '../rules/index.js';
import type { Stores } from '../store/types.js';
import { ConfigurationError } from '../config/errors.js';
import type { Log } from './log.js';

export interface CalibrationRow {
  ruleId: string;
  total: number;
  falsePositives: number;
  pending: number;
  fpr: number | null;
  ceiling: number;
  breach: boolean;
}

export interface CalibrateResult {
  marked: string[];
  rows: CalibrationRow[];
}

/**
 * The calibration run: record the false-positive marks given as inputs, then report each rule's
 * measured false-positive rate over its window.
 */
export async function runCalibrate(settings: Settings, stores: Stores, log: Log, now: Date = new Date()): Promise<CalibrateResult> {
  const marked: string[] = [];
  if (settings.falsePositive.length > 0) {
    if (!settings.reviewer) {
      throw new ConfigurationError("Input 'false-positive' needs 'reviewer': say who reviewed the findings (a GitHub login).");
    }
    for (const id of settings.falsePositive) {
      await stores.fp.mark({ findingId: id, outcome: 'false_positive', reviewer: settings.reviewer, ticket: settings.ticket, markedAt: now.toISOString() });
      marked.push(id);
      log.info(`Marked ${id} as a false positive (reviewer ${settings.reviewer}${settings.ticket ? `, ticket ${settings.ticket}` : ''}).`);
    }
  }
  const windows = await stores.fp.window(RULES.map((r) => r.meta.id), { count: 200 });
  const rows = RULES.map((r) => {
    const s = ruleStats(windows.get(r.meta.id) ?? []);
    const ceiling = r.meta.fpCeiling;
    return { ruleId: r.meta.id, total: s.total, falsePositives: s.falsePositives, pending: s.pending, fpr: s.fpr, ceiling, breach: s.fpr !== null && s.fpr > ceiling };
  });
  return { marked, rows };
}

export function calibrationMarkdown(result: CalibrateResult): string {
  const lines = ['## Phase Mirror calibration', ''];
  if (result.marked.length > 0) lines.push(`Marked as false positive: ${result.marked.map((id) => `\`${id}\``).join(', ')}`, '');
  lines.push('| rule | events | false positives | pending | FPR | ceiling | breach |', '|---|---:|---:|---:|---:|---:|---|');
  for (const r of result.rows) {
    lines.push(`| ${r.ruleId} | ${r.total} | ${r.falsePositives} | ${r.pending} | ${r.fpr === null ? '–' : r.fpr.toFixed(3)} | ${r.ceiling} | ${r.breach ? 'yes' : 'no'} |`);
  }
  return lines.join('\n') + '\n';
}
