/**
 * Calibrate mode (DESIGN §10, issue 6 items 2–3): record the false-positive marks given as
 * inputs, then report per rule the measured false-positive rate over two windows (the last N
 * events, and the events of the last D days), the rule-version mix, the ceiling and whether it is
 * breached, demote/promote advice, the L0 contraction witness against the previous calibration
 * snapshot, and the anonymised cross-organisation aggregates when enough organisations consented.
 *
 * "Days in warn" is measured by calibration runs themselves: each run saves a snapshot per
 * repository (in the calibration store) with each rule's action as it ran (after automatic
 * demotion) and `warnSince`. The first run that sees a rule in `warn` stamps `warnSince`; later
 * runs carry it forward while they keep seeing it in `warn`, and drop it when they see it block.
 * Without a snapshot (first run, or a store that lost it) the count starts at 0: promotion needs
 * calibration runs spanning 14 days, which the scheduled or dispatched calibration workflow gives.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigurationError } from '../config/errors.js';
import type { Finding, L0Result, Policy, RuleMeta, Settings } from '../model/index.js';
import { computeDemotions, ruleStats, type CalibrationEvent } from '../oracle/calibration.js';
import { checkL0, l0Results, prepareL0, type L0Inputs } from '../oracle/l0.js';
import {
  aggregateContributions,
  contributeCalibration,
  hourBucket,
  type ContributionOutcome,
  type CrossOrgAggregate,
  type LoadedNonce
} from '../privacy/anonymizer.js';
import { escapeMarkdown } from '../report/summary.js';
import { RULES } from '../rules/index.js';
import type { CalibrationSnapshot, FPEvent, RuleSnapshot, Stores } from '../store/types.js';
import type { Log } from './log.js';
import { loadPolicy } from './policy-source.js';

export const DEFAULT_COUNT_WINDOW = 200;
export const DEFAULT_SINCE_DAYS = 30;
/** Most events read for the "since" window of one rule. */
export const SINCE_WINDOW_CAP = 10_000;
/** Promotion (warn → block) needs this many reviewed events, FPR under the ceiling and this many days in warn. */
export const PROMOTION_MIN_REVIEWED = 200;
export const PROMOTION_MIN_DAYS_IN_WARN = 14;
/** Automatic demotion's floor (DESIGN §6), repeated in the advice. */
export const DEMOTION_MIN_REVIEWED = 20;
export const CONTRACTION_EPSILON = 0.01;
export const CONTRACTION_MIN_WITNESSES = 10;
export const CALIBRATION_REPORT_FILE = 'calibration_report.json';
const DAY_MS = 86_400_000;

export interface WindowStats {
  total: number;
  falsePositives: number;
  pending: number;
  reviewed: number;
  /** FP / (total − pending); null when nothing was reviewed. */
  fpr: number | null;
  /** Events per rule version. */
  versions: Record<string, number>;
}

export type Advice = 'demote' | 'promote' | 'keep' | 'insufficient_data' | 'off';

export interface ContractionCheck {
  previousFpr: number | null;
  fpr: number | null;
  /** Reviewed events with a reviewer, reviewed after the previous snapshot. */
  witnesses: number;
  ok: boolean;
}

export interface CalibrationRow {
  ruleId: string;
  /** The action the policy (or the rule's default) gives; `off` when disabled. */
  configuredAction: 'block' | 'warn' | 'off';
  /** What a check run uses now: a demoted blocking rule runs as warn. */
  effectiveAction: 'block' | 'warn' | 'off';
  ceiling: number;
  byCount: WindowStats;
  bySince: WindowStats;
  /** Reviewed events among the last 200 reviewed (the demotion/promotion window). */
  reviewedWindow: number;
  reviewedFpr: number | null;
  breach: boolean;
  advice: Advice;
  adviceReason: string;
  warnSince?: string;
  daysInWarn: number | null;
  contraction: ContractionCheck;
  crossOrg?: CrossOrgAggregate;
}

