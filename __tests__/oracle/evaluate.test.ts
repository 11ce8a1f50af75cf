import { describe, expect, it } from '@jest/globals';
import { runRules } from '../../src/oracle/evaluate.js';
import { assembleEvaluation } from '../../src/oracle/assemble.js';
import { findingId, rulesHash } from '../../src/oracle/fingerprint.js';
import { matchSuppressions, pathMatches } from '../../src/oracle/suppress.js';
import type { Rule } from '../../src/model/index.js';
import { emptySnapshot, fixedRule, meta } from './helpers.js';

const NOW = new Date('2026-11-28T12:00:00Z');

describe('finding ids', () => {
  it('are 16 hex, stable, and independent of line numbers', () => {
    const id = findingId('MD-001', '.github/workflows/ci.yml', 'build');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(findingId('MD-001', '.github/workflows/ci.yml', 'build')).toBe(id);
    expect(findingId('MD-001', '.github/workflows/ci.yml', 'test')).not.toBe(id);
  });
  it('rules_hash ignores order', () => {
    expect(rulesHash([{ id: 'b', version: '1' }, { id: 'a', version: '2' }])).toBe(rulesHash([{ id: 'a', version: '2' }, { id: 'b', version: '1' }]));
  });
});

describe('runRules', () => {
  it('fills ids and defaults from metadata, applies policy severity and action', () => {
    const snap = emptySnapshot();
    snap.policy.rules['MD-001'] = { enabled: true, options: {}, severity: 'low', action: 'warn' };
    const r = runRules(snap, [fixedRule('MD-001', ['a'])]);
    expect(r.findings[0]).toMatchObject({ ruleId: 'MD-001', severity: 'low', title: 'MD-001 title', remediation: 'r', id: findingId('MD-001', '.github/workflows/a.yml', 'a') });
    expect(r.actions['MD-001']).toBe('warn');
  });
  it('skips disabled rules', () => {
    const snap = emptySnapshot();
    snap.policy.rules['MD-001'] = { enabled: false, options: {} };
    expect(runRules(snap, [fixedRule('MD-001', ['a'])]).findings).toEqual([]);
  });
  it('a throwing rule becomes a critical blocking finding; the others still run', () => {
    const boom: Rule = { meta: meta('MD-009', { defaultAction: 'warn' }), evaluate: () => { throw new Error('kaput'); } };
    const r = runRules(emptySnapshot(), [boom, fixedRule('MD-001', ['a'])]);
    expect(r.evaluationErrors).toEqual([{ ruleId: 'MD-009', message: 'kaput' }]);
    expect(r.findings.map((f) => f.ruleId).sort()).toEqual(['MD-001', 'MD-009']);
    expect(r.findings.find((f) => f.ruleId === 'MD-009')).toMatchObject({ severity: 'critical', message: expect.stringContaining('Rule MD-009 failed during evaluate: kaput') });
    expect(r.actions['MD-009']).toBe('block');
  });
  it('merges duplicate subjects and collects unobservable with the rule id', () => {
    const rule: Rule = {
      meta: meta('MD-003'),
      evaluate: () => ({
        findings: [
          { subject: 'x', path: 'p', message: 'one', evidence: [] },
          { subject: 'x', path: 'p', message: 'two', evidence: [] }
        ],
        unobservable: [{ subject: 'classic protection', reason: '403' }]
      })
    };
    const r = runRules(emptySnapshot(), [rule]);
    expect(r.findings).toHaveLength(1);
    expect(r.unobservable).toEqual([{ subject: 'classic protection', reason: '403', ruleId: 'MD-003' }]);
  });
});

