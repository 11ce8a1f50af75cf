/**
 * False-positive events and marks in `<dataDir>/fp-events.ndjson`, appended one line each:
 *   {"type":"event", ...FPEvent, "expiresAt": ISO}   one observation of a finding in one run
 *   {"type":"mark",  ...FPMark}                      a person's verdict on a finding
 * Reading folds them: a mark applies to every event of its finding, recorded before or after
 * it, until a newer mark (by `markedAt`, then file order) replaces it.
 *
 * Events expire like the DynamoDB items (TTL `expiresAt`, 90 days after the write, whatever the
 * event's `observedAt`): an event line carries the time it expires, `FP_EVENT_TTL_DAYS` after it
 * was recorded (a line written before that field existed carries none and does not expire). An
 * expired event is not in any window nor in `findingEvents`, and its event id can be recorded
 * anew. Of several live records
 * of one event id (copies merged from caches) the first in the file is the event. Marks never
 * expire: a person's verdict stays.
 *
 * The fold is kept in memory and extended incrementally from the byte offset already read, so
 * a 100k-line file is parsed once per process. It starts again from the first byte when the
 * file is another one (device, inode), shorter than what was read, or no longer holds the bytes
 * last read just before that offset (a replaced file whose inode number was reused).
 *
 * Compaction keeps the file bounded. `recordEvents` rewrites it, under the lock, when its dead
 * lines (expired events; second and later live records of an event id; marks a newer mark of
 * the same finding replaced) are at least `minDeadLines` (default 1,000) and at least
 * `minDeadFraction` (default a quarter) of its records. The floor keeps small files, and the
 * cache copies made from them, from being rewritten for a handful of lines; the fraction makes
 * every rewrite remove at least a quarter of what it reads, so the work of rewriting stays
 * proportional to what is appended, and the file holds at most about a third more than its live
 * records plus the floor. The live lines are written, byte for byte and in their order, to
 * `.fp-events.ndjson.compact.tmp` next to the file (with the file's mode), fsynced and renamed
 * over it: a reader sees the old file or the new one, and other processes notice the new file
 * and fold it from the start. A file with an unreadable or unrecognised line, or an incomplete
 * last line, is never rewritten: it is reported and left exactly as it is.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FPEvent, FPMark, FPOutcome, FPStore, WindowOptions } from '../types.js';
import { StoreError } from '../types.js';
import {
  appendLines,
  fsyncDir,
  isPlainObject,
  parseJson,
  readBytes,
  readNdjsonFromHandle,
  SerialQueue,
  WarningSink,
  withLock,
  type LockOptions
} from './files.js';

export const FP_EVENTS_FILE = 'fp-events.ndjson';
export const DEFAULT_WINDOW_COUNT = 200;

/**
 * Days an event lives after it is recorded: the DynamoDB TTL, `FP_EVENTS.ttlDays` in
 * ../aws/tables.ts. Not imported from there because the local store is also compiled on its own
 * (the cross-process tests); a test checks that both agree.
 */
export const FP_EVENT_TTL_DAYS = 90;
const DAY_MS = 86_400_000;

export interface CompactionOptions {
  /** Rewrite only when at least this many lines are dead (default 1,000). */
  minDeadLines?: number;
  /** … and when they are at least this fraction of the file's records (default 0.25). */
  minDeadFraction?: number;
}

export const DEFAULT_COMPACTION: Required<CompactionOptions> = { minDeadLines: 1_000, minDeadFraction: 0.25 };

const OUTCOMES: readonly FPOutcome[] = ['pending', 'false_positive', 'true_positive'];

/** A stored line, validated. */
export type FPRecord = ({ type: 'event'; expiresAt?: string } & FPEvent) | ({ type: 'mark' } & FPMark);

