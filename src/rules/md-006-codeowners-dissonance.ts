/**
 * MD-006 — CODEOWNERS dissonance.
 *
 * CODEOWNERS declares who must review what; branch protection decides whether that declaration is
 * enforced. Findings (DESIGN §4):
 * 1. Syntax errors (the collector's local parse and, when available, GitHub's own error list; one
 *    finding per distinct problem, API errors on a line the local parse already reported are not
 *    repeated) — medium; GitHub skips such lines, so the ownership they declare does not exist.
 *    Subject `syntax:<message>` (no line number: stable across edits).
 * 2. Patterns that match no tracked file — low (a typo or a moved directory; the ownership it
 *    meant to declare silently applies to nothing). Subject `no-match:<pattern>`. Skipped when the
 *    list of tracked paths is empty or was truncated at the collector's cap (then reported as
 *    unobservable).
 * 3. Governance paths — workflow files under `.github/workflows/`, the CODEOWNERS file itself and
 *    the policy file — with no owner under last-match-wins (no pattern matches, or the last match
 *    is a pattern without owners that un-owns them) — medium. One finding per group, subject
 *    `unowned:.github/workflows/`, `unowned:<CODEOWNERS path>`, `unowned:<policy path>`.
 * 4. Code-owner review required by protection while CODEOWNERS is missing or has no entry with an
 *    owner — medium, subject `codeowners-missing` / `codeowners-empty`: the requirement is silently
 *    void. When the protection cannot be read, this is an `unobservable` entry, not a finding.
 * A repository without CODEOWNERS whose protection does not require code-owner review gets nothing.
 *
 * Matching follows GitHub's CODEOWNERS rules (gitignore-style): `*` matches within one path
 * segment, `**` across segments, `?` one character; a leading `/` anchors to the repository root,
 * as does a slash inside the pattern; a pattern without a slash (other than a trailing one) matches
 * at any depth; a trailing `/` matches only directories (everything under them); a pattern matches a
 * file or any directory containing it, except that a final `/*` matches only the files directly in
 * that directory (`docs/*` does not own `docs/a/b.md`, as GitHub documents). Matching is
 * case-sensitive.
 *
 * Performance: every pattern is compiled once. "Matches nothing" is decided per pattern with early
 * exit: anchored patterns binary-search the sorted path list for their literal prefix and scan only
 * that range; single-segment patterns (`*.js`, `docs/`, `Makefile`) test the set of distinct file
 * and directory names built in one pass over the paths; the rest scan with a literal-substring
 * pre-filter. Ownership is computed only for the handful of governance paths.
 */
import type { Unobservable } from '../model/common.js';
import type { CodeownersEntry, CodeownersFile } from '../model/codeowners.js';
import type { Evidence, FindingDraft, Rule, RuleMeta, RuleResult } from '../model/finding.js';
import { describeSources } from '../model/protection.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';

export const meta: RuleMeta = {
  id: 'MD-006',
  version: '1.0.0',
  title: 'CODEOWNERS dissonance',
  severity: 'medium',
  confidence: 'high',
  defaultAction: 'warn',
  fpCeiling: 0.1,
  motivation:
    'CODEOWNERS is how a repository says who must approve changes to what, and branch protection is ' +
    'what enforces it. GitHub skips CODEOWNERS lines it cannot parse and applies the last matching ' +
    'pattern, so a typo, a moved directory or a trailing catch-all without owners quietly removes ' +
    'review from exactly the files that control the repository: the workflows (which hold tokens ' +
    'and secrets), CODEOWNERS itself and the policy. And requiring code-owner review without a ' +
    'CODEOWNERS file is a protection that protects nothing.',
  description:
    'Reports CODEOWNERS syntax errors (from the local parse and GitHub\'s error list); patterns that ' +
    'match no tracked file (low); governance paths — `.github/workflows/` files, the CODEOWNERS file ' +
    'and the policy file — that have no owner under last-match-wins, including when a later pattern ' +
    'without owners un-owns them; and branch protection that requires code-owner review while ' +
    'CODEOWNERS is missing or empty. Patterns are matched like GitHub does (gitignore-style: `*`, ' +
    '`**`, leading `/`, trailing `/` for directories, slash-less patterns at any depth).',
  remediation:
    'Fix or delete the reported lines (GitHub lists the same errors on the CODEOWNERS file page). ' +
    'Give the governance paths an explicit owner near the end of the file, after any broad ' +
    'patterns, e.g. `/.github/workflows/ @org/platform`, `/.github/CODEOWNERS @org/platform`, ' +
    '`/.github/phase-mirror.yml @org/security`. Remove patterns that match nothing or point them ' +
    'at the moved paths. If code-owner review is required, add a CODEOWNERS file (root, `.github/` ' +
    'or `docs/`) that owns the code, or stop requiring the review.',
  example: [
    '# .github/CODEOWNERS',
    '*                    @acme/developers',
    '/.github/workflows/  @acme/platform',
    '/src/legacy/         @acme/old-team     # low: src/legacy/ no longer exists',
    '/.github/            # no owners: un-owns the workflows, CODEOWNERS and the policy',
    '*.js                 @acme/frontend @bad owner'
  ].join('\n')
};