export interface CalibrateResult {
  marked: string[];
  /** Ids marked although no event of them is in the store (warned). */
  markedUnseen: string[];
  generatedAt: string;
  windows: { count: number; sinceDays: number; since: string };
  rows: CalibrationRow[];
  /** The contraction_witness result. */
  l0: L0Result[];
  /** L0-contraction-witness when it failed (critical: the calibration run fails). */
  findings: Finding[];
  outcome: 'pass' | 'block';
  contribution: ContributionOutcome | { status: 'unavailable'; detail: string };
  /** Why cross-org aggregates are missing, when they are. */
  crossOrgUnavailable?: string;
  snapshot: { previousTakenAt: string | null; saved: boolean; error?: string };
  warnings: string[];
}

export interface CalibrateOptions {
  now?: Date;
  countWindow?: number;
  sinceDays?: number;
}

export function windowStats(events: readonly (CalibrationEvent & { ruleVersion?: string })[]): WindowStats {
  const s = ruleStats(events);
  const versions: Record<string, number> = {};
  for (const e of events) {
    const v = e.ruleVersion || 'unknown';
    versions[v] = (versions[v] ?? 0) + 1;
  }
  return { total: s.total, falsePositives: s.falsePositives, pending: s.pending, reviewed: s.reviewed, fpr: s.fpr, versions };
}

/** The snapshot key of a repository: pseudonymous (sha256), so the shared table holds no names. */
export function snapshotScope(repository: string): string {
  return createHash('sha256').update(`pm-action-calibration-snapshot|${repository.toLowerCase()}`).digest('hex').slice(0, 32);
}

/** Reviewed events with a reviewer, reviewed after `since` (all of them without a previous snapshot). */
export function countWitnesses(events: readonly FPEvent[], sinceIso: string | null): number {
  const since = sinceIso ? Date.parse(sinceIso) : -Infinity;
  return events.filter((e) => e.outcome !== 'pending' && !!e.reviewer && (e.reviewedAt ? Date.parse(e.reviewedAt) > since : false)).length;
}

export interface AdviceInput {
  configuredAction: 'block' | 'warn' | 'off';
  demoted: boolean;
  ceiling: number;
  reviewed: number;
  fpr: number | null;
  daysInWarn: number | null;
}

