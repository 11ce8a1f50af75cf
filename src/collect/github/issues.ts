/**
 * The one drift issue per repository (DESIGN §10): found again by its label and exact title,
 * created when missing, edited when present, closed with a comment when drift returns to zero.
 * Labels (`drift-detection`, and `priority-high` over the threshold) are created when missing.
 *
 * Requests:
 *   GET   /repos/{o}/{r}/issues?labels=drift-detection&state=open   (paginated)
 *   GET   /repos/{o}/{r}/labels/{name}         404 → POST /repos/{o}/{r}/labels (422 already_exists is fine)
 *   POST  /repos/{o}/{r}/issues                create (never retried after a 5xx: see GitHubClient.send)
 *   PATCH /repos/{o}/{r}/issues/{n}            edit body/labels, or close
 *   POST  /repos/{o}/{r}/issues/{n}/comments   the closing comment
 *
 * Never throws: trouble is returned as `failed` plus warnings for the caller to report.
 * Every repository-controlled string in the body is escaped with `escapeMarkdown`.
 */
import type { DriftChange } from '../../drift/diff.js';
import { clip, escapeMarkdown } from '../../report/summary.js';
import type { GitHubClient, HttpResult } from './http.js';

export const DRIFT_LABEL = 'drift-detection';
export const PRIORITY_LABEL = 'priority-high';
export const DRIFT_ISSUE_TITLE = 'Phase Mirror: governance drift detected';
/** First line of every body pm-action writes: tells people (and tools) who maintains it. */
export const DRIFT_ISSUE_MARKER = '<!-- phase-mirror:drift-issue -->';

export const LABELS: Readonly<Record<string, { color: string; description: string }>> = {
  [DRIFT_LABEL]: { color: 'fbca04', description: 'Governance drift found by Phase Mirror' },
  [PRIORITY_LABEL]: { color: 'b60205', description: 'Drift over the configured threshold' }
};

/** GitHub refuses issue bodies over 65,536 characters; keep a margin for the footer. */
const BODY_BUDGET = 60_000;

/** A change with, where the API says, who last changed the file it is in. */
export type AttributedChange = DriftChange & { by?: { author: string; commit: string } };

export interface DriftIssueReport {
  /** `owner/repo`. */
  repository: string;
  magnitude: number;
  threshold: number;
  trackedItems: number;
  changes: readonly AttributedChange[];
  baseline: { createdAt: string; sha: string };
  current: { ref: string; sha: string };
  /** Link to the run (built by the caller from trusted settings). */
  runUrl?: string;
}

export type DriftIssueAction = 'created' | 'updated' | 'closed' | 'none' | 'failed';

