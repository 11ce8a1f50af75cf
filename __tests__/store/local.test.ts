import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tempDirs } from '../../test-support/temp-dirs.js';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { createLocalStores } from '../../src/store/local/index.js';
import { LocalBaselineStore } from '../../src/store/local/baseline-store.js';
import { LocalBlockCounter } from '../../src/store/local/block-counter.js';
import { LocalCalibrationStore } from '../../src/store/local/calibration-store.js';
import { LocalConsentStore } from '../../src/store/local/consent-store.js';
import { LocalFPStore } from '../../src/store/local/fp-store.js';
import { LocalNonceSource } from '../../src/store/local/nonce.js';
import { appendLines, CorruptFileError, moveAside, readJson, WarningSink, withLock, writeFileAtomic } from '../../src/store/local/files.js';
import { StoreError, type FPEvent } from '../../src/store/types.js';
import {
  baselineStoreContract,
  blockCounterContract,
  calibrationStoreContract,
  consentStoreContract,
  fpStoreContract,
  nonceSourceContract
} from './contract.js';
import { CHILD_SCRIPT, compileLocalStore } from './support/compile.js';

const freshDir = tempDirs('pm-store-');

fpStoreContract('local', async () => new LocalFPStore(await freshDir()), async (s) => new LocalFPStore(dirname((s as LocalFPStore).path)));
blockCounterContract('local', async () => new LocalBlockCounter(await freshDir()));
consentStoreContract('local', async () => new LocalConsentStore(await freshDir()));
calibrationStoreContract('local', async () => new LocalCalibrationStore(await freshDir()));
baselineStoreContract('local', async () => new LocalBaselineStore(await freshDir()));
nonceSourceContract('local', async () => new LocalNonceSource(await freshDir()));

// The same contracts through createLocalStores, with one shared directory per test.
fpStoreContract(
  'local via createLocalStores',
  async () => (await createLocalStores(join(await freshDir(), 'a', 'b'))).fp,
  async (s) => (await createLocalStores(dirname((s as LocalFPStore).path))).fp
);

function event(n: number, extra: Partial<FPEvent> = {}): FPEvent {
  return {
    eventId: `e${n}`,
    findingId: `f${n % 7}`,
    ruleId: `MD-00${n % 3}`,
    ruleVersion: '1.0.0',
    repository: 'octo/widgets',
    runId: String(n),
    observedAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    outcome: 'pending',
    ...extra
  };
}

describe('createLocalStores', () => {
  it('creates the data directory recursively and shares one warning list', async () => {
    const dir = join(await freshDir(), 'x', 'y', '.phase-mirror');
    const stores = await createLocalStores(dir);
    expect((await fs.stat(dir)).isDirectory()).toBe(true);
    expect(stores.warnings()).toEqual([]);
    await fs.writeFile(join(dir, 'fp-events.ndjson'), 'garbage\n');
    await stores.fp.window(['MD-001'], {});
    expect(stores.warnings()).toHaveLength(1);
    expect(stores.fp.getWarnings()).toEqual(stores.warnings());
  });
});

