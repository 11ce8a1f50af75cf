import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { DegradedReason, Evaluation, GovernanceSnapshot, Settings, Unobservable } from '../model/index.js';
import { assembleEvaluation, type MarkLike } from '../oracle/assemble.js';
import { runRules } from '../oracle/evaluate.js';
import { findingId } from '../oracle/fingerprint.js';
import { checkL0, l0Results, prepareL0, type L0Inputs } from '../oracle/l0.js';
import type { CalibrationEvent } from '../oracle/calibration.js';
import { buildReport, buildSarif, buildSummary, REPORT_SCHEMA_SHA256, selectAnnotations, writeCanonicalJson } from '../report/index.js';
import type { ReportContext, AnnotationSelection, DissonanceReport } from '../report/index.js';
import { RULES } from '../rules/index.js';
import type { FPEvent, Stores, UnrecordedWrite } from '../store/types.js';
import { BUILD_INFO } from '../generated/build-info.js';
import type { Log } from './log.js';
import { collectSnapshot, type CollectedState } from './snapshot.js';
import { redactEvidence } from './evidence.js';

export interface CheckResult {
  evaluation: Evaluation;
  report: DissonanceReport;
  summary: string;
  annotations: AnnotationSelection;
  reportPath: string;
  sarifPath: string | null;
  unrecorded: UnrecordedWrite[];
}