/** The collector's cap on tracked paths (src/collect/workspace.ts MAX_TRACKED_PATHS). */
export const TRACKED_PATHS_CAP = 200_000;

// ---------------------------------------------------------------------------------------------
// Pattern matching

export interface CompiledPattern {
  pattern: string;
  re: RegExp;
  /** Anchored at the root: the literal text every match starts with ('' when it starts with a wildcard). */
  prefix?: string;
  /** Unanchored single segment: the segment and whether it matches directories only. */
  segment?: { glob: string; re: RegExp | null; dirOnly: boolean };
  /** Longest literal run, for a cheap substring pre-filter. */
  literal: string;
  /** Segments without wildcards that must be directory names (all but the last). */
  literalDirs: string[];
}

const escapeRe = (s: string): string => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

function segmentSource(seg: string): string {
  if (seg === '*') return '[^/]+';
  let out = '';
  for (const ch of seg) {
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else out += escapeRe(ch);
  }
  return out;
}

const hasWildcard = (s: string): boolean => s.includes('*') || s.includes('?');

/** Compile a CODEOWNERS pattern (GitHub's gitignore-style rules; see the file comment). */
export function compilePattern(pattern: string): CompiledPattern {
  let segs = pattern.split('/');
  let anchored = false;
  if (segs[0] === '') {
    segs = segs.slice(1);
    anchored = true;
  } else if (segs.length === 1 || (segs.length === 2 && segs[1] === '')) {
    if (segs[0] !== '**') segs = ['**', ...segs];
  } else {
    anchored = true; // a slash inside the pattern anchors it (gitignore)
  }
  if (segs.length === 0 || (segs.length === 1 && segs[0] === '')) segs = ['**'];
  const dirOnly = segs.length > 1 && segs[segs.length - 1] === '';
  if (dirOnly) segs[segs.length - 1] = '**';
  if (segs[0] === '**') anchored = false;

  const last = segs.length - 1;
  let src = '^';
  let needSlash = false;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg === '**') {
      if (i === 0 && i === last) src += '.+';
      else if (i === 0) {
        src += '(?:.+/)?';
        needSlash = false;
      } else if (i === last) src += '/.*';
      else {
        src += '(?:/.+)?';
        needSlash = true;
      }
      continue;
    }
    if (needSlash) src += '/';
    src += segmentSource(seg);
    needSlash = true;
  }
  src += segs[last] === '*' ? '$' : '(?:$|/)';

  const literal = pattern
    .replace(/^\//, '')
    .split(/[*?]+/)
    .reduce((a, b) => (b.length > a.length ? b : a), '');
  const literalDirs = segs.slice(0, -1).filter((seg) => seg !== '' && seg !== '**' && !hasWildcard(seg));
  const compiled: CompiledPattern = { pattern, re: new RegExp(src), literal, literalDirs };
  if (anchored) {
    const body = pattern.replace(/^\//, '');
    const w = body.search(/[*?]/);
    compiled.prefix = w === -1 ? body.replace(/\/$/, '') : body.slice(0, w);
  } else {
    // `**` + one segment (+ `**` for a trailing slash): matches when some path segment matches.
    const inner = segs.slice(1, dirOnly ? -1 : undefined);
    if (segs[0] === '**' && inner.length === 1 && inner[0] !== '**') {
      const glob = inner[0];
      compiled.segment = { glob, re: hasWildcard(glob) ? new RegExp(`^${segmentSource(glob === '*' ? '*' : glob)}$`) : null, dirOnly };
    }
  }
  return compiled;
}

/** Owner of one path under last-match-wins: the matching entry, or undefined. */
export function lastMatch(compiled: readonly CompiledPattern[], entries: readonly CodeownersEntry[], path: string): CodeownersEntry | undefined {
  for (let i = compiled.length - 1; i >= 0; i--) if (compiled[i].re.test(path)) return entries[i];
  return undefined;
}

/** Names a segment glob can match: those with the extension its literal suffix fixes, else all. */
function candidates(glob: string, all: ReadonlySet<string>, byExt: () => Map<string, string[]>): Iterable<string> {
  const suffix = glob.slice(Math.max(glob.lastIndexOf('*'), glob.lastIndexOf('?')) + 1);
  const dot = suffix.lastIndexOf('.');
  if (dot === -1) return all;
  return byExt().get(suffix.slice(dot + 1)) ?? [];
}

function indexByExt(names: ReadonlySet<string>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const n of names) {
    const dot = n.lastIndexOf('.');
    const ext = dot === -1 ? '' : n.slice(dot + 1);
    const list = m.get(ext);
    if (list) list.push(n);
    else m.set(ext, [n]);
  }
  return m;
}