describe('files', () => {
  it('writes atomically, leaving no temporary file behind', async () => {
    const dir = await freshDir();
    const p = join(dir, 'x.json');
    await writeFileAtomic(p, '{"a":1}');
    await writeFileAtomic(p, '{"a":2}', { mode: 0o600 });
    expect(await fs.readFile(p, 'utf8')).toBe('{"a":2}');
    expect((await fs.stat(p)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['x.json']);
  });

  it('appends ndjson lines, starting a new line after a torn last line', async () => {
    const p = join(await freshDir(), 'x.ndjson');
    await appendLines(p, ['{"a":1}', '{"a":2}']);
    await fs.appendFile(p, '{"torn":');
    await appendLines(p, ['{"a":3}']);
    expect(await fs.readFile(p, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"torn":\n{"a":3}\n');
    await expect(appendLines(p, ['{"a":\n4}'])).rejects.toThrow(StoreError);
  });

  it('readJson returns the fallback for a missing file', async () => {
    expect(await readJson(join(await freshDir(), 'none.json'), { x: 1 })).toEqual({ x: 1 });
  });

  it('readJson moves a corrupt file aside, keeps its bytes and says where', async () => {
    const dir = await freshDir();
    const p = join(dir, 'thing.json');
    const bytes = '{"buckets": {"oops": ';
    await fs.writeFile(p, bytes);
    const err = await readJson(p, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFileError);
    const e = err as CorruptFileError;
    expect(e.transient).toBe(false);
    expect(e.message).toContain(p);
    expect(e.message).toContain('not valid JSON');
    expect(e.keptAt).toMatch(/thing\.json\.corrupt-\d{4}-\d{2}-\d{2}T/);
    expect(e.message).toContain(`kept at ${e.keptAt}`);
    expect(await fs.readFile(e.keptAt as string, 'utf8')).toBe(bytes);
    await expect(fs.access(p)).rejects.toThrow();
    // A second corrupt file in the same millisecond does not overwrite the first copy.
    await fs.writeFile(p, 'second');
    const e2 = (await readJson(p, {}).catch((x: unknown) => x)) as CorruptFileError;
    expect(e2.keptAt).not.toBe(e.keptAt);
    expect(await fs.readFile(e.keptAt as string, 'utf8')).toBe(bytes);
    expect(await fs.readFile(e2.keptAt as string, 'utf8')).toBe('second');
  });

  it('moveAside moves nothing when the file no longer holds the damaged content', async () => {
    const dir = await freshDir();
    const p = join(dir, 'x.json');
    await fs.writeFile(p, '{"fresh": true}');
    expect(await moveAside(p, 'the damaged bytes we read earlier')).toBe('changed');
    expect(await fs.readdir(dir)).toEqual(['x.json']);
    expect(await moveAside(join(dir, 'gone.json'))).toBeNull();
  });

  it('takes a lock in a directory that does not exist yet', async () => {
    const p = join(await freshDir(), 'new', 'dir', 'x.json');
    expect(await withLock(p, async () => 1)).toBe(1);
  });

  it('breaks a lock whose timestamp is far in the future (clock skew)', async () => {
    const p = join(await freshDir(), 'x.json');
    const future = new Date(Date.now() + 120_000).toISOString();
    await fs.writeFile(`${p}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', token: 't', createdAt: future }));
    const notes: string[] = [];
    await withLock(p, async () => undefined, { onWarning: (m) => notes.push(m) });
    expect(notes[0]).toContain('in the future');
  });

  it('the lock is released when the work throws, and serialises concurrent work', async () => {
    const p = join(await freshDir(), 'x.json');
    await expect(withLock(p, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(fs.access(`${p}.lock`)).rejects.toThrow();
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withLock(p, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 3));
          inside--;
        })
      )
    );
    expect(maxInside).toBe(1);
  });

  it('breaks a lock left by a dead process, with a note', async () => {
    const p = join(await freshDir(), 'x.json');
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('exit', () => resolve(child.pid as number));
    });
    await fs.writeFile(`${p}.lock`, JSON.stringify({ pid: dead, host: hostname(), token: 't', createdAt: new Date().toISOString() }));
    const sink = new WarningSink();
    expect(await withLock(p, async () => 'ran', { onWarning: (m) => sink.add(m) })).toBe('ran');
    expect(sink.list().join('\n')).toMatch(new RegExp(`broke a stale lock .*held by pid ${dead}.*no longer running`));
  });

  it('breaks a lock older than the stale limit', async () => {
    const p = join(await freshDir(), 'x.json');
    const old = new Date(Date.now() - 60_000).toISOString();
    await fs.writeFile(`${p}.lock`, JSON.stringify({ pid: process.pid, host: 'elsewhere', token: 't', createdAt: old }));
    const notes: string[] = [];
    await withLock(p, async () => undefined, { onWarning: (m) => notes.push(m) });
    expect(notes[0]).toContain('older than 30 s');
  });

  it('gives up on a live lock after the bounded wait with a transient error naming the holder', async () => {
    const p = join(await freshDir(), 'x.json');
    await fs.writeFile(`${p}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), token: 'other', createdAt: new Date().toISOString() }));
    const err = (await withLock(p, async () => undefined, { timeoutMs: 100 }).catch((e: unknown) => e)) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.transient).toBe(true);
    expect(err.message).toContain(`${p}.lock`);
    expect(err.message).toContain(`pid ${process.pid}`);
  });
});

