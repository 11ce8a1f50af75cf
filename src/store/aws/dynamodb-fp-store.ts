/**
 * FPStore on DynamoDB (`fp-events`). The item layout and the access pattern of each method are
 * documented in tables.ts. Round trips per check run: lookupMarks = one BatchGetItem (≤ 100 ids),
 * window (reviewed only, the check's) = one BatchGetItem of the rules' window items,
 * recordEvents = nothing for events already recorded, else one TransactWriteItems per 50 new
 * events (issued together).
 */
import {
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem
} from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from '../../aws/retry.js';
import { eventRecord, fpRecordProblem, markRecord } from '../local/fp-store.js';
import type { FPEvent, FPMark, FPOutcome, FPStore, WindowOptions } from '../types.js';
import { StoreError } from '../types.js';
import { batchGetAll, call, getN, getS, getSS, N, putOptional, queryAll, S, type AwsStoreOptions, type Item } from './dynamodb-common.js';
import { decodeEntries, encodeEntries, liveEvents, mergeEntries, newestFirst, WINDOW_ENTRIES_MAX, type WindowEntry } from './fp-reviewed-window.js';
import { FP_EVENTS, keys } from './tables.js';

export const DEFAULT_WINDOW_COUNT = 200;
/** TransactWriteItems takes at most 100 actions. */
export const TRANSACT_MAX = 100;
/** A new event is two actions (its finding's head, its own item). */
export const EVENTS_PER_TRANSACTION = TRANSACT_MAX / 2;
/**
 * Conditional writes of one window item before giving up. A failed condition means another
 * writer got through, so this bounds the writers racing on one rule, not the time.
 */
export const WINDOW_WRITE_ATTEMPTS = 10;

const OUTCOMES: readonly FPOutcome[] = ['pending', 'false_positive', 'true_positive'];
const EVENT_ATTRIBUTE_PREFIX = keys.findingEventAttribute('');

interface KnownMark {
  mark: FPMark;
  markedAtMs: number;
  /** Rule partitions that hold a copy of the mark. */
  rules: Set<string>;
}

/** What this process learnt of a finding from its head (lookupMarks, mark) or its own writes. */
interface KnownFinding {
  /** null: none as far as this process knows. */
  mark: KnownMark | null;
  /** Recorded event ids → their expiresAt (epoch seconds). */
  events: Map<string, number>;
}

/** Where a recorded event lives, as its finding's head says. */
interface RecordedEvent {
  pk: string;
  sk: string;
  expiresAt: number;
}

export interface DynamoDBFPStoreOptions extends AwsStoreOptions {
  /** Days an event lives (TTL); default 90. */
  ttlDays?: number;
}

function normaliseIso(value: string): string {
  return new Date(value).toISOString();
}

function eventKey(e: FPEvent): { pk: string; sk: string } {
  return { pk: keys.rulePk(e.ruleId), sk: keys.eventSk(normaliseIso(e.observedAt), e.eventId) };
}

function headKey(findingId: string): Item {
  return { [FP_EVENTS.partitionKey]: S(keys.findingPk(findingId)), [FP_EVENTS.sortKey]: S(keys.findingMarkSk) };
}

function windowKey(ruleId: string): Item {
  return { [FP_EVENTS.partitionKey]: S(keys.rulePk(ruleId)), [FP_EVENTS.sortKey]: S(keys.ruleWindowSk) };
}

function eventItem(e: FPEvent, expiresAt: number): Item {
  const { pk, sk } = eventKey(e);
  const item: Item = {
    [FP_EVENTS.partitionKey]: S(pk),
    [FP_EVENTS.sortKey]: S(sk),
    [FP_EVENTS.gsiPartitionKey]: S(keys.findingPk(e.findingId)),
    [FP_EVENTS.gsiSortKey]: S(keys.gsi1sk(e.ruleId, e.ruleVersion)),
    [FP_EVENTS.ttlAttribute]: N(expiresAt),
    kind: S('event'),
    eventId: S(e.eventId),
    findingId: S(e.findingId),
    ruleId: S(e.ruleId),
    ruleVersion: S(e.ruleVersion),
    repository: S(e.repository),
    runId: S(e.runId),
    observedAt: S(e.observedAt),
    outcome: S(e.outcome)
  };
  // The reviewer travels with the event both ways (upstream dropped it on read: FPR 0).
  return putOptional(item, { reviewer: e.reviewer, ticket: e.ticket, reviewedAt: e.reviewedAt });
}

