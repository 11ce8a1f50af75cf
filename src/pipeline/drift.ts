/**
 * The `drift` run (DESIGN §10): collect → hash the tracked governance files → build the
 * baseline → compare it with the stored one → L0 (drift_magnitude) and the rules, exactly as in
 * `check` → open, edit or close the one drift issue → save the baseline when asked → report.
 *
 * - No stored baseline: the new one is saved, the report says "baseline created", magnitude 0.
 * - A stored baseline that cannot be read or is malformed: degraded `baseline_unavailable`, no
 *   magnitude, and the stored one is left untouched (a silently reset baseline would hide
 *   drift) unless `update-baseline: true` asks for it to be replaced.
 * - A stored baseline of a schema version this build does not know: L0 schema_hash fails.
 * - Issue trouble (API down, missing `issues: write`) is a warning and degraded
 *   `github_api_unavailable`, never a crash; a baseline that cannot be saved is spooled into
 *   `meta.unrecorded`.
 */
import * as path from 'node:path';
import { GitHubClient, type RetryOptions } from '../collect/github/http.js';
import { lastChanges } from '../collect/github/commits.js';
import { driftChangesTable, overThreshold, syncDriftIssue, type AttributedChange, type DriftIssueAction } from '../collect/github/issues.js';
import { hashTrackedFiles } from '../collect/tracked-files.js';
import { buildBaseline, parseBaseline, SUPPORTED_BASELINE_VERSIONS, type Baseline } from '../drift/baseline.js';
import { diffBaselines } from '../drift/diff.js';
import type { DegradedReason, Evaluation, Settings } from '../model/index.js';
import { escapeMarkdown } from '../report/summary.js';
import type { UnrecordedWrite } from '../store/types.js';
import { evaluateCollected, reportContext, writeReports, type CheckDeps, type CheckResult } from './check.js';
import { collectSnapshot, retryBudget } from './snapshot.js';

export interface DriftDeps extends CheckDeps {
  /** Retry tuning for the issue requests (tests keep it tiny). */
  githubRetry?: Partial<RetryOptions>;
}

export type BaselineStatus = 'created' | 'compared' | 'unavailable' | 'unsupported';

/** `meta.drift` of the report. */
export interface DriftPayload {
  baseline_status: BaselineStatus;
  baseline_created: boolean;
  /** The new baseline was written (first run, or update-baseline). */
  baseline_saved: boolean;
  /** When the baseline compared against was made. */
  baseline_created_at?: string;
  /** null when nothing could be compared. */
  magnitude: number | null;
  threshold: number;
  over_threshold: boolean;
  /** Every change (old → new); `by`: who last changed the file, where the API says. */
  changes: AttributedChange[];
  /** Weighted tracked items of the comparison (0 when nothing was compared). */
  tracked_items: number;
  tracked_files: number;
  unreadable_files?: { path: string; reason: string }[];
  issue?: { action: DriftIssueAction; number?: number; url?: string; error?: string };
  message: string;
}

