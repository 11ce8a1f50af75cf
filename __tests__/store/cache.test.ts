import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { promises as fs } from 'node:fs';
import { tempDirs } from '../../test-support/temp-dirs.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as realCache from '@actions/cache';
import type { FPEvent } from '../../src/store/types.js';

const restoreCache = jest.fn<typeof realCache.restoreCache>();
const saveCache = jest.fn<typeof realCache.saveCache>();
const isFeatureAvailable = jest.fn<typeof realCache.isFeatureAvailable>();
jest.unstable_mockModule('@actions/cache', () => ({ ...realCache, restoreCache, saveCache, isFeatureAvailable }));

const {
  cacheKey,
  cacheKeyPrefix,
  fpLinesToAppend,
  mergeBaselines,
  mergeBlockCounters,
  mergeCalibration,
  mergeConsent,
  mergeRedactionKeys,
  mergeStoreDirs,
  restoreLocalStore,
  saveLocalStore,
  stagingDir
} = await import('../../src/store/local/cache.js');
const { createLocalStores } = await import('../../src/store/local/index.js');

const freshDir = tempDirs('pm-cache-');

function event(n: number, extra: Partial<FPEvent> = {}): FPEvent {
  return {
    eventId: `e${n}`,
    findingId: `f${n}`,
    ruleId: 'MD-001',
    ruleVersion: '1.0.0',
    repository: 'octo/widgets',
    runId: String(n),
    observedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    outcome: 'pending',
    ...extra
  };
}
const line = (v: unknown) => JSON.stringify(v);

describe('cache keys', () => {
  it('uses a per-run key under a per-repository prefix', () => {
    expect(cacheKeyPrefix('octo/widgets')).toBe('pm-action-octo-widgets-');
    expect(cacheKey('octo/widgets', '123', '2')).toBe('pm-action-octo-widgets-123-2');
    expect(stagingDir({ RUNNER_TEMP: '/runner/_temp' })).toBe(join('/runner/_temp', 'pm-action-cache', 'store'));
    expect(stagingDir({})).toBe(join(tmpdir(), 'pm-action-cache', 'store'));
  });
});

