import { describe, expect, it } from '@jest/globals';
import { buildBaseline, parseBaseline } from '../../src/drift/baseline.js';
import { diffBaselines } from '../../src/drift/diff.js';
import { makeSnapshot, workflowFromYaml } from '../../test-support/snapshot.js';
import type { EffectiveProtection } from '../../src/model/index.js';

const META = { repository: 'acme/app', ref: 'refs/heads/main', sha: 'a'.repeat(40), createdAt: '2026-11-28T00:00:00Z' };
const CI = `on: [pull_request]
permissions: { contents: read }
jobs:
  build: { runs-on: ubuntu-latest, steps: [ { run: make } ] }
`;

function protection(over: Partial<EffectiveProtection> = {}): EffectiveProtection {
  const s = <T>(value: T) => ({ value, sources: [{ kind: 'classic' as const }] });
  return {
    branch: 'main', requiredChecks: [{ context: 'build', sources: [] }], strictChecks: s(true), requirePullRequest: s(true), approvals: s(1),
    codeOwnerReview: s(false), lastPushApproval: s(false), linearHistory: s(true), signedCommits: s(false), forcePushAllowed: s(false),
    deletionAllowed: s(false), adminBypass: s(false), bypassActors: [], mergeQueue: s(false), partial: [], ...over
  };
}

describe('drift baseline and diff', () => {
  it('no change → magnitude 0', () => {
    const snap = makeSnapshot({ workflows: [workflowFromYaml('.github/workflows/ci.yml', CI)], protection: { status: 'observed', value: protection() } });
    const a = buildBaseline(snap, { '.github/workflows/ci.yml': 'h1' }, META);
    expect(diffBaselines(a, a)).toMatchObject({ changes: [], magnitude: 0 });
    expect(parseBaseline(JSON.parse(JSON.stringify(a)))).toEqual(a);
  });

  it('reports added, removed and modified items with old → new, weighted', () => {
    const before = buildBaseline(
      makeSnapshot({ workflows: [workflowFromYaml('.github/workflows/ci.yml', CI)], protection: { status: 'observed', value: protection() } }),
      { '.github/workflows/ci.yml': 'h1', 'infra/main.tf': 't1' },
      META
    );
    const ci2 = CI.replace('contents: read', 'contents: write').replace('[pull_request]', '[pull_request, push]');
    const after = buildBaseline(
      makeSnapshot({
        workflows: [workflowFromYaml('.github/workflows/ci.yml', ci2)],
        protection: { status: 'observed', value: protection({ approvals: { value: 0, sources: [] }, requiredChecks: [{ context: 'test', sources: [] }] }) }
      }),
      { '.github/workflows/ci.yml': 'h2', 'CODEOWNERS': 'c1' },
      META
    );
    const d = diffBaselines(before, after);
    const byCat = (c: string) => d.changes.filter((x) => x.category === c);
    expect(byCat('file')).toEqual([
      { category: 'file', item: '.github/workflows/ci.yml', kind: 'modified', old: 'h1', new: 'h2' },
      { category: 'file', item: 'CODEOWNERS', kind: 'added', new: 'c1' },
      { category: 'file', item: 'infra/main.tf', kind: 'removed', old: 't1' }
    ]);
    expect(byCat('workflow-permissions')).toEqual([{ category: 'workflow-permissions', item: '.github/workflows/ci.yml', kind: 'modified', old: 'contents:read', new: 'contents:write' }]);
    expect(byCat('workflow-triggers')[0]).toMatchObject({ old: 'pull_request', new: 'pull_request,push' });
    expect(byCat('protection')).toEqual([{ category: 'protection', item: 'approvals', kind: 'modified', old: '1', new: '0' }]);
    expect(byCat('required-check').map((c) => `${c.kind}:${c.item}`)).toEqual(['removed:build', 'added:test']);
    expect(d.magnitude).toBeGreaterThan(0);
    expect(d.magnitude).toBeLessThanOrEqual(1);
  });

  it('unreadable protection on either side is not a change', () => {
    const snap = makeSnapshot({ workflows: [workflowFromYaml('.github/workflows/ci.yml', CI)] });
    const a = buildBaseline(makeSnapshot({ protection: { status: 'observed', value: protection() } }), {}, META);
    const b = buildBaseline(snap, {}, META);
    expect(diffBaselines(a, b).changes.filter((c) => c.category === 'protection' || c.category === 'required-check')).toEqual([]);
  });

  it('rejects things that are not baselines', () => {
    expect(() => parseBaseline(null)).toThrow('not a JSON object');
    expect(() => parseBaseline({ files: {} })).toThrow('schemaVersion');
    expect(() => parseBaseline({ schemaVersion: 1 })).toThrow('files or workflows');
  });
});
