import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../config/errors.js';
import { assertWorkspace, parseSettings, type InputSource } from '../config/settings.js';
import type { Evaluation } from '../model/index.js';
import { calibrationJson, calibrationMarkdown, runCalibrate, writeCalibrationReport } from '../pipeline/calibrate.js';
import { runConsentCli } from './consent.js';
import { processIO } from './io.js';
import { runRotateKeyCli } from './rotate-key.js';
import { runCheck, type CheckResult } from '../pipeline/check.js';
import { runDrift, type DriftPayload } from '../pipeline/drift.js';
import type { Log } from '../pipeline/log.js';
import { openStores } from '../pipeline/stores.js';
import { BUILD_INFO } from '../generated/build-info.js';

/** CLI exit codes (DESIGN §6). */
export const EXIT = { ok: 0, block: 1, degraded: 2, config: 3 } as const;

const USAGE = `Usage: pm-action <command> [options]

Commands:
  check        run the governance check on a repository checkout (default)
  calibrate    mark false positives (--false-positive ID --reviewer WHO) and show per-rule FP rates
  drift        compare the governance state with the stored baseline (the first run creates it)
  consent      grant|list|revoke rule_calibration consent (pm-action consent --help)
  rotate-key   create the next redaction key in SSM, optionally retire old ones (pm-action rotate-key --help)

Options:
  --repo DIR               repository checkout (default: current directory)
  --mode MODE              check | calibrate | drift (default: the command)
  --policy PATH            policy file inside the repo (default .github/phase-mirror.yml)
  --report PATH            JSON report (default <repo>/dissonance_report.json)
  --sarif PATH             SARIF file (default <repo>/phase-mirror.sarif; '' for none)
  --data-dir DIR           local store directory (default <repo>/.phase-mirror)
  --strict                 strict thresholds (as in a merge queue)
  --dry-run                block becomes warn
  --circuit-breaker MODE   auto | degraded | off
  --false-positive IDS     calibrate: finding ids to mark
  --reviewer WHO           calibrate: who reviewed them
  --ticket REF             calibrate: tracking ticket
  --update-baseline        drift: save the current state as the new baseline
  --create-issue           drift: open/edit/close the drift issue (needs GITHUB_TOKEN, GITHUB_REPOSITORY)
  --json                   print the JSON report instead of the verdict
  --version                print the version
  -h, --help               this text

Exit codes: 0 pass or warn, 1 block, 2 degraded without a decision it can trust, 3 configuration error.`;

const stderrLog = (verbose: boolean): Log => ({
  info: (m) => verbose && process.stderr.write(`${m}\n`),
  warning: (m) => process.stderr.write(`warning: ${m}\n`),
  debug: (m) => process.env.PM_ACTION_DEBUG && process.stderr.write(`debug: ${m}\n`)
});

const UNTRUSTED = new Set(['fp_store_unavailable', 'github_api_unavailable', 'baseline_unavailable']);

export function verdictText(e: Evaluation, reportPath: string): string {
  const d = e.decision;
  const open = e.findings.filter((f) => f.status === 'open');
  const out = [`Phase Mirror: ${d.outcome.toUpperCase()}${d.degraded ? ` (degraded: ${d.degradedReasons.join(', ')})` : ''}`];
  for (const r of d.reasons) out.push(`  ${r}`);
  out.push(`  ${open.length} open finding(s), ${e.findings.length - open.length} suppressed or marked false positive`);
  for (const f of open) {
    const ev = f.evidence[0];
    const where = ev ? `${ev.path}${ev.line ? `:${ev.line}` : ''}` : f.path;
    out.push(`  [${f.severity}] ${f.ruleId} ${where} ${f.message}  (id ${f.id}, ${f.action})`);
  }
  for (const u of e.unobservable) out.push(`  unobservable: ${u.subject}: ${u.reason}`);
  out.push(`Report: ${reportPath}`);
  return out.join('\n') + '\n';
}