/** Why a parsed line is not a usable record, or null when it is. */
export function fpRecordProblem(v: unknown): string | null {
  if (!isPlainObject(v)) return 'not an object';
  const str = (k: string) => typeof v[k] === 'string' && (v[k] as string).length > 0;
  const optStr = (k: string) => v[k] === undefined || typeof v[k] === 'string';
  if (v.type === 'event') {
    for (const k of ['eventId', 'findingId', 'ruleId', 'observedAt']) if (!str(k)) return `event without ${k}`;
    if (!OUTCOMES.includes(v.outcome as FPOutcome)) return `event with unknown outcome ${JSON.stringify(v.outcome)}`;
    if (Number.isNaN(Date.parse(v.observedAt as string))) return 'event with an unreadable observedAt';
    if (v.expiresAt !== undefined && (typeof v.expiresAt !== 'string' || Number.isNaN(Date.parse(v.expiresAt)))) {
      return 'event with an unreadable expiresAt';
    }
    return null;
  }
  if (v.type === 'mark') {
    for (const k of ['findingId', 'reviewer', 'markedAt']) if (!str(k)) return `mark without ${k}`;
    if (v.outcome !== 'false_positive' && v.outcome !== 'true_positive') return `mark with outcome ${JSON.stringify(v.outcome)}`;
    if (!optStr('ticket') || !optStr('ruleId')) return 'mark with a non-string ticket or ruleId';
    if (Number.isNaN(Date.parse(v.markedAt as string))) return 'mark with an unreadable markedAt';
    return null;
  }
  return `unknown record type ${JSON.stringify(v.type)}`;
}

/** Identity of a record for merging two copies of the file: events by id, marks by content. */
export function fpRecordIdentity(r: FPRecord): string {
  if (r.type === 'event') return `event:${r.eventId}`;
  return `mark:${JSON.stringify([r.findingId, r.markedAt, r.outcome, r.reviewer, r.ticket ?? null, r.ruleId ?? null])}`;
}

/**
 * When a stored event expires (epoch ms; alive while strictly before): its `expiresAt`. A line
 * written before events carried one never expires (Infinity): nothing says when it was recorded,
 * and its `observedAt` may be long past for an event recorded recently.
 */
export function fpEventExpiresAt(r: { expiresAt?: string }): number {
  return r.expiresAt !== undefined ? Date.parse(r.expiresAt) : Infinity;
}

/** The line for an event; `expiresAt` is written when given (the store always gives it). */
export function eventRecord(e: FPEvent, expiresAt?: Date): FPRecord {
  return expiresAt === undefined ? { type: 'event', ...e } : { type: 'event', ...e, expiresAt: expiresAt.toISOString() };
}

export function markRecord(m: FPMark): FPRecord {
  return { type: 'mark', ...m };
}

function stripType<T extends { type?: unknown }>(r: T): Omit<T, 'type'> {
  const { type: _type, ...rest } = r;
  return rest;
}

function toEvent(r: { type: 'event'; expiresAt?: string } & FPEvent): FPEvent {
  const { type: _type, expiresAt: _expiresAt, ...event } = r;
  return event;
}

interface StoredEvent {
  event: FPEvent;
  /** observedAt, epoch ms. */
  t: number;
  /** Expiry, epoch ms. */
  exp: number;
  /** The next record of the same event id in the file. */
  next?: StoredEvent;
}

interface StoredMark {
  mark: FPMark;
  t: number;
}

/** Bytes compared, just before the offset already read, to tell the same file from a replaced one. */
const TAIL_BYTES = 1024;

interface Fold {
  dev: number;
  ino: number;
  offset: number;
  lines: number;
  /** The file's last bytes before `offset` (up to TAIL_BYTES). */
  tail: Buffer;
  /** First record of each event id; later records of the id are chained by `next`. */
  events: Map<string, StoredEvent>;
  byRule: Map<string, StoredEvent[]>;
  marks: Map<string, StoredMark>;
  eventLines: number;
  markLines: number;
  /** Unreadable or unrecognised lines in what was read. */
  badLines: number;
}

function emptyFold(): Fold {
  return {
    dev: -1,
    ino: -1,
    offset: 0,
    lines: 0,
    tail: Buffer.alloc(0),
    events: new Map(),
    byRule: new Map(),
    marks: new Map(),
    eventLines: 0,
    markLines: 0,
    badLines: 0
  };
}

/** The record that is the event for its id at `now`: the first live one in the file. */
function liveRecord(first: StoredEvent | undefined, now: number): StoredEvent | undefined {
  for (let s = first; s; s = s.next) if (s.exp > now) return s;
  return undefined;
}

function applyMark(event: FPEvent, mark: FPMark | undefined): FPEvent {
  if (!mark) return { ...event };
  const { reviewer: _r, ticket: _t, reviewedAt: _a, ...base } = event;
  const out: FPEvent = { ...base, outcome: mark.outcome, reviewer: mark.reviewer, reviewedAt: mark.markedAt };
  if (mark.ticket !== undefined) out.ticket = mark.ticket;
  return out;
}

function newestFirst(a: StoredEvent, b: StoredEvent): number {
  return b.t - a.t || (a.event.eventId < b.event.eventId ? 1 : a.event.eventId > b.event.eventId ? -1 : 0);
}