describe('merge functions', () => {
  it('fp events: appends only records the local file lacks, keeps local bytes, skips bad incoming lines', () => {
    const mark = { type: 'mark', findingId: 'f1', outcome: 'false_positive', reviewer: 'r', markedAt: '2026-02-01T00:00:00Z' };
    const local = [line({ type: 'event', ...event(1) }), 'garbage', line(mark)].join('\n') + '\n';
    const incoming = [
      line({ type: 'event', ...event(1, { runId: 'different copy, same id' }) }),
      line({ type: 'event', ...event(2) }),
      line(mark),
      line({ ...mark, markedAt: '2026-02-02T00:00:00Z' }),
      '{"torn',
      line({ type: 'event', ...event(2) }),
      ''
    ].join('\n');
    const { lines, skipped } = fpLinesToAppend(local, incoming);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ type: 'event', ...event(2) }, { ...mark, markedAt: '2026-02-02T00:00:00Z' }]);
    expect(skipped).toBe(1);
    expect(fpLinesToAppend('', '').lines).toEqual([]);
  });

  it('block counter: union of buckets and runs; count is the number of distinct runs; old buckets pruned', () => {
    const now = new Date('2026-03-01T10:30:00Z');
    const merged = mergeBlockCounters(
      { buckets: { 'o/r#2026-03-01T10': { count: 2, runs: ['1.1', '2.1'] }, 'o/r#2026-03-01T09': { count: 1, runs: ['0.1'] } } },
      {
        buckets: {
          'o/r#2026-03-01T10': { count: 2, runs: ['2.1', '3.1'] },
          'o/s#2026-03-01T10': { count: 1, runs: ['9.1'] },
          'o/r#2026-03-01T05': { count: 7, runs: ['a', 'b'] }
        }
      },
      now
    );
    expect(merged).toEqual({
      buckets: {
        'o/r#2026-03-01T10': { count: 3, runs: ['1.1', '2.1', '3.1'] },
        'o/r#2026-03-01T09': { count: 1, runs: ['0.1'] },
        'o/s#2026-03-01T10': { count: 1, runs: ['9.1'] }
      }
    });
  });

  it('consent: union by key, the most recent change wins', () => {
    const g = (resource: string, grantedAt: string, extra = {}) => ({ orgId: 'o', resource, scope: 'rule_calibration' as const, grantedBy: 'a', grantedAt, ...extra });
    const local = { records: { 'o#rule_calibration#a': g('a', '2026-01-01T00:00:00Z'), 'o#rule_calibration#b': g('b', '2026-01-05T00:00:00Z') } };
    const incoming = {
      records: {
        'o#rule_calibration#a': g('a', '2026-01-01T00:00:00Z', { revokedBy: 'x', revokedAt: '2026-01-03T00:00:00Z' }),
        'o#rule_calibration#b': g('b', '2026-01-02T00:00:00Z'),
        'o#rule_calibration#c': g('c', '2026-01-02T00:00:00Z')
      }
    };
    const merged = mergeConsent(local, incoming);
    expect(merged.records['o#rule_calibration#a'].revokedBy).toBe('x');
    expect(merged.records['o#rule_calibration#b'].grantedAt).toBe('2026-01-05T00:00:00Z');
    expect(Object.keys(merged.records).sort()).toEqual(['o#rule_calibration#a', 'o#rule_calibration#b', 'o#rule_calibration#c']);
  });

  it('calibration: union by rule and bucket#org, the newer contribution wins', () => {
    const c = (orgHash: string, total: number, updatedAt: string) => ({ ruleId: 'R', bucket: 'B', orgHash, total, falsePositives: 0, pending: 0, updatedAt });
    const merged = mergeCalibration(
      { contributions: { 'rule#R': { 'B#h1': c('h1', 1, '2026-01-02T00:00:00Z'), 'B#h2': c('h2', 2, '2026-01-01T00:00:00Z') } } },
      {
        contributions: {
          'rule#R': { 'B#h1': c('h1', 10, '2026-01-01T00:00:00Z'), 'B#h2': c('h2', 20, '2026-01-03T00:00:00Z'), 'B#h3': c('h3', 30, '2026-01-01T00:00:00Z') },
          'rule#S': { 'B#h1': { ...c('h1', 5, '2026-01-01T00:00:00Z'), ruleId: 'S' } }
        }
      }
    );
    expect(merged.contributions['rule#R']['B#h1'].total).toBe(1);
    expect(merged.contributions['rule#R']['B#h2'].total).toBe(20);
    expect(merged.contributions['rule#R']['B#h3'].total).toBe(30);
    expect(merged.contributions['rule#S']['B#h1'].total).toBe(5);
  });

  it('baseline: per repository the newer wins, by savedAt, else createdAt, else file mtime', () => {
    const merged = mergeBaselines(
      {
        baselines: {
          'o/a': { savedAt: '2026-01-02T00:00:00Z', baseline: { v: 'local-a' } },
          'o/b': { savedAt: '2026-01-01T00:00:00Z', baseline: { v: 'local-b' } },
          'o/c': { savedAt: 'n/a', baseline: { v: 'local-c', createdAt: '2026-01-05T00:00:00Z' } },
          'o/d': { savedAt: 'n/a', baseline: { v: 'local-d' } }
        }
      },
      {
        baselines: {
          'o/a': { savedAt: '2026-01-01T00:00:00Z', baseline: { v: 'in-a' } },
          'o/b': { savedAt: '2026-01-03T00:00:00Z', baseline: { v: 'in-b' } },
          'o/c': { savedAt: 'n/a', baseline: { v: 'in-c', createdAt: '2026-01-04T00:00:00Z' } },
          'o/d': { savedAt: 'n/a', baseline: { v: 'in-d' } },
          'o/e': { savedAt: '2026-01-01T00:00:00Z', baseline: { v: 'in-e' } }
        }
      },
      { local: 1000, incoming: 2000 }
    );
    expect(Object.fromEntries(Object.entries(merged.baselines).map(([k, e]) => [k, (e.baseline as { v: string }).v]))).toEqual({
      'o/a': 'local-a',
      'o/b': 'in-b',
      'o/c': 'local-c',
      'o/d': 'in-d',
      'o/e': 'in-e'
    });
  });

  it('redaction keys: union of versions; a conflicting version converges on the older key and keeps the other retired', () => {
    const k = (version: number, c: string, createdAt: string) => ({ version, value: c.repeat(64), createdAt });
    const { file, warnings } = mergeRedactionKeys(
      { keys: [k(1, 'b', '2026-01-02T00:00:00Z'), k(2, 'c', '2026-02-01T00:00:00Z')] },
      { keys: [k(1, 'a', '2026-01-01T00:00:00Z'), k(2, 'c', '2026-02-01T00:00:00Z'), k(3, 'd', '2026-03-01T00:00:00Z')] }
    );
    expect(file.keys.map((x) => [x.version, x.value[0]])).toEqual([
      [3, 'd'],
      [2, 'c'],
      [1, 'a']
    ]);
    expect(file.retired).toHaveLength(1);
    expect(file.retired?.[0]).toMatchObject({ version: 1, value: 'b'.repeat(64) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('version 1');
    // The other side of the same conflict reaches the same result.
    const other = mergeRedactionKeys({ keys: [k(1, 'a', '2026-01-01T00:00:00Z')] }, { keys: [k(1, 'b', '2026-01-02T00:00:00Z')] });
    expect(other.file.keys[0].value).toBe('a'.repeat(64));
  });
});

