import { describe, expect, it } from '@jest/globals';
import { ALLOWED_WRITE_MASK, checkL0, l0Results, L0_FAIL, L0_SKIP_DRIFT, L0_SKIP_PERMISSION, prepareL0, writeMask, type L0Inputs } from '../../src/oracle/l0.js';
import type { PermissionsDecl } from '../../src/model/index.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const KEY = 'a'.repeat(64);

function scopes(s: Record<string, 'read' | 'write' | 'none'>, line = 5): PermissionsDecl {
  return { kind: 'scopes', scopes: s, scopeLines: {}, line, column: 3 };
}

function inputs(over: Partial<L0Inputs> = {}): L0Inputs {
  return {
    mode: 'check',
    schemaHash: 'h',
    expectedSchemaHash: 'h',
    baselineSchemaSupported: true,
    jobPermissions: { decl: scopes({ contents: 'read', checks: 'write' }), path: '.github/workflows/pm.yml', jobId: 'gate', defaultWrite: null },
    driftMagnitude: null,
    driftThreshold: 0.3,
    nonce: { value: KEY, loadedAt: new Date(NOW.getTime() - 60_000) },
    now: NOW,
    contraction: [],
    ...over
  };
}

const run = (over: Partial<L0Inputs> = {}) => {
  const i = inputs(over);
  const s = prepareL0(i);
  const bits = checkL0(s);
  return { bits, ...l0Results(bits, i, s, '.github/phase-mirror.yml') };
};

describe('L0 invariants', () => {
  it('all pass on a healthy check run (drift skipped)', () => {
    const r = run();
    expect(r.bits).toBe(L0_SKIP_DRIFT);
    expect(r.findings).toEqual([]);
    expect(r.results.map((x) => `${x.check}:${x.status}`)).toEqual([
      'schema_hash:pass', 'permission_bits:pass', 'drift_magnitude:skipped', 'nonce_freshness:pass', 'contraction_witness:pass'
    ]);
  });

  it('schema hash mismatch and unsupported baseline fail', () => {
    expect(run({ schemaHash: 'x' }).bits & L0_FAIL.schema_hash).toBeTruthy();
    const r = run({ baselineSchemaSupported: false });
    expect(r.findings.map((f) => f.id.length)).toEqual([16]);
    expect(r.findings[0]).toMatchObject({ ruleId: 'L0-schema-hash', severity: 'critical' });
  });

  it('permission bits: a write outside the mode mask fails with the job line as evidence', () => {
    const r = run({ jobPermissions: { decl: scopes({ contents: 'write' }, 9), path: '.github/workflows/pm.yml', jobId: 'gate', defaultWrite: null } });
    expect(r.findings[0]).toMatchObject({ ruleId: 'L0-permission-bits', evidence: [{ path: '.github/workflows/pm.yml', line: 9 }] });
    expect(r.findings[0].message).toContain('contents');
  });

  it('permission bits: mode masks differ (issues is fine for drift, not for check)', () => {
    const decl = scopes({ issues: 'write', 'id-token': 'write' });
    expect(run({ mode: 'drift', jobPermissions: { decl, path: 'w', jobId: 'j', defaultWrite: null } }).bits & L0_FAIL.permission_bits).toBe(0);
    expect(run({ mode: 'check', jobPermissions: { decl, path: 'w', jobId: 'j', defaultWrite: null } }).bits & L0_FAIL.permission_bits).toBeTruthy();
  });

  it('write-all and unknown write scopes fail; read-all passes', () => {
    expect(writeMask({ kind: 'write-all', scopes: {}, scopeLines: {}, line: 1, column: 1 }) & ~ALLOWED_WRITE_MASK.check).not.toBe(0);
    expect(writeMask(scopes({ discussions: 'write' }))).toBe(1 << 12);
    expect(writeMask({ kind: 'read-all', scopes: {}, scopeLines: {}, line: 1, column: 1 })).toBe(0);
  });

  it('no permissions block: inherits the default (write fails, read passes, unknown skips)', () => {
    const jp = (defaultWrite: boolean | null) => ({ decl: null, path: 'w', jobId: 'j', defaultWrite });
    expect(run({ jobPermissions: jp(true) }).bits & L0_FAIL.permission_bits).toBeTruthy();
    expect(run({ jobPermissions: jp(false) }).bits & (L0_FAIL.permission_bits | L0_SKIP_PERMISSION)).toBe(0);
    const skipped = run({ jobPermissions: jp(null) });
    expect(skipped.bits & L0_SKIP_PERMISSION).toBeTruthy();
    expect(skipped.results[1]).toMatchObject({ status: 'skipped' });
    expect(run({ jobPermissions: null }).results[1].detail).toContain('could not be found');
  });

  it('drift magnitude: within, over, negative', () => {
    expect(run({ driftMagnitude: 0.3 }).bits & L0_FAIL.drift_magnitude).toBe(0);
    expect(run({ driftMagnitude: 0.31 }).findings.map((f) => f.ruleId)).toEqual(['L0-drift-magnitude']);
    expect(run({ driftMagnitude: -0.1 }).bits & L0_FAIL.drift_magnitude).toBeTruthy();
  });

  it('nonce freshness fails without a finding (it degrades redaction instead)', () => {
    for (const nonce of [null, { value: 'abc', loadedAt: NOW }, { value: KEY, loadedAt: new Date(NOW.getTime() - 3_600_000) }, { value: KEY, loadedAt: new Date(NOW.getTime() + 120_000) }]) {
      const r = run({ nonce });
      expect(r.nonceStale).toBe(true);
      expect(r.findings).toEqual([]);
      expect(r.results[3].status).toBe('fail');
    }
  });

  it('nonce loaded a moment after the run clock was read is fresh', () => {
    expect(run({ nonce: { value: KEY, loadedAt: new Date(NOW.getTime() + 500) } }).nonceStale).toBe(false);
  });

  it('contraction witness: a decrease needs 10 reviewed events', () => {
    const ok = run({ contraction: [{ ruleId: 'MD-001', previousFpr: 0.3, newFpr: 0.1, witnesses: 10 }] });
    expect(ok.bits & L0_FAIL.contraction_witness).toBe(0);
    const bad = run({ contraction: [{ ruleId: 'MD-001', previousFpr: 0.3, newFpr: 0.1, witnesses: 9 }, { ruleId: 'MD-002', previousFpr: 0.1, newFpr: 0.2, witnesses: 0 }] });
    expect(bad.findings[0].message).toContain('MD-001');
    expect(bad.findings[0].message).not.toContain('MD-002');
    // A decrease of at most 0.01 needs no witness.
    expect(run({ contraction: [{ ruleId: 'MD-001', previousFpr: 0.2, newFpr: 0.195, witnesses: 0 }] }).bits & L0_FAIL.contraction_witness).toBe(0);
  });
});
