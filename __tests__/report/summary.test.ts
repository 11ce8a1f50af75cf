import { describe, expect, it } from '@jest/globals';
import { blobUrl, buildSummary, DEFAULT_SUMMARY_MAX_BYTES, escapeMarkdown } from '../../src/report/index.js';
import type { SummaryOptions } from '../../src/report/index.js';
import type { Evaluation } from '../../src/model/index.js';
import { degradedEvaluation, finding, sampleContext, sampleEvaluation } from './fixtures.js';
import { escWithCode } from '../../src/report/summary.js';

const opts: SummaryOptions = {
  serverUrl: 'https://github.com',
  repository: 'PhaseMirror/example',
  sha: '0123456789abcdef0123456789abcdef01234567',
  reportFileName: 'dissonance_report.json'
};

/** Nothing in `text` that Markdown/HTML would turn into markup, a link, a mention or a new line. */
function expectInert(text: string): void {
  expect(text).not.toMatch(/[\r\n]/);
  expect(text).not.toMatch(/[<>"']/);
  expect(text).not.toMatch(/(^|[^\\])[`*_{}[\]()#+!|~-]/); // every control char preceded by a backslash
  expect(text).not.toMatch(/@[A-Za-z0-9]/);
}

describe('escapeMarkdown', () => {
  it('escapes HTML', () => {
    expect(escapeMarkdown('<script>alert("x")</script> & \'')).toBe('&lt;script&gt;alert\\(&quot;x&quot;\\)&lt;/script&gt; &amp; &#39;');
  });

  it('escapes every Markdown control character', () => {
    for (const c of ['\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '!', '|', '~']) {
      expect(escapeMarkdown(`a${c}b`)).toBe(`a\\${c}b`);
    }
    expect(escapeMarkdown('\\*')).toBe('\\\\\\*');
  });

  it('defuses links and images', () => {
    const out = escapeMarkdown('[click](javascript:alert(1)) ![img](https://x/y.png)');
    expect(out).toBe('\\[click\\]\\(javascript:alert\\(1\\)\\) \\!\\[img\\]\\(https://x/y.png\\)');
    expect(out).not.toContain('](');
  });

  it('neutralises @mentions and team mentions', () => {
    expect(escapeMarkdown('ping @octocat and @org/team')).toBe('ping @\u200doctocat and @\u200dorg/team');
    expect(escapeMarkdown('@octocat')).not.toMatch(/@[a-z]/);
  });

  it('strips newlines and control characters so a table row cannot be broken', () => {
    expect(escapeMarkdown('a\nb\r\nc\rd\u2028e\tf\u0000g')).toBe('a b c d e f g');
    expect(escapeMarkdown('x | y\n| --- |')).toBe('x \\| y \\| \\-\\-\\- \\|');
  });

  it('removes bidirectional overrides', () => {
    expect(escapeMarkdown('abc\u202edcb\u2066x\u2069')).toBe('abcdcbx');
  });

  it('leaves plain text alone', () => {
    expect(escapeMarkdown('Required check build is missing.')).toBe('Required check build is missing.');
    expect(escapeMarkdown('héllo 日本 😀')).toBe('héllo 日本 😀');
  });

  it('makes hostile strings inert', () => {
    const hostile = [
      '<script>alert(1)</script>',
      '](javascript:alert(1))',
      '@octocat please look',
      'a | b | c',
      'line1\nline2\r\n# heading',
      '<img src=x onerror=alert(1)>',
      '**bold** _it_ `code` ~~strike~~',
      '<details><summary>x</summary>',
      '[![x](y)](z)',
      '&lt;already&gt;'
    ];
    for (const h of hostile) expectInert(escapeMarkdown(h));
  });
});

describe('escWithCode', () => {
  it('turns backtick pairs into <code> around escaped text', () => {
    expect(escWithCode('The action `acme/deploy@main` in job `build-and-test`')).toBe(
      'The action <code>acme/deploy@\u200dmain</code> in job <code>build\\-and\\-test</code>'
    );
  });

  it('escapes what the repository wrote inside a span: pipes, tags, emphasis, mentions', () => {
    const out = escWithCode('run `a | b </code><img src=x onerror=alert(1)> *x* @admin`');
    expect(out.startsWith('run <code>')).toBe(true);
    expect(out.endsWith('</code>')).toBe(true);
    expect(out).not.toMatch(/<img|<\/code><|[^\\]\|/);
    expect(out).toContain('&lt;/code&gt;&lt;img');
    expect(out).toContain('@\u200dadmin');
    expect(out).toContain('\\*x\\*');
  });

  it('leaves an unpaired backtick (e.g. cut by clipping) as an escaped character', () => {
    expect(escWithCode('a `b` c `d')).toBe('a <code>b</code> c \\`d');
    const clipped = escWithCode('x `' + 'y'.repeat(600) + '`', 50);
    expect(clipped.startsWith('x \\`yyy')).toBe(true);
    expect(clipped).not.toContain('<code>');
  });
});

describe('blobUrl', () => {
  it('builds links from encoded segments', () => {
    expect(blobUrl('https://github.com', 'o/r', 'abc', '.github/workflows/ci.yml', 3)).toBe(
      'https://github.com/o/r/blob/abc/.github/workflows/ci.yml#L3'
    );
    expect(blobUrl('https://github.com/', 'o/r', 'abc', 'a b/c)d(e]f#g?h.yml')).toBe(
      'https://github.com/o/r/blob/abc/a%20b/c%29d%28e%5Df%23g%3Fh.yml'
    );
    expect(blobUrl('https://ghe.example.com/', 'o/r', 'abc', 'x.yml', 0)).toBe('https://ghe.example.com/o/r/blob/abc/x.yml');
  });

  it('refuses odd paths and non-http servers', () => {
    expect(blobUrl('javascript:alert(1)', 'o/r', 'abc', 'x.yml')).toBeUndefined();
    expect(blobUrl('not a url', 'o/r', 'abc', 'x.yml')).toBeUndefined();
    expect(blobUrl('https://github.com', 'o/r', 'abc', '../../../evil')).toBeUndefined();
    expect(blobUrl('https://github.com', 'o/r', 'abc', 'a//b')).toBeUndefined();
    expect(blobUrl('https://github.com', 'o', 'abc', 'x.yml')).toBeUndefined();
    expect(blobUrl('https://github.com', 'o/r', '', 'x.yml')).toBeUndefined();
  });
});

describe('buildSummary', () => {
  it('shows the banner, reasons, demotion, rule table, findings, unobservable, L0 and invalid suppressions', () => {
    const md = buildSummary(sampleEvaluation(), sampleContext(), opts);
    expect(md.startsWith('## ⛔ Phase Mirror: block\n')).toBe(true);
    expect(md).toContain('- L0 invariant permission\\_bits failed');
    expect(md).toContain('### Demoted rules');
    expect(md).toContain('**MD\\-001** runs as **warn** instead of **block** this run: false-positive rate 15.0% over 40 reviewed events exceeds its ceiling of 10.0%.');
    expect(md).toContain('| Rule | Title | Open | Suppressed | FP | Action |');
    expect(md).toContain('| MD\\-001 | Required check unreachable | 1 | 0 | 0 | warn (demoted) |');
    expect(md).toContain('| MD\\-002 | Title of MD\\-002 | 1 | 1 | 0 | warn |');
    expect(md).toContain('| MD\\-004 | Title of MD\\-004 | 0 | 0 | 1 | warn |');
    expect(md).toContain(
      '[.github/workflows/pm.yml:12](https://github.com/PhaseMirror/example/blob/0123456789abcdef0123456789abcdef01234567/.github/workflows/pm.yml#L12)'
    );
    expect(md).toContain('[CODEOWNERS](https://github.com/PhaseMirror/example/blob/0123456789abcdef0123456789abcdef01234567/CODEOWNERS)');
    expect(md).toContain('### Not observable');
    expect(md).toContain('- **classic branch protection for main**: GET /repos/o/r/branches/main/protection returned 403 (needs administration: read) [MD\\-003]');
    expect(md).toContain('- policy line 31: suppression expired on 2024\\-01\\-01');
    expect(md).toContain('| permission\\_bits | ❌ fail | write bit contents outside the check mask |');
    expect(md).not.toContain('Degraded');
    expect(md).not.toContain('could not be recorded');
    expect(md).not.toContain('more findings not shown');
    // Only open findings are in the top-findings table.
    const top = md.slice(md.indexOf('### Top findings'), md.indexOf('### Not observable'));
    expect(top.split('\n').filter((l) => l.startsWith('| 🟥') || l.startsWith('| 🟧') || l.startsWith('| 🟨') || l.startsWith('| ⬜'))).toHaveLength(5);
  });

  it('announces a degraded run, evaluation errors, unrecorded writes and hidden annotations', () => {
    const md = buildSummary(
      degradedEvaluation(),
      sampleContext({
        degradedDetail: 'store said <b>no</b> @octocat',
        unrecorded: [
          { store: 'fp-events', operation: 'recordEvents', error: 'x', payload: {} },
          { store: 'block-counter', operation: 'increment', error: 'y', payload: {} },
          { store: 'fp-events', operation: 'recordEvents', error: 'z', payload: {} }
        ]
      }),
      { ...opts, annotationOverflow: 7 }
    );
    expect(md.startsWith('## ⚠️ Phase Mirror: warn\n')).toBe(true);
    expect(md).toContain('**Degraded run**');
    expect(md).toContain('circuit breaker triggered: blocks downgraded to warnings');
    expect(md).toContain('false\\-positive store unavailable');
    expect(md).toContain('store said &lt;b&gt;no&lt;/b&gt; @\u200doctocat');
    expect(md).toContain('### Evaluation errors');
    expect(md).toContain('- **MD\\-007**: TypeError: cannot read properties of undefined');
    expect(md).toContain('3 writes could not be recorded; see meta.unrecorded in the report');
    expect(md).toContain('7 annotations not shown');
  });

  it('shows pass with no findings', () => {
    const e = sampleEvaluation();
    e.findings = [];
    e.demotions = [];
    e.unobservable = [];
    e.invalidSuppressions = [];
    e.decision = { ...e.decision, outcome: 'pass', reasons: [] };
    const md = buildSummary(e, sampleContext(), opts);
    expect(md.startsWith('## ✅ Phase Mirror: pass\n')).toBe(true);
    expect(md).toContain('No findings.');
    expect(md).not.toContain('### Findings by rule');
  });

  it('escapes every repository-controlled string', () => {
    const evil = '<script>alert(1)</script> [x](javascript:alert(1)) @octocat | cell\nnew line';
    const e: Evaluation = sampleEvaluation();
    e.findings = [
      finding({
        ruleId: 'MD-002',
        severity: 'high',
        title: evil,
        message: evil,
        subject: evil,
        path: '.github/workflows/<evil> (x)|@octocat.yml',
        line: 4
      })
    ];
    e.unobservable = [{ subject: evil, reason: evil, missingPermission: evil, ruleId: 'MD-003' }];
    e.invalidSuppressions = [{ line: 3, problem: evil }];
    e.evaluationErrors = [{ ruleId: 'MD-002', message: evil }];
    e.l0 = [{ check: 'schema_hash', status: 'fail', detail: evil }];
    e.decision = { ...e.decision, reasons: [evil] };
    const md = buildSummary(e, sampleContext({ degradedDetail: evil }), opts);
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('](javascript');
    expect(md).not.toMatch(/@[A-Za-z]/);
    expect(md).not.toContain('cell\nnew line');
    expect(md).not.toContain('<evil>');
    // The one link in the findings table is built from encoded segments only.
    const links = [...md.matchAll(/\]\((https?:[^)]*)\)/g)].map((m) => m[1]);
    expect(links).toEqual([
      'https://github.com/PhaseMirror/example/blob/0123456789abcdef0123456789abcdef01234567/.github/workflows/%3Cevil%3E%20%28x%29%7C%40octocat.yml#L4'
    ]);
    // Every table row keeps its column count (no unescaped pipe, no line break inside a cell).
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) {
      const cells = line.replace(/\\\|/g, '').split('|').length - 2;
      expect([3, 5, 6]).toContain(cells);
    }
    // The only raw HTML is the footer's <sub>.
    expect(md.replace(/<\/?sub>/g, '')).not.toMatch(/<[a-z/]/i);
  });

  it('stays under the budget with 20,000 findings and points to the report', () => {
    const e = sampleEvaluation();
    e.findings = Array.from({ length: 20000 }, (_, i) =>
      finding({
        ruleId: `MD-00${i % 8}`,
        severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
        path: `.github/workflows/workflow-${i}.yml`,
        line: (i % 500) + 1,
        subject: `subject-${i}`,
        message: `A fairly long message that explains finding number ${i} in some detail, with <html> & "quotes" and @mentions`.repeat(3)
      })
    );
    const md = buildSummary(e, sampleContext(), opts);
    const size = Buffer.byteLength(md, 'utf8');
    expect(size).toBeLessThanOrEqual(DEFAULT_SUMMARY_MAX_BYTES);
    expect(size).toBeGreaterThan(DEFAULT_SUMMARY_MAX_BYTES * 0.8);
    const shown = md.split('\n').filter((l) => /^\| (🟥|🟧|🟨|⬜)/.test(l)).length;
    expect(shown).toBeGreaterThan(100);
    expect(md).toContain(`… ${20000 - shown} more findings not shown; see \`dissonance_report.json\` in the workflow artifacts`);
    // The sections after the findings are still there.
    expect(md).toContain('### L0 invariants');
    expect(md).toContain('### Not observable');
  });

  it('respects a small maxBytes, including with huge other lists', () => {
    const e = sampleEvaluation();
    e.findings = Array.from({ length: 500 }, (_, i) => finding({ subject: `s${i}`, line: i + 1, message: 'm'.repeat(400) }));
    e.unobservable = Array.from({ length: 5000 }, (_, i) => ({ subject: `thing ${i}`, reason: '<'.repeat(300) }));
    e.evaluationErrors = Array.from({ length: 5000 }, (_, i) => ({ ruleId: 'MD-001', message: `error ${i} ${'&'.repeat(300)}` }));
    e.invalidSuppressions = Array.from({ length: 5000 }, (_, i) => ({ line: i, problem: 'expired' }));
    for (const maxBytes of [4096, 20000, 100000]) {
      const md = buildSummary(e, sampleContext(), { ...opts, maxBytes });
      expect(Buffer.byteLength(md, 'utf8')).toBeLessThanOrEqual(maxBytes);
      expect(md).toMatch(/more findings not shown|summary truncated/);
    }
    const md = buildSummary(e, sampleContext(), { ...opts, maxBytes: 100000 });
    expect(md).toContain('more unobservable items not shown');
    expect(md).toContain('more evaluation errors not shown');
    expect(md).toContain('more invalid suppressions not shown');
  });

  it('escapes an unusual report file name', () => {
    const e = sampleEvaluation();
    e.findings = Array.from({ length: 200 }, (_, i) => finding({ subject: `s${i}`, message: 'm'.repeat(200) }));
    const md = buildSummary(e, sampleContext(), { ...opts, maxBytes: 8000, reportFileName: 'out/<r>`@x`.json' });
    expect(md).toContain('see out/&lt;r&gt;\\`@\u200dx\\`.json in the workflow artifacts');
  });

  it('is deterministic', () => {
    const a = buildSummary(degradedEvaluation(), sampleContext(), opts);
    const e = degradedEvaluation();
    e.findings.reverse();
    e.demotions.reverse();
    expect(buildSummary(e, sampleContext(), opts)).toBe(a);
  });
});