describe('LocalFPStore (local only)', () => {
  it('skips an unparseable line, counts it, warns, and leaves the file unchanged', async () => {
    const dir = await freshDir();
    const p = join(dir, 'fp-events.ndjson');
    const lines = [
      JSON.stringify({ type: 'event', ...event(1) }),
      '{"type":"event","eventId":', // torn
      JSON.stringify({ type: 'something-else' }),
      JSON.stringify({ type: 'event', ...event(4) })
    ];
    const original = lines.join('\n') + '\n';
    await fs.writeFile(p, original);
    const store = new LocalFPStore(dir);
    const w = await store.window(['MD-001'], {});
    expect((w.get('MD-001') ?? []).map((e) => e.eventId)).toEqual(['e4', 'e1']);
    expect(store.skipped).toBe(2);
    expect(store.getWarnings()).toHaveLength(1);
    expect(store.getWarnings()[0]).toMatch(/fp-events\.ndjson: skipped 2 unreadable line\(s\) \(first: line 2, .*\); the file was left unchanged/);
    expect(await fs.readFile(p, 'utf8')).toBe(original);
    await store.recordEvents([event(7)]);
    const after = await fs.readFile(p, 'utf8');
    expect(after.startsWith(original)).toBe(true);
    expect(store.skipped).toBe(2);
  });

  it('keeps reading correctly when another process appends, and when the file is replaced', async () => {
    const dir = await freshDir();
    const a = new LocalFPStore(dir);
    const b = new LocalFPStore(dir);
    await a.recordEvents([event(1), event(4)]);
    expect((await b.window(['MD-001'], {})).get('MD-001')).toHaveLength(2);
    await a.recordEvents([event(7)]);
    await a.mark({ findingId: 'f0', outcome: 'false_positive', reviewer: 'r', markedAt: '2026-02-01T00:00:00Z' });
    expect((await b.window(['MD-001'], {})).get('MD-001')?.map((e) => e.eventId)).toEqual(['e7', 'e4', 'e1']);
    expect((await b.lookupMarks(['f0'])).get('f0')?.reviewer).toBe('r');
    await writeFileAtomic(join(dir, 'fp-events.ndjson'), JSON.stringify({ type: 'event', ...event(10) }) + '\n');
    expect((await b.window(['MD-001'], {})).get('MD-001')?.map((e) => e.eventId)).toEqual(['e10']);
    expect((await b.lookupMarks(['f0'])).size).toBe(0);
  });

  it('rejects an invalid event or mark instead of writing it', async () => {
    const store = new LocalFPStore(await freshDir());
    await expect(store.recordEvents([{ ...event(1), observedAt: 'yesterday' }])).rejects.toThrow(StoreError);
    await expect(store.mark({ findingId: 'f', outcome: 'pending' as 'false_positive', reviewer: 'r', markedAt: '2026-01-01T00:00:00Z' })).rejects.toThrow(
      /outcome/
    );
  });

  it('folds 100k lines in one pass and serves windows and marks from them', async () => {
    const dir = await freshDir();
    const rows: string[] = [];
    for (let i = 0; i < 100_000; i++) rows.push(JSON.stringify({ type: 'event', ...event(i) }));
    rows.push(JSON.stringify({ type: 'mark', findingId: 'f3', outcome: 'false_positive', reviewer: 'r', markedAt: '2026-06-01T00:00:00Z' }));
    await fs.writeFile(join(dir, 'fp-events.ndjson'), rows.join('\n') + '\n');
    const store = new LocalFPStore(dir);
    const w = await store.window(['MD-000', 'MD-001', 'MD-002'], { count: 200, reviewedOnly: true });
    const md0 = w.get('MD-000') ?? [];
    expect(md0).toHaveLength(200);
    expect(md0.every((e) => e.findingId === 'f3' && e.outcome === 'false_positive')).toBe(true);
    expect(md0[0].eventId).toBe('e99984'); // newest i with i%3==0 and i%7==3
    expect((await store.lookupMarks(['f3', 'f4'])).size).toBe(1);
    await store.recordEvents([event(0), event(100_000)]);
    expect((await store.window(['MD-001'], { count: 1 })).get('MD-001')?.[0].eventId).toBe('e100000');
  }, 120_000);
});