describe('mergeStoreDirs', () => {
  it('merges every store file of a restored copy into a data directory that already has data', async () => {
    const [restored, local] = [await freshDir(), await freshDir()];
    const a = await createLocalStores(restored);
    const b = await createLocalStores(local);
    const at = new Date();
    await a.fp.recordEvents([event(1), event(2)]);
    await a.fp.mark({ findingId: 'f1', outcome: 'false_positive', reviewer: 'r', markedAt: '2026-02-01T00:00:00Z' });
    await b.fp.recordEvents([event(2), event(3)]);
    await a.blocks.increment('octo/widgets', '1.1', at);
    await b.blocks.increment('octo/widgets', '2.1', at);
    await a.consent.grant({ orgId: 'o', resource: '*', scope: 'rule_calibration', grantedBy: 'x', grantedAt: '2026-01-01T00:00:00Z' });
    await a.calibration.contribute({ ruleId: 'R', bucket: 'B', orgHash: 'h', total: 3, falsePositives: 1, pending: 0 });
    await a.baseline.save('octo', 'widgets', { from: 'restored' });
    await b.baseline.save('octo', 'widgets', { from: 'local, newer' });
    const keyA = (await a.nonce.load()).keys[0].value;
    const bLocalText = await fs.readFile(join(local, 'fp-events.ndjson'), 'utf8');

    const { changed, warnings } = await mergeStoreDirs(restored, local);
    expect(warnings).toEqual([]);
    expect(changed.sort()).toEqual(['block-counter.json', 'calibration.json', 'consent.json', 'fp-events.ndjson', 'redaction-key.json']);

    const merged = await createLocalStores(local);
    const w = (await merged.fp.window(['MD-001'], {})).get('MD-001') ?? [];
    expect(w.map((e) => e.eventId)).toEqual(['e3', 'e2', 'e1']);
    expect(w[2].outcome).toBe('false_positive');
    expect((await fs.readFile(join(local, 'fp-events.ndjson'), 'utf8')).startsWith(bLocalText)).toBe(true);
    expect(await merged.blocks.read('octo/widgets', at)).toBe(2);
    expect(await merged.consent.hasConsent('o', 'any', 'rule_calibration', new Date())).toBe(true);
    expect(await merged.calibration.read('R')).toHaveLength(1);
    expect(await merged.baseline.load('octo', 'widgets')).toEqual({ from: 'local, newer' });
    expect((await merged.nonce.load()).keys[0].value).toBe(keyA);
    expect((await fs.stat(join(local, 'redaction-key.json'))).mode & 0o777).toBe(0o600);

    // Merging the same copy again changes nothing.
    expect((await mergeStoreDirs(restored, local)).changed).toEqual([]);
  });

  it('skips a damaged restored file with a warning, and never overwrites a damaged local baseline', async () => {
    const [restored, local] = [await freshDir(), await freshDir()];
    await fs.writeFile(join(restored, 'consent.json'), '{"records": ');
    await fs.writeFile(join(restored, 'baseline.json'), JSON.stringify({ baselines: { 'o/r': { savedAt: '2026-01-01T00:00:00Z', baseline: 1 } } }));
    await fs.writeFile(join(restored, 'fp-events.ndjson'), 'nope\n' + line({ type: 'event', ...event(1) }) + '\n');
    await fs.writeFile(join(local, 'baseline.json'), 'broken');
    const { changed, warnings } = await mergeStoreDirs(restored, local);
    expect(changed).toEqual(['fp-events.ndjson']);
    expect(warnings.join('\n')).toMatch(/restored consent\.json was skipped: not valid JSON/);
    expect(warnings.join('\n')).toMatch(/fp-events\.ndjson had 1 unreadable line/);
    expect(warnings.join('\n')).toMatch(/baseline\.json cannot be used.*was not merged/);
    expect(await fs.readFile(join(local, 'baseline.json'), 'utf8')).toBe('broken');
  });

  it('a damaged local JSON file is moved aside and replaced by the restored copy', async () => {
    const [restored, local] = [await freshDir(), await freshDir()];
    await fs.writeFile(join(restored, 'block-counter.json'), JSON.stringify({ buckets: { [`o/r#${new Date().toISOString().slice(0, 13)}`]: { count: 1, runs: ['1.1'] } } }));
    await fs.writeFile(join(local, 'block-counter.json'), 'junk');
    const { changed, warnings } = await mergeStoreDirs(restored, local);
    expect(changed).toEqual(['block-counter.json']);
    expect(warnings[0]).toMatch(/kept at .*block-counter\.json\.corrupt-/);
    const aside = (await fs.readdir(local)).find((f) => f.startsWith('block-counter.json.corrupt-')) as string;
    expect(await fs.readFile(join(local, aside), 'utf8')).toBe('junk');
    expect(await (await createLocalStores(local)).blocks.read('o/r', new Date())).toBe(1);
  });
});

