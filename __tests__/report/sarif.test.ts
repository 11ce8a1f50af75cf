import { describe, expect, it } from '@jest/globals';
import { buildSarif, renderSarif } from '../../src/report/index.js';
import type { SarifLog, SarifResult } from '../../src/report/index.js';
import { finding, sampleContext, sampleEvaluation, sampleRules, shuffled } from './fixtures.js';

function sarif(): SarifLog {
  return buildSarif(sampleEvaluation(), sampleContext(), sampleRules());
}

function resultFor(log: SarifLog, ruleId: string, status?: string): SarifResult {
  return log.runs[0]!.results.find((r) => r.ruleId === ruleId && (!status || r.properties.status === status))!;
}

/** The required fields of SARIF 2.1.0 that upload-sarif checks, asserted by hand (no SARIF schema is installed). */
function assertSarifShape(log: SarifLog): void {
  expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
  expect(log.version).toBe('2.1.0');
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  expect(run.tool.driver.name).toBe('pm-action');
  expect(typeof run.tool.driver.version).toBe('string');
  expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
  const ids = run.tool.driver.rules.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const rule of run.tool.driver.rules) {
    expect(rule.id).toBeTruthy();
    expect(rule.shortDescription.text).toBeTruthy();
    expect(rule.fullDescription.text).toBeTruthy();
    expect(rule.help.text).toBeTruthy();
    expect(rule.help.markdown).toBeTruthy();
    expect(rule.helpUri).toBe(`https://github.com/PhaseMirror/pm-action/blob/main/docs/rules/${rule.id}.md`);
    expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
    expect(rule.properties['security-severity']).toMatch(/^\d+\.\d$/);
    expect(['high', 'medium', 'low', 'very-high']).toContain(rule.properties.precision);
  }
  for (const r of run.results) {
    expect(r.message.text).toBeTruthy();
    expect(ids[r.ruleIndex]).toBe(r.ruleId);
    expect(['error', 'warning', 'note']).toContain(r.level);
    expect(r.partialFingerprints['phaseMirror/v1']).toMatch(/^[0-9a-f]{16}$/);
    for (const loc of [...r.locations, ...(r.relatedLocations ?? [])]) {
      const pl = loc.physicalLocation;
      expect(pl.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(pl.artifactLocation.uri).not.toMatch(/^\.?\//);
      if (pl.region) {
        expect(Number.isInteger(pl.region.startLine)).toBe(true);
        expect(pl.region.startLine).toBeGreaterThanOrEqual(1);
        if (pl.region.startColumn !== undefined) expect(pl.region.startColumn).toBeGreaterThanOrEqual(1);
      }
    }
  }
}

describe('buildSarif', () => {
  it('has the SARIF 2.1.0 structure', () => {
    assertSarifShape(sarif());
    assertSarifShape(JSON.parse(renderSarif(sarif())) as SarifLog);
  });

  it('reports every finding, suppressed ones with suppressions', () => {
    const log = sarif();
    const results = log.runs[0]!.results;
    expect(results).toHaveLength(sampleEvaluation().findings.length);
    expect(results.filter((r) => !r.suppressions)).toHaveLength(5);
    const policy = resultFor(log, 'MD-002', 'suppressed');
    expect(policy.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'vendor action audited in SEC-42; approved by octocat; expires 2027-03-31' }
    ]);
    const fp = resultFor(log, 'MD-004');
    expect(fp.suppressions![0]!.kind).toBe('external');
    expect(fp.suppressions![0]!.justification).toContain('JIRA-7');
  });

  it('maps levels: critical/high → error, medium → warning, low → note', () => {
    const log = sarif();
    expect(resultFor(log, 'L0-permission-bits').level).toBe('error');
    expect(resultFor(log, 'MD-001').level).toBe('error');
    expect(resultFor(log, 'MD-002', 'open').level).toBe('warning');
    expect(resultFor(log, 'MD-006').level).toBe('note');
  });

  it('uses the finding id as partial fingerprint', () => {
    const e = sampleEvaluation();
    const log = buildSarif(e, sampleContext(), sampleRules());
    const byId = new Set(e.findings.map((f) => f.id));
    for (const r of log.runs[0]!.results) expect(byId.has(r.partialFingerprints['phaseMirror/v1']!)).toBe(true);
  });

  it('has a descriptor for every rule meta and for L0 ids generated on the fly', () => {
    const log = sarif();
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(['L0-permission-bits', 'MD-001', 'MD-002', 'MD-003', 'MD-004', 'MD-006']);
    const l0 = rules.find((r) => r.id === 'L0-permission-bits')!;
    expect(l0.defaultConfiguration.level).toBe('error');
    expect(l0.properties.tags).toContain('l0-invariant');
    expect(l0.properties['security-severity']).toBe('9.5');
    const md1 = rules.find((r) => r.id === 'MD-001')!;
    expect(md1.name).toBe('RequiredCheckUnreachable');
    expect(md1.help.text).toContain('Make a job produce the check.');
    expect(md1.help.markdown).toContain('Make a job produce the check.');
    expect(md1.properties.precision).toBe('high');
    expect(md1.properties['security-severity']).toBe('8.0');
  });

  it('puts region startLine/startColumn only when known, none for file-level findings', () => {
    const log = sarif();
    const l0 = resultFor(log, 'L0-permission-bits').locations[0]!.physicalLocation;
    expect(l0.region).toEqual({ startLine: 12, startColumn: 5 });
    const md1 = resultFor(log, 'MD-001').locations[0]!.physicalLocation;
    expect(md1.region).toEqual({ startLine: 3 });
    const md6 = resultFor(log, 'MD-006').locations[0]!.physicalLocation;
    expect(md6).toEqual({ artifactLocation: { uri: 'CODEOWNERS', uriBaseId: '%SRCROOT%' } });
    const md2 = resultFor(log, 'MD-002', 'open');
    expect(md2.locations[0]!.physicalLocation.region).toEqual({ startLine: 20, startColumn: 9, snippet: { text: 'uses: actions/foo@v1' } });
    expect(md2.relatedLocations).toEqual([
      { id: 1, physicalLocation: { artifactLocation: { uri: '.github/workflows/release.yml', uriBaseId: '%SRCROOT%' }, region: { startLine: 7 } } }
    ]);
  });

  it('percent-encodes paths and drops a leading ./, and handles findings without evidence or with line 0', () => {
    const e = sampleEvaluation();
    e.findings = [
      finding({ ruleId: 'MD-000', path: './dir with space/#x.yml', line: 0, subject: 'a' }),
      { ...finding({ ruleId: 'MD-003', path: 'settings', subject: 'b' }), evidence: [] }
    ];
    const log = buildSarif(e, sampleContext(), []);
    assertSarifShape(log);
    const [first, second] = log.runs[0]!.results;
    expect(first!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'dir%20with%20space/%23x.yml', uriBaseId: '%SRCROOT%' } });
    expect(second!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'settings', uriBaseId: '%SRCROOT%' } });
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(['MD-000', 'MD-003']);
  });

  it('is deterministic', () => {
    const e = sampleEvaluation();
    const expected = renderSarif(buildSarif(e, sampleContext(), sampleRules()));
    for (let seed = 1; seed < 10; seed++) {
      const s = structuredClone(e);
      s.findings = shuffled(s.findings, seed);
      expect(renderSarif(buildSarif(s, sampleContext(), shuffled(sampleRules(), seed)))).toBe(expected);
    }
  });
});