describe('LocalBlockCounter (local only)', () => {
  it('prunes buckets older than 3 hours on every write', async () => {
    const dir = await freshDir();
    const c = new LocalBlockCounter(dir);
    await c.increment('octo/a', '1.1', new Date('2026-03-01T10:10:00Z'));
    await c.increment('octo/b', '2.1', new Date('2026-03-01T11:10:00Z'));
    await c.increment('octo/a', '3.1', new Date('2026-03-01T13:59:00Z'));
    let file = JSON.parse(await fs.readFile(join(dir, 'block-counter.json'), 'utf8'));
    expect(Object.keys(file.buckets).sort()).toEqual(['octo/a#2026-03-01T10', 'octo/a#2026-03-01T13', 'octo/b#2026-03-01T11']);
    await c.increment('octo/a', '4.1', new Date('2026-03-01T14:00:00Z'));
    file = JSON.parse(await fs.readFile(join(dir, 'block-counter.json'), 'utf8'));
    expect(Object.keys(file.buckets).sort()).toEqual(['octo/a#2026-03-01T13', 'octo/a#2026-03-01T14', 'octo/b#2026-03-01T11']);
    expect(file.buckets['octo/a#2026-03-01T14']).toEqual({ count: 1, runs: ['4.1'] });
  });

  it('a re-run with the same key is counted once, also through another instance', async () => {
    const dir = await freshDir();
    const at = new Date('2026-03-01T10:10:00Z');
    await new LocalBlockCounter(dir).increment('octo/a', '77.1', at);
    expect(await new LocalBlockCounter(dir).increment('octo/a', '77.1', at)).toBe(1);
    expect(await new LocalBlockCounter(dir).increment('octo/a', '77.2', at)).toBe(2);
  });

  it('a corrupt counter file is moved aside with a clear error, then the counter starts afresh', async () => {
    const dir = await freshDir();
    const p = join(dir, 'block-counter.json');
    await fs.writeFile(p, '{"buckets": [1, 2');
    const c = new LocalBlockCounter(dir);
    const at = new Date('2026-03-01T10:10:00Z');
    const err = (await c.increment('octo/a', '1.1', at).catch((e: unknown) => e)) as CorruptFileError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/^block counter file .*block-counter\.json cannot be used: it is not valid JSON \(.+\); the original was kept at .*block-counter\.json\.corrupt-/);
    expect(await fs.readFile(err.keptAt as string, 'utf8')).toBe('{"buckets": [1, 2');
    expect(await c.increment('octo/a', '1.1', at)).toBe(1);
  });

  it('a counter file of the wrong shape is treated as corrupt', async () => {
    const dir = await freshDir();
    await fs.writeFile(join(dir, 'block-counter.json'), '{"buckets": {"x": {"count": 3}}}');
    await expect(new LocalBlockCounter(dir).read('octo/a', new Date())).rejects.toThrow(/bucket "x" has no list of run keys.*kept at/);
  });
});

