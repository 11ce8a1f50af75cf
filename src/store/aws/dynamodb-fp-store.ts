/**
 * FPStore on DynamoDB (`fp-events`). The item layout and the access pattern of each method are
 * documented in tables.ts. Round trips per check run: lookupMarks = one BatchGetItem (≤ 100 ids),
 * window (reviewed only, the check's) = one BatchGetItem of the rules' window items,
 * recordEvents = nothing for events already recorded, else one TransactWriteItems (one action
 * per new finding).
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
import { batchGetAll, call, getN, getS, N, putOptional, queryAll, S, type AwsStoreOptions, type Item } from './dynamodb-common.js';
import { decodeEntries, encodeEntries, liveEvents, mergeEntries, newestFirst, WINDOW_ENTRIES_MAX, type WindowEntry } from './fp-reviewed-window.js';
import { FP_EVENTS, keys } from './tables.js';

export const DEFAULT_WINDOW_COUNT = 200;
/** TransactWriteItems takes at most 100 actions. */
export const TRANSACT_MAX = 100;
/**
 * Conditional writes of one window item before giving up. A failed condition means another
 * writer got through, so this bounds the writers racing on one rule, not the time.
 */
export const WINDOW_WRITE_ATTEMPTS = 10;
/**
 * Rounds of recordEvents before giving up. A round ends early only when a condition failed,
 * which teaches the store what another writer did; so this bounds racing writers, not the time.
 */
export const RECORD_ROUNDS = 10;

const OUTCOMES: readonly FPOutcome[] = ['pending', 'false_positive', 'true_positive'];
/** The head's event map. */
const EV = 'ev';

interface KnownMark {
  mark: FPMark;
  markedAtMs: number;
}

/** What this process knows of a finding's head, from reading it or from its own writes. */
interface HeadState {
  /** The head's event: its id and expiry (epoch seconds); null when it has none. */
  event: { eventId: string; expiresAt: number } | null;
  mark: KnownMark | null;
}

export interface DynamoDBFPStoreOptions extends AwsStoreOptions {
  /** Days an event lives (TTL); default 90. */
  ttlDays?: number;
}

function normaliseIso(value: string): string {
  return new Date(value).toISOString();
}

function headKey(findingId: string): Item {
  return { [FP_EVENTS.partitionKey]: S(keys.findingPk(findingId)), [FP_EVENTS.sortKey]: S(keys.findingHeadSk) };
}

function ownKey(e: FPEvent): Item {
  return { [FP_EVENTS.partitionKey]: S(keys.findingPk(e.findingId)), [FP_EVENTS.sortKey]: S(keys.findingEventSk(e.eventId)) };
}

function windowKey(ruleId: string): Item {
  return { [FP_EVENTS.partitionKey]: S(keys.rulePk(ruleId)), [FP_EVENTS.sortKey]: S(keys.ruleWindowSk) };
}

/** The event as a map attribute; the reviewer travels with it both ways (upstream dropped it on read: FPR 0). */
function eventMap(e: FPEvent, expiresAt: number): AttributeValue {
  const m: Item = {
    eventId: S(e.eventId),
    findingId: S(e.findingId),
    ruleId: S(e.ruleId),
    ruleVersion: S(e.ruleVersion),
    repository: S(e.repository),
    runId: S(e.runId),
    observedAt: S(e.observedAt),
    outcome: S(e.outcome),
    [FP_EVENTS.ttlAttribute]: N(expiresAt)
  };
  return { M: putOptional(m, { reviewer: e.reviewer, ticket: e.ticket, reviewedAt: e.reviewedAt }) };
}

/** The item's event (head or further event), every FPEvent field included; null when it has none. */
export function eventOfItem(item: Item): { event: FPEvent; expiresAt: number } | null {
  const v = item[EV];
  const m = v && 'M' in v ? v.M : undefined;
  if (!m) return null;
  const outcome = getS(m, 'outcome') as FPOutcome;
  const e: FPEvent = {
    eventId: getS(m, 'eventId') ?? '',
    findingId: getS(m, 'findingId') ?? '',
    ruleId: getS(m, 'ruleId') ?? '',
    ruleVersion: getS(m, 'ruleVersion') ?? '',
    repository: getS(m, 'repository') ?? '',
    runId: getS(m, 'runId') ?? '',
    observedAt: getS(m, 'observedAt') ?? '',
    outcome: OUTCOMES.includes(outcome) ? outcome : 'pending'
  };
  for (const k of ['reviewer', 'ticket', 'reviewedAt'] as const) {
    const x = getS(m, k);
    if (x !== undefined) e[k] = x;
  }
  return { event: e, expiresAt: getN(m, FP_EVENTS.ttlAttribute) ?? 0 };
}

