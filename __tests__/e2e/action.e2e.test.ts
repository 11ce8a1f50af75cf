import { describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { runAction } from '../../test-support/action-runner.js';

const schema = JSON.parse(await readFile('src/report/schema.json', 'utf8'));
const validate = new Ajv2020.default({ strict: true, allErrors: true }).compile(schema);

async function workspace(sample: string, policy?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-ws-'));
  await cp(path.join('samples', sample), dir, { recursive: true, filter: (src) => !/[/](\.phase-mirror|dissonance_report\.json|phase-mirror\.sarif)$/.test(src) });
  if (policy !== undefined) await writeFile(path.join(dir, '.github', 'phase-mirror.yml'), policy);
  return dir;
}

describe('dist/index.js run the way the runner runs it', () => {
  it('over-privileged sample: warn with evidence in annotations, outputs, summary and report', async () => {
    const ws = await workspace('over-privileged');
    const r = await runAction({ workspace: ws, inputs: { cache: 'false' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::error [^:]*file=\.github\/workflows\/nightly\.yml,line=7[,:]/);
    // The release job needs its write (it pushes a tag) but builds with npm while holding it: a warning.
    expect(r.stdout).toMatch(/::warning [^:]*file=\.github\/workflows\/release\.yml,line=\d+[,:]/);
    expect(r.outputs).toMatchObject({ decision: 'warn', degraded: 'false', findings: '2', blocking: '0' });
    expect(r.outputs['report-path']).toBe(path.join(ws, 'dissonance_report.json'));
    expect(r.summary).toMatch(/MD\\?-004/); // escaped for Markdown, renders as MD-004
    expect(r.summary).toMatch(/warn/i);

    const report = JSON.parse(await readFile(path.join(ws, 'dissonance_report.json'), 'utf8'));
    expect(validate(report)).toBe(true);
    expect(report.machine_decision.outcome).toBe('warn');
    expect(report.items.map((i: { rule_id: string; severity: string }) => `${i.rule_id}:${i.severity}`)).toEqual(['MD-004:high', 'MD-004:medium']);
    expect(report.meta).toMatchObject({ repository: 'acme/widgets', run_id: '1001', event: 'pull_request', mode: 'check' });
    const sarif = JSON.parse(await readFile(path.join(ws, 'phase-mirror.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(2);
  });

  it('clean sample: pass, no annotations', async () => {
    const ws = await workspace('clean');
    const r = await runAction({ workspace: ws, inputs: { cache: 'false' } });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'pass', findings: '0' });
    expect(r.stdout).not.toContain('::error file=');
  });

  it('strict policy with MD-004 blocking: the step fails with the decision line', async () => {
    const ws = await workspace('over-privileged', 'rules:\n  MD-004: block\n');
    const r = await runAction({ workspace: ws, inputs: { cache: 'false', strict: 'true' } });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ decision: 'block', blocking: '2' });
    expect(r.stdout).toMatch(/::error::Phase Mirror decision: BLOCK/);
  });

  it('dry run turns that block into a warning', async () => {
    const ws = await workspace('over-privileged', 'rules:\n  MD-004: block\n');
    const r = await runAction({ workspace: ws, inputs: { cache: 'false', strict: 'true', 'dry-run': 'true' } });
    expect(r.code).toBe(0);
    expect(r.outputs.decision).toBe('warn');
  });

  it('an invalid input is one clear error line, no stack trace', async () => {
    const ws = await workspace('clean');
    const r = await runAction({ workspace: ws, inputs: { mode: 'chek' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("::error::Configuration error: Input 'mode' has the invalid value 'chek'. Allowed values: auto, check, drift, calibrate.");
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('a broken policy file names the file and line', async () => {
    const ws = await workspace('clean', 'rules:\n  MD-004: { action: sometimes }\n');
    const r = await runAction({ workspace: ws, inputs: { cache: 'false' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::Configuration error: .github/phase-mirror.yml:2: rules.MD-004.action must be one of block, warn, off');
  });

  it('cache unavailable is a warning, not a failure', async () => {
    const ws = await workspace('clean');
    const r = await runAction({ workspace: ws, inputs: { cache: 'true' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::warning::.*(cache|Cache)/);
    expect(r.outputs.decision).toBe('pass');
  });
});
