import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { INPUT_DEFAULTS } from '../../src/config/settings.js';

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
};
const settingsSrc = readFileSync('src/config/settings.ts', 'utf8');
const mainSrc = readFileSync('src/main.ts', 'utf8');

/** Every string literal passed to one of `fns` in `src`. */
function calledWith(src: string, fns: string[]): Set<string> {
  const out = new Set<string>();
  for (const fn of fns) {
    for (const m of src.matchAll(new RegExp(`\\b${fn}\\('([a-z-]+)'`, 'g'))) out.add(m[1]);
  }
  return out;
}

describe('action.yml is the contract', () => {
  it('runs on node24 from dist/index.js, with branding', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(action.branding.icon).toBeTruthy();
  });

  it('declares exactly the inputs the settings read, each with a description and the same default', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort());
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect(spec.description.length).toBeGreaterThan(10);
      const expected = name === 'github-token' ? '${{ github.token }}' : INPUT_DEFAULTS[name];
      expect([name, spec.default]).toEqual([name, expected]);
    }
    for (const name of calledWith(settingsSrc, ['get', 'getOrDefault', 'input'])) expect(Object.keys(action.inputs)).toContain(name);
  });

  it('declares exactly the outputs main sets', () => {
    const set = calledWith(mainSrc, ['setOutput', 'core.setOutput']);
    expect([...set].sort()).toEqual(Object.keys(action.outputs).sort());
    for (const spec of Object.values(action.outputs)) expect(spec.description.length).toBeGreaterThan(3);
  });
});
