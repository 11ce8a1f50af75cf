import { describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LocalFPStore } from '../../src/store/local/fp-store.js';
import { scopedFindingId, scopedFPStore } from '../../src/store/scoped-fp.js';
import type { FPEvent } from '../../src/store/types.js';

const ID = '0123456789abcdef';
const event = (repository: string): FPEvent => ({
  eventId: scopedFindingId(repository, 'event'),
  findingId: ID,
  ruleId: 'MD-004',
  ruleVersion: '1',
  repository,
  runId: '1',
  observedAt: '2026-11-28T10:00:00.000Z',
  outcome: 'pending'
});

describe('a shared FP store keyed by repository', () => {
  it('a mark made in one repository does not excuse the same finding id in another', async () => {
    const shared = new LocalFPStore(await mkdtemp(path.join(tmpdir(), 'pm-scoped-')));
    const a = scopedFPStore(shared, 'acme/a');
    const b = scopedFPStore(shared, 'acme/b');
    await a.recordEvents([event('acme/a')]);
    await b.recordEvents([event('acme/b')]);
    await a.mark({ findingId: ID, outcome: 'false_positive', reviewer: 'alice', markedAt: '2026-11-28T11:00:00.000Z' });

    expect((await a.lookupMarks([ID])).get(ID)).toMatchObject({ findingId: ID, reviewer: 'alice' });
    expect((await b.lookupMarks([ID])).size).toBe(0);
    expect((await a.findingEvents([ID])).get(ID)!.map((e) => [e.findingId, e.outcome])).toEqual([[ID, 'false_positive']]);
    expect((await b.findingEvents([ID])).get(ID)!.map((e) => e.outcome)).toEqual(['pending']);
    // The rule's window still spans both repositories (organisation-wide calibration).
    const w = (await a.window(['MD-004'], {})).get('MD-004')!;
    expect(w.map((e) => e.outcome).sort()).toEqual(['false_positive', 'pending']);
    expect(scopedFindingId('acme/a', ID)).not.toBe(scopedFindingId('acme/b', ID));
  });
});