/** The drift part of the CLI's verdict: status, magnitude and every change (old → new). */
export function driftText(d: DriftPayload): string {
  const out: string[] = [];
  if (d.baseline_status === 'created') out.push(`Drift: baseline created (${d.tracked_files} tracked file(s)); no drift measured on the first run.`);
  else if (d.magnitude === null) out.push(`Drift: not measured. ${d.message}`);
  else {
    out.push(`Drift: magnitude ${d.magnitude.toFixed(4)} (threshold ${d.threshold}${d.over_threshold ? ', exceeded' : ''}), ${d.changes.length} change(s) since ${d.baseline_created_at ?? 'the baseline'}`);
    // Repository-controlled values: no control characters (terminal escapes) reach the terminal.
    // eslint-disable-next-line no-control-regex
    const t = (x: string | undefined): string => (x ?? '-').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
    for (const c of d.changes) out.push(`  ${c.kind} ${c.category} ${t(c.item)}: ${t(c.old)} -> ${t(c.new)}`);
  }
  if (d.issue) out.push(`  issue: ${d.issue.action}${d.issue.number !== undefined ? ` #${d.issue.number}` : ''}${d.issue.error ? ` (${d.issue.error})` : ''}`);
  if (d.baseline_saved && d.baseline_status !== 'created') out.push('  baseline updated to the current state');
  return out.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  // Subcommands with options of their own.
  if (argv[0] === 'consent') return runConsentCli(argv.slice(1), processIO());
  if (argv[0] === 'rotate-key') return runRotateKeyCli(argv.slice(1), processIO());
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        repo: { type: 'string' },
        mode: { type: 'string' },
        policy: { type: 'string' },
        report: { type: 'string' },
        sarif: { type: 'string' },
        'data-dir': { type: 'string' },
        strict: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'circuit-breaker': { type: 'string' },
        'false-positive': { type: 'string' },
        reviewer: { type: 'string' },
        ticket: { type: 'string' },
        'update-baseline': { type: 'boolean' },
        'create-issue': { type: 'boolean' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    });
  } catch (err) {
    process.stderr.write(`pm-action: ${(err as Error).message}\n\n${USAGE}\n`);
    return EXIT.config;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (v.version) {
    process.stdout.write(`pm-action ${BUILD_INFO.version}\n`);
    return EXIT.ok;
  }
  const command = positionals[0] ?? 'check';
  if (!['check', 'calibrate', 'drift'].includes(command) || positionals.length > 1) {
    process.stderr.write(`pm-action: unknown command '${positionals.join(' ')}'.\n\n${USAGE}\n`);
    return EXIT.config;
  }
  const cwd = process.cwd();
  const repo = path.resolve(cwd, v.repo ?? '.');
  // Flags are paths from the user's shell; the settings resolve them against the repository.
  const abs = (p: string | undefined) => (p === undefined || p === '' ? p : path.resolve(cwd, p));
  const flags: Record<string, string | undefined> = {
    mode: v.mode ?? command,
    'policy-path': v.policy,
    'report-path': abs(v.report),
    'sarif-path': abs(v.sarif),
    'data-dir': abs(v['data-dir']),
    strict: v.strict === undefined ? undefined : String(v.strict),
    'dry-run': v['dry-run'] === undefined ? undefined : String(v['dry-run']),
    'circuit-breaker': v['circuit-breaker'],
    'false-positive': v['false-positive'],
    reviewer: v.reviewer,
    ticket: v.ticket,
    'update-baseline': v['update-baseline'] === undefined ? undefined : String(v['update-baseline']),
    // A local run opens no issue unless asked to.
    'create-issue': String(v['create-issue'] === true),
    cache: 'false'
  };
  const input: InputSource = (name) => flags[name];
  const log = stderrLog(Boolean(v.verbose));
  try {
    const env = { ...process.env };
    // Outside Actions the workspace is --repo, not GITHUB_WORKSPACE.
    const settings = parseSettings(input, env, repo);
    assertWorkspace(settings);
    const opened = await openStores(settings, log);
    try {
      if (settings.mode === 'calibrate') {
        const c = await runCalibrate(settings, opened.stores, log);
        await writeCalibrationReport(settings, c);
        process.stdout.write(v.json ? calibrationJson(c, settings.run.repository) : calibrationMarkdown(c));
        return c.outcome === 'block' ? EXIT.block : EXIT.ok;
      }
      let r: CheckResult;
      if (settings.mode === 'drift') {
        const d = await runDrift(settings, { stores: opened.stores, log });
        process.stdout.write(v.json ? readFileSync(d.reportPath) : driftText(d.drift) + verdictText(d.evaluation, d.reportPath));
        r = d;
      } else {
        r = await runCheck(settings, { stores: opened.stores, log });
        process.stdout.write(v.json ? readFileSync(r.reportPath) : verdictText(r.evaluation, r.reportPath));
      }
      const d = r.evaluation.decision;
      if (d.outcome === 'block') return EXIT.block;
      if (d.degradedReasons.some((x) => UNTRUSTED.has(x))) return EXIT.degraded;
      return EXIT.ok;
    } finally {
      for (const w of opened.warnings()) log.warning(w);
      await opened.close();
    }
  } catch (err) {
    if (err instanceof ConfigurationError) {
      process.stderr.write(`pm-action: configuration error: ${err.message}\n`);
      return EXIT.config;
    }
    process.stderr.write(`pm-action: ${(err as Error).message ?? String(err)}\n`);
    if (process.env.PM_ACTION_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return EXIT.degraded;
  }
}

