/**
 * `dissonance_report.json`: the Evaluation rendered as canonical JSON (DESIGN §9), validated by
 * `schema.json`. Pure: no store, no @actions/core; the caller writes the string.
 */
import type {
  Confidence,
  DegradedReason,
  Evaluation,
  EvaluatedFinding,
  FindingStatus,
  L0CheckName,
  Mode,
  Outcome,
  Severity
} from '../model/index.js';
import { SEVERITY_RANK } from '../model/index.js';
import type { UnrecordedWrite } from '../store/types.js';
import { canonicalJson } from './canonical.js';

export const REPORT_SCHEMA_VERSION = '2.0.0';

export interface ReportContext {
  toolName: string;
  toolVersion: string;
  runId: string;
  runAttempt: string;
  /** ISO 8601 (e.g. `new Date().toISOString()`); the caller fixes it so output is reproducible. */
  timestamp: string;
  mode: Mode;
  event: string;
  repository: string;
  ref: string;
  sha: string;
  /** Where the policy came from: a path, `defaults`, or `<ref>:<path>`. */
  policySource: string;
  /** Free text explaining a degraded run (e.g. the store error). */
  degradedDetail?: string;
  /** Writes that could not be made, spooled here so they can be replayed. */
  unrecorded?: UnrecordedWrite[];
  /** Drift-mode payload (changes, magnitude, baseline info). */
  drift?: unknown;
}

export interface ReportEvidence {
  path: string;
  line?: number;
  column?: number;
  snippet?: string;
  hash?: string;
}

export interface ReportSuppression {
  kind: 'policy' | 'fp_mark';
  reason: string;
  approved_by?: string;
  expires?: string;
  ticket?: string;
}

export interface ReportItem {
  id: string;
  rule_id: string;
  rule_version: string;
  severity: Severity;
  confidence: Confidence;
  title: string;
  message: string;
  evidence: ReportEvidence[];
  remediation: string;
  status: FindingStatus;
  action: 'block' | 'warn';
  subject: string;
  suppression?: ReportSuppression;
}

export interface ReportL0 {
  check: L0CheckName;
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
}

export interface ReportDemotion {
  rule_id: string;
  fpr: number;
  ceiling: number;
  reviewed: number;
  from: 'block';
  to: 'warn';
}

export interface ReportUnobservable {
  subject: string;
  reason: string;
  missing_permission?: string;
  rule_id?: string;
}

export interface ReportMeta {
  schema_version: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  run_id: string;
  run_attempt: string;
  timestamp: string;
  mode: Mode;
  event: string;
  repository: string;
  ref: string;
  sha: string;
  rules_hash: string;
  l0: ReportL0[];
  degraded?: { reasons: DegradedReason[]; detail?: string };
  demotions: ReportDemotion[];
  evaluation_errors: { rule_id: string; message: string }[];
  unobservable: ReportUnobservable[];
  invalid_suppressions: { line: number; problem: string }[];
  unrecorded?: UnrecordedWrite[];
  policy_source: string;
  drift?: unknown;
}

export interface ReportSummary {
  total: number;
  by_severity: Record<Severity, number>;
  by_status: Record<FindingStatus, number>;
  suppressed: number;
  false_positives: number;
  /** Open findings whose rule ran as `block` this run (L0 findings included). */
  blocking: number;
}

export interface DissonanceReport {
  meta: ReportMeta;
  items: ReportItem[];
  summary: ReportSummary;
  machine_decision: { outcome: Outcome; degraded: boolean; reasons: string[]; strict: boolean };
}

/** Code-unit string comparison (locale-independent, so output does not depend on the machine). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The path a finding is filed under: its first evidence path, else its primary path. */
export function primaryPath(f: EvaluatedFinding): string {
  return f.evidence[0]?.path ?? f.path;
}

/** The first evidence line, or 0 when the finding has none (file-level findings sort first). */
export function primaryLine(f: EvaluatedFinding): number {
  return f.evidence[0]?.line ?? 0;
}

/** Report order: severity (critical first), rule id, first evidence path, first evidence line, id. */
export function compareFindings(a: EvaluatedFinding, b: EvaluatedFinding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(primaryPath(a), primaryPath(b)) ||
    primaryLine(a) - primaryLine(b) ||
    compareStrings(a.id, b.id) ||
    // Fully identical keys: fall back to the remaining content so the order never depends on input order.
    compareStrings(a.status, b.status) ||
    compareStrings(a.message, b.message)
  );
}

/** Findings in report order (a sorted copy). */
export function sortFindings(findings: readonly EvaluatedFinding[]): EvaluatedFinding[] {
  return [...findings].sort(compareFindings);
}

/** What each degraded reason means for the run, for the summary and the degraded annotation. */
export const DEGRADED_REASON_TEXT: Readonly<Record<DegradedReason, string>> = {
  circuit_breaker_triggered: 'circuit breaker triggered: blocks downgraded to warnings',
  fp_store_unavailable: 'false-positive store unavailable: false-positive marks and demotions could not be read',
  nonce_unavailable: 'redaction key unavailable: evidence snippets were dropped and nothing was shared',
  baseline_unavailable: 'drift baseline unavailable: drift could not be measured',
  github_api_unavailable: 'GitHub API unavailable: some governance state could not be read'
};

const L0_ORDER: readonly L0CheckName[] = [
  'schema_hash',
  'permission_bits',
  'drift_magnitude',
  'nonce_freshness',
  'contraction_witness'
];