describe('suppressions', () => {
  const rules = [fixedRule('MD-001', ['a', 'b'])];
  const found = runRules(emptySnapshot(), rules).findings;
  it('by finding id, by rule and by rule+path; expired and reason-less entries do not apply', () => {
    const out = matchSuppressions(found, [
      { finding: found[0].id, reason: 'audited', line: 3 },
      { rule: 'MD-001', path: '.github/workflows/b.yml', reason: 'ok', expires: '2026-11-28', line: 5 },
      { rule: 'MD-001', reason: '', line: 7 },
      { rule: 'MD-001', reason: 'old', expires: '2026-11-27', line: 9 }
    ], NOW);
    expect([...out.matches.keys()].sort()).toEqual([found[0].id, found[1].id].sort());
    expect(out.invalid).toEqual([
      { line: 7, problem: 'suppression of rule MD-001 has no reason, so it does not apply' },
      { line: 9, problem: 'suppression of rule MD-001 expired on 2026-11-27, so it no longer applies' }
    ]);
  });
  it('never suppresses L0 findings', () => {
    const l0 = { ...found[0], ruleId: 'L0-permission-bits' };
    expect(matchSuppressions([l0], [{ rule: 'L0-permission-bits', reason: 'x', line: 1 }], NOW).matches.size).toBe(0);
  });
  it('path patterns', () => {
    expect(pathMatches('.github/workflows/', '.github/workflows/a.yml')).toBe(true);
    expect(pathMatches('.github/workflows/*.yml', '.github/workflows/a.yml')).toBe(true);
    expect(pathMatches('.github/*.yml', '.github/workflows/a.yml')).toBe(false);
    expect(pathMatches('.github/**', '.github/workflows/a.yml')).toBe(true);
    expect(pathMatches('a.yml', 'b.yml')).toBe(false);
  });
});

describe('assembleEvaluation (DESIGN §6 order)', () => {
  const base = () => {
    const snapshot = emptySnapshot();
    const rules = [fixedRule('MD-001', ['a', 'b', 'c', 'd']), fixedRule('MD-007', ['x'], { severity: 'critical' })];
    return { snapshot, rules, run: runRules(snapshot, rules) };
  };
  const assemble = (b: ReturnType<typeof base>, over: Partial<Parameters<typeof assembleEvaluation>[0]> = {}) =>
    assembleEvaluation({
      ...b,
      l0: { results: [], findings: [] },
      marks: new Map(),
      windows: new Map(),
      strict: false,
      dryRun: false,
      breaker: { mode: 'auto', blockedThisHour: 0, threshold: 100 },
      degradedReasons: [],
      now: NOW,
      ...over
    });

  it('blocks, then FP marks and suppressions bring it back under the thresholds', () => {
    const b = base();
    expect(assemble(b).decision.outcome).toBe('block');
    const crit = b.run.findings.find((f) => f.ruleId === 'MD-007')!;
    const a = b.run.findings.find((f) => f.subject === 'a')!;
    b.snapshot.policy.suppressions = [{ finding: a.id, reason: 'vendor', approvedBy: 'octocat', line: 2 }];
    const e = assemble(b, { marks: new Map([[crit.id, { outcome: 'false_positive', reviewer: 'alice', ticket: 'T-1' }]]) });
    expect(e.decision.outcome).toBe('warn');
    expect(e.findings.find((f) => f.id === crit.id)).toMatchObject({ status: 'false_positive', suppression: { kind: 'fp_mark', ticket: 'T-1' } });
    expect(e.findings.find((f) => f.id === a.id)).toMatchObject({ status: 'suppressed', suppression: { kind: 'policy', approvedBy: 'octocat' } });
    expect(e.rulesHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a demoted rule runs as warn and its findings stop counting', () => {
    const b = base();
    b.run.findings = b.run.findings.filter((f) => f.ruleId === 'MD-007');
    const windows = new Map([['MD-007', Array.from({ length: 20 }, (_, k) => ({ outcome: k < 10 ? 'false_positive' as const : 'true_positive' as const, reviewer: 'r' }))]]);
    const e = assemble(b, { windows });
    expect(e.demotions.map((d) => d.ruleId)).toEqual(['MD-007']);
    expect(e.findings.find((f) => f.ruleId === 'MD-007')!.action).toBe('warn');
    expect(e.decision.outcome).toBe('warn');
  });

  it('L0 findings always block and ignore marks', () => {
    const b = { snapshot: emptySnapshot(), rules: [] as Rule[], run: runRules(emptySnapshot(), []) };
    const l0f = { id: 'ffffffffffffffff', ruleId: 'L0-schema-hash', ruleVersion: '1', severity: 'critical' as const, confidence: 'high' as const, title: 't', message: 'm', evidence: [], remediation: 'r', subject: 'schema_hash', path: 'x' };
    const e = assemble(b, { l0: { results: [], findings: [l0f] }, marks: new Map([[l0f.id, { outcome: 'false_positive', reviewer: 'x' }]]) });
    expect(e.decision.outcome).toBe('block');
    expect(e.findings[0]).toMatchObject({ status: 'open', action: 'block' });
  });
});