/** Demote/promote advice (pure). */
export function adviceFor(i: AdviceInput): { advice: Advice; reason: string } {
  if (i.configuredAction === 'off') return { advice: 'off', reason: 'the rule is disabled by the policy' };
  const fpr = i.fpr === null ? '–' : i.fpr.toFixed(3);
  if (i.configuredAction === 'block') {
    if (i.demoted) {
      return {
        advice: 'demote',
        reason: `FPR ${fpr} over the ceiling ${i.ceiling} with ${i.reviewed} reviewed events: check runs already treat it as warn; fix the rule or set its action to warn in the policy`
      };
    }
    if (i.reviewed < DEMOTION_MIN_REVIEWED) {
      return { advice: 'insufficient_data', reason: `${i.reviewed} reviewed event(s); demotion is judged from ${DEMOTION_MIN_REVIEWED}` };
    }
    return { advice: 'keep', reason: `FPR ${fpr} within the ceiling ${i.ceiling}` };
  }
  // warn
  const missing: string[] = [];
  if (i.reviewed < PROMOTION_MIN_REVIEWED) missing.push(`${i.reviewed}/${PROMOTION_MIN_REVIEWED} reviewed events`);
  if (i.fpr === null || i.fpr >= i.ceiling) missing.push(`FPR ${fpr} not under the ceiling ${i.ceiling}`);
  const days = i.daysInWarn ?? 0;
  if (days < PROMOTION_MIN_DAYS_IN_WARN) missing.push(`${days}/${PROMOTION_MIN_DAYS_IN_WARN} days in warn`);
  if (missing.length === 0) {
    return { advice: 'promote', reason: `${i.reviewed} reviewed events, FPR ${fpr} under ${i.ceiling}, ${days} days in warn: the policy may set its action to block` };
  }
  if (i.reviewed < PROMOTION_MIN_REVIEWED) return { advice: 'insufficient_data', reason: `not ready for promotion: ${missing.join(', ')}` };
  return { advice: 'keep', reason: `not ready for promotion: ${missing.join(', ')}` };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function configuredAction(policy: Policy, meta: RuleMeta): 'block' | 'warn' | 'off' {
  const cfg = policy.rules[meta.id];
  if (cfg && (!cfg.enabled || cfg.action === 'off')) return 'off';
  return cfg?.action === 'block' || cfg?.action === 'warn' ? cfg.action : meta.defaultAction;
}

/** Records the marks given as inputs (`false-positive`, `reviewer`, `ticket`). */
async function markInputs(settings: Settings, stores: Stores, log: Log, now: Date): Promise<{ marked: string[]; unseen: string[] }> {
  const marked: string[] = [];
  const unseen: string[] = [];
  if (settings.falsePositive.length === 0) return { marked, unseen };
  if (!settings.reviewer) {
    throw new ConfigurationError("Input 'false-positive' needs 'reviewer': say who reviewed the findings (a GitHub login).");
  }
  let seen = new Map<string, FPEvent[]>();
  try {
    seen = await stores.fp.findingEvents(settings.falsePositive);
  } catch (err) {
    log.warning(`Could not look the finding ids up in the false-positive store (${describe(err)}); marking them anyway.`);
  }
  for (const id of settings.falsePositive) {
    const events = (seen.get(id) ?? []).filter((e) => e.repository.toLowerCase() === settings.run.repository.toLowerCase());
    const ruleId = events[0]?.ruleId;
    await stores.fp.mark({
      findingId: id,
      ...(ruleId ? { ruleId } : {}),
      outcome: 'false_positive',
      reviewer: settings.reviewer,
      ...(settings.ticket ? { ticket: settings.ticket } : {}),
      markedAt: now.toISOString()
    });
    marked.push(id);
    if (!ruleId) {
      unseen.push(id);
      // On the local store a dispatch run sees the default branch's events only: a finding seen
      // only on a PR branch is unknown here, yet its mark reaches that PR's next run.
      log.warning(`Finding ${id} has no recorded event in ${settings.run.repository}; marked anyway — check the id against the report.`);
    }
    log.info(`Marked ${id}${ruleId ? ` (${ruleId})` : ''} as a false positive (reviewer ${settings.reviewer}${settings.ticket ? `, ticket ${settings.ticket}` : ''}).`);
  }
  return { marked, unseen };
}

/**
 * The calibration run. Marks are written first (a failing store fails the run: nothing is
 * silently dropped); everything after is read-mostly and fails open with a warning.
 */
export async function runCalibrate(settings: Settings, stores: Stores, log: Log, nowOrOptions: Date | CalibrateOptions = {}): Promise<CalibrateResult> {
  const opts: CalibrateOptions = nowOrOptions instanceof Date ? { now: nowOrOptions } : nowOrOptions;
  const now = opts.now ?? new Date();
  const count = opts.countWindow ?? DEFAULT_COUNT_WINDOW;
  const sinceDays = opts.sinceDays ?? DEFAULT_SINCE_DAYS;
  const since = new Date(now.getTime() - sinceDays * DAY_MS);
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    log.warning(m);
  };

  const { marked, unseen } = await markInputs(settings, stores, log, now);
  const policy = await loadPolicy(settings.workspace, settings.policyPath, RULES.map((r) => r.meta.id));
  const metas = RULES.map((r) => r.meta);
  const ids = metas.map((m) => m.id);

  const [byCount, bySince, reviewed] = await Promise.all([
    stores.fp.window(ids, { count }),
    stores.fp.window(ids, { since, count: SINCE_WINDOW_CAP }),
    stores.fp.window(ids, { count: DEFAULT_COUNT_WINDOW, reviewedOnly: true })
  ]);

  const scope = snapshotScope(settings.run.repository);
  let previous: CalibrationSnapshot | null = null;
  let snapshotError: string | undefined;
  try {
    previous = await stores.calibration.loadSnapshot(scope);
  } catch (err) {
    snapshotError = `previous calibration snapshot unreadable: ${describe(err)}`;
    warn(`The previous calibration snapshot could not be read (${describe(err)}); the contraction witness and days in warn start afresh.`);
  }

  const configured: Record<string, 'block' | 'warn'> = {};
  for (const m of metas) {
    const a = configuredAction(policy, m);
    if (a !== 'off') configured[m.id] = a;
  }
  const demotions = new Set(computeDemotions(metas, configured, policy.rules, reviewed).map((d) => d.ruleId));

  const rows: CalibrationRow[] = [];
  const contraction: L0Inputs['contraction'] = [];
  for (const meta of metas) {
    const conf = configuredAction(policy, meta);
    const effective = conf === 'block' && demotions.has(meta.id) ? 'warn' : conf;
    const ceiling = policy.rules[meta.id]?.fpCeiling ?? meta.fpCeiling;
    const countEvents = byCount.get(meta.id) ?? [];
    const cs = windowStats(countEvents);
    const ss = windowStats(bySince.get(meta.id) ?? []);
    const rs = ruleStats(reviewed.get(meta.id) ?? []);
    const prev = previous?.rules[meta.id];
    let warnSince: string | undefined;
    if (effective === 'warn') warnSince = prev?.action === 'warn' && prev.warnSince ? prev.warnSince : now.toISOString();
    const daysInWarn = warnSince ? Math.max(0, Math.floor((now.getTime() - Date.parse(warnSince)) / DAY_MS)) : null;
    const witnesses = countWitnesses(countEvents, previous?.takenAt ?? null);
    const previousFpr = prev?.fpr ?? null;
    const ok = !(previousFpr !== null && cs.fpr !== null && previousFpr - cs.fpr > CONTRACTION_EPSILON && witnesses < CONTRACTION_MIN_WITNESSES);
    if (previousFpr !== null && cs.fpr !== null) contraction.push({ ruleId: meta.id, previousFpr, newFpr: cs.fpr, witnesses });
    const { advice, reason } = adviceFor({ configuredAction: conf, demoted: demotions.has(meta.id), ceiling, reviewed: rs.reviewed, fpr: rs.fpr, daysInWarn });
    rows.push({
      ruleId: meta.id,
      configuredAction: conf,
      effectiveAction: effective,
      ceiling,
      byCount: cs,
      bySince: ss,
      reviewedWindow: rs.reviewed,
      reviewedFpr: rs.fpr,
      breach: cs.fpr !== null && cs.fpr > ceiling,
      advice,
      adviceReason: reason,
      ...(warnSince ? { warnSince } : {}),
      daysInWarn,
      contraction: { previousFpr, fpr: cs.fpr, witnesses, ok }
    });
  }

  // L0 contraction witness, through the same allocation-free check as every run's L0.
  const l0In: L0Inputs = {
    mode: 'calibrate',
    schemaHash: 'n/a',
    expectedSchemaHash: 'n/a',
    baselineSchemaSupported: true,
    jobPermissions: null,
    driftMagnitude: null,
    driftThreshold: policy.drift.threshold,
    nonce: null,
    now,
    contraction
  };
  const l0State = prepareL0(l0In);
  const l0Out = l0Results(checkL0(l0State), l0In, l0State, policy.source);
  const l0 = l0Out.results.filter((r) => r.check === 'contraction_witness');
  const findings = l0Out.findings.filter((f) => f.ruleId === 'L0-contraction-witness');

  // Anonymised contribution and cross-organisation aggregates (fail open, fail closed on the key).
  let nonce: LoadedNonce | null = null;
  try {
    nonce = await stores.nonce.load();
  } catch (err) {
    warn(`The redaction key could not be loaded (${describe(err)}): nothing is contributed to shared calibration data.`);
  }
  const allEvents = ids.flatMap((id) => byCount.get(id) ?? []);
  const contribution = await contributeCalibration({
    repository: settings.run.repository,
    ruleIds: ids,
    events: allEvents,
    nonce,
    now,
    consent: stores.consent,
    calibration: stores.calibration
  });
  if (contribution.status === 'failed') warn(`Calibration contribution: ${contribution.detail}`);
  else if (contribution.status === 'skipped') log.info(`Calibration contribution skipped: ${contribution.detail}`);
  let crossOrgUnavailable: string | undefined;
  try {
    const sinceBucket = hourBucket(since);
    for (const row of rows) row.crossOrg = aggregateContributions(row.ruleId, await stores.calibration.read(row.ruleId), { sinceBucket });
  } catch (err) {
    crossOrgUnavailable = `calibration store unreadable: ${describe(err)}`;
    for (const row of rows) delete row.crossOrg;
    warn(`Cross-organisation aggregates unavailable (${describe(err)}).`);
  }

  // The next run's reference. A decrease without witnesses is not accepted: the old FPR stays.
  const snapRules: Record<string, RuleSnapshot> = {};
  for (const row of rows) {
    if (row.effectiveAction === 'off') continue;
    const fpr = row.contraction.ok ? row.byCount.fpr : row.contraction.previousFpr;
    snapRules[row.ruleId] = { fpr, reviewed: row.byCount.reviewed, action: row.effectiveAction, ...(row.warnSince ? { warnSince: row.warnSince } : {}) };
  }
  let saved = false;
  try {
    await stores.calibration.saveSnapshot({ scope, takenAt: now.toISOString(), rules: snapRules });
    saved = true;
  } catch (err) {
    snapshotError = [snapshotError, `snapshot not saved: ${describe(err)}`].filter(Boolean).join('; ');
    warn(`The calibration snapshot could not be saved (${describe(err)}); the next run compares against an older one.`);
  }

  return {
    marked,
    markedUnseen: unseen,
    generatedAt: now.toISOString(),
    windows: { count, sinceDays, since: since.toISOString() },
    rows,
    l0,
    findings,
    outcome: findings.length > 0 ? 'block' : 'pass',
    contribution,
    ...(crossOrgUnavailable ? { crossOrgUnavailable } : {}),
    snapshot: { previousTakenAt: previous?.takenAt ?? null, saved, ...(snapshotError ? { error: snapshotError } : {}) },
    warnings
  };
}