function validateEvent(e: FPEvent): void {
  const problem = fpRecordProblem(eventRecord(e));
  if (problem) throw new StoreError(`invalid FP event ${JSON.stringify(e.eventId)}: ${problem}`, false);
}

function compactionWanted(dead: number, total: number, t: Required<CompactionOptions>): boolean {
  return dead > 0 && dead >= t.minDeadLines && dead >= t.minDeadFraction * total;
}

export interface FpCompactionPlan {
  /** The live lines, in file order, as they are in the file (without their newline). */
  keep: Buffer[];
  /** Records in the file (blank lines are not records). */
  total: number;
  /** Records that are not kept. */
  dead: number;
}

/**
 * What compaction keeps of a file's content at `now` (epoch ms): for each event id its first
 * live record, for each finding its winning mark (newest `markedAt`, the later line on a tie);
 * blank lines go. Returns the problem instead when the content must not be rewritten: an
 * unparseable or unrecognised line, or an incomplete last line.
 */
export function planFpCompaction(content: Buffer, now: number): FpCompactionPlan | { problem: string } {
  if (content.length > 0 && content[content.length - 1] !== 0x0a) return { problem: 'its last line is incomplete' };
  const rows: Buffer[] = [];
  for (let start = 0; start < content.length; ) {
    const end = content.indexOf(0x0a, start);
    rows.push(content.subarray(start, end));
    start = end + 1;
  }
  const records: { row: Buffer; r: FPRecord }[] = [];
  for (const [i, row] of rows.entries()) {
    const text = row.toString('utf8');
    if (text.trim() === '') continue;
    const parsed = parseJson(text);
    const problem = parsed.ok ? fpRecordProblem(parsed.value) : parsed.problem;
    if (problem !== null || !parsed.ok) return { problem: `line ${i + 1} is unreadable (${problem})` };
    records.push({ row, r: parsed.value as FPRecord });
  }
  const keep = new Set<number>();
  const liveIds = new Set<string>();
  const winners = new Map<string, { index: number; t: number }>();
  records.forEach(({ r }, index) => {
    if (r.type === 'event') {
      if (fpEventExpiresAt(r) > now && !liveIds.has(r.eventId)) {
        liveIds.add(r.eventId);
        keep.add(index);
      }
      return;
    }
    const t = Date.parse(r.markedAt);
    const prev = winners.get(r.findingId);
    if (!prev || t >= prev.t) winners.set(r.findingId, { index, t });
  });
  for (const { index } of winners.values()) keep.add(index);
  const kept = records.filter((_, i) => keep.has(i)).map((x) => x.row);
  return { keep: kept, total: records.length, dead: records.length - kept.length };
}

export interface LocalFPStoreOptions {
  warnings?: WarningSink;
  lock?: LockOptions;
  /** The clock for expiry, and for the expiry written with new events (default: the system clock). */
  now?: () => Date;
  /** When `recordEvents` compacts the file (defaults: DEFAULT_COMPACTION); `false`: never. */
  compaction?: CompactionOptions | false;
}

export class LocalFPStore implements FPStore {
  readonly path: string;
  private readonly warnings: WarningSink;
  private readonly lockOptions: LockOptions;
  private readonly now: () => Date;
  private readonly compaction: Required<CompactionOptions> | false;
  private fold: Fold = emptyFold();
  private readonly queue = new SerialQueue();
  private skippedLines = 0;

  constructor(dataDir: string, options: LocalFPStoreOptions = {}) {
    this.path = join(dataDir, FP_EVENTS_FILE);
    this.warnings = options.warnings ?? new WarningSink();
    this.lockOptions = { onWarning: (m) => this.warnings.add(m), ...options.lock };
    this.now = options.now ?? (() => new Date());
    this.compaction = options.compaction === false ? false : { ...DEFAULT_COMPACTION, ...options.compaction };
  }

  /** Where compaction writes the new file before renaming it over the old one (under the lock). */
  get compactionTempPath(): string {
    return join(dirname(this.path), `.${basename(this.path)}.compact.tmp`);
  }

  getWarnings(): string[] {
    return this.warnings.list();
  }

  /** Unparseable or unrecognised lines skipped so far (a file holding any is never rewritten). */
  get skipped(): number {
    return this.skippedLines;
  }