/** An event item read back, every FPEvent field included. */
export function eventFromItem(item: Item): FPEvent {
  const outcome = getS(item, 'outcome') as FPOutcome;
  const e: FPEvent = {
    eventId: getS(item, 'eventId') ?? '',
    findingId: getS(item, 'findingId') ?? '',
    ruleId: getS(item, 'ruleId') ?? '',
    ruleVersion: getS(item, 'ruleVersion') ?? '',
    repository: getS(item, 'repository') ?? '',
    runId: getS(item, 'runId') ?? '',
    observedAt: getS(item, 'observedAt') ?? '',
    outcome: OUTCOMES.includes(outcome) ? outcome : 'pending'
  };
  for (const k of ['reviewer', 'ticket', 'reviewedAt'] as const) {
    const v = getS(item, k);
    if (v !== undefined) e[k] = v;
  }
  return e;
}

function markItem(pk: string, sk: string, m: FPMark, markedAtMs: number): Item {
  const item: Item = {
    [FP_EVENTS.partitionKey]: S(pk),
    [FP_EVENTS.sortKey]: S(sk),
    kind: S('mark'),
    findingId: S(m.findingId),
    outcome: S(m.outcome),
    reviewer: S(m.reviewer),
    markedAt: S(m.markedAt),
    markedAtMs: N(markedAtMs)
  };
  return putOptional(item, { ruleId: m.ruleId, ticket: m.ticket });
}

/** A finding head is a mark only once marked: recording events creates heads without mark fields. */
function isMarkItem(item: Item): boolean {
  return getS(item, 'markedAt') !== undefined && getS(item, 'reviewer') !== undefined;
}

export function markFromItem(item: Item): FPMark {
  const m: FPMark = {
    findingId: getS(item, 'findingId') ?? '',
    outcome: getS(item, 'outcome') === 'true_positive' ? 'true_positive' : 'false_positive',
    reviewer: getS(item, 'reviewer') ?? '',
    markedAt: getS(item, 'markedAt') ?? ''
  };
  const ruleId = getS(item, 'ruleId');
  if (ruleId !== undefined) m.ruleId = ruleId;
  const ticket = getS(item, 'ticket');
  if (ticket !== undefined) m.ticket = ticket;
  return m;
}

/** The event ids a finding head records, and where their items are. */
function recordedEvents(head: Item | undefined): Map<string, RecordedEvent> {
  const out = new Map<string, RecordedEvent>();
  for (const [name, value] of Object.entries(head ?? {})) {
    if (!name.startsWith(EVENT_ATTRIBUTE_PREFIX) || !value || !('M' in value) || !value.M) continue;
    const pk = getS(value.M, 'pk');
    const sk = getS(value.M, 'sk');
    const expiresAt = getN(value.M, FP_EVENTS.ttlAttribute);
    if (pk && sk && expiresAt !== undefined) out.set(name.slice(EVENT_ATTRIBUTE_PREFIX.length), { pk, sk, expiresAt });
  }
  return out;
}

/** The event as the mark makes it: reviewed, with the mark's reviewer, ticket and time. */
function applyMark(event: FPEvent, mark: FPMark | undefined): FPEvent {
  if (!mark) return event;
  const { reviewer: _r, ticket: _t, reviewedAt: _a, ...base } = event;
  const out: FPEvent = { ...base, outcome: mark.outcome, reviewer: mark.reviewer, reviewedAt: mark.markedAt };
  if (mark.ticket !== undefined) out.ticket = mark.ticket;
  return out;
}

function isConditionalFailure(error: unknown): boolean {
  return classifyAwsError(error).code === 'ConditionalCheckFailedException';
}

interface CancellationReason {
  Code?: string;
  Item?: Record<string, AttributeValue>;
}

/**
 * The reasons of a transaction cancelled because some actions failed their condition (the
 * other actions report None, or TransactionConflict when a concurrent writer held the item:
 * those are simply sent again), or null when it was cancelled for anything else (which must
 * surface; a cancellation made of conflicts only is retried as throttling by `call`).
 */
function conditionalCancellation(error: unknown): CancellationReason[] | null {
  const e = error as { name?: string; CancellationReasons?: CancellationReason[] };
  if (e?.name !== 'TransactionCanceledException' || !Array.isArray(e.CancellationReasons)) return null;
  const codes = e.CancellationReasons.map((r) => r?.Code ?? 'None');
  if (!codes.includes('ConditionalCheckFailed')) return null;
  if (codes.some((c) => c !== 'None' && c !== 'ConditionalCheckFailed' && c !== 'TransactionConflict')) return null;
  return e.CancellationReasons;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const group = out.get(key(item));
    if (group) group.push(item);
    else out.set(key(item), [item]);
  }
  return out;
}

