import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import {
  buildReport,
  canonicalJson,
  renderReport,
  REPORT_SCHEMA,
  REPORT_SCHEMA_SHA256,
  sha256Hex
} from '../../src/report/index.js';
import type { DissonanceReport } from '../../src/report/index.js';
import { degradedEvaluation, finding, sampleContext, sampleEvaluation, shuffled } from './fixtures.js';

const schemaPath = fileURLToPath(new URL('../../src/report/schema.json', import.meta.url));
const schemaFromDisk = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(schemaFromDisk);

function expectValid(doc: unknown): void {
  const ok = validate(doc);
  if (!ok) throw new Error(`schema errors: ${JSON.stringify(validate.errors as ErrorObject[], null, 2)}`);
  expect(ok).toBe(true);
}

describe('schema', () => {
  it('schema.ts is identical to schema.json', () => {
    expect(JSON.parse(JSON.stringify(REPORT_SCHEMA))).toEqual(schemaFromDisk);
    expect(canonicalJson(REPORT_SCHEMA)).toBe(canonicalJson(schemaFromDisk));
  });

  it('exports the sha256 of the canonical schema', () => {
    expect(REPORT_SCHEMA_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(REPORT_SCHEMA_SHA256).toBe(sha256Hex(canonicalJson(schemaFromDisk)));
  });

  it('is a JSON Schema 2020-12 document that compiles in strict mode', () => {
    expect(schemaFromDisk.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => new Ajv2020({ strict: true }).compile(REPORT_SCHEMA as unknown as Record<string, unknown>)).not.toThrow();
  });
});

describe('buildReport', () => {
  it('produces a report valid against the schema', () => {
    const report = buildReport(sampleEvaluation(), sampleContext());
    expectValid(report);
    expectValid(JSON.parse(renderReport(report)));
    expect(report.meta.schema_version).toBe('2.0.0');
    expect(report.meta.degraded).toBeUndefined();
    expect(report.meta.unrecorded).toBeUndefined();
  });

  it('is valid for the degraded variant and carries its reasons and detail', () => {
    const report = buildReport(degradedEvaluation(), sampleContext({ degradedDetail: 'DynamoDB: ThrottlingException after 3 retries' }));
    expectValid(JSON.parse(renderReport(report)));
    expect(report.meta.degraded).toEqual({
      reasons: ['circuit_breaker_triggered', 'fp_store_unavailable'],
      detail: 'DynamoDB: ThrottlingException after 3 retries'
    });
    expect(report.machine_decision).toEqual({
      outcome: 'warn',
      degraded: true,
      reasons: degradedEvaluation().decision.reasons,
      strict: false
    });
    expect(report.meta.evaluation_errors).toEqual([{ rule_id: 'MD-007', message: 'TypeError: cannot read properties of undefined' }]);
  });

  it('is valid with unrecorded writes and a drift payload', () => {
    const report = buildReport(
      sampleEvaluation(),
      sampleContext({
        mode: 'drift',
        event: 'schedule',
        unrecorded: [
          { store: 'fp-events', operation: 'recordEvents', error: 'ECONNREFUSED', payload: [{ eventId: 'abc', nested: { n: 1, u: undefined } }] },
          { store: 'block-counter', operation: 'increment', error: 'timeout', payload: { runKey: '1.1' } }
        ],
        drift: { magnitude: 0.12, changes: [{ kind: 'modified', path: 'infra/main.tf' }] }
      })
    );
    const parsed = JSON.parse(renderReport(report)) as DissonanceReport;
    expectValid(parsed);
    expect(parsed.meta.unrecorded).toHaveLength(2);
    expect(parsed.meta.unrecorded![0]!.payload).toEqual([{ eventId: 'abc', nested: { n: 1 } }]);
    expect(parsed.meta.drift).toEqual({ magnitude: 0.12, changes: [{ kind: 'modified', path: 'infra/main.tf' }] });
  });

  it('is valid with no findings at all', () => {
    const e = sampleEvaluation();
    e.findings = [];
    e.l0 = [];
    e.demotions = [];
    e.unobservable = [];
    e.invalidSuppressions = [];
    e.decision = { ...e.decision, outcome: 'pass', reasons: [] };
    const report = buildReport(e, sampleContext({ sha: '' }));
    expectValid(report);
    expect(report.summary).toEqual({
      total: 0,
      by_severity: { critical: 0, high: 0, medium: 0, low: 0 },
      by_status: { open: 0, suppressed: 0, false_positive: 0 },
      suppressed: 0,
      false_positives: 0,
      blocking: 0
    });
  });

  it('maps every field to snake_case and keeps suppressions', () => {
    const report = buildReport(sampleEvaluation(), sampleContext());
    const suppressed = report.items.find((i) => i.status === 'suppressed')!;
    expect(suppressed.suppression).toEqual({
      kind: 'policy',
      reason: 'vendor action audited in SEC-42',
      approved_by: 'octocat',
      expires: '2027-03-31',
      ticket: undefined
    });
    const text = renderReport(report);
    expect(text).not.toMatch(/"[a-z]+[A-Z][A-Za-z]*":/); // no camelCase keys
    expect(report.meta.unobservable).toEqual([
      {
        subject: 'classic branch protection for main',
        reason: 'GET /repos/o/r/branches/main/protection returned 403',
        missing_permission: 'administration: read',
        rule_id: 'MD-003'
      }
    ]);
    expect(report.meta.demotions).toEqual([{ rule_id: 'MD-001', fpr: 0.15, ceiling: 0.1, reviewed: 40, from: 'block', to: 'warn' }]);
    expect(report.meta.l0.map((r) => r.check)).toEqual(['schema_hash', 'permission_bits', 'drift_magnitude', 'nonce_freshness', 'contraction_witness']);
  });

  it('leaves out positions that are not 1-based integers, so the report stays valid', () => {
    const e = sampleEvaluation();
    e.findings = [finding({ evidence: [{ path: 'a.yml', line: 0, column: 3 }, { path: 'b.yml', line: 2, column: 0 }] })];
    const report = buildReport(e, sampleContext());
    expectValid(JSON.parse(renderReport(report)));
    expect(report.items[0]!.evidence).toEqual([
      { path: 'a.yml', line: undefined, column: undefined, snippet: undefined, hash: undefined },
      { path: 'b.yml', line: 2, column: undefined, snippet: undefined, hash: undefined }
    ]);
  });

  it('counts the summary', () => {
    const report = buildReport(sampleEvaluation(), sampleContext());
    expect(report.summary).toEqual({
      total: 7,
      by_severity: { critical: 1, high: 2, medium: 3, low: 1 },
      by_status: { open: 5, suppressed: 1, false_positive: 1 },
      suppressed: 1,
      false_positives: 1,
      blocking: 1
    });
  });

  it('orders items by severity, rule, path, line, id', () => {
    const e = sampleEvaluation();
    e.findings.push(
      finding({ ruleId: 'MD-002', severity: 'medium', path: '.github/workflows/ci.yml', line: 2, subject: 'early' }),
      finding({ ruleId: 'MD-002', severity: 'medium', path: '.github/workflows/a.yml', line: 99, subject: 'a-file' }),
      finding({ ruleId: 'MD-002', severity: 'medium', path: '.github/workflows/ci.yml', subject: 'no-line' })
    );
    const items = buildReport(e, sampleContext()).items;
    const keys = items.map((i) => `${i.severity}|${i.rule_id}|${i.evidence[0]?.path}|${i.evidence[0]?.line ?? '-'}`);
    expect(keys).toEqual([
      'critical|L0-permission-bits|.github/workflows/pm.yml|12',
      'high|MD-001|.github/workflows/ci.yml|3',
      'high|MD-004|.github/workflows/nightly.yml|1',
      'medium|MD-002|.github/workflows/a.yml|99',
      'medium|MD-002|.github/workflows/ci.yml|-',
      'medium|MD-002|.github/workflows/ci.yml|2',
      'medium|MD-002|.github/workflows/ci.yml|20',
      'medium|MD-002|.github/workflows/deploy.yml|4',
      'medium|MD-003|.github/phase-mirror.yml|9',
      'low|MD-006|CODEOWNERS|-'
    ]);
  });

  it('is deterministic: shuffled inputs give byte-identical output', () => {
    const ctx = sampleContext({ degradedDetail: 'x' });
    const base = degradedEvaluation();
    for (let i = 0; i < 30; i++) {
      base.findings.push(
        finding({
          ruleId: `MD-00${i % 7}`,
          severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
          path: `.github/workflows/w${i % 5}.yml`,
          line: (i * 7) % 13 || undefined,
          subject: `s${i}`
        })
      );
    }
    base.unobservable.push({ subject: 'merge queue', reason: '404' }, { subject: 'a ruleset', reason: '500', ruleId: 'MD-001' });
    base.evaluationErrors.push({ ruleId: 'MD-001', message: 'boom' });
    base.invalidSuppressions.push({ line: 2, problem: 'no reason' });
    const expected = renderReport(buildReport(base, ctx));
    for (let seed = 1; seed <= 20; seed++) {
      const e = structuredClone(base);
      e.findings = shuffled(e.findings, seed);
      e.l0 = shuffled(e.l0, seed);
      e.unobservable = shuffled(e.unobservable, seed);
      e.evaluationErrors = shuffled(e.evaluationErrors, seed);
      e.invalidSuppressions = shuffled(e.invalidSuppressions, seed);
      e.decision.degradedReasons = shuffled(e.decision.degradedReasons, seed);
      expect(renderReport(buildReport(e, ctx))).toBe(expected);
    }
    expect(expected.endsWith('}\n')).toBe(true);
    expect(expected).toBe(canonicalJson(JSON.parse(expected)));
  });

  it('rejects what the schema forbids (the schema is strict)', () => {
    const good = JSON.parse(renderReport(buildReport(sampleEvaluation(), sampleContext()))) as Record<string, Record<string, unknown>>;
    const bad1 = structuredClone(good);
    bad1.meta!.extra = 1;
    expect(validate(bad1)).toBe(false);
    const bad2 = structuredClone(good) as unknown as DissonanceReport;
    bad2.items[0]!.id = 'not-hex';
    expect(validate(bad2)).toBe(false);
    const bad3 = structuredClone(good) as unknown as DissonanceReport;
    bad3.items[0]!.evidence[0]!.line = 0;
    expect(validate(bad3)).toBe(false);
    const bad4 = structuredClone(good) as unknown as DissonanceReport;
    (bad4.machine_decision as { outcome: string }).outcome = 'maybe';
    expect(validate(bad4)).toBe(false);
    const bad5 = structuredClone(good) as unknown as DissonanceReport;
    (bad5.meta as { schema_version: string }).schema_version = '1.0.0';
    expect(validate(bad5)).toBe(false);
    const bad6 = structuredClone(good) as unknown as DissonanceReport;
    bad6.meta.drift = { anything: ['goes'] };
    expect(validate(bad6)).toBe(true);
  });
});