describe('LocalBaselineStore (local only)', () => {
  it('a malformed baseline throws a StoreError naming the file and leaves it untouched', async () => {
    const dir = await freshDir();
    const p = join(dir, 'baseline.json');
    await fs.writeFile(p, 'not json at all');
    const s = new LocalBaselineStore(dir);
    for (let i = 0; i < 2; i++) {
      const err = (await s.load('octo', 'widgets').catch((e: unknown) => e)) as StoreError;
      expect(err).toBeInstanceOf(StoreError);
      expect(err.transient).toBe(false);
      expect(err.message).toContain(p);
      expect(err.message).toContain('left untouched');
      expect(await fs.readFile(p, 'utf8')).toBe('not json at all');
    }
  });

  it('save over a malformed baseline keeps the old bytes aside and says so', async () => {
    const dir = await freshDir();
    const p = join(dir, 'baseline.json');
    await fs.writeFile(p, '{"something": "else"}');
    const s = new LocalBaselineStore(dir);
    await s.save('octo', 'widgets', { v: 1 });
    expect(await s.load('octo', 'widgets')).toEqual({ v: 1 });
    const aside = (await fs.readdir(dir)).filter((f) => f.startsWith('baseline.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await fs.readFile(join(dir, aside[0]), 'utf8')).toBe('{"something": "else"}');
    expect(s.getWarnings()[0]).toContain(aside[0]);
  });
});

describe('LocalConsentStore and LocalCalibrationStore (local only)', () => {
  it('a date-only expiry holds through that day (UTC)', async () => {
    const s = new LocalConsentStore(await freshDir());
    await s.grant({ orgId: 'o', resource: '*', scope: 'rule_calibration', grantedBy: 'a', grantedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-03-01' });
    expect(await s.hasConsent('o', 'r', 'rule_calibration', new Date('2026-03-01T23:59:00Z'))).toBe(true);
    expect(await s.hasConsent('o', 'r', 'rule_calibration', new Date('2026-03-02T00:00:00Z'))).toBe(false);
  });

  it('rejects a contribution with negative or fractional counts', async () => {
    const s = new LocalCalibrationStore(await freshDir());
    await expect(s.contribute({ ruleId: 'r', bucket: 'b', orgHash: 'h', total: -1, falsePositives: 0, pending: 0 })).rejects.toThrow(StoreError);
    await expect(s.contribute({ ruleId: 'r', bucket: 'b', orgHash: 'h', total: 1.5, falsePositives: 0, pending: 0 })).rejects.toThrow(StoreError);
  });
});

describe('LocalNonceSource (local only)', () => {
  it('generates the key once, with mode 0600, and reuses it', async () => {
    const dir = await freshDir();
    const first = await new LocalNonceSource(dir).load();
    const second = await new LocalNonceSource(dir).load();
    expect(first.keys).toHaveLength(1);
    expect(first.keys[0].version).toBe(1);
    expect(second.keys).toEqual(first.keys);
    const p = join(dir, 'redaction-key.json');
    expect((await fs.stat(p)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await fs.readFile(p, 'utf8'));
    expect(file.keys[0]).toMatchObject({ version: 1, value: first.keys[0].value });
    expect(Date.parse(file.keys[0].createdAt)).not.toBeNaN();
  });

  it('returns every key version, newest first', async () => {
    const dir = await freshDir();
    const k = (version: number, c: string) => ({ version, value: c.repeat(64), createdAt: '2026-01-01T00:00:00Z' });
    await fs.writeFile(join(dir, 'redaction-key.json'), JSON.stringify({ keys: [k(1, 'a'), k(3, 'c'), k(2, 'b')] }));
    expect((await new LocalNonceSource(dir).load()).keys.map((x) => x.version)).toEqual([3, 2, 1]);
  });

  it.each([
    ['not JSON', '{"keys": ['],
    ['a short key', JSON.stringify({ keys: [{ version: 1, value: 'abc', createdAt: 'x' }] })],
    ['no keys', JSON.stringify({ keys: [] })],
    ['a duplicated version', JSON.stringify({ keys: [{ version: 1, value: 'a'.repeat(64) }, { version: 1, value: 'b'.repeat(64) }] })]
  ])('invalid content (%s) throws a StoreError and is never replaced', async (_what, content) => {
    const dir = await freshDir();
    const p = join(dir, 'redaction-key.json');
    await fs.writeFile(p, content);
    const err = (await new LocalNonceSource(dir).load().catch((e: unknown) => e)) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.transient).toBe(false);
    expect(err.message).toContain(p);
    expect(await fs.readFile(p, 'utf8')).toBe(content);
    expect(await fs.readdir(dir)).toEqual(['redaction-key.json']);
  });
});

describe('several OS processes sharing one data directory', () => {
  let compiled: string;
  beforeAll(async () => {
    compiled = await compileLocalStore();
  });
  afterAll(async () => {
    await fs.rm(compiled, { recursive: true, force: true });
  });

  function runChild(dataDir: string, startAt: number, op: string, args: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const child = spawn(process.execPath, [CHILD_SCRIPT, compiled, dataDir, String(startAt), op, JSON.stringify(args)], { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code === 0) resolve(JSON.parse(out) as Record<string, unknown>);
        else reject(new Error(`child ${op} exited with ${code}: ${err}`));
      });
    });
  }

  it('20 increments for 20 run keys from 4 processes (each key sent twice) count exactly 20', async () => {
    const dataDir = await freshDir();
    const at = '2026-03-01T10:10:00.000Z';
    const keys = Array.from({ length: 20 }, (_, i) => `${9000 + i}.1`);
    const startAt = Date.now() + 1500;
    const pids = await Promise.all(
      [0, 1, 2, 3].map((p) => {
        const mine = keys.slice(p * 5, p * 5 + 5);
        const neighbour = keys.slice(((p + 1) % 4) * 5, ((p + 1) % 4) * 5 + 5); // re-runs of another process's keys
        return runChild(dataDir, startAt, 'increment', { repository: 'octo/widgets', at, runKeys: [...mine, ...neighbour] });
      })
    );
    expect(pids).toHaveLength(4);
    const counter = new LocalBlockCounter(dataDir);
    expect(await counter.read('octo/widgets', new Date(at))).toBe(20);
    const file = JSON.parse(await fs.readFile(join(dataDir, 'block-counter.json'), 'utf8'));
    expect([...file.buckets['octo/widgets#2026-03-01T10'].runs].sort()).toEqual([...keys].sort());
    expect(file.buckets['octo/widgets#2026-03-01T10'].count).toBe(20);
    expect((await fs.readdir(dataDir)).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('concurrent recordEvents from 4 processes lose no line and write no duplicate', async () => {
    const dataDir = await freshDir();
    const startAt = Date.now() + 1500;
    const perProcess = (p: number) =>
      Array.from({ length: 10 }, (_, b) => Array.from({ length: 6 }, (_, i) => event(p * 1000 + b * 10 + i)));
    await Promise.all(
      [0, 1, 2, 3].map((p) =>
        runChild(dataDir, startAt, 'record', {
          // every process also re-sends the first batch of its neighbour
          batches: [...perProcess(p), perProcess((p + 1) % 4)[0]],
          mark: { findingId: `f${p}`, outcome: 'false_positive', reviewer: `r${p}`, markedAt: '2026-02-01T00:00:00Z' }
        })
      )
    );
    const text = await fs.readFile(join(dataDir, 'fp-events.ndjson'), 'utf8');
    const records = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; eventId?: string });
    const eventIds = records.filter((r) => r.type === 'event').map((r) => r.eventId);
    expect(eventIds).toHaveLength(240);
    expect(new Set(eventIds).size).toBe(240);
    expect(records.filter((r) => r.type === 'mark')).toHaveLength(4);
    const store = new LocalFPStore(dataDir);
    const w = await store.window(['MD-000', 'MD-001', 'MD-002'], { count: 1000 });
    expect([...w.values()].flat()).toHaveLength(240);
    expect(store.skipped).toBe(0);
    expect((await store.lookupMarks(['f0', 'f1', 'f2', 'f3'])).size).toBe(4);
  });

  it('concurrent recordEvents from 4 processes while one of them compacts lose no line and write no duplicate', async () => {
    const dataDir = await freshDir();
    // 1,200 expired events (as written 100 days ago) and one live one: the first write compacts.
    const expired = Array.from({ length: 1200 }, (_, i) => JSON.stringify({ type: 'event', ...event(50_000 + i), expiresAt: '2020-01-01T00:00:00.000Z' }));
    const live = JSON.stringify({ type: 'event', ...event(99_999), expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    await fs.writeFile(join(dataDir, 'fp-events.ndjson'), [...expired, live].join('\n') + '\n');
    const startAt = Date.now() + 1500;
    const perProcess = (p: number) =>
      Array.from({ length: 10 }, (_, b) => Array.from({ length: 6 }, (_, i) => event(p * 1000 + b * 10 + i)));
    await Promise.all(
      [0, 1, 2, 3].map((p) =>
        runChild(dataDir, startAt, 'record', {
          batches: [...perProcess(p), perProcess((p + 1) % 4)[0], [event(99_999), event(50_000)]],
          mark: { findingId: `f${p}`, outcome: 'false_positive', reviewer: `r${p}`, markedAt: '2026-02-01T00:00:00Z' }
        })
      )
    );
    const text = await fs.readFile(join(dataDir, 'fp-events.ndjson'), 'utf8');
    const records = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; eventId?: string });
    const eventIds = records.filter((r) => r.type === 'event').map((r) => r.eventId);
    // The 240 new events, the live one, and e50000 recorded anew once (its old record expired).
    expect(eventIds).toHaveLength(242);
    expect(new Set(eventIds).size).toBe(242);
    expect(eventIds.filter((id) => id === 'e50000' || id === 'e99999')).toHaveLength(2);
    expect(records.filter((r) => r.type === 'mark')).toHaveLength(4);
    const store = new LocalFPStore(dataDir);
    const w = await store.window(['MD-000', 'MD-001', 'MD-002'], { count: 1000 });
    expect([...w.values()].flat()).toHaveLength(242);
    expect(store.skipped).toBe(0);
    expect((await fs.readdir(dataDir)).sort()).toEqual(['fp-events.ndjson']);
  });

  it('processes that start on an empty directory agree on one redaction key', async () => {
    const dataDir = await freshDir();
    const startAt = Date.now() + 1500;
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => runChild(dataDir, startAt, 'nonce', {})));
    const values = results.map((r) => JSON.stringify(r.keys));
    expect(new Set(values).size).toBe(1);
    expect((await new LocalNonceSource(dataDir).load()).keys).toEqual(results[0].keys);
  });
});