const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(3));
const versions = (v: Record<string, number>): string =>
  Object.keys(v).length === 0
    ? '–'
    : Object.keys(v)
        .sort()
        .map((k) => `${escapeMarkdown(k)}: ${v[k]}`)
        .join(', ');

/** The job summary (and the CLI's output). Every value from a store is escaped. */
export function calibrationMarkdown(result: CalibrateResult): string {
  const lines = ['## Phase Mirror calibration', ''];
  if (result.outcome === 'block') {
    lines.push(`> **L0 contraction witness failed**: ${escapeMarkdown(result.findings.map((f) => f.message).join('; '))}`, '');
  }
  if (result.marked.length > 0) lines.push(`Marked as false positive: ${result.marked.map((id) => `\`${escapeMarkdown(id)}\``).join(', ')}`, '');
  if (result.markedUnseen.length > 0) {
    lines.push(`Not seen in the store for this repository (marked anyway, check the ids): ${result.markedUnseen.map((id) => `\`${escapeMarkdown(id)}\``).join(', ')}`, '');
  }
  lines.push(
    `Windows: the last ${result.windows.count} events, and the last ${result.windows.sinceDays} days. FPR = FP / (events − pending).`,
    '',
    `| rule | action | events (last ${result.windows.count}) | false positives | pending | FPR | events (${result.windows.sinceDays} d) | FPR (${result.windows.sinceDays} d) | versions | ceiling | breach | advice |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|'
  );
  for (const r of result.rows) {
    const action = r.configuredAction === r.effectiveAction ? r.effectiveAction : `${r.configuredAction} → ${r.effectiveAction}`;
    lines.push(
      `| ${r.ruleId} | ${action} | ${r.byCount.total} | ${r.byCount.falsePositives} | ${r.byCount.pending} | ${fmt(r.byCount.fpr)} | ${r.bySince.total} | ${fmt(r.bySince.fpr)} | ${versions(r.byCount.versions)} | ${r.ceiling} | ${r.breach ? 'yes' : 'no'} | ${r.advice} |`
    );
  }
  const notable = result.rows.filter((r) => r.advice === 'demote' || r.advice === 'promote');
  if (notable.length > 0) {
    lines.push('', '### Advice', '');
    for (const r of notable) lines.push(`- **${r.ruleId}: ${r.advice}** — ${escapeMarkdown(r.adviceReason)}`);
  }
  const contracted = result.rows.filter((r) => r.contraction.previousFpr !== null && r.contraction.fpr !== null && r.contraction.previousFpr - r.contraction.fpr > CONTRACTION_EPSILON);
  if (contracted.length > 0) {
    lines.push('', '### Contraction witness', '');
    for (const r of contracted) {
      lines.push(
        `- ${r.ruleId}: FPR ${fmt(r.contraction.previousFpr)} → ${fmt(r.contraction.fpr)} with ${r.contraction.witnesses} reviewed event(s) since the last calibration — ${r.contraction.ok ? 'witnessed' : `**not witnessed** (needs ${CONTRACTION_MIN_WITNESSES}); the previous FPR is kept`}`
      );
    }
  }
  lines.push('', '### Cross-organisation aggregates', '');
  if (result.crossOrgUnavailable) lines.push(`Unavailable: ${escapeMarkdown(result.crossOrgUnavailable)}.`);
  else {
    const ok = result.rows.filter((r) => r.crossOrg?.status === 'ok');
    if (ok.length === 0) {
      const k = result.rows.find((r) => r.crossOrg?.status === 'insufficient_k')?.crossOrg as { k: number } | undefined;
      lines.push(`Insufficient k: fewer than ${k?.k ?? 10} organisations contribute to any rule; no cross-organisation figures are shown.`);
    } else {
      lines.push('| rule | organisations | events | false positives | pending | FPR |', '|---|---:|---:|---:|---:|---:|');
      for (const r of ok) {
        const a = r.crossOrg as Extract<CrossOrgAggregate, { status: 'ok' }>;
        lines.push(`| ${r.ruleId} | ${a.orgs} | ${a.total} | ${a.falsePositives} | ${a.pending} | ${fmt(a.fpr)} |`);
      }
    }
  }
  const c = result.contribution;
  lines.push(
    '',
    c.status === 'written'
      ? `This organisation contributed anonymised counts for the hour ${c.bucket} (key v${c.keyVersion}).`
      : `No contribution from this run: ${escapeMarkdown(c.detail)}.`
  );
  return lines.join('\n') + '\n';
}