export interface CheckDeps {
  stores: Stores;
  log: Log;
  now?: () => Date;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Where the running job's permissions are declared, from GITHUB_WORKFLOW_REF and GITHUB_JOB. */
export function runningJobPermissions(snapshot: GovernanceSnapshot, settings: Settings): L0Inputs['jobPermissions'] {
  const ref = settings.run.workflowRef;
  const jobId = settings.run.job;
  if (!ref || !jobId) return null;
  // owner/repo/.github/workflows/file.yml@refs/heads/main
  const m = /^[^/]+\/[^/]+\/(.+?)@/.exec(ref);
  if (!m) return null;
  const wf = snapshot.workflows.find((w) => w.path === m[1]);
  const job = wf?.jobs.find((j) => j.id === jobId);
  if (!wf || !job) return null;
  const d = snapshot.defaultWorkflowPermissions;
  return {
    decl: job.permissions ?? wf.permissions ?? null,
    path: wf.path,
    jobId,
    defaultWrite: d.status === 'observed' ? d.value === 'write' : null
  };
}

/**
 * The `check` run: collect → L0 → rules → FP filter → decision → record → report.
 * Store reads fail open (degraded), writes that fail are spooled into the report.
 */
export async function runCheck(settings: Settings, deps: CheckDeps): Promise<CheckResult> {
  const now = deps.now ? deps.now() : new Date();
  const collected = await collectSnapshot(settings, deps.log);
  const ev = await evaluateCollected(settings, { ...deps, now: () => now }, collected);
  const ctx = reportContext(settings, collected.snapshot.policy.source, now, ev);
  const out = await writeReports(settings, ev.evaluation, ctx);
  return { evaluation: ev.evaluation, ...out, unrecorded: ev.unrecorded };
}

/** What drift mode adds to an evaluation (DESIGN §5 drift_magnitude, schema_hash). */
export interface EvaluateOptions {
  /** null or absent outside drift mode (L0 drift_magnitude is skipped). */
  driftMagnitude?: number | null;
  /** False when a loaded baseline has a schema version this build does not support. */
  baselineSchemaSupported?: boolean;
  /** Degraded reasons and details found before evaluating (besides the collector's). */
  degraded?: readonly DegradedReason[];
  degradedDetail?: readonly string[];
  /**
   * Whether a blocked run counts toward the circuit breaker (default true). The breaker guards
   * the PR gate; drift runs gate no merge and must not use up its hourly allowance.
   */
  countBlockedRun?: boolean;
}

export interface Evaluated {
  /** Redacted, with collector and rule unobservables merged: ready to report. */
  evaluation: Evaluation;
  degradedDetail: string[];
  unrecorded: UnrecordedWrite[];
}

/**
 * Everything between collecting and reporting, shared by check and drift: rules, redaction
 * key, L0, FP marks and demotion windows, decision (with the breaker), event recording,
 * redaction. Store reads fail open (degraded); writes that fail are returned as `unrecorded`.
 */
export async function evaluateCollected(settings: Settings, deps: CheckDeps, collected: CollectedState, opts: EvaluateOptions = {}): Promise<Evaluated> {
  const { stores, log } = deps;
  const now = deps.now ? deps.now() : new Date();
  const degraded: DegradedReason[] = [];
  const degradedDetail: string[] = [];
  const unrecorded: UnrecordedWrite[] = [];
  let storeCalls = 0;

  const { snapshot } = collected;
  const policy = snapshot.policy;
  degraded.push(...collected.degraded, ...(opts.degraded ?? []));
  degradedDetail.push(...collected.degradedDetail, ...(opts.degradedDetail ?? []));

  const run = runRules(snapshot, RULES);

  // The redaction key: without a valid one, snippets are dropped and the run says so.
  let nonce: { keys: { version: number; value: string }[]; loadedAt: Date } | null = null;
  try {
    nonce = await stores.nonce.load();
  } catch (err) {
    degradedDetail.push(`redaction key unavailable: ${describe(err)}`);
  }
  const l0In: L0Inputs = {
    mode: settings.mode,
    schemaHash: REPORT_SCHEMA_SHA256,
    expectedSchemaHash: BUILD_INFO.schemaSha256,
    baselineSchemaSupported: opts.baselineSchemaSupported ?? true,
    jobPermissions: runningJobPermissions(snapshot, settings),
    driftMagnitude: opts.driftMagnitude ?? null,
    driftThreshold: policy.drift.threshold,
    nonce: nonce && nonce.keys[0] ? { value: nonce.keys[0].value, loadedAt: nonce.loadedAt } : null,
    now,
    contraction: []
  };
  const l0State = prepareL0(l0In);
  const l0 = l0Results(checkL0(l0State), l0In, l0State, policy.source);
  if (l0.nonceStale) degraded.push('nonce_unavailable');

  // Reads: marks for this run's findings, windows for blocking rules (demotion).
  const ids = run.findings.map((f) => f.id);
  let marks: ReadonlyMap<string, MarkLike> = new Map();
  let windows: ReadonlyMap<string, readonly CalibrationEvent[]> = new Map();
  // Demotion can only change this run's decision for blocking rules that found something.
  const found = new Set(run.findings.map((f) => f.ruleId));
  const blockingRules = Object.entries(run.actions).filter(([id, a]) => a === 'block' && found.has(id)).map(([id]) => id);
  try {
    if (ids.length > 0) {
      storeCalls++;
      marks = await stores.fp.lookupMarks(ids);
    }
    if (blockingRules.length > 0) {
      storeCalls++;
      windows = await stores.fp.window(blockingRules, { count: 200, reviewedOnly: true });
    }
  } catch (err) {
    degraded.push('fp_store_unavailable');
    degradedDetail.push(`false-positive store unreadable: ${describe(err)}`);
    log.warning(`The false-positive store could not be read (${describe(err)}); known false positives are not excluded this run.`);
  }

  const base = { snapshot, rules: RULES, run, l0, marks, windows, strict: settings.strict, dryRun: settings.dryRun, now };
  // The breaker counts runs whose findings cross the block threshold; only such a run needs the counter.
  // Only the outcome is kept: the first pass copies every finding, and holding it until the
  // function returns doubled a large run's live findings.
  const firstOutcome = assembleEvaluation({ ...base, breaker: { mode: 'off', blockedThisHour: 0, threshold: settings.circuitBreakerThreshold }, degradedReasons: [] }).decision.outcome;
  let blockedBefore: number | null = 0;
  if (firstOutcome === 'block' && !settings.dryRun && settings.circuitBreaker !== 'off' && opts.countBlockedRun !== false) {
    const runKey = `${settings.run.runId}.${settings.run.runAttempt}`;
    try {
      storeCalls++;
      blockedBefore = (await stores.blocks.increment(settings.run.repository, runKey, now)) - 1;
    } catch (err) {
      blockedBefore = null;
      degradedDetail.push(`block counter unavailable: ${describe(err)}`);
      unrecorded.push({ store: 'block-counter', operation: 'increment', error: describe(err), payload: { repository: settings.run.repository, runKey, at: now.toISOString() } });
    }
  }
  const evaluation = assembleEvaluation({
    ...base,
    breaker: { mode: settings.circuitBreaker, blockedThisHour: blockedBefore, threshold: settings.circuitBreakerThreshold },
    degradedReasons: degraded
  });

  // One event per distinct finding of this repository (not per run): the unit a person reviews.
  // Per-run events would let one mark on a finding seen in 200 runs demote its rule.
  const events: FPEvent[] = evaluation.findings
    .filter((f) => !f.ruleId.startsWith('L0-'))
    .map((f) => ({
      eventId: findingId(f.id, settings.run.repository, 'event'),
      findingId: f.id,
      ruleId: f.ruleId,
      ruleVersion: f.ruleVersion,
      repository: settings.run.repository,
      runId: settings.run.runId,
      observedAt: now.toISOString(),
      outcome: 'pending' as const
    }));
  if (events.length > 0) {
    try {
      storeCalls++;
      await stores.fp.recordEvents(events);
    } catch (err) {
      degradedDetail.push(`false-positive events not recorded: ${describe(err)}`);
      unrecorded.push({ store: 'fp-events', operation: 'recordEvents', error: describe(err), payload: events });
      if (!evaluation.decision.degradedReasons.includes('fp_store_unavailable')) {
        evaluation.decision.degradedReasons.push('fp_store_unavailable');
        evaluation.decision.degraded = true;
      }
    }
  }
  log.debug(`store round trips: ${storeCalls}`);

  const findings = redactEvidence(evaluation.findings, nonce?.keys[0] ?? null);
  const finalEvaluation: Evaluation = { ...evaluation, findings, unobservable: mergeUnobservable(collected.unobservable, evaluation.unobservable) };
  return { evaluation: finalEvaluation, degradedDetail, unrecorded };
}

/** The report's context for this run; `drift` is drift mode's `meta.drift` payload. */
export function reportContext(
  settings: Settings,
  policySource: string,
  now: Date,
  ev: Pick<Evaluated, 'degradedDetail' | 'unrecorded'>,
  drift?: unknown
): ReportContext {
  const { degradedDetail, unrecorded } = ev;
  return {
    toolName: 'pm-action',
    toolVersion: BUILD_INFO.version,
    runId: settings.run.runId,
    runAttempt: settings.run.runAttempt,
    timestamp: now.toISOString(),
    mode: settings.mode,
    event: settings.run.eventName,
    repository: settings.run.repository,
    ref: settings.run.ref ?? '',
    sha: settings.run.sha ?? '',
    policySource,
    degradedDetail: degradedDetail.length > 0 ? degradedDetail.join('; ') : undefined,
    unrecorded: unrecorded.length > 0 ? unrecorded : undefined,
    ...(drift === undefined ? {} : { drift })
  };
}

export type WrittenReports = Omit<CheckResult, 'evaluation' | 'unrecorded'>;

/** Writes the JSON report (and SARIF), and renders the annotations and the job summary. */
export async function writeReports(settings: Settings, finalEvaluation: Evaluation, ctx: ReportContext): Promise<WrittenReports> {
  const report = buildReport(finalEvaluation, ctx);
  await writeJsonFile(settings.reportPath, report);
  if (settings.sarifPath) await writeJsonFile(settings.sarifPath, buildSarif(finalEvaluation, ctx, RULES.map((r) => r.meta)));
  const annotations = selectAnnotations(finalEvaluation, { includeDegraded: true });
  const summary = buildSummary(finalEvaluation, ctx, {
    serverUrl: settings.run.serverUrl,
    repository: settings.run.repository,
    sha: settings.run.sha ?? 'HEAD',
    reportFileName: path.basename(settings.reportPath),
    annotationOverflow: annotations.omitted.error + annotations.omitted.warning + annotations.omitted.notice
  });
  return { report, summary, annotations, reportPath: settings.reportPath, sarifPath: settings.sarifPath };
}

/** Collector and rule entries, without repeating a subject a rule already explained. */
function mergeUnobservable(collector: readonly Unobservable[], rules: readonly Unobservable[]): Unobservable[] {
  const seen = new Set(rules.map((u) => `${u.subject}|${u.reason}`));
  return [...collector.filter((u) => !seen.has(`${u.subject}|${u.reason}`)), ...rules];
}

/** Canonical JSON straight to the file, piece by piece: a large report is never one string. */
async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    writeCanonicalJson(value, (chunk) => writeSync(fd, chunk));
  } finally {
    closeSync(fd);
  }
}
