import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DOCS_COMMAND, renderRuleDoc, renderRuleIndex, ruleDocFile } from '../../src/docs/rule-docs.js';
import { RULES } from '../../src/rules/index.js';
import type { RuleMeta } from '../../src/model/finding.js';

const DIR = path.resolve('docs/rules');
const stale = (file: string, why: string): string => `docs/rules/${file} ${why}. Regenerate the rule docs with \`${DOCS_COMMAND}\` and commit the result.`;

function read(file: string): string | undefined {
  const abs = path.join(DIR, file);
  return existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
}

describe('rule docs are up to date', () => {
  it.each(RULES.map((r) => [r.meta.id, r.meta] as const))('%s', (_id, meta) => {
    const file = ruleDocFile(meta);
    const text = read(file);
    if (text === undefined) throw new Error(stale(file, 'is missing'));
    if (text !== renderRuleDoc(meta)) throw new Error(stale(file, 'is stale (it differs from the rule metadata)'));
  });

  it('README.md (the index)', () => {
    const text = read('README.md');
    if (text === undefined) throw new Error(stale('README.md', 'is missing'));
    if (text !== renderRuleIndex(RULES.map((r) => r.meta))) throw new Error(stale('README.md', 'is stale'));
  });

  it('no page for a rule that is not registered', () => {
    const wanted = new Set([...RULES.map((r) => ruleDocFile(r.meta)), 'README.md']);
    const extra = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.md') && !wanted.has(f)) : [];
    if (extra.length > 0) throw new Error(stale(extra.join(', '), 'belongs to no registered rule'));
  });
});

describe('renderRuleDoc', () => {
  const meta: RuleMeta = {
    id: 'MD-999',
    version: '1.2.3',
    title: 'Test | rule',
    severity: 'high',
    confidence: 'medium',
    defaultAction: 'block',
    fpCeiling: 0.1,
    motivation: 'Because.',
    description: 'Checks things.',
    remediation: 'Fix them.',
    example: 'run: echo ```hi```'
  };

  it('has every section, the metadata table and a suppression snippet for the rule', () => {
    const doc = renderRuleDoc(meta);
    for (const heading of ['# MD-999: Test | rule', '## Why it matters', '## What is checked', '## Example', '## How to fix it', '## How to suppress it', '## Reporting a false positive']) {
      expect(doc).toContain(heading);
    }
    expect(doc).toContain('| Default severity | high |');
    expect(doc).toContain('| Confidence | medium |');
    expect(doc).toContain('| Default action | block |');
    expect(doc).toContain('| False-positive ceiling | 10%');
    expect(doc).toContain('  - rule: MD-999');
    expect(doc).toContain('/phase-mirror false-positive <finding-id> <ticket>');
    expect(doc).toContain('**base** branch');
    // The example's own backticks do not close the fence.
    expect(doc).toContain('````yaml\nrun: echo ```hi```\n````');
  });

  it('omits the example section without an example; is deterministic', () => {
    const { example: _example, ...noExample } = meta;
    expect(renderRuleDoc(noExample)).not.toContain('## Example');
    expect(renderRuleDoc(meta)).toBe(renderRuleDoc({ ...meta }));
  });

  it('the index lists rules sorted by id with links and escapes cells', () => {
    const idx = renderRuleIndex([{ ...meta, id: 'MD-010' }, meta]);
    const rows = idx.split('\n').filter((l) => l.startsWith('| ['));
    expect(rows).toEqual([
      '| [MD-010](MD-010.md) | Test \\| rule | high | medium | block |',
      '| [MD-999](MD-999.md) | Test \\| rule | high | medium | block |'
    ]);
  });
});