/** L0 results in the order of DESIGN §5 (a sorted copy). */
export function sortL0<T extends { check: string; status: string; detail: string }>(results: readonly T[]): T[] {
  const rank = (check: string): number => {
    const i = (L0_ORDER as readonly string[]).indexOf(check);
    return i < 0 ? L0_ORDER.length : i;
  };
  return [...results].sort(byKeys<T>((r) => rank(r.check), (r) => r.check, (r) => r.status, (r) => r.detail));
}

function isPosition(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}

function toItem(f: EvaluatedFinding): ReportItem {
  const item: ReportItem = {
    id: f.id,
    rule_id: f.ruleId,
    rule_version: f.ruleVersion,
    severity: f.severity,
    confidence: f.confidence,
    title: f.title,
    message: f.message,
    evidence: f.evidence.map((e) => {
      // Positions are 1-based; anything else is not a position and is left out (file-level evidence).
      const line = isPosition(e.line) ? e.line : undefined;
      return { path: e.path, line, column: line !== undefined && isPosition(e.column) ? e.column : undefined, snippet: e.snippet, hash: e.hash };
    }),
    remediation: f.remediation,
    status: f.status,
    action: f.action,
    subject: f.subject
  };
  if (f.suppression) {
    item.suppression = {
      kind: f.suppression.kind,
      reason: f.suppression.reason,
      approved_by: f.suppression.approvedBy,
      expires: f.suppression.expires,
      ticket: f.suppression.ticket
    };
  }
  return item;
}

function byKeys<T>(...keys: Array<(x: T) => string | number>): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const ka = key(a);
      const kb = key(b);
      const c = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : compareStrings(String(ka), String(kb));
      if (c !== 0) return c;
    }
    return 0;
  };
}

/** Counts over the findings, as written in `summary`. */
export function summarise(findings: readonly EvaluatedFinding[]): ReportSummary {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const byStatus: Record<FindingStatus, number> = { open: 0, suppressed: 0, false_positive: 0 };
  let blocking = 0;
  for (const f of findings) {
    bySeverity[f.severity]++;
    byStatus[f.status]++;
    if (f.status === 'open' && f.action === 'block') blocking++;
  }
  return {
    total: findings.length,
    by_severity: bySeverity,
    by_status: byStatus,
    suppressed: byStatus.suppressed,
    false_positives: byStatus.false_positive,
    blocking
  };
}

/** The report object for an Evaluation. Same input ⇒ same object (and same bytes once rendered). */
export function buildReport(evaluation: Evaluation, ctx: ReportContext): DissonanceReport {
  const d = evaluation.decision;
  const l0 = sortL0(evaluation.l0).map((r) => ({ check: r.check, status: r.status, detail: r.detail }));
  const meta: ReportMeta = {
    schema_version: REPORT_SCHEMA_VERSION,
    tool: { name: ctx.toolName, version: ctx.toolVersion },
    run_id: ctx.runId,
    run_attempt: ctx.runAttempt,
    timestamp: ctx.timestamp,
    mode: ctx.mode,
    event: ctx.event,
    repository: ctx.repository,
    ref: ctx.ref,
    sha: ctx.sha,
    rules_hash: evaluation.rulesHash,
    l0,
    demotions: evaluation.demotions
      .map((x) => ({ rule_id: x.ruleId, fpr: x.fpr, ceiling: x.ceiling, reviewed: x.reviewed, from: x.from, to: x.to }))
      .sort(byKeys<ReportDemotion>((x) => x.rule_id, (x) => x.fpr, (x) => x.reviewed)),
    evaluation_errors: evaluation.evaluationErrors
      .map((e) => ({ rule_id: e.ruleId, message: e.message }))
      .sort(byKeys<{ rule_id: string; message: string }>((e) => e.rule_id, (e) => e.message)),
    unobservable: evaluation.unobservable
      .map((u) => ({ subject: u.subject, reason: u.reason, missing_permission: u.missingPermission, rule_id: u.ruleId }))
      .sort(
        byKeys<ReportUnobservable>(
          (u) => u.rule_id ?? '',
          (u) => u.subject,
          (u) => u.reason,
          (u) => u.missing_permission ?? ''
        )
      ),
    invalid_suppressions: evaluation.invalidSuppressions
      .map((s) => ({ line: s.line, problem: s.problem }))
      .sort(byKeys<{ line: number; problem: string }>((s) => s.line, (s) => s.problem)),
    policy_source: ctx.policySource
  };
  if (d.degraded) {
    meta.degraded = { reasons: [...d.degradedReasons].sort(compareStrings), detail: ctx.degradedDetail };
  }
  // Replay order matters for spooled writes: keep the order given.
  if (ctx.unrecorded && ctx.unrecorded.length > 0) meta.unrecorded = ctx.unrecorded.map((w) => ({ ...w }));
  if (ctx.drift !== undefined) meta.drift = ctx.drift;

  const sorted = sortFindings(evaluation.findings);
  return {
    meta,
    items: sorted.map(toItem),
    summary: summarise(sorted),
    machine_decision: { outcome: d.outcome, degraded: d.degraded, reasons: [...d.reasons], strict: d.strict }
  };
}

/** The report file's text: canonical JSON (sorted keys, 2-space indent, trailing newline). */
export function renderReport(report: DissonanceReport): string {
  return canonicalJson(report);
}
