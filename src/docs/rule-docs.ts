/**
 * Rule documentation rendered from rule metadata (pure). `npm run docs` writes
 * `docs/rules/<id>.md` for every registered rule and `docs/rules/README.md`; a test fails when the
 * committed pages differ from what these functions produce.
 */
import type { RuleMeta } from '../model/finding.js';

/** File name of a rule's page inside `docs/rules/`. */
export const ruleDocFile = (meta: Pick<RuleMeta, 'id'>): string => `${meta.id}.md`;

export const DOCS_COMMAND = 'npm run docs';

/** Markdown-safe table cell: pipes escaped, newlines flattened. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A fence longer than any backtick run in the text. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function codeBlock(lang: string, text: string): string {
  const f = fence(text);
  return `${f}${lang}\n${text.replace(/\s+$/, '')}\n${f}`;
}

const percent = (x: number): string => `${Math.round(x * 1000) / 10}%`;

/** One rule's page. */
export function renderRuleDoc(meta: RuleMeta): string {
  const lines: string[] = [];
  lines.push(`<!-- Generated from the rule metadata by \`${DOCS_COMMAND}\`. Do not edit by hand. -->`);
  lines.push('');
  lines.push(`# ${meta.id}: ${meta.title}`);
  lines.push('');
  lines.push('| | |');
  lines.push('|---|---|');
  lines.push(`| Rule id | \`${meta.id}\` (version ${cell(meta.version)}) |`);
  lines.push(`| Default severity | ${meta.severity} |`);
  lines.push(`| Confidence | ${meta.confidence} |`);
  lines.push(`| Default action | ${meta.defaultAction} |`);
  lines.push(`| False-positive ceiling | ${percent(meta.fpCeiling)}${meta.defaultAction === 'block' ? ' (above it the rule is demoted to `warn` until it recovers)' : ''} |`);
  lines.push('');
  lines.push('## Why it matters');
  lines.push('');
  lines.push(meta.motivation.trim());
  lines.push('');
  lines.push('## What is checked');
  lines.push('');
  lines.push(meta.description.trim());
  lines.push('');
  if (meta.example && meta.example.trim() !== '') {
    lines.push('## Example');
    lines.push('');
    lines.push('This triggers the rule:');
    lines.push('');
    lines.push(codeBlock('yaml', meta.example));
    lines.push('');
  }
  lines.push('## How to fix it');
  lines.push('');
  lines.push(meta.remediation.trim());
  lines.push('');
  lines.push('## How to suppress it');
  lines.push('');
  lines.push(
    'Suppressions live in the policy file (`.github/phase-mirror.yml`, or the `policy-path` input). Each needs a ' +
      '`reason`; an `expires` date and `approved-by` are recommended. An entry without a reason, or past its expiry, ' +
      'suppresses nothing and is listed in the report so it gets fixed. On pull requests the policy is read from the ' +
      '**base** branch, so a pull request cannot suppress its own findings: the suppression takes effect once it is merged. ' +
      'Suppressed findings stay in the report with their status and are counted in the summary.'
  );
  lines.push('');
  lines.push(
    codeBlock(
      'yaml',
      [
        'suppressions:',
        '  # one finding, by the id shown in the report, annotation or SARIF result',
        '  - finding: 0123456789abcdef',
        '    reason: audited in SEC-42',
        '    expires: 2027-03-31',
        '    approved-by: octocat',
        '  # every finding of the rule in some files',
        `  - rule: ${meta.id}`,
        '    path: .github/workflows/release.yml',
        '    reason: release workflow reviewed by the platform team',
        '    expires: 2027-03-31',
        '    approved-by: octocat'
      ].join('\n')
    )
  );
  lines.push('');
  lines.push('To change how the rule acts everywhere instead:');
  lines.push('');
  lines.push(
    codeBlock(
      'yaml',
      ['rules:', `  ${meta.id}: { action: warn }       # block | warn | off`, `  # ${meta.id}: { severity: low }     # override the severity of its findings`].join('\n')
    )
  );
  lines.push('');
  lines.push('## Reporting a false positive');
  lines.push('');
  lines.push(
    'If a finding is wrong, mark it so the rule\'s false-positive rate is measured (a blocking rule whose rate ' +
      'exceeds its ceiling is demoted to `warn` automatically). Marked findings stay in the report with status ' +
      '`false_positive`.'
  );
  lines.push('');
  lines.push('- On a pull request, a user with write access comments:');
  lines.push('');
  lines.push('  ```text');
  lines.push('  /phase-mirror false-positive <finding-id> <ticket>');
  lines.push('  ```');
  lines.push('');
  lines.push('- Or run the calibration workflow (`workflow_dispatch`) with the inputs `false-positive: <finding ids>`, `reviewer` and `ticket`.');
  lines.push('');
  return lines.join('\n');
}

/** The index page: one row per rule, sorted by id. */
export function renderRuleIndex(metas: readonly RuleMeta[]): string {
  const sorted = [...metas].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lines: string[] = [];
  lines.push(`<!-- Generated from the rule metadata by \`${DOCS_COMMAND}\`. Do not edit by hand. -->`);
  lines.push('');
  lines.push('# Rules');
  lines.push('');
  lines.push('Each rule finds one kind of dissonance between what the repository declares and what its machinery does.');
  lines.push('Severity, action and options can be changed per rule in the policy file (`rules:`).');
  lines.push('');
  lines.push('| Rule | Title | Severity | Confidence | Default action |');
  lines.push('|---|---|---|---|---|');
  for (const m of sorted) {
    lines.push(`| [${m.id}](${ruleDocFile(m)}) | ${cell(m.title)} | ${m.severity} | ${m.confidence} | ${m.defaultAction} |`);
  }
  lines.push('');
  return lines.join('\n');
}
