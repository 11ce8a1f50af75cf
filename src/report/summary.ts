/**
 * The job summary (GitHub-flavoured Markdown). Every repository-controlled string goes through
 * `escapeMarkdown`; links are built only from percent-encoded segments; the whole text is kept
 * under a byte budget (GitHub rejects step summaries over 1 MiB). Pure: the caller writes it.
 */
import type { Evaluation, EvaluatedFinding, Outcome, Severity } from '../model/index.js';
import type { ReportContext } from './report.js';
import { compareStrings, DEGRADED_REASON_TEXT, primaryLine, primaryPath, sortFindings, sortL0 } from './report.js';

/** GitHub's limit for one step's summary. */
export const GITHUB_SUMMARY_LIMIT_BYTES = 1024 * 1024;
/** Default budget: the limit minus a margin for anything the caller appends. */
export const DEFAULT_SUMMARY_MAX_BYTES = GITHUB_SUMMARY_LIMIT_BYTES - 16 * 1024;

export interface SummaryOptions {
  /** e.g. `https://github.com` (GITHUB_SERVER_URL). */
  serverUrl: string;
  /** `owner/repo`. */
  repository: string;
  /** Commit the links point at. */
  sha: string;
  /** Byte budget for the whole summary (UTF-8). Default `DEFAULT_SUMMARY_MAX_BYTES`. */
  maxBytes?: number;
  /** Name of the JSON report in the workflow artifacts, e.g. `dissonance_report.json`. */
  reportFileName: string;
  /** Annotations that were not emitted because of GitHub's per-step limits. */
  annotationOverflow?: number;
}

// ---------------------------------------------------------------------------------------------
// Escaping

const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-!|~]/g;
const HTML_SPECIAL = /[&<>"']/g;
const HTML_ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
};

/**
 * Makes an untrusted string inert in GitHub Markdown, in running text and in table cells:
 * - line breaks (CR, LF, U+0085, U+2028, U+2029) and other control characters become a space,
 *   so a value cannot end a table row or start a new block;
 * - bidirectional-override characters are removed (no visually reordered text);
 * - Markdown control characters `\ ` * _ { } [ ] ( ) # + - ! | ~` are backslash-escaped, so no
 *   link, image, emphasis, code span or table cell boundary can be formed;
 * - `& < > " '` are HTML-escaped, so no tag (`<script>`, `<img>`, `<details>`) or autolink survives;
 * - `@` before a name gets a zero-width joiner, so `@octocat` / `@org/team` pings nobody.
 */
export function escapeMarkdown(text: string): string {
  return (
    String(text)
      .replace(/\r\n|[\r\n\u0085\u2028\u2029]/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
      .replace(MARKDOWN_SPECIAL, '\\$&')
      .replace(HTML_SPECIAL, (c) => HTML_ENTITY[c]!)
      .replace(/@(?=[\p{L}\p{N}_-])/gu, '@\u200d')
  );
}

/** Shortens to at most `max` UTF-16 units (never splitting a surrogate pair), marking the cut with `…`. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + '…';
}

/** Clip, then escape. */
function esc(text: string, max = 300): string {
  return escapeMarkdown(clip(text, max));
}

/**
 * Clip, then escape, keeping the rules' `code` spans readable: a backtick pair becomes
 * `<code>…</code>` around escaped text. (An escaped backtick would print the backticks and lose
 * the code style; a real code span cannot hold a `|` inside a table cell.) Everything the
 * repository wrote is still escaped; only the tags are ours, and an unpaired backtick stays
 * an escaped character.
 */
export function escWithCode(text: string, max = 500): string {
  const clipped = clip(text, max);
  const parts = clipped.split('`');
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const inCode = i % 2 === 1 && i < parts.length - 1;
    if (inCode) out += `<code>${escapeMarkdown(parts[i]!)}</code>`;
    else out += (i > 0 && i % 2 === 1 ? escapeMarkdown('`') : '') + escapeMarkdown(parts[i]!);
  }
  return out;
}

/** `encodeURIComponent`, also encoding `! ' ( ) *` so the result can never end a Markdown link. */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * `${serverUrl}/${repository}/blob/${sha}/${path}#L${line}` with every segment percent-encoded;
 * undefined when the server URL is not http(s) or the path is not a plain repository-relative
 * path (empty, `.`/`..` segments), in which case the location is shown as text only.
 */
