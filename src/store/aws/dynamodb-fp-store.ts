/**
 * FPStore on DynamoDB (`fp-events`). The item layout and the access pattern of each method are
 * documented in tables.ts. Round trips per check run: lookupMarks = one BatchGetItem (≤ 100 ids),
 * window = one Query per rule (concurrent, paginated), recordEvents = one TransactWriteItems
 * (≤ 100 events).
 */
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type TransactWriteItem
} from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from '../../aws/retry.js';
import { eventRecord, fpRecordProblem, markRecord } from '../local/fp-store.js';
import type { FPEvent, FPMark, FPOutcome, FPStore, WindowOptions } from '../types.js';
import { StoreError } from '../types.js';
import { batchGetAll, call, getN, getS, getSS, N, putOptional, S, type AwsStoreOptions, type Item } from './dynamodb-common.js';
import { FP_EVENTS, keys } from './tables.js';

export const DEFAULT_WINDOW_COUNT = 200;
/** TransactWriteItems takes at most 100 items. */
export const TRANSACT_MAX = 100;

const OUTCOMES: readonly FPOutcome[] = ['pending', 'false_positive', 'true_positive'];

interface KnownMark {
  mark: FPMark;
  markedAtMs: number;
  /** Rule partitions that hold a copy of the mark. */
  rules: Set<string>;
}

export interface DynamoDBFPStoreOptions extends AwsStoreOptions {
  /** Days an event lives (TTL); default 90. */
  ttlDays?: number;
}

function normaliseIso(value: string): string {
  return new Date(value).toISOString();
}