/**
 * New events in transactions of at most 50, each finding's head at most once per transaction (a
 * transaction may not touch an item twice). Returns waves of transactions: the transactions of a
 * wave touch distinct heads and run together; a finding with more than 50 new events (the
 * contract allows it, a check run has one event per finding) spreads over successive waves.
 */
export function planTransactions(events: readonly FPEvent[], perTransaction = EVENTS_PER_TRANSACTION): FPEvent[][][] {
  const waves: FPEvent[][][] = [];
  for (const group of groupBy(events, (e) => e.findingId).values()) {
    for (let w = 0; w * perTransaction < group.length; w++) {
      const piece = group.slice(w * perTransaction, (w + 1) * perTransaction);
      const wave = (waves[w] ??= []);
      const last = wave[wave.length - 1];
      if (last && last.length + piece.length <= perTransaction) last.push(...piece);
      else wave.push(piece);
    }
  }
  return waves;
}

/** One transaction's actions, and for each action the finding and events it stands for. */
interface Transaction {
  items: TransactWriteItem[];
  owners: { findingId: string; events: FPEvent[]; head: boolean }[];
}

/** Window entries waiting to be written for one rule, and who waits for them. */
interface WindowQueue {
  pending: WindowEntry[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

export class DynamoDBFPStore implements FPStore {
  private readonly resource: string;
  /** Findings this process has read the head of, or written events of. */
  private readonly known = new Map<string, KnownFinding>();
  /** Window items being written, per rule: later entries wait and go in the next write. */
  private readonly windowQueues = new Map<string, WindowQueue>();

  constructor(
    private readonly client: DynamoDBClient,
    readonly table: string,
    private readonly opts: DynamoDBFPStoreOptions = {}
  ) {
    this.resource = `table ${table}`;
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  private nowSec(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private knownFinding(findingId: string): KnownFinding {
    let k = this.known.get(findingId);
    if (!k) this.known.set(findingId, (k = { mark: null, events: new Map() }));
    return k;
  }

  private isKnownRecorded(e: FPEvent, nowSec: number): boolean {
    return (this.known.get(e.findingId)?.events.get(e.eventId) ?? 0) > nowSec;
  }

  // ── recordEvents ───────────────────────────────────────────────────────────────────────────

  async recordEvents(events: FPEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const e of events) {
      const problem = fpRecordProblem(eventRecord(e));
      if (problem) throw new StoreError(`invalid FP event ${JSON.stringify(e.eventId)}: ${problem}`, false);
    }
    const unique = new Map<string, FPEvent>();
    for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
    const nowSec = this.nowSec();
    const expiresAt = nowSec + (this.opts.ttlDays ?? FP_EVENTS.ttlDays) * 86_400;
    // A run's findings were looked up first (lookupMarks): those already recorded cost nothing.
    const fresh = [...unique.values()].filter((e) => !this.isKnownRecorded(e, nowSec));
    const stored: FPEvent[] = [];
    for (const wave of planTransactions(fresh)) {
      const written = await Promise.all(wave.map((chunk) => this.writeNew(chunk, expiresAt, nowSec)));
      stored.push(...written.flat());
    }
    await this.afterWrite([...unique.values()], stored, expiresAt);
  }

  /**
   * Writes the events (one transaction) whose ids are not recorded yet; a cancelled transaction
   * drops the duplicates it names and sends the rest again. Returns the events now stored as
   * given (written, or found written with the same key: a retry whose answer was lost).
   */
  private async writeNew(events: FPEvent[], expiresAt: number, nowSec: number): Promise<FPEvent[]> {
    const stored: FPEvent[] = [];
    let pending = events;
    while (pending.length > 0) {
      const tx = this.transaction(pending, expiresAt, nowSec);
      const reasons = await call('TransactWriteItems', this.resource, this.opts, async () => {
        try {
          await this.client.send(new TransactWriteItemsCommand({ TransactItems: tx.items }));
          return null;
        } catch (error) {
          const r = conditionalCancellation(error);
          if (r) return r;
          throw error;
        }
      });
      if (!reasons) {
        for (const e of pending) this.knownFinding(e.findingId).events.set(e.eventId, expiresAt);
        return [...stored, ...pending];
      }
      const duplicates = await this.duplicatesOf(tx, reasons, nowSec, expiresAt);
      if (duplicates.size === 0) throw new StoreError(`TransactWriteItems on ${this.resource}: a condition failed on no recorded event`, false);
      for (const e of pending) {
        const where = duplicates.get(e.eventId);
        if (!where) continue;
        this.knownFinding(e.findingId).events.set(e.eventId, where.expiresAt);
        if (where.sk === eventKey(e).sk) stored.push(e);
      }
      pending = pending.filter((e) => !duplicates.has(e.eventId));
    }
    return stored;
  }

  /** Per finding, the head Update guarding its new event ids; per event, the Put of its item. */
  private transaction(events: FPEvent[], expiresAt: number, nowSec: number): Transaction {
    const tx: Transaction = { items: [], owners: [] };
    for (const [findingId, group] of groupBy(events, (e) => e.findingId)) {
      tx.items.push(this.headGuard(findingId, group, expiresAt, nowSec));
      tx.owners.push({ findingId, events: group, head: true });
      for (const e of group) {
        tx.items.push({
          Put: {
            TableName: this.table,
            Item: eventItem(e, expiresAt),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': FP_EVENTS.partitionKey }
          }
        });
        tx.owners.push({ findingId, events: [e], head: false });
      }
    }
    return tx;
  }

  /**
   * Sets `ev#<eventId>` on the finding's head for each event, on condition that none is there
   * (or only an expired one: an event id whose event has expired is recorded anew). Touches no
   * mark field. On failure DynamoDB returns the head as it was, which says which ids were there.
   */
  private headGuard(findingId: string, events: FPEvent[], expiresAt: number, nowSec: number): TransactWriteItem {
    const names: Record<string, string> = { '#kind': 'kind', '#f': 'findingId', '#x': FP_EVENTS.ttlAttribute };
    const values: Item = { ':kind': S('finding'), ':f': S(findingId), ':now': N(nowSec) };
    const set = ['#kind = :kind', '#f = :f'];
    const guard: string[] = [];
    events.forEach((e, i) => {
      const { pk, sk } = eventKey(e);
      names[`#e${i}`] = keys.findingEventAttribute(e.eventId);
      values[`:e${i}`] = { M: { pk: S(pk), sk: S(sk), [FP_EVENTS.ttlAttribute]: N(expiresAt) } };
      set.push(`#e${i} = :e${i}`);
      guard.push(`(attribute_not_exists(#e${i}) OR #e${i}.#x <= :now)`);
    });
    return {
      Update: {
        TableName: this.table,
        Key: headKey(findingId),
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: guard.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD'
      }
    };
  }

  /** The events a cancelled transaction found already recorded, and where their items are. */
  private async duplicatesOf(tx: Transaction, reasons: CancellationReason[], nowSec: number, expiresAt: number): Promise<Map<string, RecordedEvent>> {
    const out = new Map<string, RecordedEvent>();
    await Promise.all(
      reasons.map(async (reason, i) => {
        const owner = tx.owners[i];
        if (reason?.Code !== 'ConditionalCheckFailed' || !owner) return;
        if (!owner.head) {
          // The event item itself exists (same id, same observedAt): the retry of a write whose
          // answer was lost (then the head failed too), or an event written before heads guarded ids.
          const e = owner.events[0];
          out.set(e.eventId, { ...eventKey(e), expiresAt });
          return;
        }
        // The head's old image comes with the cancellation (ALL_OLD); read it when it does not.
        const recorded = recordedEvents(reason.Item ?? (await this.readHead(owner.findingId)));
        for (const e of owner.events) {
          const where = recorded.get(e.eventId);
          if (where && where.expiresAt > nowSec) out.set(e.eventId, where);
        }
      })
    );
    return out;
  }

  /**
   * After a write: a mark this process knows that has no copy in an event's rule partition yet
   * (made by finding id before any event of its finding existed) gets its copy; and events stored
   * that are reviewed (their own outcome, or that known mark) join their rule's window item. No
   * call at all in the usual case (pending events of unmarked findings). Failures are warnings:
   * the events are recorded, and the next mark of the finding repairs both.
   */
  private async afterWrite(events: FPEvent[], stored: FPEvent[], expiresAt: number): Promise<void> {
    const copies = new Map<string, { known: KnownMark; ruleId: string }>();
    for (const e of events) {
      const known = this.known.get(e.findingId)?.mark;
      if (known && !known.rules.has(e.ruleId)) copies.set(`${e.findingId}\u0000${e.ruleId}`, { known, ruleId: e.ruleId });
    }
    const reviewed: WindowEntry[] = [];
    for (const e of stored) {
      const mark = this.known.get(e.findingId)?.mark?.mark;
      if (mark || e.outcome !== 'pending') reviewed.push({ event: applyMark(e, mark), expiresAt });
    }
    const entries = groupBy(reviewed, (x) => x.event.ruleId);
    await Promise.all([
      ...[...copies.values()].map(({ known, ruleId }) => this.placeMarkCopy(known, ruleId)),
      ...[...entries].map(([ruleId, list]) =>
        this.queueWindowEntries(ruleId, list).catch((error: unknown) =>
          this.opts.log?.warning(`Could not add ${list.length} reviewed event(s) to rule ${ruleId}'s window: ${(error as Error).message}`)
        )
      )
    ]);
  }

  private async placeMarkCopy(known: KnownMark, ruleId: string): Promise<void> {
    try {
      await this.putMarkCopy(ruleId, known.mark, known.markedAtMs);
      await call('UpdateItem', this.resource, this.opts, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: headKey(known.mark.findingId),
            UpdateExpression: 'ADD #rules :r',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#rules': 'rules', '#pk': FP_EVENTS.partitionKey },
            ExpressionAttributeValues: { ':r': { SS: [ruleId] } }
          })
        )
      );
      known.rules.add(ruleId);
    } catch (error) {
      this.opts.log?.warning(`Could not apply the mark of finding ${known.mark.findingId} to rule ${ruleId}'s window: ${(error as Error).message}`);
    }
  }