export function blobUrl(serverUrl: string, repository: string, sha: string, path: string, line?: number): string | undefined {
  let base: URL;
  try {
    base = new URL(serverUrl);
  } catch {
    return undefined;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return undefined;
  const segments = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  const repoSegments = repository.split('/');
  if (repoSegments.length !== 2 || repoSegments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  if (sha === '') return undefined;
  const origin = base.origin + base.pathname.replace(/\/+$/, '').split('/').map((s) => (s ? encodePathSegment(decodeSafe(s)) : s)).join('/');
  const url = [origin, ...repoSegments.map(encodePathSegment), 'blob', encodePathSegment(sha), ...segments.map(encodePathSegment)].join('/');
  return typeof line === 'number' && Number.isInteger(line) && line >= 1 ? `${url}#L${line}` : url;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers

const BANNER: Readonly<Record<Outcome, string>> = {
  pass: '✅ Phase Mirror: pass',
  warn: '⚠️ Phase Mirror: warn',
  block: '⛔ Phase Mirror: block'
};

const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  critical: '🟥 critical',
  high: '🟧 high',
  medium: '🟨 medium',
  low: '⬜ low'
};

const L0_STATUS: Readonly<Record<string, string>> = { pass: '✅ pass', fail: '❌ fail', skipped: '⏭️ skipped' };

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/**
 * Lines of a budgeted list: adds `head` then entries while they fit in `budget` bytes (keeping
 * room for the overflow line), then the overflow line for what did not fit. Entries are rendered
 * lazily, so a huge list costs only what is shown.
 */
function budgetedList(
  head: string[],
  count: number,
  render: (i: number) => string,
  budget: number,
  overflow: (n: number) => string
): string[] {
  if (count === 0) return [];
  const lines = [...head];
  let used = head.reduce((n, l) => n + bytes(l) + 1, 0);
  const reserve = bytes(overflow(count)) + 2;
  let shown = 0;
  for (; shown < count; shown++) {
    const line = render(shown);
    const size = bytes(line) + 1;
    const needsOverflow = shown + 1 < count;
    if (used + size + (needsOverflow ? reserve : 0) > budget) break;
    lines.push(line);
    used += size;
  }
  if (shown < count) {
    if (shown === 0 && used + reserve > budget) return [];
    lines.push('', overflow(count - shown));
  }
  return lines;
}

function location(f: EvaluatedFinding, opts: SummaryOptions): string {
  const path = primaryPath(f);
  const line = primaryLine(f);
  const text = esc(path, 200) + (line >= 1 ? `:${line}` : '');
  const url = blobUrl(opts.serverUrl, opts.repository, opts.sha, path, line >= 1 ? line : undefined);
  return url ? `[${text}](${url})` : text;
}

interface RuleRow {
  ruleId: string;
  title: string;
  open: number;
  suppressed: number;
  fp: number;
  actions: Set<string>;
}

// ---------------------------------------------------------------------------------------------

/** The job summary for an Evaluation, at most `opts.maxBytes` bytes of UTF-8. */
export function buildSummary(evaluation: Evaluation, ctx: ReportContext, opts: SummaryOptions): string {
  const maxBytes = Math.max(1024, Math.floor(opts.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES));
  const d = evaluation.decision;
  const findings = sortFindings(evaluation.findings);
  const open = findings.filter((f) => f.status === 'open');
  const suppressed = findings.filter((f) => f.status === 'suppressed').length;
  const falsePositives = findings.filter((f) => f.status === 'false_positive').length;
  const blocking = open.filter((f) => f.action === 'block').length;
  const demoted = new Set(evaluation.demotions.map((x) => x.ruleId));
  // A plain file name is shown verbatim in a code span; anything else is escaped.
  const reportName = /^[A-Za-z0-9._/-]{1,200}$/.test(opts.reportFileName)
    ? `\`${opts.reportFileName}\``
    : esc(opts.reportFileName, 200);

  // --- fixed sections (bounded by the number of rules, checks and reasons) ---
  const header: string[] = [
    `## ${BANNER[d.outcome]}`,
    '',
    `Mode **${esc(ctx.mode, 20)}**${d.strict ? ' · strict thresholds' : ''} · ${plural(findings.length, 'finding')}: ` +
      `${open.length} open (${blocking} blocking), ${suppressed} suppressed, ${plural(falsePositives, 'false positive')}`
  ];
  if (d.reasons.length > 0) {
    header.push('', ...d.reasons.map((r) => `- ${esc(r, 500)}`));
  }
  if (d.degraded) {
    const reasons = d.degradedReasons.map((r) => DEGRADED_REASON_TEXT[r] ?? r);
    header.push('', `> ⚠️ **Degraded run**: ${reasons.length > 0 ? reasons.map((r) => esc(r)).join('; ') : 'degraded mode'}.`);
    if (ctx.degradedDetail) header.push('>', `> ${esc(ctx.degradedDetail, 1000)}`);
  }
  if (evaluation.demotions.length > 0) {
    header.push('', '### Demoted rules', '');
    const sorted = [...evaluation.demotions].sort((a, b) => compareStrings(a.ruleId, b.ruleId));
    for (const x of sorted) {
      header.push(
        `- **${esc(x.ruleId, 50)}** runs as **warn** instead of **block** this run: false-positive rate ` +
          `${percent(x.fpr)} over ${plural(x.reviewed, 'reviewed event')} exceeds its ceiling of ${percent(x.ceiling)}.`
      );
    }
  }

  const rules = new Map<string, RuleRow>();
  for (const f of findings) {
    let row = rules.get(f.ruleId);
    if (!row) {
      row = { ruleId: f.ruleId, title: f.title, open: 0, suppressed: 0, fp: 0, actions: new Set() };
      rules.set(f.ruleId, row);
    }
    if (f.status === 'open') row.open++;
    else if (f.status === 'suppressed') row.suppressed++;
    else row.fp++;
    row.actions.add(f.action);
  }
  const ruleTable: string[] = [];
  if (rules.size > 0) {
    ruleTable.push('### Findings by rule', '', '| Rule | Title | Open | Suppressed | FP | Action |', '| --- | --- | ---: | ---: | ---: | --- |');
    for (const row of [...rules.values()].sort((a, b) => compareStrings(a.ruleId, b.ruleId))) {
      const action = [...row.actions].sort().join(', ') + (demoted.has(row.ruleId) ? ' (demoted)' : '');
      ruleTable.push(`| ${esc(row.ruleId, 50)} | ${esc(row.title, 200)} | ${row.open} | ${row.suppressed} | ${row.fp} | ${action} |`);
    }
  }

  const l0Table: string[] = [];
  if (evaluation.l0.length > 0) {
    l0Table.push('### L0 invariants', '', '| Check | Status | Detail |', '| --- | --- | --- |');
    for (const r of sortL0(evaluation.l0)) {
      l0Table.push(`| ${esc(r.check, 50)} | ${L0_STATUS[r.status] ?? esc(r.status, 20)} | ${esc(r.detail, 500)} |`);
    }
  }

  const notices: string[] = [];
  const unrecorded = ctx.unrecorded?.length ?? 0;
  if (unrecorded > 0) {
    notices.push(
      `> ⚠️ ${unrecorded} ${unrecorded === 1 ? 'write' : 'writes'} could not be recorded; see meta.unrecorded in the report (${reportName}).`
    );
  }
  const overflowAnnotations = opts.annotationOverflow ?? 0;
  if (overflowAnnotations > 0) {
    if (notices.length > 0) notices.push('');
    notices.push(
      `${plural(overflowAnnotations, 'annotation')} not shown (GitHub displays at most 10 errors, 10 warnings and ` +
        `10 notices per step); every finding is listed in ${reportName}.`
    );
  }
  const footer = [`<sub>${esc(ctx.toolName, 50)} ${esc(ctx.toolVersion, 50)} · rules hash ${esc(evaluation.rulesHash.slice(0, 12), 12)} · report ${reportName}</sub>`];

  const fixed = [header, ruleTable, l0Table, notices, footer];
  const fixedBytes = fixed.reduce((n, s) => n + (s.length ? bytes(s.join('\n')) + 2 : 0), 0);
  let remaining = Math.max(0, maxBytes - fixedBytes - 64);

  // --- budgeted lists: errors, invalid suppressions and unobservable items get a share; findings the rest ---
  const errors = [...evaluation.evaluationErrors].sort((a, b) => compareStrings(a.ruleId, b.ruleId) || compareStrings(a.message, b.message));
  const errorLines = budgetedList(
    ['### Evaluation errors', ''],
    errors.length,
    (i) => `- **${esc(errors[i]!.ruleId, 50)}**: ${esc(errors[i]!.message, 500)}`,
    Math.floor(remaining * 0.1),
    (n) => `… ${plural(n, 'more evaluation error')} not shown; see ${reportName} in the workflow artifacts.`
  );
  remaining -= bytes(errorLines.join('\n')) + 2;

  const invalid = [...evaluation.invalidSuppressions].sort((a, b) => a.line - b.line || compareStrings(a.problem, b.problem));
  const invalidLines = budgetedList(
    ['### Invalid suppressions', ''],
    invalid.length,
    (i) => `- policy line ${invalid[i]!.line}: ${esc(invalid[i]!.problem, 300)}`,
    Math.floor(remaining * 0.05),
    (n) => `… ${plural(n, 'more invalid suppression')} not shown; see ${reportName} in the workflow artifacts.`
  );
  remaining -= bytes(invalidLines.join('\n')) + 2;

  const unobservable = [...evaluation.unobservable].sort(
    (a, b) => compareStrings(a.ruleId ?? '', b.ruleId ?? '') || compareStrings(a.subject, b.subject) || compareStrings(a.reason, b.reason)
  );
  const unobservableLines = budgetedList(
    ['### Not observable', '', 'These could not be read, so they were neither passed nor flagged:', ''],
    unobservable.length,
    (i) => {
      const u = unobservable[i]!;
      const perm = u.missingPermission ? ` (needs ${esc(u.missingPermission, 100)})` : '';
      const rule = u.ruleId ? ` [${esc(u.ruleId, 50)}]` : '';
      return `- **${esc(u.subject, 200)}**: ${esc(u.reason, 300)}${perm}${rule}`;
    },
    Math.floor(remaining * 0.15),
    (n) => `… ${plural(n, 'more unobservable item')} not shown; see ${reportName} in the workflow artifacts.`
  );
  remaining -= bytes(unobservableLines.join('\n')) + 2;

  const findingLines =
    open.length === 0
      ? ['### Top findings', '', findings.length === 0 ? 'No findings.' : 'No open findings.']
      : budgetedList(
          ['### Top findings', '', '| Severity | Rule | Title | Location | Message |', '| --- | --- | --- | --- | --- |'],
          open.length,
          (i) => {
            const f = open[i]!;
            return `| ${SEVERITY_LABEL[f.severity]} | ${esc(f.ruleId, 50)} | ${esc(f.title, 200)} | ${location(f, opts)} | ${escWithCode(f.message, 500)} |`;
          },
          remaining,
          (n) => `… ${n} more findings not shown; see ${reportName} in the workflow artifacts.`
        );

  const sections = [header, ruleTable, findingLines, unobservableLines, invalidLines, errorLines, l0Table, notices, footer].filter(
    (s) => s.length > 0
  );
  let out = sections.map((s) => s.join('\n')).join('\n\n') + '\n';
  if (bytes(out) > maxBytes) out = hardTruncate(out, maxBytes, reportName);
  return out;
}

/** Last resort when even the fixed sections do not fit: cut at a line boundary and say so. */
function hardTruncate(text: string, maxBytes: number, reportName: string): string {
  const note = `\n\n… summary truncated; see ${reportName} in the workflow artifacts.\n`;
  const room = Math.max(0, maxBytes - bytes(note));
  let cut = Buffer.from(text, 'utf8').subarray(0, room).toString('utf8');
  // A cut inside a multi-byte character decodes to U+FFFD: drop the partial line instead.
  const lastNewline = cut.lastIndexOf('\n');
  cut = lastNewline > 0 ? cut.slice(0, lastNewline) : cut.replace(/\uFFFD$/, '');
  return cut + note;
}