/** The JSON form of the calibration report (snake_case like the dissonance report). */
export function calibrationJson(result: CalibrateResult, repository: string): string {
  const stats = (s: WindowStats) => ({ total: s.total, false_positives: s.falsePositives, pending: s.pending, reviewed: s.reviewed, fpr: s.fpr, rule_versions: s.versions });
  const c = result.contribution;
  const out = {
    schema: 'pm-action/calibration-report@1',
    generated_at: result.generatedAt,
    repository,
    outcome: result.outcome,
    windows: { count: result.windows.count, since_days: result.windows.sinceDays, since: result.windows.since },
    marked: result.marked,
    marked_unseen: result.markedUnseen,
    l0: result.l0,
    rules: result.rows.map((r) => ({
      rule_id: r.ruleId,
      configured_action: r.configuredAction,
      effective_action: r.effectiveAction,
      ceiling: r.ceiling,
      by_count: stats(r.byCount),
      by_since: stats(r.bySince),
      reviewed_window: { reviewed: r.reviewedWindow, fpr: r.reviewedFpr },
      breach: r.breach,
      advice: r.advice,
      advice_reason: r.adviceReason,
      warn_since: r.warnSince ?? null,
      days_in_warn: r.daysInWarn,
      contraction: { previous_fpr: r.contraction.previousFpr, fpr: r.contraction.fpr, witnesses: r.contraction.witnesses, ok: r.contraction.ok },
      cross_org: r.crossOrg ?? null
    })),
    contribution:
      c.status === 'written'
        ? { status: c.status, bucket: c.bucket, key_version: c.keyVersion, org_hash: c.orgHash, repositories: c.repoHashes.length }
        : { status: c.status, detail: c.detail, ...('reason' in c ? { reason: c.reason } : {}) },
    cross_org_unavailable: result.crossOrgUnavailable ?? null,
    snapshot: { previous_taken_at: result.snapshot.previousTakenAt, saved: result.snapshot.saved, error: result.snapshot.error ?? null },
    warnings: result.warnings
  };
  return JSON.stringify(out, null, 2) + '\n';
}

/** Writes `calibration_report.json` next to the dissonance report; returns its path. */
export async function writeCalibrationReport(settings: Settings, result: CalibrateResult): Promise<string> {
  const file = path.join(path.dirname(settings.reportPath), CALIBRATION_REPORT_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, calibrationJson(result, settings.run.repository), 'utf8');
  return file;
}