/** Index of the tracked paths for "does this pattern match anything?" questions. Built lazily, once. */
export class PathIndex {
  readonly sorted: readonly string[];
  private dirSet: Set<string> | undefined;
  private fileSet: Set<string> | undefined;
  private dirExt: Map<string, string[]> | undefined;
  private fileExt: Map<string, string[]> | undefined;

  constructor(paths: readonly string[]) {
    let ordered = true;
    for (let i = 1; i < paths.length; i++) {
      if (paths[i - 1] > paths[i]) {
        ordered = false;
        break;
      }
    }
    this.sorted = ordered ? paths : [...paths].sort();
  }

  /** Distinct directory names (any depth). Sorted paths share directories, so each is split once. */
  private dirs(): Set<string> {
    if (this.dirSet) return this.dirSet;
    const dirs = new Set<string>();
    let prev = '';
    for (const p of this.sorted) {
      const slash = p.lastIndexOf('/');
      if (slash === -1) continue;
      const dir = p.slice(0, slash);
      if (dir === prev) continue;
      prev = dir;
      let start = 0;
      for (let i = dir.indexOf('/'); i !== -1; i = dir.indexOf('/', start)) {
        dirs.add(dir.slice(start, i));
        start = i + 1;
      }
      dirs.add(dir.slice(start));
    }
    this.dirSet = dirs;
    return dirs;
  }

  /** Distinct file names. */
  private files(): Set<string> {
    if (this.fileSet) return this.fileSet;
    const files = new Set<string>();
    for (const p of this.sorted) files.add(p.slice(p.lastIndexOf('/') + 1));
    this.fileSet = files;
    return files;
  }

