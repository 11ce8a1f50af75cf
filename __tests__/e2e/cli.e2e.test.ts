import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { E2E_NODE } from '../../test-support/action-runner.js';

async function sample(name: string, policy?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pm-cli-'));
  await cp(path.join('samples', name), dir, { recursive: true, filter: (src) => !/[/](\.phase-mirror|dissonance_report\.json|phase-mirror\.sarif)$/.test(src) });
  if (policy) await writeFile(path.join(dir, '.github', 'phase-mirror.yml'), policy);
  return dir;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // No GITHUB_* variables: a developer's shell.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  const child = spawn(E2E_NODE, [path.resolve('dist/cli.js'), ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('pm-action CLI', () => {
  it('check on the over-privileged sample: a readable WARN verdict with evidence, exit 0', async () => {
    const r = await cli(['check', '--repo', await sample('over-privileged')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Phase Mirror: WARN/);
    expect(r.stdout).toMatch(/\[high\] MD-004 \.github\/workflows\/nightly\.yml:7 /);
  });

  it('check on the clean sample: PASS', async () => {
    const r = await cli(['check', '--repo', await sample('clean')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Phase Mirror: PASS/);
  });

  it('block exits 1; --json prints the report', async () => {
    const r = await cli(['check', '--repo', await sample('over-privileged', 'rules:\n  MD-004: block\n'), '--strict', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.machine_decision.outcome).toBe('block');
  });

  it('configuration errors exit 3 with one line', async () => {
    const bad = await cli(['check', '--repo', await sample('clean'), '--circuit-breaker', 'sometimes']);
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toBe("pm-action: configuration error: Input 'circuit-breaker' has the invalid value 'sometimes'. Allowed values: auto, degraded, off.");
    const missing = await cli(['check', '--repo', '/nonexistent/pm-repo']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("The repository directory '/nonexistent/pm-repo' does not exist or is not a directory.");
    const flag = await cli(['check', '--no-such-flag']);
    expect(flag.code).toBe(3);
    expect(flag.stderr).toContain("Unknown option '--no-such-flag'");
  });

  it('calibrate marks a finding; the next check treats it as a false positive', async () => {
    const ws = await sample('over-privileged');
    const first = JSON.parse((await cli(['check', '--repo', ws, '--json'])).stdout);
    const id = first.items[0].id;
    const noReviewer = await cli(['calibrate', '--repo', ws, '--false-positive', id]);
    expect(noReviewer.code).toBe(3);
    const marked = await cli(['calibrate', '--repo', ws, '--false-positive', id, '--reviewer', 'alice', '--ticket', 'SEC-9']);
    expect(marked.code).toBe(0);
    expect(marked.stdout).toContain(id);
    const second = JSON.parse((await cli(['check', '--repo', ws, '--json'])).stdout);
    expect(second.items.find((i: { id: string }) => i.id === id).status).toBe('false_positive');
    const calib = await cli(['calibrate', '--repo', ws]);
    // rule | action | events | FP | pending | FPR | events (30 d) | FPR (30 d) | versions | ceiling | breach | advice
    expect(calib.stdout).toMatch(/\| MD-004 \| warn \| 2 \| 1 \| 1 \| 1\.000 \| 2 \| 1\.000 \| [^|]+ \| 0\.1 \| yes \| insufficient_data \|/);
  });
});
