/**
 * The local FP store's expiry (events live 90 days after they are recorded, as the DynamoDB
 * items with their TTL; marks never expire) and the compaction that keeps fp-events.ndjson
 * bounded. Real files in temporary directories; the clock is the store's `now` option.
 */
import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import { tempDirs } from '../../test-support/temp-dirs.js';
import { join } from 'node:path';
import { FP_EVENTS } from '../../src/store/aws/tables.js';
import { fpLinesToAppend, mergeStoreDirs } from '../../src/store/local/cache.js';
import {
  DEFAULT_COMPACTION,
  FP_EVENT_TTL_DAYS,
  LocalFPStore,
  planFpCompaction,
  type LocalFPStoreOptions
} from '../../src/store/local/fp-store.js';
import type { FPEvent, FPMark, FPStore } from '../../src/store/types.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const freshDir = tempDirs('pm-compact-');

/** A settable clock for the store's `now` option. */
function clock(start = T0): { t: number; now: () => Date } {
  const c = { t: start, now: () => new Date(c.t) };
  return c;
}

function ev(n: number, extra: Partial<FPEvent> = {}): FPEvent {
  return {
    eventId: `e${n}`,
    findingId: `f${n}`,
    ruleId: 'MD-001',
    ruleVersion: '1.0.0',
    repository: 'octo/widgets',
    runId: String(n),
    observedAt: iso(T0 + n * 1000),
    outcome: 'pending',
    ...extra
  };
}

function mark(findingId: string, markedAt: string, extra: Partial<FPMark> = {}): FPMark {
  return { findingId, outcome: 'false_positive', reviewer: 'alice', markedAt, ...extra };
}

/** An event line as the store writes it, expiring at `expiresAtMs`. */
const eventLine = (e: FPEvent, expiresAtMs: number) => JSON.stringify({ type: 'event', ...e, expiresAt: iso(expiresAtMs) });

function store(dir: string, c: { now: () => Date }, options: Omit<LocalFPStoreOptions, 'now'> = {}): LocalFPStore {
  return new LocalFPStore(dir, { now: c.now, ...options });
}

const fileOf = (dir: string) => join(dir, 'fp-events.ndjson');
const lines = async (dir: string) => (await fs.readFile(fileOf(dir), 'utf8')).split('\n').filter((l) => l !== '');
const ino = async (dir: string) => (await fs.stat(fileOf(dir))).ino;
const windowIds = async (s: FPStore, rule = 'MD-001') => ((await s.window([rule], { count: 10_000 })).get(rule) ?? []).map((e) => e.eventId);

/** Everything a reader can see, for comparing two views of the same data. */
async function view(s: FPStore, findings: string[]) {
  return {
    window: (await s.window(['MD-001'], { count: 10_000 })).get('MD-001'),
    marks: [...(await s.lookupMarks(findings)).entries()],
    findingEvents: [...(await s.findingEvents(findings)).entries()].sort(([a], [b]) => (a < b ? -1 : 1))
  };
}

