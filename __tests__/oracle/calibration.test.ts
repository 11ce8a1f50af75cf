import { describe, expect, it } from '@jest/globals';
import { computeDemotions, ruleStats, type CalibrationEvent } from '../../src/oracle/calibration.js';
import { meta } from './helpers.js';

const ev = (outcome: CalibrationEvent['outcome'], n: number): CalibrationEvent[] =>
  Array.from({ length: n }, () => ({ outcome, reviewer: outcome === 'pending' ? undefined : 'alice' }));

describe('ruleStats', () => {
  it('FPR = FP / (total - pending)', () => {
    const s = ruleStats([...ev('false_positive', 3), ...ev('true_positive', 9), ...ev('pending', 100)]);
    expect(s).toEqual({ total: 112, falsePositives: 3, pending: 100, reviewed: 12, fpr: 0.25 });
  });
  it('null FPR when nothing was reviewed', () => {
    expect(ruleStats(ev('pending', 5)).fpr).toBeNull();
    expect(ruleStats([]).fpr).toBeNull();
  });
});

describe('computeDemotions', () => {
  const metas = [meta('MD-001'), meta('MD-002', { defaultAction: 'warn' })];
  it('demotes a blocking rule over its ceiling with enough reviewed events', () => {
    const windows = new Map([['MD-001', [...ev('false_positive', 5), ...ev('true_positive', 15)]]]);
    const d = computeDemotions(metas, { 'MD-001': 'block' }, {}, windows);
    expect(d).toEqual([{ ruleId: 'MD-001', fpr: 0.25, ceiling: 0.1, reviewed: 20, from: 'block', to: 'warn' }]);
  });
  it('needs at least 20 reviewed events; pending ones do not count', () => {
    const windows = new Map([['MD-001', [...ev('false_positive', 19), ...ev('pending', 50)]]]);
    expect(computeDemotions(metas, { 'MD-001': 'block' }, {}, windows)).toEqual([]);
  });
  it('only the last 200 reviewed events count (newest first)', () => {
    const windows = new Map([['MD-001', [...ev('true_positive', 200), ...ev('false_positive', 200)]]]);
    expect(computeDemotions(metas, { 'MD-001': 'block' }, {}, windows)).toEqual([]);
  });
  it('respects the policy ceiling and leaves warn rules alone', () => {
    const windows = new Map([
      ['MD-001', [...ev('false_positive', 5), ...ev('true_positive', 15)]],
      ['MD-002', ev('false_positive', 50)]
    ]);
    expect(computeDemotions(metas, { 'MD-001': 'block', 'MD-002': 'warn' }, { 'MD-001': { enabled: true, options: {}, fpCeiling: 0.3 } }, windows)).toEqual([]);
  });
  it('at exactly the ceiling, no demotion', () => {
    const windows = new Map([['MD-001', [...ev('false_positive', 2), ...ev('true_positive', 18)]]]);
    expect(computeDemotions(metas, { 'MD-001': 'block' }, {}, windows)).toEqual([]);
  });
});