/** The index keys of an event: DESIGN's event key. */
function indexAttributes(e: FPEvent): Item {
  return {
    [FP_EVENTS.gsiPartitionKey]: S(keys.gsi1pk(e.ruleId)),
    [FP_EVENTS.gsiSortKey]: S(keys.gsi1sk(normaliseIso(e.observedAt), e.eventId))
  };
}

/** A head is a mark only once marked: recording events creates heads without mark fields. */
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

function headState(item: Item | undefined): HeadState {
  if (!item) return { event: null, mark: null };
  const ev = eventOfItem(item);
  const mark = isMarkItem(item) ? markFromItem(item) : null;
  return {
    event: ev ? { eventId: ev.event.eventId, expiresAt: ev.expiresAt } : null,
    mark: mark ? { mark, markedAtMs: getN(item, 'markedAtMs') ?? Date.parse(mark.markedAt) } : null
  };
}

function isHeadItem(item: Item): boolean {
  return getS(item, FP_EVENTS.sortKey) === keys.findingHeadSk;
}

/** The event as the mark makes it: reviewed, with the mark's reviewer, ticket and time. */
function applyMark(event: FPEvent, mark: FPMark | undefined | null): FPEvent {
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
 * One finding's share of a write: the head action (the claim of the head by `claim`, or a check
 * that the head's event is still `expectHead`) and the Puts of further events.
 */
export interface FindingChunk {
  findingId: string;
  claim: FPEvent | null;
  expectHead: string | null;
  own: FPEvent[];
}

/** Actions a chunk takes: its head action (if any) and one per further event. */
export function chunkActions(c: FindingChunk): number {
  return (c.claim || c.expectHead !== null ? 1 : 0) + c.own.length;
}

/**
 * A finding's new events cut into chunks of at most 100 actions. Without a live head event the
 * first event claims the head; further events go to their own items, each chunk with a head
 * action that pins the head's event (so that an id is never both the head's and an item's).
 */
export function findingChunks(findingId: string, events: readonly FPEvent[], headEvent: string | null, perTransaction = TRANSACT_MAX): FindingChunk[] {
  const chunks: FindingChunk[] = [];
  let rest = [...events];
  let head = headEvent;
  if (head === null && rest.length > 0) {
    const claim = rest[0];
    const own = rest.slice(1, perTransaction);
    chunks.push({ findingId, claim, expectHead: null, own });
    rest = rest.slice(1 + own.length);
    head = claim.eventId;
  }
  while (rest.length > 0) {
    const own = rest.slice(0, perTransaction - 1);
    chunks.push({ findingId, claim: null, expectHead: head, own });
    rest = rest.slice(own.length);
  }
  return chunks;
}

/**
 * Chunks packed into transactions of at most 100 actions, in waves: a finding's k-th chunk goes
 * in wave k (a transaction may not touch an item twice, and its later chunks rely on the first
 * one's claim); the transactions of a wave touch distinct findings and run together.
 */
export function planTransactions(perFinding: readonly FindingChunk[][], perTransaction = TRANSACT_MAX): FindingChunk[][][] {
  const waves: FindingChunk[][][] = [];
  for (const chunks of perFinding) {
    chunks.forEach((chunk, w) => {
      const wave = (waves[w] ??= []);
      const size = chunkActions(chunk);
      const fits = wave.find((t) => t.reduce((n, c) => n + chunkActions(c), 0) + size <= perTransaction);
      if (fits) fits.push(chunk);
      else wave.push([chunk]);
    });
  }
  return waves;
}

/** What an action of a transaction stands for. */
interface ActionOwner {
  kind: 'claim' | 'check' | 'own';
  findingId: string;
  event: FPEvent | null;
}

/** Window entries waiting to be written for one rule, and who waits for them. */
interface WindowQueue {
  pending: WindowEntry[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

export class DynamoDBFPStore implements FPStore {
  private readonly resource: string;
  /** Heads this process has read or written. */
  private readonly heads = new Map<string, HeadState>();
  /** Further events this process knows recorded: `<findingId>\0<eventId>` → expiresAt. */
  private readonly ownRecorded = new Map<string, number>();
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

  private liveHeadEvent(findingId: string, nowSec: number): string | null {
    const ev = this.heads.get(findingId)?.event;
    return ev && ev.expiresAt > nowSec ? ev.eventId : null;
  }

  private isRecorded(e: FPEvent, nowSec: number): boolean {
    if (this.liveHeadEvent(e.findingId, nowSec) === e.eventId) return true;
    return (this.ownRecorded.get(`${e.findingId}\u0000${e.eventId}`) ?? 0) > nowSec;
  }

  /** Reads the heads (BatchGetItem) and remembers them; returns them by finding id. */
  private async readHeads(findingIds: string[]): Promise<Map<string, Item>> {
    const items = await batchGetAll(this.client, this.table, findingIds.map(headKey), this.opts);
    const byId = new Map<string, Item>();
    for (const item of items) byId.set((getS(item, FP_EVENTS.partitionKey) ?? '').slice('finding#'.length), item);
    for (const id of findingIds) this.heads.set(id, headState(byId.get(id)));
    return byId;
  }

  private async readHead(findingId: string): Promise<Item | undefined> {
    const out = await call('GetItem', this.resource, this.opts, () =>
      this.client.send(new GetItemCommand({ TableName: this.table, Key: headKey(findingId), ConsistentRead: true }))
    );
    this.heads.set(findingId, headState(out.Item));
    return out.Item;
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
    const all = [...unique.values()];
    const nowSec = this.nowSec();
    const expiresAt = nowSec + (this.opts.ttlDays ?? FP_EVENTS.ttlDays) * 86_400;
    // A check run looked its findings up first (lookupMarks): then there is nothing to read.
    const unread = [...new Set(all.map((e) => e.findingId))].filter((id) => !this.heads.has(id));
    if (unread.length > 0) await this.readHeads(unread);

    const stored: FPEvent[] = [];
    for (let round = 1; ; round++) {
      const fresh = all.filter((e) => !this.isRecorded(e, nowSec));
      if (fresh.length === 0) break;
      if (round > RECORD_ROUNDS) {
        throw new StoreError(`TransactWriteItems on ${this.resource}: ${fresh.length} event(s) still contended after ${RECORD_ROUNDS} rounds; record them again`, true);
      }
      const perFinding = [...groupBy(fresh, (e) => e.findingId)].map(([id, group]) => findingChunks(id, group, this.liveHeadEvent(id, nowSec)));
      for (const wave of planTransactions(perFinding)) {
        const results = await Promise.all(wave.map((chunks) => this.writeChunks(chunks, expiresAt, nowSec)));
        for (const r of results) stored.push(...r.written);
        // A failed condition taught the store something: plan again from what it knows now.
        if (results.some((r) => !r.complete)) break;
      }
    }
    await this.afterWrite(stored, expiresAt);
  }

  /** One transaction. On a cancellation by conditions, learns from the items as they were. */
  private async writeChunks(chunks: FindingChunk[], expiresAt: number, nowSec: number): Promise<{ written: FPEvent[]; complete: boolean }> {
    const items: TransactWriteItem[] = [];
    const owners: ActionOwner[] = [];
    for (const c of chunks) {
      if (c.claim) {
        items.push(this.claimAction(c.claim, expiresAt, nowSec));
        owners.push({ kind: 'claim', findingId: c.findingId, event: c.claim });
      } else if (c.expectHead !== null) {
        items.push(this.checkAction(c.findingId, c.expectHead));
        owners.push({ kind: 'check', findingId: c.findingId, event: null });
      }
      for (const e of c.own) {
        items.push(this.ownPut(e, expiresAt, nowSec));
        owners.push({ kind: 'own', findingId: c.findingId, event: e });
      }
    }
    const reasons = await call('TransactWriteItems', this.resource, this.opts, async () => {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return null;
      } catch (error) {
        const r = conditionalCancellation(error);
        if (r) return r;
        throw error;
      }
    });
    if (!reasons) {
      const written: FPEvent[] = [];
      for (const o of owners) {
        if (!o.event) continue;
        written.push(o.event);
        if (o.kind === 'claim') {
          const state = this.heads.get(o.findingId) ?? { event: null, mark: null };
          this.heads.set(o.findingId, { ...state, event: { eventId: o.event.eventId, expiresAt } });
        } else this.ownRecorded.set(`${o.findingId}\u0000${o.event.eventId}`, expiresAt);
      }
      return { written, complete: true };
    }
    let learnt = false;
    // A condition that failed on our own earlier write (a retry whose answer was lost): the same
    // event, observed at the same time, is there. It counts as written by this call.
    const ours: FPEvent[] = [];
    const isOurs = (e: FPEvent, item: Item | undefined): boolean => {
      const was = item ? eventOfItem(item)?.event : undefined;
      return was !== undefined && was.eventId === e.eventId && was.observedAt === e.observedAt && was.runId === e.runId;
    };
    await Promise.all(
      reasons.map(async (reason, i) => {
        const o = owners[i];
        if (reason?.Code !== 'ConditionalCheckFailed' || !o) return;
        learnt = true;
        if (o.kind === 'own' && o.event) {
          // The item is there and live: the event was recorded before (the first record stays).
          const was = reason.Item ? eventOfItem(reason.Item) : null;
          this.ownRecorded.set(`${o.findingId}\u0000${o.event.eventId}`, was?.expiresAt ?? expiresAt);
          if (isOurs(o.event, reason.Item)) ours.push(o.event);
          return;
        }
        // The head changed (another writer claimed it, or marked it): its old image says how.
        const head = reason.Item ?? (await this.readHead(o.findingId));
        this.heads.set(o.findingId, headState(head));
        if (o.kind === 'claim' && o.event && isOurs(o.event, head)) ours.push(o.event);
      })
    );
    if (!learnt) throw new StoreError(`TransactWriteItems on ${this.resource}: cancelled on a condition it did not name`, false);
    return { written: ours, complete: false };
  }

  /**
   * Claims the finding's head for the event: sets `ev` and the index keys on condition that the
   * head has no live event, which makes recording idempotent per finding whatever the time.
   * While unmarked the head expires with its event; a mark arriving in between fails the
   * condition, and the next round claims without the TTL.
   */
  private claimAction(e: FPEvent, expiresAt: number, nowSec: number): TransactWriteItem {
    const marked = Boolean(this.heads.get(e.findingId)?.mark);
    const names: Record<string, string> = {
      '#kind': 'kind',
      '#f': 'findingId',
      '#ev': EV,
      '#x': FP_EVENTS.ttlAttribute,
      '#g1': FP_EVENTS.gsiPartitionKey,
      '#g2': FP_EVENTS.gsiSortKey
    };
    const index = indexAttributes(e);
    const values: Item = {
      ':kind': S('finding'),
      ':f': S(e.findingId),
      ':ev': eventMap(e, expiresAt),
      ':g1': index[FP_EVENTS.gsiPartitionKey],
      ':g2': index[FP_EVENTS.gsiSortKey],
      ':now': N(nowSec)
    };
    const set = ['#kind = :kind', '#f = :f', '#ev = :ev', '#g1 = :g1', '#g2 = :g2'];
    let condition = '(attribute_not_exists(#ev) OR #ev.#x <= :now)';
    if (!marked) {
      names['#m'] = 'markedAt';
      values[':x'] = N(expiresAt);
      set.push('#x = :x');
      condition += ' AND attribute_not_exists(#m)';
    }
    return {
      Update: {
        TableName: this.table,
        Key: headKey(e.findingId),
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD'
      }
    };
  }

  /** The head's event is still `eventId` (so the further events written with it are not it). */
  private checkAction(findingId: string, eventId: string): TransactWriteItem {
    return {
      ConditionCheck: {
        TableName: this.table,
        Key: headKey(findingId),
        ConditionExpression: '#ev.#id = :id',
        ExpressionAttributeNames: { '#ev': EV, '#id': 'eventId' },
        ExpressionAttributeValues: { ':id': S(eventId) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD'
      }
    };
  }

  /** A further event's own item, on condition that it is absent or expired. */
  private ownPut(e: FPEvent, expiresAt: number, nowSec: number): TransactWriteItem {
    return {
      Put: {
        TableName: this.table,
        Item: {
          ...ownKey(e),
          ...indexAttributes(e),
          kind: S('event'),
          findingId: S(e.findingId),
          [EV]: eventMap(e, expiresAt),
          [FP_EVENTS.ttlAttribute]: N(expiresAt)
        },
        ConditionExpression: 'attribute_not_exists(#pk) OR #x <= :now',
        ExpressionAttributeNames: { '#pk': FP_EVENTS.partitionKey, '#x': FP_EVENTS.ttlAttribute },
        ExpressionAttributeValues: { ':now': N(nowSec) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD'
      }
    };
  }

  /**
   * Events written that are reviewed (their own outcome, or a mark this store knows) join their
   * rule's window item. No call at all in the usual case (pending events of unmarked findings).
   * Failures are warnings: the events are recorded, and the next mark of the finding repairs it.
   */
  private async afterWrite(stored: FPEvent[], expiresAt: number): Promise<void> {
    const reviewed: WindowEntry[] = [];
    for (const e of stored) {
      const mark = this.heads.get(e.findingId)?.mark?.mark;
      if (mark || e.outcome !== 'pending') reviewed.push({ event: applyMark(e, mark), expiresAt });
    }
    await Promise.all(
      [...groupBy(reviewed, (x) => x.event.ruleId)].map(([ruleId, list]) =>
        this.queueWindowEntries(ruleId, list).catch((error: unknown) =>
          this.opts.log?.warning(`Could not add ${list.length} reviewed event(s) to rule ${ruleId}'s window: ${(error as Error).message}`)
        )
      )
    );
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

  /**
   * Sets the mark fields of the finding's head on condition that no newer mark is there, and
   * removes its TTL (a verdict outlives the events). An update, not a put: the head's event
   * stays. Returns the head as it now is, or null when a newer mark stands.
   */
  private async setHeadMark(mark: FPMark, markedAtMs: number): Promise<Item | null> {
    const names: Record<string, string> = { '#kind': 'kind', '#f': 'findingId', '#o': 'outcome', '#rv': 'reviewer', '#m': 'markedAt', '#t': 'markedAtMs', '#x': FP_EVENTS.ttlAttribute };
    const values: Item = { ':kind': S('finding'), ':f': S(mark.findingId), ':o': S(mark.outcome), ':rv': S(mark.reviewer), ':m': S(mark.markedAt), ':t': N(markedAtMs) };
    const set = ['#kind = :kind', '#f = :f', '#o = :o', '#rv = :rv', '#m = :m', '#t = :t'];
    const remove = ['#x'];
    // A newer mark replaces the older one whole: a field it leaves out is removed.
    for (const [k, v] of [['ruleId', mark.ruleId] as const, ['ticket', mark.ticket] as const]) {
      names[`#${k}`] = k;
      if (v === undefined) remove.push(`#${k}`);
      else {
        values[`:${k}`] = S(v);
        set.push(`#${k} = :${k}`);
      }
    }
    return call('UpdateItem', this.resource, this.opts, async () => {
      try {
        const out = await this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: headKey(mark.findingId),
            UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
            ConditionExpression: 'attribute_not_exists(#t) OR #t <= :t',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW'
          })
        );
        return out.Attributes ?? null;
      } catch (error) {
        if (isConditionalFailure(error)) return null;
        throw error;
      }
    });
  }

  /** Every item of a finding's partition (its head and further events), strongly consistent. */
  private findingItems(findingId: string): Promise<Item[]> {
    return queryAll(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': FP_EVENTS.partitionKey },
        ExpressionAttributeValues: { ':pk': S(keys.findingPk(findingId)) },
        ConsistentRead: true
      },
      this.resource,
      this.opts
    );
  }

  async mark(mark: FPMark): Promise<void> {
    const problem = fpRecordProblem(markRecord(mark));
    if (problem) throw new StoreError(`invalid FP mark for ${JSON.stringify(mark.findingId)}: ${problem}`, false);
    const head = await this.setHeadMark({ ...mark }, Date.parse(mark.markedAt));
    if (!head) return; // a newer mark stands, and its writer keeps the windows
    const state = headState(head);
    this.heads.set(mark.findingId, state);
    // The finding's live events, with the mark's verdict, into their rules' window items.
    const nowSec = this.nowSec();
    const entries: WindowEntry[] = [];
    for (const item of await this.findingItems(mark.findingId)) {
      const ev = eventOfItem(item);
      if (!ev || ev.expiresAt <= nowSec) continue; // TTL deletion lags
      if (!isHeadItem(item)) this.ownRecorded.set(`${mark.findingId}\u0000${ev.event.eventId}`, ev.expiresAt);
      entries.push({ event: applyMark(ev.event, state.mark?.mark), expiresAt: ev.expiresAt });
    }
    await Promise.all([...groupBy(entries, (x) => x.event.ruleId)].map(([ruleId, list]) => this.queueWindowEntries(ruleId, list)));
  }

  async lookupMarks(findingIds: string[]): Promise<Map<string, FPMark>> {
    const out = new Map<string, FPMark>();
    const ids = [...new Set(findingIds)];
    if (ids.length === 0) return out;
    await this.readHeads(ids);
    for (const id of ids) {
      const mark = this.heads.get(id)?.mark?.mark;
      if (mark) out.set(id, { ...mark });
    }
    return out;
  }

  /** Every recorded event of each finding id: one Query of its partition per id, marks applied. */
  async findingEvents(findingIds: string[]): Promise<Map<string, FPEvent[]>> {
    const ids = [...new Set(findingIds)];
    const partitions = await Promise.all(ids.map((id) => this.findingItems(id)));
    const out = new Map<string, FPEvent[]>();
    ids.forEach((id, i) => {
      const items = partitions[i];
      const head = items.find(isHeadItem);
      const mark = head && isMarkItem(head) ? markFromItem(head) : null;
      const events = items.flatMap((item) => {
        const ev = eventOfItem(item);
        return ev ? [applyMark(ev.event, mark)] : [];
      });
      if (events.length > 0) out.set(id, events.sort(newestFirst));
    });
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

  /**
   * Count and since windows (calibrate mode): one Query of RuleIndex per rule, newest first,
   * paginated. Heads carry their mark; further events take theirs from their heads, read once
   * per page that has any.
   */
  private async windowOf(ruleId: string, options: WindowOptions): Promise<FPEvent[]> {
    const count = options.count ?? DEFAULT_WINDOW_COUNT;
    if (count <= 0) return [];
    const names: Record<string, string> = { '#g1': FP_EVENTS.gsiPartitionKey };
    const values: Item = { ':g1': S(keys.gsi1pk(ruleId)) };
    let condition = '#g1 = :g1';
    if (options.since) {
      names['#g2'] = FP_EVENTS.gsiSortKey;
      values[':from'] = S(keys.gsi1skFloor(options.since.toISOString()));
      condition += ' AND #g2 >= :from';
    }
    const marks = new Map<string, FPMark | null>();
    const picked: FPEvent[] = [];
    const nowSec = this.nowSec();
    const limit = Math.min(1000, Math.max(100, count * 2));
    let start: Item | undefined;
    do {
      const page = await call('Query', `${this.resource} (index ${FP_EVENTS.gsiName})`, this.opts, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: FP_EVENTS.gsiName,
            KeyConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            Limit: limit,
            ExclusiveStartKey: start
          })
        )
      );
      const items = page.Items ?? [];
      for (const item of items) if (isHeadItem(item)) marks.set(getS(item, 'findingId') ?? '', isMarkItem(item) ? markFromItem(item) : null);
      const headless = [...new Set(items.filter((i) => !isHeadItem(i)).map((i) => getS(i, 'findingId') ?? ''))].filter((f) => !marks.has(f));
      if (headless.length > 0) {
        const heads = await batchGetAll(this.client, this.table, headless.map(headKey), this.opts);
        for (const f of headless) marks.set(f, null);
        for (const h of heads) if (isMarkItem(h)) marks.set(getS(h, 'findingId') ?? '', markFromItem(h));
      }
      for (const item of items) {
        const ev = eventOfItem(item);
        // TTL deletion lags (up to days): an expired event is gone, and its id may be recorded anew.
        if (!ev || ev.expiresAt <= nowSec) continue;
        const e = applyMark(ev.event, marks.get(ev.event.findingId));
        if (options.reviewedOnly && e.outcome === 'pending') continue;
        picked.push(e);
        if (picked.length >= count) return picked;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return picked;
  }
}