describe('LocalFPStore expiry', () => {
  it('uses the DynamoDB TTL', () => {
    expect(FP_EVENT_TTL_DAYS).toBe(FP_EVENTS.ttlDays);
  });

  it('an event expires 90 days after it is recorded: gone from windows and findingEvents, for every reader', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c);
    await s.recordEvents([ev(1), ev(2)]);
    c.t = T0 + 5 * DAY;
    await s.recordEvents([ev(3)]);
    expect(JSON.parse((await lines(dir))[0]).expiresAt).toBe(iso(T0 + 90 * DAY));

    c.t = T0 + 90 * DAY - 1;
    expect(await windowIds(s)).toEqual(['e3', 'e2', 'e1']);
    expect([...(await s.findingEvents(['f1', 'f3'])).keys()].sort()).toEqual(['f1', 'f3']);

    c.t = T0 + 90 * DAY; // DynamoDB's rule: alive while expiresAt > now
    expect(await windowIds(s)).toEqual(['e3']);
    expect(await windowIds(s)).toEqual(['e3']);
    expect((await s.window(['MD-001'], { since: new Date(T0) })).get('MD-001')?.map((e) => e.eventId)).toEqual(['e3']);
    expect([...(await s.findingEvents(['f1', 'f2', 'f3'])).keys()]).toEqual(['f3']);
    const other = store(dir, c); // another process, folding the file from the start
    expect(await windowIds(other)).toEqual(['e3']);

    c.t = T0 + 95 * DAY;
    expect(await windowIds(s)).toEqual([]);
  });

  it('the time to live counts from the write, not from observedAt (as the DynamoDB TTL)', async () => {
    const dir = await freshDir();
    const c = clock(T0 + 400 * DAY);
    const s = store(dir, c);
    await s.recordEvents([ev(1)]); // observed 400 days before it is recorded
    expect(await windowIds(s)).toEqual(['e1']);
    c.t = T0 + 489 * DAY;
    expect(await windowIds(s)).toEqual(['e1']);
    c.t = T0 + 490 * DAY;
    expect(await windowIds(s)).toEqual([]);
  });

  it('an event id whose record has expired is recorded again; before that, recording it again writes nothing', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c, { compaction: false });
    await s.recordEvents([ev(1)]);
    c.t = T0 + 89 * DAY;
    await s.recordEvents([ev(1, { runId: 'too early' })]);
    expect(await lines(dir)).toHaveLength(1);

    c.t = T0 + 91 * DAY;
    const again = ev(1, { runId: 'again', observedAt: iso(T0 + 91 * DAY) });
    await s.recordEvents([again, again]);
    const written = await lines(dir);
    expect(written).toHaveLength(2);
    expect(JSON.parse(written[1])).toEqual({ type: 'event', ...again, expiresAt: iso(T0 + 181 * DAY) });
    expect((await s.window(['MD-001'], {})).get('MD-001')).toEqual([again]);
    expect((await s.findingEvents(['f1'])).get('f1')).toEqual([again]);
    expect((await store(dir, c).window(['MD-001'], {})).get('MD-001')).toEqual([again]);
    // Idempotent again while the new record lives.
    c.t = T0 + 180 * DAY;
    await s.recordEvents([ev(1, { runId: 'third' })]);
    expect(await lines(dir)).toHaveLength(2);
  });

  it('marks never expire, and apply to events recorded after their finding expired', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c);
    await s.recordEvents([ev(1)]);
    await s.mark(mark('f1', iso(T0 + 1000), { ticket: 'SEC-1' }));
    c.t = T0 + 1000 * DAY;
    expect(await windowIds(s)).toEqual([]);
    expect((await s.lookupMarks(['f1'])).get('f1')).toEqual(mark('f1', iso(T0 + 1000), { ticket: 'SEC-1' }));
    await s.recordEvents([ev(1, { runId: 'later', observedAt: iso(c.t) })]);
    expect((await s.window(['MD-001'], { reviewedOnly: true })).get('MD-001')).toEqual([
      { ...ev(1, { runId: 'later', observedAt: iso(c.t) }), outcome: 'false_positive', reviewer: 'alice', ticket: 'SEC-1', reviewedAt: iso(T0 + 1000) }
    ]);
  });

  it('a line written before events carried expiresAt never expires and is never compacted away', async () => {
    const dir = await freshDir();
    const legacy = JSON.stringify({ type: 'event', ...ev(1) });
    await fs.writeFile(fileOf(dir), legacy + '\n');
    const c = clock(T0 + 3650 * DAY);
    const s = store(dir, c, { compaction: { minDeadLines: 1, minDeadFraction: 0 } });
    expect(await windowIds(s)).toEqual(['e1']);
    await s.recordEvents([ev(1, { runId: 'dup' }), ev(2)]);
    expect(await lines(dir)).toEqual([legacy, eventLine(ev(2), c.t + 90 * DAY)]);
  });

  it('an expiresAt that cannot be read makes the line unreadable', async () => {
    const dir = await freshDir();
    await fs.writeFile(fileOf(dir), JSON.stringify({ type: 'event', ...ev(1), expiresAt: 'soon' }) + '\n');
    const s = store(dir, clock());
    expect(await windowIds(s)).toEqual([]);
    expect(s.skipped).toBe(1);
    expect(s.getWarnings()[0]).toMatch(/line 1, event with an unreadable expiresAt/);
  });
});