export interface DriftIssueResult {
  action: DriftIssueAction;
  number?: number;
  url?: string;
  /** Problems that did not stop the issue being maintained (a label, the closing comment). */
  warnings: string[];
  /** Set when `action` is `failed`. */
  error?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface OpenIssue {
  number: number;
  url?: string;
  labels: string[];
}

function failed(what: string, r: Extract<HttpResult, { ok: false }>): string {
  return r.kind === 'unavailable' ? `${what}: GitHub API unavailable (${r.message})` : `${what} returned ${r.status}: ${r.message}`;
}

const labelNames = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((l) => (typeof l === 'string' ? l : isObj(l) && typeof l.name === 'string' ? l.name : '')).filter(Boolean) : [];

/** A value in a table cell: hashes shortened, everything escaped. */
function cell(value: string | undefined, category: DriftChange['category']): string {
  if (value === undefined) return '—';
  const v = category === 'file' && /^[0-9a-f]{64}$/.test(value) ? `${value.slice(0, 12)}…` : clip(value, 200);
  return escapeMarkdown(v);
}

const CATEGORY_TEXT: Record<DriftChange['category'], string> = {
  file: 'file',
  'workflow-triggers': 'workflow triggers',
  'workflow-permissions': 'workflow permissions',
  'job-permissions': 'job permissions',
  protection: 'branch protection',
  'required-check': 'required check'
};

/**
 * Markdown table rows for the changes, within `budget` characters; the rest are counted.
 * Shared by the issue body and the job summary.
 */
export function driftChangesTable(changes: readonly AttributedChange[], budget: number): { lines: string[]; omitted: number } {
  const by = changes.some((c) => c.by);
  const lines = by
    ? ['| what | change | item | baseline | now | last changed by |', '|---|---|---|---|---|---|']
    : ['| what | change | item | baseline | now |', '|---|---|---|---|---|'];
  let used = lines.join('\n').length;
  let shown = 0;
  for (const c of changes) {
    const who = c.by ? `${escapeMarkdown(clip(c.by.author, 100))} in ${escapeMarkdown(c.by.commit.slice(0, 12))}` : '—';
    const row =
      `| ${CATEGORY_TEXT[c.category]} | ${c.kind} | ${escapeMarkdown(clip(c.item, 300))} | ${cell(c.old, c.category)} | ${cell(c.new, c.category)} |` +
      (by ? ` ${who} |` : '');
    if (used + row.length + 1 > budget) break;
    lines.push(row);
    used += row.length + 1;
    shown++;
  }
  return { lines, omitted: changes.length - shown };
}

export function overThreshold(r: Pick<DriftIssueReport, 'magnitude' | 'threshold'>): boolean {
  return r.magnitude > r.threshold;
}

/** The issue body: magnitude, threshold and every change (old → new), all values escaped. */
export function renderDriftIssueBody(r: DriftIssueReport): string {
  const over = overThreshold(r);
  const head = [
    DRIFT_ISSUE_MARKER,
    '## Governance drift since the baseline',
    '',
    `**Magnitude ${r.magnitude.toFixed(4)}** (threshold ${r.threshold}) — ${over ? '**over the threshold**' : 'within the threshold'}. ` +
      `${r.changes.length} change(s) over ${r.trackedItems} weighted tracked item(s).`,
    '',
    `Baseline of ${escapeMarkdown(r.baseline.createdAt)}${r.baseline.sha ? ` (commit ${escapeMarkdown(r.baseline.sha.slice(0, 12))})` : ''}, ` +
      `compared with ${escapeMarkdown(r.current.ref || 'the checkout')}${r.current.sha ? ` at ${escapeMarkdown(r.current.sha.slice(0, 12))}` : ''}.`,
    ''
  ];
  const foot = [
    ...(r.runUrl ? ['', `Run: ${r.runUrl}`] : []),
    '',
    'This issue is maintained by Phase Mirror: it is edited on every drift run and closed when drift returns to zero. ' +
      'To accept the current state as the new baseline, run the drift workflow with `update-baseline: true`.'
  ];
  const budget = BODY_BUDGET - head.join('\n').length - foot.join('\n').length - 200;
  const table = driftChangesTable(r.changes, budget);
  const more = table.omitted > 0 ? ['', `…and ${table.omitted} more change(s): see \`meta.drift.changes\` in the run's report artifact.`] : [];
  return [...head, ...table.lines, ...more, ...foot].join('\n') + '\n';
}

export function renderCloseComment(r: Pick<DriftIssueReport, 'runUrl' | 'baseline'>): string {
  return (
    `${DRIFT_ISSUE_MARKER}\nDrift returned to zero: the governance state matches the baseline of ${escapeMarkdown(r.baseline.createdAt)} again. Closing.` +
    (r.runUrl ? `\n\nRun: ${r.runUrl}` : '') +
    '\n'
  );
}

/** Creates a label when GET says it is missing. 422 `already_exists` (a concurrent run made it) is success. */
export async function ensureLabel(client: GitHubClient, owner: string, repo: string, name: string): Promise<string | null> {
  const got = await client.get('GET /repos/{owner}/{repo}/labels/{name}', { owner, repo, name });
  if (got.ok) return null;
  if (got.kind !== 'http' || got.status !== 404) return failed(`reading label '${name}'`, got);
  const spec = LABELS[name] ?? { color: 'ededed', description: '' };
  // Creating a label twice is rejected with 422, so a retry after a 5xx cannot duplicate it.
  const made = await client.send('POST', 'POST /repos/{owner}/{repo}/labels', { owner, repo }, { name, ...spec }, { retry: 'transient' });
  if (made.ok || (made.kind === 'http' && made.status === 422)) return null;
  return failed(`creating label '${name}'`, made);
}

/** The open drift issue (label + exact title, pull requests excluded); the oldest when several. */
export async function findDriftIssue(
  client: GitHubClient,
  owner: string,
  repo: string
): Promise<{ ok: true; issue: OpenIssue | null; others: number[] } | { ok: false; error: string }> {
  const r = await client.getPages('GET /repos/{owner}/{repo}/issues', { owner, repo, labels: DRIFT_LABEL, state: 'open', per_page: 100 });
  if (!r.ok) return { ok: false, error: failed('listing drift issues', r) };
  const found: OpenIssue[] = [];
  for (const page of r.pages) {
    if (!Array.isArray(page)) return { ok: false, error: 'listing drift issues returned something that is not a list' };
    for (const it of page) {
      if (!isObj(it) || it.pull_request !== undefined || it.title !== DRIFT_ISSUE_TITLE || typeof it.number !== 'number') continue;
      if (it.state !== undefined && it.state !== 'open') continue;
      found.push({ number: it.number, url: typeof it.html_url === 'string' ? it.html_url : undefined, labels: labelNames(it.labels) });
    }
  }
  found.sort((a, b) => a.number - b.number);
  return { ok: true, issue: found[0] ?? null, others: found.slice(1).map((i) => i.number) };
}

/**
 * Brings the drift issue in line with this run: changes → create or edit it; no changes → close
 * it (with a comment) when one is open, else nothing.
 */
export async function syncDriftIssue(client: GitHubClient, owner: string, repo: string, report: DriftIssueReport): Promise<DriftIssueResult> {
  const warnings: string[] = [];
  const found = await findDriftIssue(client, owner, repo);
  if (!found.ok) return { action: 'failed', error: found.error, warnings };
  const { issue } = found;
  if (found.others.length > 0) {
    warnings.push(`more than one open drift issue: maintaining #${issue?.number}, leaving ${found.others.map((n) => `#${n}`).join(', ')} alone`);
  }

  if (report.changes.length === 0) {
    if (!issue) return { action: 'none', warnings };
    const params = { owner, repo, issue_number: issue.number };
    const comment = await client.send('POST', 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', params, { body: renderCloseComment(report) });
    if (!comment.ok) warnings.push(failed(`commenting on drift issue #${issue.number}`, comment));
    const closed = await client.send('PATCH', 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', params, { state: 'closed', state_reason: 'completed' });
    if (!closed.ok) return { action: 'failed', number: issue.number, url: issue.url, error: failed(`closing drift issue #${issue.number}`, closed), warnings };
    return { action: 'closed', number: issue.number, url: issue.url, warnings };
  }

  const over = overThreshold(report);
  for (const name of over ? [DRIFT_LABEL, PRIORITY_LABEL] : [DRIFT_LABEL]) {
    const problem = await ensureLabel(client, owner, repo, name);
    if (problem) warnings.push(problem);
  }
  const body = renderDriftIssueBody(report);

  if (!issue) {
    const labels = over ? [DRIFT_LABEL, PRIORITY_LABEL] : [DRIFT_LABEL];
    const made = await client.send('POST', 'POST /repos/{owner}/{repo}/issues', { owner, repo }, { title: DRIFT_ISSUE_TITLE, body, labels });
    if (!made.ok) return { action: 'failed', error: failed('creating the drift issue', made), warnings };
    const d = isObj(made.data) ? made.data : {};
    return { action: 'created', number: typeof d.number === 'number' ? d.number : undefined, url: typeof d.html_url === 'string' ? d.html_url : undefined, warnings };
  }

  // Keep labels people added; only drift-detection and priority-high are ours to set.
  const labels = [...issue.labels.filter((l) => l !== PRIORITY_LABEL && l !== DRIFT_LABEL), DRIFT_LABEL, ...(over ? [PRIORITY_LABEL] : [])];
  const same = labels.length === issue.labels.length && labels.every((l) => issue.labels.includes(l));
  const edit = await client.send(
    'PATCH',
    'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
    { owner, repo, issue_number: issue.number },
    same ? { body } : { body, labels }
  );
  if (!edit.ok) return { action: 'failed', number: issue.number, url: issue.url, error: failed(`editing drift issue #${issue.number}`, edit), warnings };
  return { action: 'updated', number: issue.number, url: issue.url, warnings };
}