describe('restoreLocalStore / saveLocalStore with a mocked @actions/cache', () => {
  const env = { ...process.env };
  let staging: string;
  beforeEach(async () => {
    restoreCache.mockReset();
    saveCache.mockReset();
    isFeatureAvailable.mockReset().mockReturnValue(true);
    process.env.ACTIONS_RESULTS_URL = 'http://127.0.0.1:9/';
    staging = join(await freshDir(), 'staging');
  });
  afterEach(() => {
    process.env = { ...env };
  });

  it('cache unavailable: a warning, no cache call, no throw', async () => {
    isFeatureAvailable.mockReturnValue(false);
    const dataDir = await freshDir();
    const r = await restoreLocalStore(dataDir, 'octo/widgets', { stagingDir: staging });
    expect(r.restored).toBe(false);
    expect(r.warning).toMatch(/cache service is not available/);
    const s = await saveLocalStore(dataDir, 'octo/widgets', '1', '1', { stagingDir: staging });
    expect(s).toMatchObject({ saved: false, key: 'pm-action-octo-widgets-1-1' });
    expect(s.warning).toMatch(/not saved/);
    expect(restoreCache).not.toHaveBeenCalled();
    expect(saveCache).not.toHaveBeenCalled();
  });

  it('missing ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL: a warning', async () => {
    delete process.env.ACTIONS_RESULTS_URL;
    delete process.env.ACTIONS_CACHE_URL;
    const r = await restoreLocalStore(await freshDir(), 'octo/widgets', { stagingDir: staging });
    expect(r.warning).toMatch(/ACTIONS_CACHE_URL/);
    expect(restoreCache).not.toHaveBeenCalled();
  });

  it('restores by the repository prefix and merges into the data directory', async () => {
    const dataDir = await freshDir();
    const local = await createLocalStores(dataDir);
    await local.fp.recordEvents([event(1)]);
    restoreCache.mockImplementation(async (paths) => {
      const target = paths[0];
      await fs.mkdir(target, { recursive: true });
      await fs.writeFile(join(target, 'fp-events.ndjson'), line({ type: 'event', ...event(2) }) + '\n');
      return 'pm-action-octo-widgets-99-1';
    });
    const r = await restoreLocalStore(dataDir, 'octo/widgets', { stagingDir: staging });
    expect(r).toEqual({ restored: true, key: 'pm-action-octo-widgets-99-1' });
    expect(restoreCache).toHaveBeenCalledWith([staging], 'pm-action-octo-widgets-', ['pm-action-octo-widgets-']);
    const w = (await local.fp.window(['MD-001'], {})).get('MD-001') ?? [];
    expect(w.map((e) => e.eventId)).toEqual(['e2', 'e1']);
  });

  it('a cache miss restores nothing and is not a warning; stale staged files are not merged', async () => {
    await fs.mkdir(staging, { recursive: true });
    await fs.writeFile(join(staging, 'fp-events.ndjson'), line({ type: 'event', ...event(5) }) + '\n');
    restoreCache.mockResolvedValue(undefined);
    const dataDir = await freshDir();
    expect(await restoreLocalStore(dataDir, 'octo/widgets', { stagingDir: staging })).toEqual({ restored: false });
    expect(await fs.readdir(dataDir)).toEqual([]);
  });

  it('a throwing restore (ValidationError, network) gives a warning, never a throw', async () => {
    restoreCache.mockRejectedValueOnce(new realCache.ValidationError('Key Validation Error: too long'));
    const r = await restoreLocalStore(await freshDir(), 'octo/widgets', { stagingDir: staging });
    expect(r.restored).toBe(false);
    expect(r.warning).toMatch(/ValidationError: Key Validation Error/);
    restoreCache.mockRejectedValueOnce(new Error('socket hang up'));
    expect((await restoreLocalStore(await freshDir(), 'octo/widgets', { stagingDir: staging })).warning).toMatch(/socket hang up/);
  });

  it('saves the store files through the staging directory under the fresh per-run key', async () => {
    const dataDir = await freshDir();
    const stores = await createLocalStores(dataDir);
    await stores.fp.recordEvents([event(1)]);
    await stores.blocks.increment('octo/widgets', '7.1', new Date());
    await fs.writeFile(join(dataDir, 'unrelated.txt'), 'x');
    let staged: string[] = [];
    saveCache.mockImplementation(async (paths) => {
      staged = (await fs.readdir(paths[0])).sort();
      return 42;
    });
    const s = await saveLocalStore(dataDir, 'octo/widgets', '123', '2', { stagingDir: staging });
    expect(s).toEqual({ saved: true, key: 'pm-action-octo-widgets-123-2' });
    expect(saveCache).toHaveBeenCalledWith([staging], 'pm-action-octo-widgets-123-2');
    expect(staged).toEqual(['block-counter.json', 'fp-events.ndjson']);
  });

  it('a throwing or refused save gives a warning, never a throw', async () => {
    const dataDir = await freshDir();
    await (await createLocalStores(dataDir)).fp.recordEvents([event(1)]);
    saveCache.mockRejectedValueOnce(new realCache.ReserveCacheError('Unable to reserve cache with key pm-action-x, another job may be creating this cache.'));
    const a = await saveLocalStore(dataDir, 'octo/widgets', '1', '1', { stagingDir: staging });
    expect(a.saved).toBe(false);
    expect(a.warning).toMatch(/ReserveCacheError: Unable to reserve cache/);
    saveCache.mockResolvedValueOnce(-1);
    const b = await saveLocalStore(dataDir, 'octo/widgets', '1', '1', { stagingDir: staging });
    expect(b.saved).toBe(false);
    expect(b.warning).toMatch(/did not save pm-action-octo-widgets-1-1/);
  });

  it('an empty data directory is not saved', async () => {
    const s = await saveLocalStore(await freshDir(), 'octo/widgets', '1', '1', { stagingDir: staging });
    expect(s.saved).toBe(false);
    expect(s.warning).toMatch(/empty/);
    expect(saveCache).not.toHaveBeenCalled();
  });

  it('round trip: what one run saves, the next run of the scope restores and merges', async () => {
    const archive = await freshDir();
    saveCache.mockImplementation(async (paths) => {
      await fs.cp(paths[0], archive, { recursive: true });
      return 1;
    });
    restoreCache.mockImplementation(async (paths) => {
      await fs.cp(archive, paths[0], { recursive: true });
      return 'pm-action-octo-widgets-1-1';
    });
    const first = await freshDir();
    const s1 = await createLocalStores(first);
    await s1.fp.mark({ findingId: 'f9', outcome: 'false_positive', reviewer: 'r', ticket: 'T-1', markedAt: '2026-02-01T00:00:00Z' });
    const key = (await s1.nonce.load()).keys;
    expect((await saveLocalStore(first, 'octo/widgets', '1', '1', { stagingDir: staging })).saved).toBe(true);

    const second = await freshDir();
    expect((await restoreLocalStore(second, 'octo/widgets', { stagingDir: staging })).restored).toBe(true);
    const s2 = await createLocalStores(second);
    expect((await s2.fp.lookupMarks(['f9'])).get('f9')?.ticket).toBe('T-1');
    expect((await s2.nonce.load()).keys).toEqual(key);
  });
});