describe('LocalFPStore compaction', () => {
  it('defaults: at least 1,000 dead lines and at least a quarter of the file', () => {
    expect(DEFAULT_COMPACTION).toEqual({ minDeadLines: 1000, minDeadFraction: 0.25 });
  });

  it('keeps exactly the live records, byte for byte and in order, dropping expired, duplicate and superseded lines', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c, { compaction: { minDeadLines: 4, minDeadFraction: 0.25 } });
    await s.recordEvents([ev(1), ev(2), ev(3)]); // expire at T0 + 90 d
    c.t = T0 + 10 * DAY;
    await s.recordEvents([ev(4)]); // expires at T0 + 100 d
    await s.mark(mark('f4', '2026-03-02T00:00:00.000Z', { reviewer: 'old' }));
    await s.mark(mark('f4', '2026-03-05T00:00:00.000Z', { reviewer: 'newest', outcome: 'true_positive' }));
    await s.mark(mark('f4', '2026-03-03T00:00:00.000Z', { reviewer: 'written later, older' }));
    await s.mark(mark('f9', '2026-03-04T00:00:00.000Z', { reviewer: 'only' }));
    // A second live record of e4 (a cache merge), and a hand-formatted line that must stay as it is.
    await fs.appendFile(fileOf(dir), eventLine(ev(4, { runId: 'copy' }), T0 + 200 * DAY) + '\n');
    const odd = `{"type": "event",  "extra": [1, 2], ${eventLine(ev(5), T0 + 300 * DAY).slice(16)}`;
    await fs.appendFile(fileOf(dir), odd + '\n\n');
    const before = await lines(dir);
    expect(before).toHaveLength(10);
    await fs.chmod(fileOf(dir), 0o640);
    const inoBefore = await ino(dir);

    c.t = T0 + 95 * DAY; // e1..e3 expired
    const reader = store(dir, c, { compaction: false });
    const seen = await view(reader, ['f1', 'f2', 'f3', 'f4', 'f5', 'f9']);
    expect(seen.window?.map((e) => e.eventId)).toEqual(['e5', 'e4']);

    await s.recordEvents([ev(6)]);
    const after = await lines(dir);
    // e4, the winning mark of f4, the mark of f9, the odd line, the new event.
    expect(after).toEqual([before[3], before[5], before[7], odd, eventLine(ev(6), T0 + 185 * DAY)]);
    expect(await ino(dir)).not.toBe(inoBefore);
    expect((await fs.stat(fileOf(dir))).mode & 0o777).toBe(0o640);
    expect((await fs.readdir(dir)).sort()).toEqual(['fp-events.ndjson']);

    // What every reader sees is unchanged, but for the new event.
    const fresh = store(dir, c, { compaction: false });
    const expected = { ...seen, window: [{ ...ev(6) }, ...(seen.window ?? [])] };
    expect(await view(fresh, ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f9'])).toEqual({ ...expected, findingEvents: [...expected.findingEvents, ['f6', [ev(6)]]].sort(([a], [b]) => (a < b ? -1 : 1)) });
    expect(await view(s, ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f9'])).toEqual(await view(fresh, ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f9']));
    expect((await s.lookupMarks(['f4'])).get('f4')?.reviewer).toBe('newest');
    expect((await s.window(['MD-001'], {})).get('MD-001')?.find((e) => e.eventId === 'e4')).toMatchObject({ runId: '4', outcome: 'true_positive' });
    expect(s.getWarnings()).toEqual([]);

    // An id dropped as expired is recorded again.
    await s.recordEvents([ev(1, { runId: 'back' })]);
    expect(await windowIds(s)).toEqual(['e6', 'e5', 'e4', 'e1']);
  });

  it('marks survive compaction, also marks of findings whose events have all expired', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c, { compaction: { minDeadLines: 2, minDeadFraction: 0 } });
    await s.recordEvents([ev(1), ev(2)]);
    await s.mark(mark('f1', iso(T0 + 10)));
    await s.mark(mark('f2', iso(T0 + 20), { outcome: 'true_positive', ticket: 'T-2' }));
    await s.mark(mark('gone', iso(T0 + 30)));
    c.t = T0 + 100 * DAY;
    await s.recordEvents([ev(3)]);
    const after = await lines(dir);
    expect(after.map((l) => JSON.parse(l).type)).toEqual(['mark', 'mark', 'mark', 'event']);
    const marks = await store(dir, c).lookupMarks(['f1', 'f2', 'gone']);
    expect([...marks.values()]).toEqual([mark('f1', iso(T0 + 10)), mark('f2', iso(T0 + 20), { outcome: 'true_positive', ticket: 'T-2' }), mark('gone', iso(T0 + 30))]);
  });

  it('does not compact below the floor of dead lines (defaults: 1,000)', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c);
    await s.recordEvents(Array.from({ length: 999 }, (_, i) => ev(i)));
    c.t = T0 + DAY;
    await s.recordEvents([ev(999)]);
    c.t = T0 + 90 * DAY + 1; // the first 999 expired: 999 dead lines of 1,000
    await s.recordEvents([ev(1000)]);
    expect(await lines(dir)).toHaveLength(1001);
    const inoBefore = await ino(dir);
    c.t = T0 + 91 * DAY; // e999 expired too: 1,000 dead lines of 1,002
    await s.recordEvents([ev(1001)]);
    expect(await ino(dir)).not.toBe(inoBefore);
    expect((await lines(dir)).map((l) => JSON.parse(l).eventId)).toEqual(['e1000', 'e1001']);
  });

  it('does not compact while the dead lines are less than the fraction of the file', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c, { compaction: { minDeadLines: 2, minDeadFraction: 0.5 } });
    await s.recordEvents([ev(1), ev(2)]);
    c.t = T0 + 30 * DAY;
    await s.recordEvents([ev(3), ev(4), ev(5)]);
    c.t = T0 + 100 * DAY; // 2 dead of 6 after the next write
    await s.recordEvents([ev(6)]);
    expect(await lines(dir)).toHaveLength(6);
    c.t = T0 + 120 * DAY; // e3..e5 expired too: 5 dead of 7, one of them the superseded mark below
    await s.mark(mark('f6', iso(T0)));
    await s.mark(mark('f6', iso(T0 + 1)));
    expect(await lines(dir)).toHaveLength(8); // marks never trigger compaction
    await s.recordEvents([ev(7)]);
    expect((await lines(dir)).map((l) => JSON.parse(l).eventId ?? JSON.parse(l).markedAt)).toEqual(['e6', iso(T0 + 1), 'e7']);
  });

  it.each([
    ['an unparseable line', 'garbage'],
    ['an unknown record type', JSON.stringify({ type: 'note', text: 'hi' })],
    ['an event with an unreadable expiresAt', JSON.stringify({ type: 'event', ...ev(9), expiresAt: 'never' })]
  ])('never compacts a file with %s: left byte-identical, and the warning is given', async (_what, bad) => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c, { compaction: { minDeadLines: 1, minDeadFraction: 0 } });
    await s.recordEvents([ev(1), ev(2)]);
    c.t = T0 + 50 * DAY;
    await s.recordEvents([ev(3)]);
    await fs.appendFile(fileOf(dir), bad + '\n');
    const original = await fs.readFile(fileOf(dir));
    c.t = T0 + 91 * DAY; // e1, e2 dead
    await s.recordEvents([ev(3, { runId: 'already recorded' })]);
    expect((await fs.readFile(fileOf(dir))).equals(original)).toBe(true);
    expect(s.skipped).toBe(1);
    expect(s.getWarnings()).toEqual([expect.stringMatching(/skipped 1 unreadable line\(s\) \(first: line 4, .*\); the file was left unchanged$/)]);
    expect(await windowIds(s)).toEqual(['e3']);
    // A new record is appended to it, still without a rewrite.
    await s.recordEvents([ev(4)]);
    const now = await fs.readFile(fileOf(dir));
    expect(now.subarray(0, original.length).equals(original)).toBe(true);
    expect(now.toString().split('\n').filter((l) => l !== '')).toHaveLength(5);
  });

  it('never compacts a file whose last line is incomplete', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c, { compaction: { minDeadLines: 1, minDeadFraction: 0 } });
    await s.recordEvents([ev(1)]);
    c.t = T0 + 50 * DAY;
    await s.recordEvents([ev(2)]);
    await fs.appendFile(fileOf(dir), '{"type":"event","eventId":"e');
    const original = await fs.readFile(fileOf(dir));
    c.t = T0 + 91 * DAY; // e1 dead; recording e2 again appends nothing, so the line stays incomplete
    await s.recordEvents([ev(2, { runId: 'dup' })]);
    expect((await fs.readFile(fileOf(dir))).equals(original)).toBe(true);
    expect(s.getWarnings()).toEqual([expect.stringMatching(/fp-events\.ndjson was not compacted: its last line is incomplete; the file was left unchanged$/)]);
    expect(await windowIds(s)).toEqual(['e2']);
  });

  it('planFpCompaction names the unreadable line and keeps nothing blank', () => {
    const now = T0 + 91 * DAY;
    const live = eventLine(ev(2), T0 + 100 * DAY);
    expect(planFpCompaction(Buffer.from(`${eventLine(ev(1), T0)}\n\n${live}\n`), now)).toEqual({ keep: [Buffer.from(live)], total: 2, dead: 1 });
    expect(planFpCompaction(Buffer.from(`${live}\n{oops\n`), now)).toEqual({ problem: expect.stringMatching(/^line 2 is unreadable/) });
    expect(planFpCompaction(Buffer.alloc(0), now)).toEqual({ keep: [], total: 0, dead: 0 });
  });

  it('is atomic: when the new file cannot be written, the original stays intact and the store keeps working', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c, { compaction: { minDeadLines: 2, minDeadFraction: 0 } });
    await s.recordEvents([ev(1), ev(2)]);
    await fs.mkdir(s.compactionTempPath); // the temporary file cannot be created, so nothing is renamed
    await fs.writeFile(join(s.compactionTempPath, 'keep-me'), 'x');
    const original = await fs.readFile(fileOf(dir), 'utf8');
    const inoBefore = await ino(dir);
    c.t = T0 + 91 * DAY;
    await s.recordEvents([ev(3)]);
    expect(await fs.readFile(fileOf(dir), 'utf8')).toBe(original + eventLine(ev(3), c.t + 90 * DAY) + '\n');
    expect(await ino(dir)).toBe(inoBefore);
    expect(s.getWarnings()).toEqual([expect.stringMatching(/fp-events\.ndjson: could not compact the file \(.+\); it was left as it was$/)]);
    expect(await fs.readFile(join(s.compactionTempPath, 'keep-me'), 'utf8')).toBe('x');
    expect(await windowIds(s)).toEqual(['e3']);
    expect(await windowIds(store(dir, c))).toEqual(['e3']);

    await fs.rm(s.compactionTempPath, { recursive: true });
    await s.recordEvents([ev(4)]);
    expect((await lines(dir)).map((l) => JSON.parse(l).eventId)).toEqual(['e3', 'e4']);
    expect((await fs.readdir(dir)).sort()).toEqual(['fp-events.ndjson']);
  });

  it('a temporary file left by a crashed compaction is overwritten, not appended to', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c, { compaction: { minDeadLines: 1, minDeadFraction: 0 } });
    await s.recordEvents([ev(1)]);
    await fs.writeFile(s.compactionTempPath, 'half a file from a crash {"type":');
    c.t = T0 + 91 * DAY;
    await s.recordEvents([ev(2)]);
    expect(await fs.readFile(fileOf(dir), 'utf8')).toBe(eventLine(ev(2), c.t + 90 * DAY) + '\n');
    expect(await fs.readdir(dir)).toEqual(['fp-events.ndjson']);
    expect(s.getWarnings()).toEqual([]);
  });
});