  private lowerBound(prefix: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Does any tracked path match? Early exit on the first match. */
  matchesAny(c: CompiledPattern): boolean {
    const paths = this.sorted;
    if (c.prefix !== undefined) {
      for (let i = this.lowerBound(c.prefix); i < paths.length; i++) {
        const p = paths[i];
        if (!p.startsWith(c.prefix)) break;
        if (c.re.test(p)) return true;
      }
      return false;
    }
    if (c.segment) {
      const { glob, re, dirOnly } = c.segment;
      if (glob === '*' && !dirOnly) return paths.length > 0;
      if (!re) return this.dirs().has(glob) || (!dirOnly && this.files().has(glob));
      for (const d of candidates(glob, this.dirs(), () => (this.dirExt ??= indexByExt(this.dirs())))) if (re.test(d)) return true;
      if (!dirOnly) for (const f of candidates(glob, this.files(), () => (this.fileExt ??= indexByExt(this.files())))) if (re.test(f)) return true;
      return false;
    }
    // Every literal directory segment must exist somewhere: a cheap rejection before scanning.
    for (const d of c.literalDirs) if (!this.dirs().has(d)) return false;
    const lit = c.literal;
    for (const p of paths) {
      if (lit !== '' && !p.includes(lit)) continue;
      if (c.re.test(p)) return true;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function codeOwnerReview(snapshot: GovernanceSnapshot): { required: boolean; detail: string } | { unobservable: string } {
  const p = snapshot.protection;
  if (p.status !== 'observed') return { unobservable: p.missingPermission ? `${p.reason} (needs ${p.missingPermission})` : p.reason };
  const r = p.value.codeOwnerReview;
  if (r.value) return { required: true, detail: `${describeSources(r.sources)} on \`${p.value.branch}\`` };
  if (r.complete === false) {
    const partial = p.value.partial.map((x) => x.reason).join('; ');
    return { unobservable: `code-owner review is not required by the readable sources, but not every protection source could be read${partial ? ` (${partial})` : ''}` };
  }
  return { required: false, detail: '' };
}

function policyPath(snapshot: GovernanceSnapshot, tracked: readonly string[]): string | undefined {
  const src = snapshot.policy.source;
  if (!src || src === 'defaults') return undefined;
  const candidates = [src];
  const colon = src.indexOf(':');
  if (colon !== -1) candidates.push(src.slice(colon + 1));
  return candidates.find((c) => c in snapshot.files || tracked.includes(c));
}

function list(paths: readonly string[], max = 10): string {
  const shown = paths.slice(0, max).map((p) => `\`${p}\``).join(', ');
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

function syntaxFindings(co: CodeownersFile): FindingDraft[] {
  const byMessage = new Map<string, FindingDraft>();
  const localLines = new Set(co.errors.filter((e) => e.source === 'local').map((e) => e.line));
  for (const e of co.errors) {
    if (e.source === 'api' && localLines.has(e.line)) continue;
    const subject = `syntax:${e.message}`;
    const ev: Evidence = { path: co.path, line: e.line };
    if (e.column !== undefined) ev.column = e.column;
    const prev = byMessage.get(subject);
    if (prev) {
      prev.evidence.push(ev);
      continue;
    }
    byMessage.set(subject, {
      subject,
      path: co.path,
      severity: 'medium',
      title: 'CODEOWNERS syntax error',
      message:
        `\`${co.path}\` line ${e.line}${e.source === 'api' ? ' (reported by GitHub)' : ''}: ${e.message}. ` +
        'GitHub skips a line it cannot parse, so the ownership it declares does not apply and the files fall to an earlier pattern (or to nobody).',
      evidence: [ev]
    });
  }
  return [...byMessage.values()];
}

export function evaluate(snapshot: GovernanceSnapshot): RuleResult {
  const findings: FindingDraft[] = [];
  const unobservable: Unobservable[] = [];
  const co = snapshot.codeowners;
  const owned = co ? co.entries.some((e) => e.owners.length > 0) : false;
  const review = codeOwnerReview(snapshot);

  if (!co || !owned) {
    const subject = co ? 'codeowners-empty' : 'codeowners-missing';
    const path = co?.path ?? '.github/CODEOWNERS';
    if ('required' in review && review.required) {
      findings.push({
        subject,
        path,
        severity: 'medium',
        title: co ? 'Code-owner review required but CODEOWNERS owns nothing' : 'Code-owner review required but there is no CODEOWNERS file',
        message:
          `Branch protection (${review.detail}) requires review from code owners, but ` +
          (co ? `\`${co.path}\` has no entry with an owner` : 'the repository has no CODEOWNERS file (`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`)') +
          '. GitHub then requires no code-owner approval at all: the protection is silently void.',
        evidence: [co ? { path: co.path, line: 1 } : { path }]
      });
    } else if ('unobservable' in review) {
      unobservable.push({
        subject: 'whether branch protection requires code-owner review (CODEOWNERS is ' + (co ? 'empty' : 'missing') + ')',
        reason: review.unobservable
      });
    }
    if (!co) return { findings, unobservable };
  }

  findings.push(...syntaxFindings(co));
  if (!owned) return { findings, unobservable };

  const entries = co.entries;
  const compiled = entries.map((e) => compilePattern(e.pattern));
  const tracked = snapshot.trackedPaths;

  // Patterns that match nothing.
  if (tracked.length >= TRACKED_PATHS_CAP) {
    unobservable.push({ subject: 'CODEOWNERS patterns that match no file', reason: `the repository has more than ${TRACKED_PATHS_CAP} tracked files; the list was truncated` });
  } else if (tracked.length > 0) {
    const index = new PathIndex(tracked);
    const decided = new Map<string, boolean>();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      let hit = decided.get(e.pattern);
      if (hit === undefined) {
        hit = index.matchesAny(compiled[i]);
        decided.set(e.pattern, hit);
        if (!hit) {
          findings.push({
            subject: `no-match:${e.pattern}`,
            path: co.path,
            severity: 'low',
            title: 'CODEOWNERS pattern matches no file',
            message:
              `The pattern \`${e.pattern}\` on line ${e.line} of \`${co.path}\` matches no tracked file, so the ownership it declares` +
              `${e.owners.length > 0 ? ` (${e.owners.join(' ')})` : ''} applies to nothing. A renamed or moved path, or a typo, is the usual cause.`,
            evidence: [{ path: co.path, line: e.line }]
          });
        }
      }
    }
  }

  // Governance paths without an owner.
  const trackedSet = new Set<string>();
  for (const p of tracked) if (p.startsWith('.github/')) trackedSet.add(p);
  const workflows = new Set<string>();
  for (const wf of snapshot.workflows) if (wf.kind === 'workflow') workflows.add(wf.path);
  for (const p of trackedSet) if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(p)) workflows.add(p);
  const reviewNote =
    'required' in review && review.required
      ? ' Code-owner review is required by branch protection, but a file without an owner needs no code-owner approval.'
      : ' Without an owner, changes to it need no code-owner approval, whatever the protection requires later.';

  const report = (subject: string, what: string, paths: string[]): void => {
    const unowned = paths.filter((p) => !lastMatch(compiled, entries, p)?.owners.length);
    if (unowned.length === 0) return;
    const unowning = unowned.map((p) => lastMatch(compiled, entries, p)).filter((e): e is CodeownersEntry => e !== undefined);
    const lines = [...new Set(unowning.map((e) => e.line))].sort((a, b) => a - b);
    const why =
      unowning.length > 0
        ? ` The last matching pattern${lines.length > 1 ? 's' : ''} (${[...new Set(unowning.map((e) => `\`${e.pattern}\` on line ${e.line}`))].join(', ')}) ${lines.length > 1 ? 'have' : 'has'} no owners, which un-owns ${unowned.length > 1 ? 'them' : 'it'}.`
        : ' No pattern matches.';
    const evidence: Evidence[] = lines.length > 0 ? lines.map((line) => ({ path: co.path, line })) : [{ path: co.path }];
    for (const p of unowned.slice(0, 20)) evidence.push({ path: p });
    findings.push({
      subject,
      path: co.path,
      severity: 'medium',
      title: 'Governance path without a code owner',
      message: `${what} ${list(unowned)} ${unowned.length > 1 ? 'have' : 'has'} no owner in \`${co.path}\`.${why}${reviewNote}`,
      evidence
    });
  };

  report('unowned:.github/workflows/', 'Workflow file(s)', [...workflows].sort());
  report(`unowned:${co.path}`, 'The CODEOWNERS file', [co.path]);
  const policy = policyPath(snapshot, tracked);
  if (policy && policy !== co.path) report(`unowned:${policy}`, 'The policy file', [policy]);

  return { findings, unobservable };
}

export const rule: Rule = { meta, evaluate };
