import { describe, expect, it } from '@jest/globals';
import { decide, type DecisionInput } from '../../src/oracle/decision.js';
import { breakerVerdict } from '../../src/oracle/breaker.js';
import { DEFAULT_STRICT_THRESHOLDS, DEFAULT_THRESHOLDS } from '../../src/model/index.js';
import { finding } from './helpers.js';

function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    findings: [],
    strict: false,
    thresholds: DEFAULT_THRESHOLDS,
    strictThresholds: DEFAULT_STRICT_THRESHOLDS,
    breaker: { mode: 'auto', blockedThisHour: 0, threshold: 100 },
    dryRun: false,
    degradedReasons: [],
    ...over
  };
}

const highs = (n: number, action: 'block' | 'warn' = 'block') =>
  Array.from({ length: n }, (_, k) => finding({ id: `${k}`.padStart(16, '0'), severity: 'high', action }));

describe('decide: thresholds', () => {
  it('passes with no findings and with only low ones', () => {
    expect(decide(input()).outcome).toBe('pass');
    expect(decide(input({ findings: [finding({ severity: 'low' })] })).outcome).toBe('pass');
  });
  it('blocks on one critical blocking finding', () => {
    const d = decide(input({ findings: [finding({ severity: 'critical' })] }));
    expect(d.outcome).toBe('block');
    expect(d.blockingCounts.critical).toBe(1);
    expect(d.reasons[0]).toContain('1 critical');
  });
  it('default thresholds: 3 high warn, 4 high block', () => {
    expect(decide(input({ findings: highs(3) })).outcome).toBe('warn');
    expect(decide(input({ findings: highs(4) })).outcome).toBe('block');
  });
  it('strict thresholds: one high blocks, 6 medium block', () => {
    expect(decide(input({ strict: true, findings: highs(1) })).outcome).toBe('block');
    const mediums = Array.from({ length: 6 }, (_, k) => finding({ id: `m${k}`, severity: 'medium' }));
    expect(decide(input({ strict: true, findings: mediums })).outcome).toBe('block');
    expect(decide(input({ strict: false, findings: mediums })).outcome).toBe('warn');
  });
  it('counts only findings of blocking rules toward the block', () => {
    const d = decide(input({ findings: highs(10, 'warn') }));
    expect(d.outcome).toBe('warn');
    expect(d.blockingCounts.high).toBe(0);
  });
  it('ignores suppressed and false-positive findings', () => {
    const f = [finding({ severity: 'critical', status: 'suppressed' }), finding({ severity: 'critical', status: 'false_positive' })];
    expect(decide(input({ findings: f })).outcome).toBe('pass');
  });
});

describe('decide: breaker, degraded, dry run (after the block decision)', () => {
  const crit = [finding({ severity: 'critical' })];
  it('trips at the threshold and only downgrades a block', () => {
    const d = decide(input({ findings: crit, breaker: { mode: 'auto', blockedThisHour: 100, threshold: 100 } }));
    expect(d).toMatchObject({ outcome: 'warn', degraded: true, degradedReasons: ['circuit_breaker_triggered'] });
    const below = decide(input({ findings: crit, breaker: { mode: 'auto', blockedThisHour: 99, threshold: 100 } }));
    expect(below.outcome).toBe('block');
    // A run that would not block is not degraded by a tripped breaker.
    const clean = decide(input({ breaker: { mode: 'auto', blockedThisHour: 500, threshold: 100 } }));
    expect(clean).toMatchObject({ outcome: 'pass', degraded: false });
  });
  it('off never trips; degraded forces degraded mode', () => {
    expect(decide(input({ findings: crit, breaker: { mode: 'off', blockedThisHour: 1e6, threshold: 1 } })).outcome).toBe('block');
    const forced = decide(input({ breaker: { mode: 'degraded', blockedThisHour: 0, threshold: 100 } }));
    expect(forced).toMatchObject({ outcome: 'pass', degraded: true, degradedReasons: ['circuit_breaker_triggered'] });
    expect(decide(input({ findings: crit, breaker: { mode: 'degraded', blockedThisHour: null, threshold: 100 } })).outcome).toBe('warn');
  });
  it('an unreadable counter does not trip the breaker', () => {
    expect(breakerVerdict({ mode: 'auto', blockedThisHour: null, threshold: 1 })).toEqual({ tripped: false });
  });
  it('fp store down: block becomes warn, degraded with the reason', () => {
    const d = decide(input({ findings: crit, degradedReasons: ['fp_store_unavailable'] }));
    expect(d).toMatchObject({ outcome: 'warn', degraded: true, degradedReasons: ['fp_store_unavailable'] });
    expect(d.reasons.join(' ')).toContain('fp_store_unavailable');
  });
  it('nonce unavailable degrades redaction only; the block stands', () => {
    const d = decide(input({ findings: crit, degradedReasons: ['nonce_unavailable'] }));
    expect(d).toMatchObject({ outcome: 'block', degraded: true, degradedReasons: ['nonce_unavailable'] });
  });
  it('dry run turns block into warn', () => {
    const d = decide(input({ findings: crit, dryRun: true }));
    expect(d.outcome).toBe('warn');
    expect(d.reasons).toContain('dry run: block downgraded to warn');
    expect(d.degraded).toBe(false);
  });
});
