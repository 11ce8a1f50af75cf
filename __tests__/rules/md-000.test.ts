import { describe, expect, it } from '@jest/globals';
import { rule } from '../../src/rules/md-000-unparseable.js';
import { RULES, ruleById } from '../../src/rules/index.js';
import type { FindingDraft, RuleResult } from '../../src/model/finding.js';
import type { WorkflowFile } from '../../src/model/workflow.js';
import { makeSnapshot, ruleConfig, workflowFromYaml } from '../../test-support/snapshot.js';

const run = (workflows: WorkflowFile[]): FindingDraft[] => {
  const r = rule.evaluate(makeSnapshot({ workflows }), ruleConfig());
  return Array.isArray(r) ? r : (r as RuleResult).findings;
};

describe('MD-000 metadata', () => {
  it('is complete and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-000', severity: 'medium', confidence: 'high', defaultAction: 'warn', fpCeiling: 0.1 });
    for (const k of ['title', 'motivation', 'description', 'remediation', 'example'] as const) {
      expect(String(rule.meta[k]).length).toBeGreaterThan(20);
    }
    expect(rule.meta.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(ruleById('MD-000')).toBe(rule);
    expect(ruleById('MD-999')).toBeUndefined();
    expect(RULES.map((r) => r.meta.id)).toEqual([...RULES.map((r) => r.meta.id)].sort());
  });

  it('its example triggers it', () => {
    expect(run([workflowFromYaml('.github/workflows/ci.yml', rule.meta.example ?? '')])).toHaveLength(1);
  });
});

describe('MD-000 evaluate', () => {
  it('reports a workflow that is not valid YAML with line, column and the parser message', () => {
    const findings = run([workflowFromYaml('.github/workflows/ci.yml', 'on: push\njobs:\n  a:\n    runs-on: x\n   steps: []\n')]);
    expect(findings).toEqual([
      {
        subject: 'parse-error',
        path: '.github/workflows/ci.yml',
        title: expect.stringContaining('.github/workflows/ci.yml'),
        message: expect.stringContaining('"All mapping items must start at the same column"'),
        evidence: [{ path: '.github/workflows/ci.yml', line: 5, column: 1 }]
      }
    ]);
    expect(findings[0].message).toContain('line 5, column 1');
  });

  it('reports action files and files that could not be read', () => {
    const unreadable: WorkflowFile = {
      path: '.github/workflows/gone.yml',
      kind: 'workflow',
      sha256: '',
      parseError: { message: 'could not read the file: EACCES: permission denied' },
      triggers: [],
      env: {},
      jobs: [],
      lineCount: 0
    };
    const findings = run([workflowFromYaml('.github/actions/x/action.yml', 'name: [\n', 'action'), unreadable]);
    expect(findings.map((f) => [f.path, f.subject])).toEqual([
      ['.github/actions/x/action.yml', 'parse-error'],
      ['.github/workflows/gone.yml', 'parse-error']
    ]);
    expect(findings[0].message).toMatch(/^Action metadata file/);
    expect(findings[1].evidence).toEqual([{ path: '.github/workflows/gone.yml' }]);
    expect(findings[1].message).toContain('EACCES');
  });

  it('reports empty and non-mapping files', () => {
    const findings = run([workflowFromYaml('.github/workflows/empty.yml', ''), workflowFromYaml('.github/workflows/list.yml', '- a\n')]);
    expect(findings.map((f) => f.path)).toEqual(['.github/workflows/empty.yml', '.github/workflows/list.yml']);
  });

  it('stays silent on valid files, including odd but valid YAML', () => {
    const ok = [
      workflowFromYaml('.github/workflows/ci.yml', 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: make}]\n'),
      workflowFromYaml('.github/workflows/jobs-list.yml', 'on: push\njobs: [a]\n'),
      workflowFromYaml('.github/workflows/perm.yml', 'on: push\npermissions: 7\njobs: {}\n'),
      workflowFromYaml('action.yml', 'name: a\nruns: {using: node24, main: x.js}\n', 'action')
    ];
    expect(run(ok)).toEqual([]);
    expect(run([])).toEqual([]);
  });

  it('the subject is stable across edits that move the error', () => {
    const a = run([workflowFromYaml('.github/workflows/ci.yml', 'on: [push\n')]);
    const b = run([workflowFromYaml('.github/workflows/ci.yml', '# comment\n\non: [push\n')]);
    expect(a[0].subject).toBe(b[0].subject);
    expect(a[0].evidence[0].line).not.toBe(b[0].evidence[0].line);
  });
});