describe('two stores on one directory (as two processes)', () => {
  it('after one compacts, the other reads the right events and marks, and appends correctly', async () => {
    const dir = await freshDir();
    const c = clock();
    const a = store(dir, c, { compaction: { minDeadLines: 3, minDeadFraction: 0.25 } });
    const b = store(dir, c, { compaction: false });
    await a.recordEvents([ev(1), ev(2), ev(3)]);
    c.t = T0 + 30 * DAY;
    await b.recordEvents([ev(4), ev(5)]);
    await b.mark(mark('f4', iso(T0)));
    await b.mark(mark('f4', iso(T0 + 5), { reviewer: 'bob' }));
    c.t = T0 + 100 * DAY; // e1..e3 expired
    expect(await windowIds(b)).toEqual(['e5', 'e4']); // b has folded the whole old file
    const inoBefore = await ino(dir);

    await a.recordEvents([ev(6)]); // 4 dead of 8: compaction
    expect(await ino(dir)).not.toBe(inoBefore);
    expect(await lines(dir)).toHaveLength(4);

    const w = (await b.window(['MD-001'], {})).get('MD-001') ?? [];
    expect(w.map((e) => e.eventId)).toEqual(['e6', 'e5', 'e4']);
    expect(w[2]).toMatchObject({ outcome: 'false_positive', reviewer: 'bob' });
    expect((await b.lookupMarks(['f4'])).get('f4')?.reviewer).toBe('bob');
    expect([...(await b.findingEvents(['f4', 'f6'])).values()].map((l) => l.length)).toEqual([1, 1]);

    // b appends to the new file: a live id is not written twice, an expired one is written anew.
    await b.recordEvents([ev(4, { runId: 'dup' }), ev(1, { runId: 'anew' }), ev(7)]);
    expect((await lines(dir)).map((l) => JSON.parse(l).eventId ?? 'mark')).toEqual(['e4', 'e5', 'mark', 'e6', 'e1', 'e7']);
    for (const s of [a, b, store(dir, c)]) {
      expect(await windowIds(s)).toEqual(['e7', 'e6', 'e5', 'e4', 'e1']);
      expect((await s.findingEvents(['f1'])).get('f1')?.map((e) => e.runId)).toEqual(['anew']);
      expect(s.skipped).toBe(0);
    }
  });

  it('a reader whose file was rewritten in place (an inode number reused) folds it again from the start', async () => {
    const dir = await freshDir();
    const c = clock();
    const s = store(dir, c);
    const exp = T0 + 90 * DAY;
    await fs.writeFile(fileOf(dir), [1, 2, 3, 4].map((n) => eventLine(ev(n), exp)).join('\n') + '\n');
    expect(await windowIds(s)).toEqual(['e4', 'e3', 'e2', 'e1']);
    const inoBefore = await ino(dir);
    // Same inode, at least as long as before, other content: only the bytes before the offset tell.
    await fs.writeFile(fileOf(dir), [3, 4, 5, 6, 7].map((n) => eventLine(ev(n), exp)).join('\n') + '\n');
    expect(await ino(dir)).toBe(inoBefore);
    expect(await windowIds(s)).toEqual(['e7', 'e6', 'e5', 'e4', 'e3']);
    expect(s.skipped).toBe(0);
  });
});

