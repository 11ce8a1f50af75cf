/**
 * False-positive events and marks in `<dataDir>/fp-events.ndjson`, append-only:
 *   {"type":"event", ...FPEvent}   one observation of a finding in one run
 *   {"type":"mark",  ...FPMark}    a person's verdict on a finding
 * Reading folds them: a mark applies to every event of its finding, recorded before or after
 * it, until a newer mark (by `markedAt`, then file order) replaces it.
 *
 * The fold is kept in memory and extended incrementally from the byte offset already read, so
 * a 100k-line file is parsed once per process.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { FPEvent, FPMark, FPOutcome, FPStore, WindowOptions } from '../types.js';
import { StoreError } from '../types.js';
import { appendLines, isPlainObject, readNdjsonFrom, SerialQueue, WarningSink, withLock, type LockOptions } from './files.js';

export const FP_EVENTS_FILE = 'fp-events.ndjson';
export const DEFAULT_WINDOW_COUNT = 200;

const OUTCOMES: readonly FPOutcome[] = ['pending', 'false_positive', 'true_positive'];

/** A stored line, validated. */
export type FPRecord = ({ type: 'event' } & FPEvent) | ({ type: 'mark' } & FPMark);

/** Why a parsed line is not a usable record, or null when it is. */
export function fpRecordProblem(v: unknown): string | null {
  if (!isPlainObject(v)) return 'not an object';
  const str = (k: string) => typeof v[k] === 'string' && (v[k] as string).length > 0;
  const optStr = (k: string) => v[k] === undefined || typeof v[k] === 'string';
  if (v.type === 'event') {
    for (const k of ['eventId', 'findingId', 'ruleId', 'observedAt']) if (!str(k)) return `event without ${k}`;
    if (!OUTCOMES.includes(v.outcome as FPOutcome)) return `event with unknown outcome ${JSON.stringify(v.outcome)}`;
    if (Number.isNaN(Date.parse(v.observedAt as string))) return 'event with an unreadable observedAt';
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

export function eventRecord(e: FPEvent): FPRecord {
  return { type: 'event', ...e };
}

export function markRecord(m: FPMark): FPRecord {
  return { type: 'mark', ...m };
}

function stripType<T extends { type?: unknown }>(r: T): Omit<T, 'type'> {
  const { type: _type, ...rest } = r;
  return rest;
}

interface StoredEvent {
  event: FPEvent;
  t: number;
}

interface StoredMark {
  mark: FPMark;
  t: number;
}

interface Fold {
  dev: number;
  ino: number;
  offset: number;
  lines: number;
  events: Map<string, StoredEvent>;
  byRule: Map<string, StoredEvent[]>;
  marks: Map<string, StoredMark>;
}

function emptyFold(): Fold {
  return { dev: -1, ino: -1, offset: 0, lines: 0, events: new Map(), byRule: new Map(), marks: new Map() };
}

function applyMark(event: FPEvent, mark: FPMark | undefined): FPEvent {
  if (!mark) return { ...event };
  const { reviewer: _r, ticket: _t, reviewedAt: _a, ...base } = event;
  const out: FPEvent = { ...base, outcome: mark.outcome, reviewer: mark.reviewer, reviewedAt: mark.markedAt };
  if (mark.ticket !== undefined) out.ticket = mark.ticket;
  return out;
}

function validateEvent(e: FPEvent): void {
  const problem = fpRecordProblem(eventRecord(e));
  if (problem) throw new StoreError(`invalid FP event ${JSON.stringify(e.eventId)}: ${problem}`, false);
}

export interface LocalFPStoreOptions {
  warnings?: WarningSink;
  lock?: LockOptions;
}

export class LocalFPStore implements FPStore {
  readonly path: string;
  private readonly warnings: WarningSink;
  private readonly lockOptions: LockOptions;
  private fold: Fold = emptyFold();
  private readonly queue = new SerialQueue();
  private skippedLines = 0;

  constructor(dataDir: string, options: LocalFPStoreOptions = {}) {
    this.path = join(dataDir, FP_EVENTS_FILE);
    this.warnings = options.warnings ?? new WarningSink();
    this.lockOptions = { onWarning: (m) => this.warnings.add(m), ...options.lock };
  }

  getWarnings(): string[] {
    return this.warnings.list();
  }

  /** Unparseable or unrecognised lines skipped so far (the file itself is never rewritten). */
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
          const seen = new Set<string>();
          const lines: string[] = [];
          for (const e of events) {
            if (this.fold.events.has(e.eventId) || seen.has(e.eventId)) continue;
            seen.add(e.eventId);
            lines.push(JSON.stringify(eventRecord(e)));
          }
          await appendLines(this.path, lines);
          await this.refresh();
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
    const count = options.count ?? DEFAULT_WINDOW_COUNT;
    const since = options.since ? options.since.getTime() : undefined;
    const out = new Map<string, FPEvent[]>();
    for (const ruleId of ruleIds) {
      const candidates = (this.fold.byRule.get(ruleId) ?? []).filter((s) => since === undefined || s.t >= since);
      candidates.sort((a, b) => b.t - a.t || (a.event.eventId < b.event.eventId ? 1 : a.event.eventId > b.event.eventId ? -1 : 0));
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
    const wanted = new Set(findingIds);
    const found = new Map<string, StoredEvent[]>();
    for (const s of this.fold.events.values()) {
      if (!wanted.has(s.event.findingId)) continue;
      const list = found.get(s.event.findingId);
      if (list) list.push(s);
      else found.set(s.event.findingId, [s]);
    }
    const out = new Map<string, FPEvent[]>();
    for (const [id, list] of found) {
      list.sort((a, b) => b.t - a.t || (a.event.eventId < b.event.eventId ? 1 : a.event.eventId > b.event.eventId ? -1 : 0));
      const mark = this.fold.marks.get(id)?.mark;
      out.set(id, list.map((s) => applyMark(s.event, mark)));
    }
    return out;
  }

  /** Brings the in-memory fold up to date with the file (incrementally when it only grew). */
  private async refresh(): Promise<void> {
    let st: { dev: number; ino: number; size: number };
    try {
      st = await fs.stat(this.path);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') {
        this.fold = emptyFold();
        return;
      }
      throw new StoreError(`could not read ${this.path}: ${(e as Error).message}`, false, e);
    }
    if (st.dev !== this.fold.dev || st.ino !== this.fold.ino || st.size < this.fold.offset) {
      this.fold = emptyFold();
      this.fold.dev = st.dev;
      this.fold.ino = st.ino;
    }
    if (st.size === this.fold.offset) return;
    const chunk = await readNdjsonFrom(this.path, this.fold.offset, this.fold.lines + 1);
    const bad: { line: number; problem: string }[] = [...chunk.corrupt];
    for (const { line, value } of chunk.lines) {
      const problem = fpRecordProblem(value);
      if (problem) {
        bad.push({ line, problem });
        continue;
      }
      const r = value as FPRecord;
      if (r.type === 'event') {
        if (this.fold.events.has(r.eventId)) continue; // first record of an id wins
        const stored: StoredEvent = { event: stripType(r) as FPEvent, t: Date.parse(r.observedAt) };
        this.fold.events.set(r.eventId, stored);
        const list = this.fold.byRule.get(r.ruleId);
        if (list) list.push(stored);
        else this.fold.byRule.set(r.ruleId, [stored]);
      } else {
        const t = Date.parse(r.markedAt);
        const prev = this.fold.marks.get(r.findingId);
        if (!prev || t >= prev.t) this.fold.marks.set(r.findingId, { mark: stripType(r) as FPMark, t });
      }
    }
    this.fold.offset = chunk.endOffset;
    this.fold.lines += chunk.lineCount;
    if (bad.length > 0) {
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