  async recordEvents(events: FPEvent[]): Promise<void> {
    if (events.length === 0) return;
    events.forEach(validateEvent);
    await this.queue.run(() =>
      withLock(
        this.path,
        async () => {
          await this.refresh();
          const now = this.now().getTime();
          const expiresAt = new Date(now + FP_EVENT_TTL_DAYS * DAY_MS);
          const seen = new Set<string>();
          const lines: string[] = [];
          for (const e of events) {
            if (seen.has(e.eventId) || liveRecord(this.fold.events.get(e.eventId), now)) continue;
            seen.add(e.eventId);
            lines.push(JSON.stringify(eventRecord(e, expiresAt)));
          }
          await appendLines(this.path, lines);
          await this.refresh();
          await this.compactIfWorthIt(now);
        },
        this.lockOptions
      )
    );
  }

  async mark(mark: FPMark): Promise<void> {
    const problem = fpRecordProblem(markRecord(mark));
    if (problem) throw new StoreError(`invalid FP mark for ${JSON.stringify(mark.findingId)}: ${problem}`, false);
    await this.queue.run(() =>
      withLock(
        this.path,
        async () => {
          await appendLines(this.path, [JSON.stringify(markRecord(mark))]);
          await this.refresh();
        },
        this.lockOptions
      )
    );
  }

  async lookupMarks(findingIds: string[]): Promise<Map<string, FPMark>> {
    await this.queue.run(() => this.refresh());
    const out = new Map<string, FPMark>();
    for (const id of findingIds) {
      const m = this.fold.marks.get(id);
      if (m) out.set(id, { ...m.mark });
    }
    return out;
  }

  async window(ruleIds: string[], options: WindowOptions = {}): Promise<Map<string, FPEvent[]>> {
    await this.queue.run(() => this.refresh());
    const now = this.now().getTime();
    const count = options.count ?? DEFAULT_WINDOW_COUNT;
    const since = options.since ? options.since.getTime() : undefined;
    const out = new Map<string, FPEvent[]>();
    for (const ruleId of ruleIds) {
      const candidates = (this.fold.byRule.get(ruleId) ?? []).filter(
        (s) => (since === undefined || s.t >= since) && s.exp > now && liveRecord(this.fold.events.get(s.event.eventId), now) === s
      );
      candidates.sort(newestFirst);
      const picked: FPEvent[] = [];
      for (const s of candidates) {
        if (picked.length >= count) break;
        const e = applyMark(s.event, this.fold.marks.get(s.event.findingId)?.mark);
        if (options.reviewedOnly && e.outcome === 'pending') continue;
        picked.push(e);
      }
      out.set(ruleId, picked);
    }
    return out;
  }

  async findingEvents(findingIds: string[]): Promise<Map<string, FPEvent[]>> {
    await this.queue.run(() => this.refresh());
    const now = this.now().getTime();
    const wanted = new Set(findingIds);
    const found = new Map<string, StoredEvent[]>();
    for (const first of this.fold.events.values()) {
      const s = liveRecord(first, now);
      if (!s || !wanted.has(s.event.findingId)) continue;
      const list = found.get(s.event.findingId);
      if (list) list.push(s);
      else found.set(s.event.findingId, [s]);
    }
    const out = new Map<string, FPEvent[]>();
    for (const [id, list] of found) {
      list.sort(newestFirst);
      const mark = this.fold.marks.get(id)?.mark;
      out.set(id, list.map((s) => applyMark(s.event, mark)));
    }
    return out;
  }

  /** Dead lines of the fold at `now`: records that are not the live event of their id, superseded marks. */
  private deadLines(now: number): number {
    let liveEvents = 0;
    for (const first of this.fold.events.values()) if (liveRecord(first, now)) liveEvents++;
    return this.fold.eventLines - liveEvents + (this.fold.markLines - this.fold.marks.size);
  }

  /** Call under the lock, the fold just refreshed. A failure is a warning: the file stays as it was. */
  private async compactIfWorthIt(now: number): Promise<void> {
    const t = this.compaction;
    if (t === false || this.fold.badLines > 0) return;
    const total = this.fold.eventLines + this.fold.markLines;
    if (total < t.minDeadLines || !compactionWanted(this.deadLines(now), total, t)) return;
    try {
      await this.compact(now, t);
    } catch (e) {
      this.warnings.add(`${this.path}: could not compact the file (${(e as Error).message}); it was left as it was`);
    }
  }