  // ── marks ──────────────────────────────────────────────────────────────────────────────────

  /** A PutItem under `condition`; false when the condition failed (nothing written). */
  private conditionalPut(item: Item, condition: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>): Promise<boolean> {
    return call('PutItem', this.resource, this.opts, async () => {
      try {
        await this.client.send(new PutItemCommand({ TableName: this.table, Item: item, ...condition }));
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    });
  }

  /** Conditional put: only when no newer mark is stored there. False when a newer one is. */
  private putIfNewer(item: Item, markedAtMs: number): Promise<boolean> {
    return this.conditionalPut(item, {
      ConditionExpression: 'attribute_not_exists(#pk) OR #t <= :t',
      ExpressionAttributeNames: { '#pk': FP_EVENTS.partitionKey, '#t': 'markedAtMs' },
      ExpressionAttributeValues: { ':t': N(markedAtMs) }
    });
  }

  private putMarkCopy(ruleId: string, mark: FPMark, markedAtMs: number): Promise<boolean> {
    return this.putIfNewer(markItem(keys.rulePk(ruleId), keys.ruleMarkSk(mark.findingId), mark, markedAtMs), markedAtMs);
  }

  /**
   * Sets the mark fields of the finding's head, on condition that no newer mark is there. An
   * update, not a put: the head's `ev#` entries (the duplicate guard) stay. False when a newer
   * mark stands.
   */
  private async setHeadMark(mark: FPMark, markedAtMs: number, rules: Set<string>): Promise<boolean> {
    const names: Record<string, string> = { '#kind': 'kind', '#f': 'findingId', '#o': 'outcome', '#rv': 'reviewer', '#m': 'markedAt', '#t': 'markedAtMs' };
    const values: Item = { ':kind': S('finding'), ':f': S(mark.findingId), ':o': S(mark.outcome), ':rv': S(mark.reviewer), ':m': S(mark.markedAt), ':t': N(markedAtMs) };
    const set = ['#kind = :kind', '#f = :f', '#o = :o', '#rv = :rv', '#m = :m', '#t = :t'];
    const remove: string[] = [];
    // A newer mark replaces the older one whole: a field it leaves out is removed.
    for (const [k, v] of [['ruleId', mark.ruleId] as const, ['ticket', mark.ticket] as const]) {
      names[`#${k}`] = k;
      if (v === undefined) remove.push(`#${k}`);
      else {
        values[`:${k}`] = S(v);
        set.push(`#${k} = :${k}`);
      }
    }
    let expression = `SET ${set.join(', ')}`;
    if (remove.length > 0) expression += ` REMOVE ${remove.join(', ')}`;
    if (rules.size > 0) {
      names['#rules'] = 'rules';
      values[':rules'] = { SS: [...rules].sort() };
      expression += ' ADD #rules :rules';
    }
    return call('UpdateItem', this.resource, this.opts, async () => {
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: headKey(mark.findingId),
            UpdateExpression: expression,
            ConditionExpression: 'attribute_not_exists(#t) OR #t <= :t',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values
          })
        );
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    });
  }

  private async readHead(findingId: string): Promise<Item | undefined> {
    const out = await call('GetItem', this.resource, this.opts, () =>
      this.client.send(new GetItemCommand({ TableName: this.table, Key: headKey(findingId), ConsistentRead: true }))
    );
    return out.Item;
  }

  /** Every GSI FindingIndex item of a finding (keys only), all pages. */
  private findingIndexItems(findingId: string): Promise<Item[]> {
    return queryAll(
      this.client,
      {
        TableName: this.table,
        IndexName: FP_EVENTS.gsiName,
        KeyConditionExpression: '#g = :g',
        ExpressionAttributeNames: { '#g': FP_EVENTS.gsiPartitionKey },
        ExpressionAttributeValues: { ':g': S(keys.findingPk(findingId)) }
      },
      `${this.resource} (index ${FP_EVENTS.gsiName})`,
      this.opts
    );
  }

  /**
   * Keys of a finding's events: the head's entries (strongly consistent) and the index's (which
   * also finds events recorded before heads recorded them).
   */
  private eventKeysOf(head: Item | undefined, indexed: Item[], nowSec: number): Item[] {
    const found = new Map<string, { pk: string; sk: string }>();
    for (const where of recordedEvents(head).values()) if (where.expiresAt > nowSec) found.set(`${where.pk}\u0000${where.sk}`, where);
    for (const item of indexed) {
      const pk = getS(item, FP_EVENTS.partitionKey);
      const sk = getS(item, FP_EVENTS.sortKey);
      if (pk && sk?.startsWith('event#')) found.set(`${pk}\u0000${sk}`, { pk, sk });
    }
    return [...found.values()].map(({ pk, sk }) => ({ [FP_EVENTS.partitionKey]: S(pk), [FP_EVENTS.sortKey]: S(sk) }));
  }

  async mark(mark: FPMark): Promise<void> {
    const problem = fpRecordProblem(markRecord(mark));
    if (problem) throw new StoreError(`invalid FP mark for ${JSON.stringify(mark.findingId)}: ${problem}`, false);
    const markedAtMs = Date.parse(mark.markedAt);
    const [head, indexed] = await Promise.all([this.readHead(mark.findingId), this.findingIndexItems(mark.findingId)]);
    const eventKeys = this.eventKeysOf(head, indexed, this.nowSec());
    const rules = new Set<string>(head ? getSS(head, 'rules') : []);
    for (const k of eventKeys) rules.add((getS(k, FP_EVENTS.partitionKey) ?? '').slice('rule#'.length));
    if (mark.ruleId) rules.add(mark.ruleId);
    const stored = { ...mark };
    const [won] = await Promise.all([this.setHeadMark(stored, markedAtMs, rules), ...[...rules].map((r) => this.putMarkCopy(r, stored, markedAtMs))]);
    if (!won) return; // a newer mark stands, and its writer keeps the windows
    const known = this.knownFinding(mark.findingId);
    known.mark = { mark: stored, markedAtMs, rules };
    for (const [id, where] of recordedEvents(head)) known.events.set(id, where.expiresAt);
    await this.markInWindows(stored, eventKeys);
  }

  /** Reads the finding's events and writes them, with the mark's verdict, into their rules' window items. */
  private async markInWindows(mark: FPMark, eventKeys: Item[]): Promise<void> {
    if (eventKeys.length === 0) return;
    const nowSec = this.nowSec();
    // The first record of an event id is the event (events recorded before the guard may repeat).
    const first = new Map<string, WindowEntry>();
    for (const item of await batchGetAll(this.client, this.table, eventKeys, this.opts)) {
      const expiresAt = getN(item, FP_EVENTS.ttlAttribute) ?? Number.MAX_SAFE_INTEGER;
      if (expiresAt <= nowSec) continue; // TTL deletion lags
      const e = eventFromItem(item);
      const prev = first.get(e.eventId);
      if (!prev || Date.parse(e.observedAt) < Date.parse(prev.event.observedAt)) first.set(e.eventId, { event: applyMark(e, mark), expiresAt });
    }
    const byRule = groupBy([...first.values()], (x) => x.event.ruleId);
    await Promise.all([...byRule].map(([ruleId, entries]) => this.queueWindowEntries(ruleId, entries)));
  }

  async lookupMarks(findingIds: string[]): Promise<Map<string, FPMark>> {
    const out = new Map<string, FPMark>();
    const ids = [...new Set(findingIds)];
    if (ids.length === 0) return out;
    const items = await batchGetAll(
      this.client,
      this.table,
      ids.map((id) => headKey(id)),
      this.opts
    );
    const seen = new Set<string>();
    for (const item of items) {
      const findingId = (getS(item, FP_EVENTS.partitionKey) ?? '').slice('finding#'.length);
      seen.add(findingId);
      const known = this.knownFinding(findingId);
      for (const [id, where] of recordedEvents(item)) known.events.set(id, where.expiresAt);
      if (!isMarkItem(item)) {
        known.mark = null;
        continue;
      }
      const mark = markFromItem(item);
      out.set(findingId, mark);
      known.mark = { mark, markedAtMs: getN(item, 'markedAtMs') ?? Date.parse(mark.markedAt), rules: new Set(getSS(item, 'rules')) };
    }
    for (const id of ids) if (!seen.has(id)) this.knownFinding(id).mark = null;
    return new Map([...out].map(([k, v]) => [k, { ...v }]));
  }

  /**
   * Events of each finding: one Query of the GSI FindingIndex per id (keys only, paginated),
   * then BatchGetItem of those events and of the finding's head (its mark).
   */
  async findingEvents(findingIds: string[]): Promise<Map<string, FPEvent[]>> {
    const ids = [...new Set(findingIds)];
    const eventKeys = await Promise.all(ids.map(async (id) => this.eventKeysOf(undefined, await this.findingIndexItems(id), 0)));
    const wanted: Item[] = eventKeys.flat();
    const out = new Map<string, FPEvent[]>();
    if (wanted.length === 0) return out;
    const withEvents = ids.filter((_, i) => eventKeys[i].length > 0);
    const items = await batchGetAll(this.client, this.table, [...wanted, ...withEvents.map((id) => headKey(id))], this.opts);
    const marks = new Map<string, FPMark>();
    const events: FPEvent[] = [];
    for (const item of items) {
      const sk = getS(item, FP_EVENTS.sortKey) ?? '';
      if (sk === keys.findingMarkSk) {
        if (isMarkItem(item)) {
          const m = markFromItem(item);
          marks.set(m.findingId, m);
        }
      } else if (sk.startsWith('event#')) events.push(eventFromItem(item));
    }
    events.sort(newestFirst);
    for (const e of events) {
      const list = out.get(e.findingId) ?? [];
      list.push(applyMark(e, marks.get(e.findingId)));
      out.set(e.findingId, list);
    }
    return out;
  }

  // ── windows ────────────────────────────────────────────────────────────────────────────────

  async window(ruleIds: string[], options: WindowOptions = {}): Promise<Map<string, FPEvent[]>> {
    const unique = [...new Set(ruleIds)];
    const results = this.isReviewedWindow(options)
      ? await this.reviewedWindows(unique, options.count ?? DEFAULT_WINDOW_COUNT)
      : await Promise.all(unique.map((r) => this.windowOf(r, options)));
    const out = new Map<string, FPEvent[]>();
    unique.forEach((r, i) => out.set(r, results[i]));
    return out;
  }

  /** The check's shape (reviewed only, ≤ 200, no since) is what the window items hold. */
  private isReviewedWindow(options: WindowOptions): boolean {
    return options.reviewedOnly === true && options.since === undefined && (options.count ?? DEFAULT_WINDOW_COUNT) <= WINDOW_ENTRIES_MAX;
  }

  /** One BatchGetItem (per 100 rules) of the rules' window items. */
  private async reviewedWindows(ruleIds: string[], count: number): Promise<FPEvent[][]> {
    if (count <= 0 || ruleIds.length === 0) return ruleIds.map(() => []);
    const items = await batchGetAll(this.client, this.table, ruleIds.map(windowKey), this.opts);
    const byPk = new Map(items.map((item) => [getS(item, FP_EVENTS.partitionKey) ?? '', item]));
    const nowSec = this.nowSec();
    return ruleIds.map((ruleId) => liveEvents(this.windowEntries(ruleId, byPk.get(keys.rulePk(ruleId))), nowSec, count));
  }

  /** The entries of a window item; an unreadable one reads as empty (and is rewritten by the next review). */
  private windowEntries(ruleId: string, item: Item | undefined): WindowEntry[] {
    const json = item ? getS(item, 'entries') : undefined;
    if (json === undefined) return [];
    try {
      return decodeEntries(json, ruleId);
    } catch (error) {
      this.opts.log?.warning(`The reviewed window of rule ${ruleId} in ${this.resource} is unreadable (${(error as Error).message}); read as empty.`);
      return [];
    }
  }

  /**
   * Adds entries to a rule's window item. Writes for one rule are serialised in this process and
   * what arrives while one is in flight goes into the next, so 100 marks made at once on one rule
   * are a few writes, not 100 racing ones.
   */
  private queueWindowEntries(ruleId: string, entries: WindowEntry[]): Promise<void> {
    const running = this.windowQueues.get(ruleId);
    const queue: WindowQueue = running ?? { pending: [], waiters: [] };
    if (!running) this.windowQueues.set(ruleId, queue);
    queue.pending.push(...entries);
    const done = new Promise<void>((resolve, reject) => queue.waiters.push({ resolve, reject }));
    if (!running) void this.drainWindowQueue(ruleId, queue);
    return done;
  }

  private async drainWindowQueue(ruleId: string, queue: WindowQueue): Promise<void> {
    while (queue.pending.length > 0) {
      const { pending, waiters } = queue;
      queue.pending = [];
      queue.waiters = [];
      try {
        await this.writeWindow(ruleId, pending);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    this.windowQueues.delete(ruleId);
  }

  /** Read-modify-write of the window item, conditioned on the version read; read again on conflict. */
  private async writeWindow(ruleId: string, incoming: WindowEntry[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await call('GetItem', this.resource, this.opts, () =>
        this.client.send(new GetItemCommand({ TableName: this.table, Key: windowKey(ruleId), ConsistentRead: true }))
      );
      const version = current.Item ? (getN(current.Item, 'version') ?? 0) : 0;
      const before = this.windowEntries(ruleId, current.Item);
      const entries = encodeEntries(mergeEntries(before, incoming, this.nowSec()));
      if (current.Item && entries === encodeEntries(before)) return; // nothing new (a mark applied again)
      if (await this.putWindow(ruleId, entries, current.Item ? version : null)) return;
      if (attempt >= WINDOW_WRITE_ATTEMPTS) {
        throw new StoreError(`PutItem on ${this.resource}: rule ${ruleId}'s window kept changing under ${attempt} writes; apply the mark again`, true);
      }
    }
  }

  /** Puts the window item if it is still at `version` (null: still absent). False when it is not. */
  private putWindow(ruleId: string, entries: string, version: number | null): Promise<boolean> {
    const next = (version ?? 0) + 1;
    const item: Item = { ...windowKey(ruleId), kind: S('window'), ruleId: S(ruleId), entries: S(entries), version: N(next) };
    return this.conditionalPut(
      item,
      version === null
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': FP_EVENTS.partitionKey } }
        : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': N(version) } }
    );
  }

  /** Count and since windows (calibrate mode): one Query of the rule's partition, newest first, paginated. */
  private async windowOf(ruleId: string, options: WindowOptions): Promise<FPEvent[]> {
    const count = options.count ?? DEFAULT_WINDOW_COUNT;
    if (count <= 0) return [];
    const names: Record<string, string> = { '#pk': FP_EVENTS.partitionKey };
    const values: Item = { ':pk': S(keys.rulePk(ruleId)) };
    let condition = '#pk = :pk';
    if (options.since) {
      // `mark#…` sorts after every `event#…`, so the marks stay in range; `_window` does not.
      names['#sk'] = FP_EVENTS.sortKey;
      values[':from'] = S(keys.eventSkFloor(options.since.toISOString()));
      condition += ' AND #sk >= :from';
    }
    const marks = new Map<string, FPMark>();
    const picked: FPEvent[] = [];
    const nowSec = this.nowSec();
    const limit = Math.min(1000, Math.max(100, count * 2));
    let start: Item | undefined;
    do {
      const page = await call('Query', this.resource, this.opts, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: limit,
            ExclusiveStartKey: start
          })
        )
      );
      for (const item of page.Items ?? []) {
        const sk = getS(item, FP_EVENTS.sortKey) ?? '';
        if (sk.startsWith('mark#')) {
          const m = markFromItem(item);
          marks.set(m.findingId, m);
          continue;
        }
        // TTL deletion lags (up to days): an expired event is gone, and its id may be recorded anew.
        if (!sk.startsWith('event#') || (getN(item, FP_EVENTS.ttlAttribute) ?? Infinity) <= nowSec) continue;
        const e = applyMark(eventFromItem(item), marks.get(getS(item, 'findingId') ?? ''));
        if (options.reviewedOnly && e.outcome === 'pending') continue;
        picked.push(e);
        if (picked.length >= count) return picked;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return picked;
  }
}