export interface DriftRunResult extends CheckResult {
  drift: DriftPayload;
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Adds a degraded reason after the decision was made (it does not change the outcome). */
function degrade(e: Evaluation, reason: DegradedReason): void {
  if (!e.decision.degradedReasons.includes(reason)) e.decision.degradedReasons.push(reason);
  e.decision.degraded = true;
}

/** Repo-relative paths of pm-action's own outputs inside the workspace: never drift. */
function ownOutputs(settings: Settings): (p: string) => boolean {
  const rel = (abs: string): string | null => {
    const r = path.relative(settings.workspace, abs);
    return r === '' || r.startsWith('..') || path.isAbsolute(r) ? null : r.split(path.sep).join('/');
  };
  const dir = rel(settings.dataDir);
  const files = new Set([rel(settings.reportPath), settings.sarifPath ? rel(settings.sarifPath) : null].filter((x): x is string => x !== null));
  return (p) => files.has(p) || (dir !== null && (p === dir || p.startsWith(`${dir}/`)));
}

export async function runDrift(settings: Settings, deps: DriftDeps): Promise<DriftRunResult> {
  const { stores, log } = deps;
  const now = deps.now ? deps.now() : new Date();
  const [owner, repo] = settings.run.repository.split('/');

  const collected = await collectSnapshot(settings, log);
  const { snapshot } = collected;
  const policy = snapshot.policy;
  const hashed = await hashTrackedFiles(settings.workspace, snapshot.trackedPaths, policy.drift.paths, { exclude: ownOutputs(settings) });
  for (const u of hashed.unreadable) log.warning(`Drift: ${u.path} could not be read (${u.reason}); it is tracked as unreadable.`);
  const current = buildBaseline(snapshot, hashed.files, {
    repository: settings.run.repository,
    ref: settings.run.ref ?? '',
    sha: settings.run.sha ?? '',
    createdAt: now.toISOString()
  });

  // ---- the stored baseline
  let status: BaselineStatus;
  let previous: Baseline | null = null;
  const degraded: DegradedReason[] = [];
  const degradedDetail: string[] = [];
  let message: string;
  try {
    const raw = await stores.baseline.load(owner, repo);
    if (raw === null) {
      status = 'created';
      message = 'No baseline yet: baseline created from this run; no drift is measured on the first run.';
    } else {
      previous = parseBaseline(raw);
      if (SUPPORTED_BASELINE_VERSIONS.includes(previous.schemaVersion)) {
        status = 'compared';
        message = '';
      } else {
        status = 'unsupported';
        message =
          `The stored baseline has schema version ${previous.schemaVersion}, which this build does not support (supported: ${SUPPORTED_BASELINE_VERSIONS.join(', ')}); ` +
          'nothing was compared. Use a pm-action release that reads it, or run with update-baseline: true to replace it.';
      }
    }
  } catch (err) {
    status = 'unavailable';
    previous = null;
    message =
      `The stored baseline could not be used (${describe(err)}); nothing was compared and it was left as it is. ` +
      'Fix or remove it, or run with update-baseline: true to replace it with the current state.';
    degraded.push('baseline_unavailable');
    degradedDetail.push(`drift baseline unavailable: ${describe(err)}`);
  }

  const diff = status === 'compared' && previous ? diffBaselines(previous, current) : null;
  const magnitude = diff ? diff.magnitude : status === 'created' ? 0 : null;
  if (diff) {
    message =
      diff.changes.length === 0
        ? `No drift since the baseline of ${previous!.createdAt}.`
        : `${diff.changes.length} change(s) since the baseline of ${previous!.createdAt}: magnitude ${diff.magnitude.toFixed(4)} (threshold ${policy.drift.threshold}).`;
  }
  if (status === 'created' || status === 'compared') log.info(`Drift: ${message}`);
  else log.warning(`Drift: ${message}`);

  const ev = await evaluateCollected(settings, { ...deps, now: () => now }, collected, {
    driftMagnitude: magnitude,
    baselineSchemaSupported: status !== 'unsupported',
    degraded,
    degradedDetail,
    countBlockedRun: false
  });
  const evaluation = ev.evaluation;

  // ---- who changed what (files only: the API names no actor for protection changes)
  const api =
    settings.githubToken && !collected.github.apiUnavailable
      ? new GitHubClient({ token: settings.githubToken, apiUrl: settings.run.apiUrl, log, retry: deps.githubRetry ?? retryBudget(process.env.PM_ACTION_GITHUB_RETRY_BUDGET_MS) })
      : null;
  let changes: AttributedChange[] = diff ? diff.changes : [];
  if (api && changes.length > 0) {
    const fileOf = (c: AttributedChange): string | null =>
      c.category === 'file' ? c.item : c.category.startsWith('workflow-') ? c.item : c.category === 'job-permissions' ? c.item.replace(/#[^#]*$/, '') : null;
    const paths = changes.filter((c) => c.kind !== 'removed').map(fileOf).filter((p): p is string => p !== null);
    const who = await lastChanges(api, owner, repo, paths, settings.run.sha);
    changes = changes.map((c) => {
      const p = c.kind !== 'removed' ? fileOf(c) : null;
      const w = p ? who.get(p) : undefined;
      return w ? { ...c, by: { author: w.isLogin ? `@${w.author}` : w.author, commit: w.sha } } : c;
    });
  }

  // ---- the drift issue
  let issue: DriftPayload['issue'];
  if (diff && previous && settings.createIssue) {
    if (!settings.githubToken) {
      log.info('Drift: no GitHub token, so the drift issue is not maintained.');
    } else if (!api) {
      issue = { action: 'failed', error: `not attempted: ${collected.github.apiUnavailable}` };
      log.warning(`Drift: the drift issue was not updated because the GitHub API is unavailable (${collected.github.apiUnavailable}).`);
      degrade(evaluation, 'github_api_unavailable');
    } else {
      const client = api;
      const runUrl = settings.run.runId !== '0' ? `${settings.run.serverUrl}/${settings.run.repository}/actions/runs/${encodeURIComponent(settings.run.runId)}` : undefined;
      try {
        const r = await syncDriftIssue(client, owner, repo, {
          repository: settings.run.repository,
          magnitude: diff.magnitude,
          threshold: policy.drift.threshold,
          trackedItems: diff.trackedItems,
          changes,
          baseline: { createdAt: previous.createdAt, sha: previous.sha },
          current: { ref: current.ref, sha: current.sha },
          runUrl
        });
        for (const w of r.warnings) log.warning(`Drift issue: ${w}`);
        issue = { action: r.action, number: r.number, url: r.url, error: r.error };
        if (r.action === 'failed') {
          log.warning(`Drift: the drift issue could not be maintained (${r.error}); the drift is in the report.`);
          degrade(evaluation, 'github_api_unavailable');
          ev.degradedDetail.push(`drift issue not maintained: ${r.error}`);
        } else if (r.action !== 'none') {
          log.info(`Drift: issue #${r.number ?? '?'} ${r.action}.`);
        }
      } catch (err) {
        // syncDriftIssue does not throw; this guards the promise never to crash the run.
        issue = { action: 'failed', error: describe(err) };
        log.warning(`Drift: the drift issue could not be maintained (${describe(err)}).`);
        degrade(evaluation, 'github_api_unavailable');
        ev.degradedDetail.push(`drift issue not maintained: ${describe(err)}`);
      }
    }
  }
  if (api) log.debug(`drift GitHub API requests (attribution and issue): ${api.requests}`);

  // ---- save the baseline: the first one, or on request
  let saved = false;
  if (status === 'created' || settings.baseline.update) {
    try {
      await stores.baseline.save(owner, repo, current);
      saved = true;
      if (status !== 'created') log.info('Drift: the baseline was updated to the current state (update-baseline).');
    } catch (err) {
      const lost: UnrecordedWrite = { store: 'baseline', operation: 'save', error: describe(err), payload: current };
      ev.unrecorded.push(lost);
      ev.degradedDetail.push(`drift baseline not saved: ${describe(err)}`);
      degrade(evaluation, 'baseline_unavailable');
      log.warning(`Drift: the baseline could not be saved (${describe(err)}); it is kept in meta.unrecorded of the report.`);
    }
  }

  const payload: DriftPayload = {
    baseline_status: status,
    baseline_created: status === 'created' && saved,
    baseline_saved: saved,
    ...(previous ? { baseline_created_at: previous.createdAt } : {}),
    magnitude,
    threshold: policy.drift.threshold,
    over_threshold: magnitude !== null && overThreshold({ magnitude, threshold: policy.drift.threshold }),
    changes,
    tracked_items: diff ? diff.trackedItems : 0,
    tracked_files: Object.keys(current.files).length,
    ...(hashed.unreadable.length > 0 ? { unreadable_files: hashed.unreadable } : {}),
    ...(issue ? { issue } : {}),
    message: status === 'created' && !saved ? `${message} (The baseline could not be saved; see meta.unrecorded.)` : message
  };

  const ctx = reportContext(settings, policy.source, now, ev, payload);
  const out = await writeReports(settings, evaluation, ctx);
  return { evaluation, ...out, summary: driftSummary(payload) + out.summary, unrecorded: ev.unrecorded, drift: payload };
}

/** Rows of the change table kept in the job summary (the report has them all). */
const SUMMARY_TABLE_BUDGET = 12_000;

/** The drift section at the top of the job summary. Repository-controlled strings are escaped. */
export function driftSummary(d: DriftPayload): string {
  const out = ['## Phase Mirror drift', ''];
  if (d.baseline_status === 'created') {
    out.push(`**Baseline created** (${d.tracked_files} tracked file(s)). No drift is measured on the first run.`);
  } else if (d.magnitude === null) {
    out.push(`> ⚠️ **No drift measured**: ${escapeMarkdown(d.message)}`);
  } else {
    out.push(
      `**Drift magnitude ${d.magnitude.toFixed(4)}** (threshold ${d.threshold}${d.over_threshold ? ', **exceeded**' : ''}) — ` +
        `${d.changes.length} change(s) since the baseline of ${escapeMarkdown(d.baseline_created_at ?? 'unknown')}.`
    );
    if (d.changes.length > 0) {
      const t = driftChangesTable(d.changes, SUMMARY_TABLE_BUDGET);
      out.push('', ...t.lines);
      if (t.omitted > 0) out.push('', `…and ${t.omitted} more change(s) in the report (\`meta.drift.changes\`).`);
    }
  }
  if (d.issue) {
    const n = d.issue.number !== undefined ? `#${d.issue.number}` : '';
    out.push('', d.issue.action === 'failed' ? `Drift issue not maintained: ${escapeMarkdown(d.issue.error ?? 'unknown error')}` : d.issue.action === 'none' ? 'No drift issue is open.' : `Drift issue ${n} ${d.issue.action}.`);
  }
  if (d.baseline_saved && d.baseline_status !== 'created') out.push('', 'The baseline was updated to the current state.');
  return out.join('\n') + '\n\n';
}