  private async compact(now: number, thresholds: Required<CompactionOptions>): Promise<void> {
    const fh = await fs.open(this.path, 'r');
    let content: Buffer;
    let mode: number;
    try {
      const st = await fh.stat();
      mode = st.mode & 0o7777;
      content = await readBytes(fh, 0, st.size);
    } finally {
      await fh.close().catch(() => undefined);
    }
    const plan = planFpCompaction(content, now);
    if ('problem' in plan) {
      this.warnings.add(`${this.path} was not compacted: ${plan.problem}; the file was left unchanged`);
      return;
    }
    if (!compactionWanted(plan.dead, plan.total, thresholds)) return;
    const tmp = this.compactionTempPath;
    let created = false;
    let out: fs.FileHandle | undefined;
    try {
      out = await fs.open(tmp, 'w', mode);
      created = true;
      if (plan.keep.length > 0) await out.writeFile(Buffer.concat(plan.keep.flatMap((row) => [row, Buffer.from('\n')])));
      await out.sync();
      await out.close();
      out = undefined;
      await fs.chmod(tmp, mode);
      await fs.rename(tmp, this.path);
      created = false;
    } catch (e) {
      await out?.close().catch(() => undefined);
      if (created) await fs.unlink(tmp).catch(() => undefined);
      throw e;
    }
    await fsyncDir(dirname(this.path));
    this.fold = emptyFold();
    await this.refresh();
  }

  /** Are the fold and the open file the same file, the fold a prefix of it? */
  private async foldMatches(fh: fs.FileHandle, st: { dev: number; ino: number; size: number }): Promise<boolean> {
    const f = this.fold;
    if (st.dev !== f.dev || st.ino !== f.ino || st.size < f.offset) return false;
    if (f.offset === 0) return true;
    const here = await readBytes(fh, f.offset - f.tail.length, f.tail.length);
    return here.equals(f.tail);
  }

  /** Brings the in-memory fold up to date with the file (incrementally when it only grew). */
  private async refresh(): Promise<void> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.path, 'r');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') {
        this.fold = emptyFold();
        return;
      }
      throw new StoreError(`could not read ${this.path}: ${(e as Error).message}`, false, e);
    }
    try {
      // The stat and every read are of the open file, even if the path is replaced meanwhile.
      const st = await fh.stat();
      if (!(await this.foldMatches(fh, st))) {
        this.fold = emptyFold();
        this.fold.dev = st.dev;
        this.fold.ino = st.ino;
      }
      if (st.size === this.fold.offset) return;
      const chunk = await readNdjsonFromHandle(fh, this.path, st.size, this.fold.offset, this.fold.lines + 1);
      if (chunk.endOffset === this.fold.offset) return; // only an append in progress
      this.apply(chunk.lines, chunk.corrupt);
      this.fold.offset = chunk.endOffset;
      this.fold.lines += chunk.lineCount;
      const tailLength = Math.min(TAIL_BYTES, chunk.endOffset);
      this.fold.tail = await readBytes(fh, chunk.endOffset - tailLength, tailLength);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`could not read ${this.path}: ${(e as Error).message}`, false, e);
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  private apply(lines: { line: number; value: unknown }[], corrupt: { line: number; problem: string }[]): void {
    const bad: { line: number; problem: string }[] = [...corrupt];
    for (const { line, value } of lines) {
      const problem = fpRecordProblem(value);
      if (problem) {
        bad.push({ line, problem });
        continue;
      }
      const r = value as FPRecord;
      if (r.type === 'event') {
        this.fold.eventLines++;
        const stored: StoredEvent = { event: toEvent(r), t: Date.parse(r.observedAt), exp: fpEventExpiresAt(r) };
        const first = this.fold.events.get(r.eventId);
        if (first) {
          let last = first;
          while (last.next) last = last.next;
          last.next = stored;
        } else {
          this.fold.events.set(r.eventId, stored);
        }
        const list = this.fold.byRule.get(r.ruleId);
        if (list) list.push(stored);
        else this.fold.byRule.set(r.ruleId, [stored]);
      } else {
        this.fold.markLines++;
        const t = Date.parse(r.markedAt);
        const prev = this.fold.marks.get(r.findingId);
        if (!prev || t >= prev.t) this.fold.marks.set(r.findingId, { mark: stripType(r) as FPMark, t });
      }
    }
    if (bad.length > 0) {
      this.fold.badLines += bad.length;
      this.skippedLines += bad.length;
      bad.sort((a, b) => a.line - b.line);
      const first = bad[0];
      this.warnings.add(
        `${this.path}: skipped ${bad.length} unreadable line(s) (first: line ${first.line}, ${first.problem}); ` +
          'the file was left unchanged'
      );
    }
  }
}
