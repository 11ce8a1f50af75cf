import { describe, expect, it } from '@jest/globals';
import { selectAnnotations } from '../../src/report/index.js';
import type { Evaluation } from '../../src/model/index.js';
import { degradedEvaluation, finding, sampleEvaluation } from './fixtures.js';

function withFindings(findings: Evaluation['findings']): Evaluation {
  const e = sampleEvaluation();
  e.findings = findings;
  return e;
}

describe('selectAnnotations', () => {
  it('annotates open findings only, with the right levels and positions', () => {
    const { annotations, omitted } = selectAnnotations(sampleEvaluation());
    expect(annotations.map((a) => [a.level, a.title])).toEqual([
      ['error', 'L0-permission-bits: Token permissions exceed the mode'],
      ['error', 'MD-001: Required check unreachable'],
      ['warning', 'MD-002: Title of MD-002'],
      ['warning', 'MD-003: Title of MD-003'],
      ['notice', 'MD-006: CODEOWNERS pattern matches nothing']
    ]);
    expect(omitted).toEqual({ error: 0, warning: 0, notice: 0 });
    expect(annotations[0]).toMatchObject({ file: '.github/workflows/pm.yml', startLine: 12, startColumn: 5 });
    expect(annotations[1]).toMatchObject({ file: '.github/workflows/ci.yml', startLine: 3 });
    expect(annotations[1]!.startColumn).toBeUndefined();
    expect(annotations[4]!.file).toBe('CODEOWNERS');
    expect(annotations[4]!.startLine).toBeUndefined();
  });

  it('keeps at most 10 per level: 25 high findings give 10 errors and omitted.error 15', () => {
    const findings = Array.from({ length: 25 }, (_, i) => finding({ ruleId: 'MD-004', severity: 'high', subject: `job-${i}`, line: i + 1 }));
    const { annotations, omitted } = selectAnnotations(withFindings(findings));
    expect(annotations).toHaveLength(10);
    expect(annotations.every((a) => a.level === 'error')).toBe(true);
    expect(omitted).toEqual({ error: 15, warning: 0, notice: 0 });
  });

  it('limits each level independently', () => {
    const findings = [
      ...Array.from({ length: 12 }, (_, i) => finding({ severity: 'critical', subject: `c${i}`, line: i + 1 })),
      ...Array.from({ length: 11 }, (_, i) => finding({ severity: 'medium', subject: `m${i}`, line: i + 1 })),
      ...Array.from({ length: 13 }, (_, i) => finding({ severity: 'low', subject: `l${i}`, line: i + 1 })),
      ...Array.from({ length: 5 }, (_, i) => finding({ severity: 'critical', status: 'suppressed', subject: `s${i}` }))
    ];
    const { annotations, omitted } = selectAnnotations(withFindings(findings));
    expect(annotations).toHaveLength(30);
    expect(omitted).toEqual({ error: 2, warning: 1, notice: 3 });
  });

  it('ranks by severity, then confidence, then rule, path, line', () => {
    const findings = [
      finding({ ruleId: 'MD-001', severity: 'high', confidence: 'low', subject: 'a', line: 1 }),
      finding({ ruleId: 'MD-009', severity: 'high', confidence: 'high', subject: 'b', line: 1 }),
      finding({ ruleId: 'MD-002', severity: 'critical', confidence: 'low', subject: 'c', line: 1 }),
      finding({ ruleId: 'MD-001', severity: 'high', confidence: 'high', path: 'b.yml', subject: 'd', line: 1 }),
      finding({ ruleId: 'MD-001', severity: 'high', confidence: 'high', path: 'a.yml', subject: 'e', line: 9 }),
      finding({ ruleId: 'MD-001', severity: 'high', confidence: 'high', path: 'a.yml', subject: 'f', line: 2 })
    ];
    const { annotations } = selectAnnotations(withFindings(findings));
    expect(annotations.map((a) => `${a.title.slice(0, 6)} ${a.file}:${a.startLine}`)).toEqual([
      'MD-002 .github/workflows/ci.yml:1',
      'MD-001 a.yml:2',
      'MD-001 a.yml:9',
      'MD-001 b.yml:1',
      'MD-009 .github/workflows/ci.yml:1',
      'MD-001 .github/workflows/ci.yml:1'
    ]);
    // The 10 shown errors are the best-ranked ones.
    const many = [
      ...Array.from({ length: 10 }, (_, i) => finding({ severity: 'high', confidence: 'low', subject: `low${i}` })),
      finding({ severity: 'high', confidence: 'high', subject: 'best' })
    ];
    const top = selectAnnotations(withFindings(many)).annotations;
    expect(top[0]!.message).toContain('best');
  });

  it('keeps titles on one line; messages may keep newlines', () => {
    const f = finding({ severity: 'medium', title: 'evil\ntitle\r\nhere', message: 'line one\nline two' });
    const [a] = selectAnnotations(withFindings([f])).annotations;
    expect(a!.title).toBe('MD-002: evil title here');
    expect(a!.title).not.toMatch(/[\r\n]/);
    expect(a!.message).toContain('line one\nline two');
  });

  it('can put the degraded warning first, taking one warning slot', () => {
    const e = degradedEvaluation();
    e.findings = Array.from({ length: 12 }, (_, i) => finding({ severity: 'medium', subject: `m${i}` }));
    const without = selectAnnotations(e);
    expect(without.annotations).toHaveLength(10);
    expect(without.omitted.warning).toBe(2);
    const withDegraded = selectAnnotations(e, { includeDegraded: true });
    expect(withDegraded.annotations[0]).toMatchObject({ level: 'warning', title: 'Phase Mirror ran degraded' });
    expect(withDegraded.annotations[0]!.message).toContain('circuit breaker triggered: blocks downgraded to warnings');
    expect(withDegraded.annotations).toHaveLength(10);
    expect(withDegraded.omitted.warning).toBe(3);
    expect(selectAnnotations(sampleEvaluation(), { includeDegraded: true }).annotations[0]!.title).not.toContain('degraded');
  });
});
