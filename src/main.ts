import * as core from '@actions/core';
import { ConfigurationError } from './config/errors.js';
import { assertWorkspace, envInputSource, parseSettings } from './config/settings.js';
import type { Settings } from './model/index.js';
import { calibrationMarkdown, runCalibrate, writeCalibrationReport } from './pipeline/calibrate.js';
import { commentMarkdown, runCommentCommand } from './pipeline/comment-command.js';
import { runCheck, type CheckResult } from './pipeline/check.js';
import { runDrift } from './pipeline/drift.js';
import type { Log } from './pipeline/log.js';
import { openStores } from './pipeline/stores.js';
import type { Annotation } from './report/index.js';
import { restoreLocalStore, saveLocalStore } from './store/local/cache.js';

const coreLog: Log = { info: core.info, warning: (m) => core.warning(m), debug: core.debug };

function emitAnnotation(a: Annotation): void {
  const props: core.AnnotationProperties = { title: a.title, file: a.file, startLine: a.startLine, startColumn: a.startColumn };
  if (a.level === 'error') core.error(a.message, props);
  else if (a.level === 'warning') core.warning(a.message, props);
  else core.notice(a.message, props);
}

function usesLocalCache(s: Settings): boolean {
  return s.store === 'local' && s.cache;
}

/** The action's entry: settings → collect → evaluate → persist → report. */
export async function run(): Promise<void> {
  let settings: Settings;
  try {
    settings = parseSettings(envInputSource(process.env), process.env);
    assertWorkspace(settings);
  } catch (err) {
    fail(err);
    return;
  }
  if (settings.githubToken) core.setSecret(settings.githubToken);

  try {
    if (usesLocalCache(settings)) {
      const r = await restoreLocalStore(settings.dataDir, settings.run.repository);
      if (r.warning) core.warning(r.warning);
      else if (r.restored) core.info(`Restored the local store from cache ${r.key}.`);
    }
    const opened = await openStores(settings, coreLog);
    try {
      if (settings.mode === 'check') await check(settings, opened.stores);
      else if (settings.mode === 'calibrate') await calibrate(settings, opened.stores);
      else await drift(settings, opened.stores);
    } finally {
      for (const w of opened.warnings()) core.warning(w);
      await opened.close();
      if (usesLocalCache(settings)) {
        const s = await saveLocalStore(settings.dataDir, settings.run.repository, settings.run.runId, settings.run.runAttempt);
        if (s.warning) core.warning(s.warning);
        else if (s.saved) core.info(`Saved the local store to cache ${s.key}.`);
      }
    }
  } catch (err) {
    fail(err);
  }
}

async function check(settings: Settings, stores: Awaited<ReturnType<typeof openStores>>['stores']): Promise<void> {
  await publish(settings, await runCheck(settings, { stores, log: coreLog }), '');
}

async function drift(settings: Settings, stores: Awaited<ReturnType<typeof openStores>>['stores']): Promise<void> {
  const r = await runDrift(settings, { stores, log: coreLog });
  await publish(settings, r, r.drift.magnitude === null ? '' : String(r.drift.magnitude));
}

/** Annotations, job summary, outputs and the step's verdict of a check or drift run. */
async function publish(settings: Settings, r: CheckResult, driftMagnitude: string): Promise<void> {
  const d = r.evaluation.decision;
  if (settings.annotations) for (const a of r.annotations.annotations) emitAnnotation(a);
  await core.summary.addRaw(r.summary).write();

  const open = r.evaluation.findings.filter((f) => f.status === 'open');
  core.setOutput('decision', d.outcome);
  core.setOutput('degraded', String(d.degraded));
  core.setOutput('findings', String(open.length));
  core.setOutput('blocking', String(open.filter((f) => f.action === 'block').length));
  core.setOutput('report-path', r.reportPath);
  core.setOutput('sarif-path', r.sarifPath ?? '');
  core.setOutput('drift-magnitude', driftMagnitude);

  if (d.degraded) core.warning(`Phase Mirror ran degraded (${d.degradedReasons.join(', ')}): ${d.reasons.join('; ')}`);
  for (const u of r.unrecorded) core.warning(`Could not record ${u.store} ${u.operation} (${u.error}); kept in meta.unrecorded of ${r.reportPath}.`);
  const line = `Phase Mirror decision: ${d.outcome.toUpperCase()} — ${d.reasons.join('; ')}`;
  if (d.outcome === 'block') core.setFailed(line);
  else core.info(line);
}

async function calibrate(settings: Settings, stores: Awaited<ReturnType<typeof openStores>>['stores']): Promise<void> {
  if (settings.run.eventName === 'issue_comment') {
    // The PR comment command: `/phase-mirror false-positive <id> <ticket>`.
    const c = await runCommentCommand(settings, { stores, log: coreLog });
    await core.summary.addRaw(commentMarkdown(c)).write();
    core.setOutput('decision', 'pass');
    core.setOutput('degraded', String(c.outcome === 'failed'));
    core.setOutput('findings', '0');
    core.setOutput('blocking', '0');
    if (c.outcome === 'failed') core.warning(`Phase Mirror comment command failed: ${c.detail}`);
    return;
  }
  const r = await runCalibrate(settings, stores, coreLog);
  const file = await writeCalibrationReport(settings, r);
  await core.summary.addRaw(calibrationMarkdown(r)).write();
  core.setOutput('decision', r.outcome);
  core.setOutput('degraded', String(r.warnings.length > 0));
  core.setOutput('findings', String(r.findings.length));
  core.setOutput('blocking', String(r.findings.length));
  core.setOutput('report-path', file);
  const line = `Phase Mirror calibration: ${r.outcome.toUpperCase()}${r.findings.length ? ` — ${r.findings.map((f) => f.message).join('; ')}` : ''} (${file})`;
  if (r.outcome === 'block') core.setFailed(line);
  else core.info(line);
}

/** One clear line for the user; the stack only in debug output. */
function fail(err: unknown): void {
  if (err instanceof ConfigurationError) {
    core.setFailed(`Configuration error: ${err.message}`);
    return;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (e.stack) core.debug(e.stack);
  core.setFailed(`pm-action failed: ${e.message}`);
}