function eventItem(e: FPEvent, expiresAt: number): Item {
  const item: Item = {
    [FP_EVENTS.partitionKey]: S(keys.rulePk(e.ruleId)),
    [FP_EVENTS.sortKey]: S(keys.eventSk(normaliseIso(e.observedAt), e.eventId)),
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

function markItem(pk: string, sk: string, m: FPMark, markedAtMs: number, rules?: Set<string>): Item {
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
  if (rules && rules.size > 0) item.rules = { SS: [...rules].sort() };
  return putOptional(item, { ruleId: m.ruleId, ticket: m.ticket });
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

/** Indexes of the items a cancelled transaction rejected as duplicates, or null when it was not that. */
function duplicateIndexes(error: unknown): number[] | null {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name !== 'TransactionCanceledException' || !Array.isArray(e.CancellationReasons)) return null;
  const codes = e.CancellationReasons.map((r) => r?.Code ?? 'None');
  if (!codes.includes('ConditionalCheckFailed')) return null;
  // Other items of a cancelled transaction report None; anything else must surface.
  if (codes.some((c) => c !== 'None' && c !== 'ConditionalCheckFailed')) return null;
  return codes.flatMap((c, i) => (c === 'ConditionalCheckFailed' ? [i] : []));
}

export class DynamoDBFPStore implements FPStore {
  private readonly resource: string;
  /** Marks seen by lookupMarks/mark in this process (null: looked up, none), for placing copies. */
  private readonly known = new Map<string, KnownMark | null>();

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

  async recordEvents(events: FPEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const e of events) {
      const problem = fpRecordProblem(eventRecord(e));
      if (problem) throw new StoreError(`invalid FP event ${JSON.stringify(e.eventId)}: ${problem}`, false);
    }
    const unique = new Map<string, FPEvent>();
    for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
    const expiresAt = Math.floor(this.now().getTime() / 1000) + (this.opts.ttlDays ?? FP_EVENTS.ttlDays) * 86_400;
    const items = [...unique.values()].map((e) => eventItem(e, expiresAt));
    const chunks: Item[][] = [];
    for (let i = 0; i < items.length; i += TRANSACT_MAX) chunks.push(items.slice(i, i + TRANSACT_MAX));
    await Promise.all(chunks.map((chunk) => this.writeNew(chunk)));
    await this.placeKnownMarks([...unique.values()]);
  }

  /** Puts items that do not exist yet; existing ones (same key) are left as they are. */
  private async writeNew(items: Item[]): Promise<void> {
    let pending = items;
    while (pending.length > 0) {
      const current = pending;
      const duplicates = await call('TransactWriteItems', this.resource, this.opts, async () => {
        const TransactItems: TransactWriteItem[] = current.map((Item) => ({
          Put: { TableName: this.table, Item, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': FP_EVENTS.partitionKey } }
        }));
        try {
          await this.client.send(new TransactWriteItemsCommand({ TransactItems }));
          return [];
        } catch (error) {
          const dup = duplicateIndexes(error);
          if (dup) return dup;
          throw error;
        }
      });
      if (duplicates.length === 0) return;
      const drop = new Set(duplicates);
      pending = current.filter((_, i) => !drop.has(i));
    }
  }

  /**
   * A mark made without a rule id before any event of its finding existed has no copy in the
   * rule's partition yet; when this process knows such a mark (from lookupMarks), the copy is
   * placed now. No call at all in the usual case.
   */
  private async placeKnownMarks(events: FPEvent[]): Promise<void> {
    const todo = new Map<string, { known: KnownMark; ruleId: string }>();
    for (const e of events) {
      const known = this.known.get(e.findingId);
      if (known && !known.rules.has(e.ruleId)) todo.set(`${e.findingId}\u0000${e.ruleId}`, { known, ruleId: e.ruleId });
    }
    await Promise.all(
      [...todo.values()].map(async ({ known, ruleId }) => {
        try {
          await this.putMarkCopy(ruleId, known.mark, known.markedAtMs);
          await call('UpdateItem', this.resource, this.opts, () =>
            this.client.send(
              new UpdateItemCommand({
                TableName: this.table,
                Key: { [FP_EVENTS.partitionKey]: S(keys.findingPk(known.mark.findingId)), [FP_EVENTS.sortKey]: S(keys.findingMarkSk) },
                UpdateExpression: 'ADD #rules :r',
                ConditionExpression: 'attribute_exists(#pk)',
                ExpressionAttributeNames: { '#rules': 'rules', '#pk': FP_EVENTS.partitionKey },
                ExpressionAttributeValues: { ':r': { SS: [ruleId] } }
              })
            )
          );
          known.rules.add(ruleId);
        } catch (error) {
          this.opts.log?.warning(
            `Could not apply the mark of finding ${known.mark.findingId} to rule ${ruleId}'s window: ${(error as Error).message}`
          );
        }
      })
    );
  }

  /** Conditional put: only when no newer mark is stored there. False when a newer one is. */
  private async putIfNewer(item: Item, markedAtMs: number): Promise<boolean> {
    return call('PutItem', this.resource, this.opts, async () => {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#pk) OR #t <= :t',
            ExpressionAttributeNames: { '#pk': FP_EVENTS.partitionKey, '#t': 'markedAtMs' },
            ExpressionAttributeValues: { ':t': N(markedAtMs) }
          })
        );
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    });
  }

  private putMarkCopy(ruleId: string, mark: FPMark, markedAtMs: number): Promise<boolean> {
    return this.putIfNewer(markItem(keys.rulePk(ruleId), keys.ruleMarkSk(mark.findingId), mark, markedAtMs), markedAtMs);
  }

  /** Every GSI FindingIndex item of a finding (keys only), all pages. */
  private async findingIndexItems(findingId: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await call('Query', `${this.resource} (index ${FP_EVENTS.gsiName})`, this.opts, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: FP_EVENTS.gsiName,
            KeyConditionExpression: '#g = :g',
            ExpressionAttributeNames: { '#g': FP_EVENTS.gsiPartitionKey },
            ExpressionAttributeValues: { ':g': S(keys.findingPk(findingId)) },
            ExclusiveStartKey: start
          })
        )
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Rules with events of the finding. */
  private async rulesOfFinding(findingId: string): Promise<string[]> {
    const rules = new Set<string>();
    for (const item of await this.findingIndexItems(findingId)) {
      const pk = getS(item, FP_EVENTS.partitionKey);
      if (pk?.startsWith('rule#')) rules.add(pk.slice('rule#'.length));
    }
    return [...rules];
  }


  async mark(mark: FPMark): Promise<void> {
    const problem = fpRecordProblem(markRecord(mark));
    if (problem) throw new StoreError(`invalid FP mark for ${JSON.stringify(mark.findingId)}: ${problem}`, false);
    const markedAtMs = Date.parse(mark.markedAt);
    const findingKey = { [FP_EVENTS.partitionKey]: S(keys.findingPk(mark.findingId)), [FP_EVENTS.sortKey]: S(keys.findingMarkSk) };
    const [current, indexed] = await Promise.all([
      call('GetItem', this.resource, this.opts, () => this.client.send(new GetItemCommand({ TableName: this.table, Key: findingKey, ConsistentRead: true }))),
      this.rulesOfFinding(mark.findingId)
    ]);
    const rules = new Set<string>([...indexed, ...(current.Item ? getSS(current.Item, 'rules') : [])]);
    if (mark.ruleId) rules.add(mark.ruleId);
    const stored = { ...mark };
    const [won] = await Promise.all([
      this.putIfNewer(markItem(keys.findingPk(mark.findingId), keys.findingMarkSk, stored, markedAtMs, rules), markedAtMs),
      ...[...rules].map((r) => this.putMarkCopy(r, stored, markedAtMs))
    ]);
    if (won) this.known.set(mark.findingId, { mark: stored, markedAtMs, rules });
  }

  async lookupMarks(findingIds: string[]): Promise<Map<string, FPMark>> {
    const out = new Map<string, FPMark>();
    const ids = [...new Set(findingIds)];
    if (ids.length === 0) return out;
    const items = await batchGetAll(
      this.client,
      this.table,
      ids.map((id) => ({ [FP_EVENTS.partitionKey]: S(keys.findingPk(id)), [FP_EVENTS.sortKey]: S(keys.findingMarkSk) })),
      this.opts
    );
    for (const item of items) {
      const mark = markFromItem(item);
      out.set(mark.findingId, mark);
      this.known.set(mark.findingId, { mark, markedAtMs: getN(item, 'markedAtMs') ?? Date.parse(mark.markedAt), rules: new Set(getSS(item, 'rules')) });
    }
    for (const id of ids) if (!out.has(id)) this.known.set(id, null);
    return new Map([...out].map(([k, v]) => [k, { ...v }]));
  }

  /**
   * Events of each finding: one Query of the GSI FindingIndex per id (keys only, paginated),
   * then BatchGetItem of those events and of the finding's mark.
   */
  async findingEvents(findingIds: string[]): Promise<Map<string, FPEvent[]>> {
    const ids = [...new Set(findingIds)];
    const eventKeys = await Promise.all(ids.map((id) => this.eventKeysOf(id)));
    const wanted: Item[] = eventKeys.flat();
    const out = new Map<string, FPEvent[]>();
    if (wanted.length === 0) return out;
    const withEvents = ids.filter((_, i) => eventKeys[i].length > 0);
    const items = await batchGetAll(
      this.client,
      this.table,
      [...wanted, ...withEvents.map((id) => ({ [FP_EVENTS.partitionKey]: S(keys.findingPk(id)), [FP_EVENTS.sortKey]: S(keys.findingMarkSk) }))],
      this.opts
    );
    const marks = new Map<string, FPMark>();
    const events: FPEvent[] = [];
    for (const item of items) {
      if (getS(item, 'kind') === 'mark') {
        const m = markFromItem(item);
        marks.set(m.findingId, m);
      } else if ((getS(item, FP_EVENTS.sortKey) ?? '').startsWith('event#')) events.push(eventFromItem(item));
    }
    events.sort((a, b) => Date.parse(b.observedAt) - Date.parse(a.observedAt) || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0));
    for (const e of events) {
      const list = out.get(e.findingId) ?? [];
      list.push(applyMark(e, marks.get(e.findingId)));
      out.set(e.findingId, list);
    }
    return out;
  }

  /** Primary keys of a finding's events. */
  private async eventKeysOf(findingId: string): Promise<Item[]> {
    const out: Item[] = [];
    for (const item of await this.findingIndexItems(findingId)) {
      const pk = getS(item, FP_EVENTS.partitionKey);
      const sk = getS(item, FP_EVENTS.sortKey);
      if (pk && sk?.startsWith('event#')) out.push({ [FP_EVENTS.partitionKey]: S(pk), [FP_EVENTS.sortKey]: S(sk) });
    }
    return out;
  }


  async window(ruleIds: string[], options: WindowOptions = {}): Promise<Map<string, FPEvent[]>> {
    const unique = [...new Set(ruleIds)];
    const results = await Promise.all(unique.map((r) => this.windowOf(r, options)));
    const out = new Map<string, FPEvent[]>();
    unique.forEach((r, i) => out.set(r, results[i]));
    return out;
  }

  private async windowOf(ruleId: string, options: WindowOptions): Promise<FPEvent[]> {
    const count = options.count ?? DEFAULT_WINDOW_COUNT;
    if (count <= 0) return [];
    const names: Record<string, string> = { '#pk': FP_EVENTS.partitionKey };
    const values: Item = { ':pk': S(keys.rulePk(ruleId)) };
    let condition = '#pk = :pk';
    if (options.since) {
      // `mark#…` sorts after every `event#…`, so the marks stay in range.
      names['#sk'] = FP_EVENTS.sortKey;
      values[':from'] = S(keys.eventSkFloor(options.since.toISOString()));
      condition += ' AND #sk >= :from';
    }
    const marks = new Map<string, FPMark>();
    const picked: FPEvent[] = [];
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
        if (!sk.startsWith('event#')) continue;
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