describe('cache merges and compacted files', () => {
  it('a restored older copy brings back no expired event and no superseded mark; what it adds is kept', async () => {
    const [dir, restored] = [await freshDir(), await freshDir()];
    const c = clock();
    const s = store(dir, c, { compaction: { minDeadLines: 2, minDeadFraction: 0.25 } });
    await s.recordEvents([ev(1), ev(2)]);
    await s.mark(mark('f3', iso(T0)));
    await s.mark(mark('f3', iso(T0 + 1), { reviewer: 'newer' }));
    c.t = T0 + 50 * DAY;
    await s.recordEvents([ev(3)]);
    await fs.copyFile(fileOf(dir), join(restored, 'fp-events.ndjson')); // the copy a cache saved then
    await fs.appendFile(join(restored, 'fp-events.ndjson'), eventLine(ev(8), T0 + 120 * DAY) + '\n'); // only in that copy
    c.t = T0 + 95 * DAY;
    await s.recordEvents([ev(4)]); // compacts: e1, e2 and the older mark go
    const compacted = await fs.readFile(fileOf(dir), 'utf8');
    expect(compacted.split('\n').filter((l) => l !== '')).toHaveLength(3);

    const { changed, warnings } = await mergeStoreDirs(restored, dir, { now: new Date(c.t) });
    expect(warnings).toEqual([]);
    expect(changed).toEqual(['fp-events.ndjson']);
    expect(await fs.readFile(fileOf(dir), 'utf8')).toBe(compacted + eventLine(ev(8), T0 + 120 * DAY) + '\n');
    expect(await windowIds(s)).toEqual(['e8', 'e4', 'e3']);
    expect((await s.lookupMarks(['f3'])).get('f3')?.reviewer).toBe('newer');
    expect((await mergeStoreDirs(restored, dir, { now: new Date(c.t) })).changed).toEqual([]);
  });

  it('an event id expired here but recorded anew in the restored copy comes back live', async () => {
    const [dir, restored] = [await freshDir(), await freshDir()];
    const c = clock();
    const s = store(dir, c, { compaction: false });
    await s.recordEvents([ev(1)]);
    const again = ev(1, { runId: 'recorded anew elsewhere' });
    await fs.writeFile(
      join(restored, 'fp-events.ndjson'),
      [eventLine(ev(1), T0 + 90 * DAY), eventLine(again, T0 + 200 * DAY), eventLine(ev(2), T0 + 90 * DAY)].join('\n') + '\n'
    );
    c.t = T0 + 100 * DAY;
    expect(await windowIds(s)).toEqual([]);
    await mergeStoreDirs(restored, dir, { now: new Date(c.t) });
    expect((await lines(dir)).slice(1)).toEqual([eventLine(again, T0 + 200 * DAY)]);
    expect((await s.window(['MD-001'], {})).get('MD-001')).toEqual([again]);
  });

  it('fpLinesToAppend: a live local record wins over any incoming one; an older incoming mark is left out', () => {
    const now = new Date(T0 + 10 * DAY);
    const local = [eventLine(ev(1), T0 + 90 * DAY), JSON.stringify({ type: 'mark', ...mark('f1', iso(T0 + 5)) })].join('\n');
    const incoming = [
      eventLine(ev(1, { runId: 'other copy' }), T0 + 300 * DAY),
      JSON.stringify({ type: 'mark', ...mark('f1', iso(T0 + 4), { reviewer: 'older' }) }),
      JSON.stringify({ type: 'mark', ...mark('f1', iso(T0 + 6), { reviewer: 'newer' }) }),
      eventLine(ev(2), T0 + 5 * DAY)
    ].join('\n');
    expect(fpLinesToAppend(local, incoming, now).lines).toEqual([JSON.stringify({ type: 'mark', ...mark('f1', iso(T0 + 6), { reviewer: 'newer' }) })]);
  });
});
