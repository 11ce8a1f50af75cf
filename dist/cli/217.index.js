export const id = 217;
export const ids = [217];
export const modules = {

/***/ 8217:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DEFAULT_WINDOW_COUNT: () => (/* binding */ DEFAULT_WINDOW_COUNT),
  DynamoDBFPStore: () => (/* binding */ DynamoDBFPStore),
  RECORD_ROUNDS: () => (/* binding */ RECORD_ROUNDS),
  TRANSACT_MAX: () => (/* binding */ TRANSACT_MAX),
  WINDOW_WRITE_ATTEMPTS: () => (/* binding */ WINDOW_WRITE_ATTEMPTS),
  chunkActions: () => (/* binding */ chunkActions),
  eventOfItem: () => (/* binding */ eventOfItem),
  findingChunks: () => (/* binding */ findingChunks),
  markFromItem: () => (/* binding */ markFromItem),
  planTransactions: () => (/* binding */ planTransactions)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js
var dist_cjs = __webpack_require__(4305);
// EXTERNAL MODULE: ./src/aws/retry.ts
var retry = __webpack_require__(2495);
// EXTERNAL MODULE: ./src/store/local/fp-store.ts
var fp_store = __webpack_require__(4611);
// EXTERNAL MODULE: ./src/store/types.ts
var types = __webpack_require__(7940);
// EXTERNAL MODULE: ./src/store/aws/dynamodb-common.ts
var dynamodb_common = __webpack_require__(5209);
;// CONCATENATED MODULE: ./src/store/aws/fp-reviewed-window.ts
/** Entries kept per rule: the check's window (DESIGN §6, "last 200 reviewed events"). */
const WINDOW_ENTRIES_MAX = 200;
/** Bytes of JSON kept, well under DynamoDB's 400 KB item limit (reviewers and tickets are free text). */
const WINDOW_BYTES_MAX = 350_000;
const OUTCOMES = ['pending', 'false_positive', 'true_positive'];
/** Newest observation first; ties by event id, descending (the order of a descending Query on `event#<iso>#<id>`). */
function newestFirst(a, b) {
    return Date.parse(b.observedAt) - Date.parse(a.observedAt) || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0);
}
/** One entry's JSON: the event's fields but ruleId (the item's partition says it), plus expiresAt. */
function encodeEntry({ event: { ruleId: _r, ...rest }, expiresAt }) {
    return JSON.stringify({ ...rest, expiresAt });
}
/** The `entries` attribute: a JSON list of encodeEntry. */
function encodeEntries(entries) {
    return `[${entries.map(encodeEntry).join(',')}]`;
}
/** The entries of a stored item's JSON. Throws on anything that is not what encodeEntries wrote. */
function decodeEntries(json, ruleId) {
    const raw = JSON.parse(json);
    if (!Array.isArray(raw))
        throw new Error('entries is not a list');
    return raw.map((x) => {
        const str = (k) => (typeof x?.[k] === 'string' ? x[k] : undefined);
        const outcome = str('outcome');
        if (!str('eventId') || !str('observedAt') || !OUTCOMES.includes(outcome) || typeof x.expiresAt !== 'number')
            throw new Error('malformed entry');
        const event = {
            eventId: str('eventId') ?? '',
            findingId: str('findingId') ?? '',
            ruleId,
            ruleVersion: str('ruleVersion') ?? '',
            repository: str('repository') ?? '',
            runId: str('runId') ?? '',
            observedAt: str('observedAt') ?? '',
            outcome
        };
        for (const k of ['reviewer', 'ticket', 'reviewedAt']) {
            const v = str(k);
            if (v !== undefined)
                event[k] = v;
        }
        return { event, expiresAt: x.expiresAt };
    });
}
/** When the entry's verdict was given; a verdict without a time loses to any timed one. */
function verdictTime(e) {
    const t = e.reviewedAt === undefined ? NaN : Date.parse(e.reviewedAt);
    return Number.isNaN(t) ? -Infinity : t;
}
/**
 * The window after adding `incoming`: one entry per event id, the newest verdict winning
 * whatever order marks are written in (so two writers cannot bring an older verdict back),
 * entries whose event has expired dropped, newest first, at most 200 and WINDOW_BYTES_MAX.
 */
function mergeEntries(current, incoming, nowSec) {
    const byId = new Map();
    for (const entry of [...current, ...incoming]) {
        if (entry.event.outcome === 'pending')
            continue;
        const prev = byId.get(entry.event.eventId);
        if (!prev || verdictTime(entry.event) >= verdictTime(prev.event))
            byId.set(entry.event.eventId, entry);
    }
    const kept = [...byId.values()].filter((x) => x.expiresAt > nowSec).sort((a, b) => newestFirst(a.event, b.event));
    let bytes = 2; // the brackets
    let n = 0;
    for (; n < Math.min(kept.length, WINDOW_ENTRIES_MAX); n++) {
        bytes += Buffer.byteLength(encodeEntry(kept[n])) + (n > 0 ? 1 : 0);
        if (bytes > WINDOW_BYTES_MAX)
            break;
    }
    kept.length = n;
    return kept;
}
/** The events of a window item, live at `nowSec`, newest first, at most `count`. */
function liveEvents(entries, nowSec, count) {
    return entries
        .filter((x) => x.expiresAt > nowSec)
        .sort((a, b) => newestFirst(a.event, b.event))
        .slice(0, Math.max(0, count))
        .map((x) => ({ ...x.event }));
}

// EXTERNAL MODULE: ./src/store/aws/tables.ts
var tables = __webpack_require__(9822);
;// CONCATENATED MODULE: ./src/store/aws/dynamodb-fp-store.ts
/**
 * FPStore on DynamoDB (`fp-events`). The item layout and the access pattern of each method are
 * documented in tables.ts. Round trips per check run: lookupMarks = one BatchGetItem (≤ 100 ids),
 * window (reviewed only, the check's) = one BatchGetItem of the rules' window items,
 * recordEvents = nothing for events already recorded, else one TransactWriteItems (one action
 * per new finding).
 */







const DEFAULT_WINDOW_COUNT = 200;
/** TransactWriteItems takes at most 100 actions. */
const TRANSACT_MAX = 100;
/**
 * Conditional writes of one window item before giving up. A failed condition means another
 * writer got through, so this bounds the writers racing on one rule, not the time.
 */
const WINDOW_WRITE_ATTEMPTS = 10;
/**
 * Rounds of recordEvents before giving up. A round ends early only when a condition failed,
 * which teaches the store what another writer did; so this bounds racing writers, not the time.
 */
const RECORD_ROUNDS = 10;
const dynamodb_fp_store_OUTCOMES = ['pending', 'false_positive', 'true_positive'];
/** The head's event map. */
const EV = 'ev';
function normaliseIso(value) {
    return new Date(value).toISOString();
}
function headKey(findingId) {
    return { [tables/* FP_EVENTS */.bv.partitionKey]: (0,dynamodb_common.S)(tables/* keys */.HP.findingPk(findingId)), [tables/* FP_EVENTS */.bv.sortKey]: (0,dynamodb_common.S)(tables/* keys */.HP.findingHeadSk) };
}
function ownKey(e) {
    return { [tables/* FP_EVENTS */.bv.partitionKey]: (0,dynamodb_common.S)(tables/* keys */.HP.findingPk(e.findingId)), [tables/* FP_EVENTS */.bv.sortKey]: (0,dynamodb_common.S)(tables/* keys */.HP.findingEventSk(e.eventId)) };
}
function windowKey(ruleId) {
    return { [tables/* FP_EVENTS */.bv.partitionKey]: (0,dynamodb_common.S)(tables/* keys */.HP.rulePk(ruleId)), [tables/* FP_EVENTS */.bv.sortKey]: (0,dynamodb_common.S)(tables/* keys */.HP.ruleWindowSk) };
}
/** The event as a map attribute; the reviewer travels with it both ways (upstream dropped it on read: FPR 0). */
function eventMap(e, expiresAt) {
    const m = {
        eventId: (0,dynamodb_common.S)(e.eventId),
        findingId: (0,dynamodb_common.S)(e.findingId),
        ruleId: (0,dynamodb_common.S)(e.ruleId),
        ruleVersion: (0,dynamodb_common.S)(e.ruleVersion),
        repository: (0,dynamodb_common.S)(e.repository),
        runId: (0,dynamodb_common.S)(e.runId),
        observedAt: (0,dynamodb_common.S)(e.observedAt),
        outcome: (0,dynamodb_common.S)(e.outcome),
        [tables/* FP_EVENTS */.bv.ttlAttribute]: (0,dynamodb_common.N)(expiresAt)
    };
    return { M: (0,dynamodb_common/* putOptional */.QO)(m, { reviewer: e.reviewer, ticket: e.ticket, reviewedAt: e.reviewedAt }) };
}
/** The item's event (head or further event), every FPEvent field included; null when it has none. */
function eventOfItem(item) {
    const v = item[EV];
    const m = v && 'M' in v ? v.M : undefined;
    if (!m)
        return null;
    const outcome = (0,dynamodb_common/* getS */.sd)(m, 'outcome');
    const e = {
        eventId: (0,dynamodb_common/* getS */.sd)(m, 'eventId') ?? '',
        findingId: (0,dynamodb_common/* getS */.sd)(m, 'findingId') ?? '',
        ruleId: (0,dynamodb_common/* getS */.sd)(m, 'ruleId') ?? '',
        ruleVersion: (0,dynamodb_common/* getS */.sd)(m, 'ruleVersion') ?? '',
        repository: (0,dynamodb_common/* getS */.sd)(m, 'repository') ?? '',
        runId: (0,dynamodb_common/* getS */.sd)(m, 'runId') ?? '',
        observedAt: (0,dynamodb_common/* getS */.sd)(m, 'observedAt') ?? '',
        outcome: dynamodb_fp_store_OUTCOMES.includes(outcome) ? outcome : 'pending'
    };
    for (const k of ['reviewer', 'ticket', 'reviewedAt']) {
        const x = (0,dynamodb_common/* getS */.sd)(m, k);
        if (x !== undefined)
            e[k] = x;
    }
    return { event: e, expiresAt: (0,dynamodb_common/* getN */.lj)(m, tables/* FP_EVENTS */.bv.ttlAttribute) ?? 0 };
}
/** The index keys of an event: DESIGN's event key. */
function indexAttributes(e) {
    return {
        [tables/* FP_EVENTS */.bv.gsiPartitionKey]: (0,dynamodb_common.S)(tables/* keys */.HP.gsi1pk(e.ruleId)),
        [tables/* FP_EVENTS */.bv.gsiSortKey]: (0,dynamodb_common.S)(tables/* keys */.HP.gsi1sk(normaliseIso(e.observedAt), e.eventId))
    };
}
/** A head is a mark only once marked: recording events creates heads without mark fields. */
function isMarkItem(item) {
    return (0,dynamodb_common/* getS */.sd)(item, 'markedAt') !== undefined && (0,dynamodb_common/* getS */.sd)(item, 'reviewer') !== undefined;
}
function markFromItem(item) {
    const m = {
        findingId: (0,dynamodb_common/* getS */.sd)(item, 'findingId') ?? '',
        outcome: (0,dynamodb_common/* getS */.sd)(item, 'outcome') === 'true_positive' ? 'true_positive' : 'false_positive',
        reviewer: (0,dynamodb_common/* getS */.sd)(item, 'reviewer') ?? '',
        markedAt: (0,dynamodb_common/* getS */.sd)(item, 'markedAt') ?? ''
    };
    const ruleId = (0,dynamodb_common/* getS */.sd)(item, 'ruleId');
    if (ruleId !== undefined)
        m.ruleId = ruleId;
    const ticket = (0,dynamodb_common/* getS */.sd)(item, 'ticket');
    if (ticket !== undefined)
        m.ticket = ticket;
    return m;
}
function headState(item) {
    if (!item)
        return { event: null, mark: null };
    const ev = eventOfItem(item);
    const mark = isMarkItem(item) ? markFromItem(item) : null;
    return {
        event: ev ? { eventId: ev.event.eventId, expiresAt: ev.expiresAt } : null,
        mark: mark ? { mark, markedAtMs: (0,dynamodb_common/* getN */.lj)(item, 'markedAtMs') ?? Date.parse(mark.markedAt) } : null
    };
}
function isHeadItem(item) {
    return (0,dynamodb_common/* getS */.sd)(item, tables/* FP_EVENTS */.bv.sortKey) === tables/* keys */.HP.findingHeadSk;
}
/** The event as the mark makes it: reviewed, with the mark's reviewer, ticket and time. */
function applyMark(event, mark) {
    if (!mark)
        return event;
    const { reviewer: _r, ticket: _t, reviewedAt: _a, ...base } = event;
    const out = { ...base, outcome: mark.outcome, reviewer: mark.reviewer, reviewedAt: mark.markedAt };
    if (mark.ticket !== undefined)
        out.ticket = mark.ticket;
    return out;
}
function isConditionalFailure(error) {
    return (0,retry/* classifyAwsError */.u3)(error).code === 'ConditionalCheckFailedException';
}
/**
 * The reasons of a transaction cancelled because some actions failed their condition (the
 * other actions report None, or TransactionConflict when a concurrent writer held the item:
 * those are simply sent again), or null when it was cancelled for anything else (which must
 * surface; a cancellation made of conflicts only is retried as throttling by `call`).
 */
function conditionalCancellation(error) {
    const e = error;
    if (e?.name !== 'TransactionCanceledException' || !Array.isArray(e.CancellationReasons))
        return null;
    const codes = e.CancellationReasons.map((r) => r?.Code ?? 'None');
    if (!codes.includes('ConditionalCheckFailed'))
        return null;
    if (codes.some((c) => c !== 'None' && c !== 'ConditionalCheckFailed' && c !== 'TransactionConflict'))
        return null;
    return e.CancellationReasons;
}
function groupBy(items, key) {
    const out = new Map();
    for (const item of items) {
        const group = out.get(key(item));
        if (group)
            group.push(item);
        else
            out.set(key(item), [item]);
    }
    return out;
}
/** Actions a chunk takes: its head action (if any) and one per further event. */
function chunkActions(c) {
    return (c.claim || c.expectHead !== null ? 1 : 0) + c.own.length;
}
/**
 * A finding's new events cut into chunks of at most 100 actions. Without a live head event the
 * first event claims the head; further events go to their own items, each chunk with a head
 * action that pins the head's event (so that an id is never both the head's and an item's).
 */
function findingChunks(findingId, events, headEvent, perTransaction = TRANSACT_MAX) {
    const chunks = [];
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
function planTransactions(perFinding, perTransaction = TRANSACT_MAX) {
    const waves = [];
    for (const chunks of perFinding) {
        chunks.forEach((chunk, w) => {
            const wave = (waves[w] ??= []);
            const size = chunkActions(chunk);
            const fits = wave.find((t) => t.reduce((n, c) => n + chunkActions(c), 0) + size <= perTransaction);
            if (fits)
                fits.push(chunk);
            else
                wave.push([chunk]);
        });
    }
    return waves;
}
class DynamoDBFPStore {
    client;
    table;
    opts;
    resource;
    /** Heads this process has read or written. */
    heads = new Map();
    /** Further events this process knows recorded: `<findingId>\0<eventId>` → expiresAt. */
    ownRecorded = new Map();
    /** Window items being written, per rule: later entries wait and go in the next write. */
    windowQueues = new Map();
    constructor(client, table, opts = {}) {
        this.client = client;
        this.table = table;
        this.opts = opts;
        this.resource = `table ${table}`;
    }
    now() {
        return this.opts.now ? this.opts.now() : new Date();
    }
    nowSec() {
        return Math.floor(this.now().getTime() / 1000);
    }
    liveHeadEvent(findingId, nowSec) {
        const ev = this.heads.get(findingId)?.event;
        return ev && ev.expiresAt > nowSec ? ev.eventId : null;
    }
    isRecorded(e, nowSec) {
        if (this.liveHeadEvent(e.findingId, nowSec) === e.eventId)
            return true;
        return (this.ownRecorded.get(`${e.findingId}\u0000${e.eventId}`) ?? 0) > nowSec;
    }
    /** Reads the heads (BatchGetItem) and remembers them; returns them by finding id. */
    async readHeads(findingIds) {
        const items = await (0,dynamodb_common/* batchGetAll */.Cy)(this.client, this.table, findingIds.map(headKey), this.opts);
        const byId = new Map();
        for (const item of items)
            byId.set(((0,dynamodb_common/* getS */.sd)(item, tables/* FP_EVENTS */.bv.partitionKey) ?? '').slice('finding#'.length), item);
        for (const id of findingIds)
            this.heads.set(id, headState(byId.get(id)));
        return byId;
    }
    async readHead(findingId) {
        const out = await (0,dynamodb_common/* call */.T1)('GetItem', this.resource, this.opts, () => this.client.send(new dist_cjs/* GetItemCommand */.ZKh({ TableName: this.table, Key: headKey(findingId), ConsistentRead: true })));
        this.heads.set(findingId, headState(out.Item));
        return out.Item;
    }
    // ── recordEvents ───────────────────────────────────────────────────────────────────────────
    async recordEvents(events) {
        if (events.length === 0)
            return;
        for (const e of events) {
            const problem = (0,fp_store/* fpRecordProblem */.$j)((0,fp_store/* eventRecord */.Wd)(e));
            if (problem)
                throw new types/* StoreError */.A(`invalid FP event ${JSON.stringify(e.eventId)}: ${problem}`, false);
        }
        const unique = new Map();
        for (const e of events)
            if (!unique.has(e.eventId))
                unique.set(e.eventId, e);
        const all = [...unique.values()];
        const nowSec = this.nowSec();
        const expiresAt = nowSec + (this.opts.ttlDays ?? tables/* FP_EVENTS */.bv.ttlDays) * 86_400;
        // A check run looked its findings up first (lookupMarks): then there is nothing to read.
        const unread = [...new Set(all.map((e) => e.findingId))].filter((id) => !this.heads.has(id));
        if (unread.length > 0)
            await this.readHeads(unread);
        const stored = [];
        for (let round = 1;; round++) {
            const fresh = all.filter((e) => !this.isRecorded(e, nowSec));
            if (fresh.length === 0)
                break;
            if (round > RECORD_ROUNDS) {
                throw new types/* StoreError */.A(`TransactWriteItems on ${this.resource}: ${fresh.length} event(s) still contended after ${RECORD_ROUNDS} rounds; record them again`, true);
            }
            const perFinding = [...groupBy(fresh, (e) => e.findingId)].map(([id, group]) => findingChunks(id, group, this.liveHeadEvent(id, nowSec)));
            for (const wave of planTransactions(perFinding)) {
                const results = await Promise.all(wave.map((chunks) => this.writeChunks(chunks, expiresAt, nowSec)));
                for (const r of results)
                    stored.push(...r.written);
                // A failed condition taught the store something: plan again from what it knows now.
                if (results.some((r) => !r.complete))
                    break;
            }
        }
        await this.afterWrite(stored, expiresAt);
    }
    /** One transaction. On a cancellation by conditions, learns from the items as they were. */
    async writeChunks(chunks, expiresAt, nowSec) {
        const items = [];
        const owners = [];
        for (const c of chunks) {
            if (c.claim) {
                items.push(this.claimAction(c.claim, expiresAt, nowSec));
                owners.push({ kind: 'claim', findingId: c.findingId, event: c.claim });
            }
            else if (c.expectHead !== null) {
                items.push(this.checkAction(c.findingId, c.expectHead));
                owners.push({ kind: 'check', findingId: c.findingId, event: null });
            }
            for (const e of c.own) {
                items.push(this.ownPut(e, expiresAt, nowSec));
                owners.push({ kind: 'own', findingId: c.findingId, event: e });
            }
        }
        const reasons = await (0,dynamodb_common/* call */.T1)('TransactWriteItems', this.resource, this.opts, async () => {
            try {
                await this.client.send(new dist_cjs/* TransactWriteItemsCommand */.DS2({ TransactItems: items }));
                return null;
            }
            catch (error) {
                const r = conditionalCancellation(error);
                if (r)
                    return r;
                throw error;
            }
        });
        if (!reasons) {
            const written = [];
            for (const o of owners) {
                if (!o.event)
                    continue;
                written.push(o.event);
                if (o.kind === 'claim') {
                    const state = this.heads.get(o.findingId) ?? { event: null, mark: null };
                    this.heads.set(o.findingId, { ...state, event: { eventId: o.event.eventId, expiresAt } });
                }
                else
                    this.ownRecorded.set(`${o.findingId}\u0000${o.event.eventId}`, expiresAt);
            }
            return { written, complete: true };
        }
        let learnt = false;
        // A condition that failed on our own earlier write (a retry whose answer was lost): the same
        // event, observed at the same time, is there. It counts as written by this call.
        const ours = [];
        const isOurs = (e, item) => {
            const was = item ? eventOfItem(item)?.event : undefined;
            return was !== undefined && was.eventId === e.eventId && was.observedAt === e.observedAt && was.runId === e.runId;
        };
        await Promise.all(reasons.map(async (reason, i) => {
            const o = owners[i];
            if (reason?.Code !== 'ConditionalCheckFailed' || !o)
                return;
            learnt = true;
            if (o.kind === 'own' && o.event) {
                // The item is there and live: the event was recorded before (the first record stays).
                const was = reason.Item ? eventOfItem(reason.Item) : null;
                this.ownRecorded.set(`${o.findingId}\u0000${o.event.eventId}`, was?.expiresAt ?? expiresAt);
                if (isOurs(o.event, reason.Item))
                    ours.push(o.event);
                return;
            }
            // The head changed (another writer claimed it, or marked it): its old image says how.
            const head = reason.Item ?? (await this.readHead(o.findingId));
            this.heads.set(o.findingId, headState(head));
            if (o.kind === 'claim' && o.event && isOurs(o.event, head))
                ours.push(o.event);
        }));
        if (!learnt)
            throw new types/* StoreError */.A(`TransactWriteItems on ${this.resource}: cancelled on a condition it did not name`, false);
        return { written: ours, complete: false };
    }
    /**
     * Claims the finding's head for the event: sets `ev` and the index keys on condition that the
     * head has no live event, which makes recording idempotent per finding whatever the time.
     * While unmarked the head expires with its event; a mark arriving in between fails the
     * condition, and the next round claims without the TTL.
     */
    claimAction(e, expiresAt, nowSec) {
        const marked = Boolean(this.heads.get(e.findingId)?.mark);
        const names = {
            '#kind': 'kind',
            '#f': 'findingId',
            '#ev': EV,
            '#x': tables/* FP_EVENTS */.bv.ttlAttribute,
            '#g1': tables/* FP_EVENTS */.bv.gsiPartitionKey,
            '#g2': tables/* FP_EVENTS */.bv.gsiSortKey
        };
        const index = indexAttributes(e);
        const values = {
            ':kind': (0,dynamodb_common.S)('finding'),
            ':f': (0,dynamodb_common.S)(e.findingId),
            ':ev': eventMap(e, expiresAt),
            ':g1': index[tables/* FP_EVENTS */.bv.gsiPartitionKey],
            ':g2': index[tables/* FP_EVENTS */.bv.gsiSortKey],
            ':now': (0,dynamodb_common.N)(nowSec)
        };
        const set = ['#kind = :kind', '#f = :f', '#ev = :ev', '#g1 = :g1', '#g2 = :g2'];
        let condition = '(attribute_not_exists(#ev) OR #ev.#x <= :now)';
        if (!marked) {
            names['#m'] = 'markedAt';
            values[':x'] = (0,dynamodb_common.N)(expiresAt);
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
    checkAction(findingId, eventId) {
        return {
            ConditionCheck: {
                TableName: this.table,
                Key: headKey(findingId),
                ConditionExpression: '#ev.#id = :id',
                ExpressionAttributeNames: { '#ev': EV, '#id': 'eventId' },
                ExpressionAttributeValues: { ':id': (0,dynamodb_common.S)(eventId) },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD'
            }
        };
    }
    /** A further event's own item, on condition that it is absent or expired. */
    ownPut(e, expiresAt, nowSec) {
        return {
            Put: {
                TableName: this.table,
                Item: {
                    ...ownKey(e),
                    ...indexAttributes(e),
                    kind: (0,dynamodb_common.S)('event'),
                    findingId: (0,dynamodb_common.S)(e.findingId),
                    [EV]: eventMap(e, expiresAt),
                    [tables/* FP_EVENTS */.bv.ttlAttribute]: (0,dynamodb_common.N)(expiresAt)
                },
                ConditionExpression: 'attribute_not_exists(#pk) OR #x <= :now',
                ExpressionAttributeNames: { '#pk': tables/* FP_EVENTS */.bv.partitionKey, '#x': tables/* FP_EVENTS */.bv.ttlAttribute },
                ExpressionAttributeValues: { ':now': (0,dynamodb_common.N)(nowSec) },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD'
            }
        };
    }
    /**
     * Events written that are reviewed (their own outcome, or a mark this store knows) join their
     * rule's window item. No call at all in the usual case (pending events of unmarked findings).
     * Failures are warnings: the events are recorded, and the next mark of the finding repairs it.
     */
    async afterWrite(stored, expiresAt) {
        const reviewed = [];
        for (const e of stored) {
            const mark = this.heads.get(e.findingId)?.mark?.mark;
            if (mark || e.outcome !== 'pending')
                reviewed.push({ event: applyMark(e, mark), expiresAt });
        }
        await Promise.all([...groupBy(reviewed, (x) => x.event.ruleId)].map(([ruleId, list]) => this.queueWindowEntries(ruleId, list).catch((error) => this.opts.log?.warning(`Could not add ${list.length} reviewed event(s) to rule ${ruleId}'s window: ${error.message}`))));
    }
    // ── marks ──────────────────────────────────────────────────────────────────────────────────
    /** A PutItem under `condition`; false when the condition failed (nothing written). */
    conditionalPut(item, condition) {
        return (0,dynamodb_common/* call */.T1)('PutItem', this.resource, this.opts, async () => {
            try {
                await this.client.send(new dist_cjs/* PutItemCommand */.qnp({ TableName: this.table, Item: item, ...condition }));
                return true;
            }
            catch (error) {
                if (isConditionalFailure(error))
                    return false;
                throw error;
            }
        });
    }
    /**
     * Sets the mark fields of the finding's head on condition that no newer mark is there, and
     * removes its TTL (a verdict outlives the events). An update, not a put: the head's event
     * stays. Returns the head as it now is, or null when a newer mark stands.
     */
    async setHeadMark(mark, markedAtMs) {
        const names = { '#kind': 'kind', '#f': 'findingId', '#o': 'outcome', '#rv': 'reviewer', '#m': 'markedAt', '#t': 'markedAtMs', '#x': tables/* FP_EVENTS */.bv.ttlAttribute };
        const values = { ':kind': (0,dynamodb_common.S)('finding'), ':f': (0,dynamodb_common.S)(mark.findingId), ':o': (0,dynamodb_common.S)(mark.outcome), ':rv': (0,dynamodb_common.S)(mark.reviewer), ':m': (0,dynamodb_common.S)(mark.markedAt), ':t': (0,dynamodb_common.N)(markedAtMs) };
        const set = ['#kind = :kind', '#f = :f', '#o = :o', '#rv = :rv', '#m = :m', '#t = :t'];
        const remove = ['#x'];
        // A newer mark replaces the older one whole: a field it leaves out is removed.
        for (const [k, v] of [['ruleId', mark.ruleId], ['ticket', mark.ticket]]) {
            names[`#${k}`] = k;
            if (v === undefined)
                remove.push(`#${k}`);
            else {
                values[`:${k}`] = (0,dynamodb_common.S)(v);
                set.push(`#${k} = :${k}`);
            }
        }
        return (0,dynamodb_common/* call */.T1)('UpdateItem', this.resource, this.opts, async () => {
            try {
                const out = await this.client.send(new dist_cjs/* UpdateItemCommand */.Cs({
                    TableName: this.table,
                    Key: headKey(mark.findingId),
                    UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
                    ConditionExpression: 'attribute_not_exists(#t) OR #t <= :t',
                    ExpressionAttributeNames: names,
                    ExpressionAttributeValues: values,
                    ReturnValues: 'ALL_NEW'
                }));
                return out.Attributes ?? null;
            }
            catch (error) {
                if (isConditionalFailure(error))
                    return null;
                throw error;
            }
        });
    }
    /** Every item of a finding's partition (its head and further events), strongly consistent. */
    findingItems(findingId) {
        return (0,dynamodb_common/* queryAll */.YG)(this.client, {
            TableName: this.table,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': tables/* FP_EVENTS */.bv.partitionKey },
            ExpressionAttributeValues: { ':pk': (0,dynamodb_common.S)(tables/* keys */.HP.findingPk(findingId)) },
            ConsistentRead: true
        }, this.resource, this.opts);
    }
    async mark(mark) {
        const problem = (0,fp_store/* fpRecordProblem */.$j)((0,fp_store/* markRecord */.Pz)(mark));
        if (problem)
            throw new types/* StoreError */.A(`invalid FP mark for ${JSON.stringify(mark.findingId)}: ${problem}`, false);
        const head = await this.setHeadMark({ ...mark }, Date.parse(mark.markedAt));
        if (!head)
            return; // a newer mark stands, and its writer keeps the windows
        const state = headState(head);
        this.heads.set(mark.findingId, state);
        // The finding's live events, with the mark's verdict, into their rules' window items.
        const nowSec = this.nowSec();
        const entries = [];
        for (const item of await this.findingItems(mark.findingId)) {
            const ev = eventOfItem(item);
            if (!ev || ev.expiresAt <= nowSec)
                continue; // TTL deletion lags
            if (!isHeadItem(item))
                this.ownRecorded.set(`${mark.findingId}\u0000${ev.event.eventId}`, ev.expiresAt);
            entries.push({ event: applyMark(ev.event, state.mark?.mark), expiresAt: ev.expiresAt });
        }
        await Promise.all([...groupBy(entries, (x) => x.event.ruleId)].map(([ruleId, list]) => this.queueWindowEntries(ruleId, list)));
    }
    async lookupMarks(findingIds) {
        const out = new Map();
        const ids = [...new Set(findingIds)];
        if (ids.length === 0)
            return out;
        await this.readHeads(ids);
        for (const id of ids) {
            const mark = this.heads.get(id)?.mark?.mark;
            if (mark)
                out.set(id, { ...mark });
        }
        return out;
    }
    /** Every recorded event of each finding id: one Query of its partition per id, marks applied. */
    async findingEvents(findingIds) {
        const ids = [...new Set(findingIds)];
        const partitions = await Promise.all(ids.map((id) => this.findingItems(id)));
        const out = new Map();
        ids.forEach((id, i) => {
            const items = partitions[i];
            const head = items.find(isHeadItem);
            const mark = head && isMarkItem(head) ? markFromItem(head) : null;
            const events = items.flatMap((item) => {
                const ev = eventOfItem(item);
                return ev ? [applyMark(ev.event, mark)] : [];
            });
            if (events.length > 0)
                out.set(id, events.sort(newestFirst));
        });
        return out;
    }
    // ── windows ────────────────────────────────────────────────────────────────────────────────
    async window(ruleIds, options = {}) {
        const unique = [...new Set(ruleIds)];
        const results = this.isReviewedWindow(options)
            ? await this.reviewedWindows(unique, options.count ?? DEFAULT_WINDOW_COUNT)
            : await Promise.all(unique.map((r) => this.windowOf(r, options)));
        const out = new Map();
        unique.forEach((r, i) => out.set(r, results[i]));
        return out;
    }
    /** The check's shape (reviewed only, ≤ 200, no since) is what the window items hold. */
    isReviewedWindow(options) {
        return options.reviewedOnly === true && options.since === undefined && (options.count ?? DEFAULT_WINDOW_COUNT) <= WINDOW_ENTRIES_MAX;
    }
    /** One BatchGetItem (per 100 rules) of the rules' window items. */
    async reviewedWindows(ruleIds, count) {
        if (count <= 0 || ruleIds.length === 0)
            return ruleIds.map(() => []);
        const items = await (0,dynamodb_common/* batchGetAll */.Cy)(this.client, this.table, ruleIds.map(windowKey), this.opts);
        const byPk = new Map(items.map((item) => [(0,dynamodb_common/* getS */.sd)(item, tables/* FP_EVENTS */.bv.partitionKey) ?? '', item]));
        const nowSec = this.nowSec();
        return ruleIds.map((ruleId) => liveEvents(this.windowEntries(ruleId, byPk.get(tables/* keys */.HP.rulePk(ruleId))), nowSec, count));
    }
    /** The entries of a window item; an unreadable one reads as empty (and is rewritten by the next review). */
    windowEntries(ruleId, item) {
        const json = item ? (0,dynamodb_common/* getS */.sd)(item, 'entries') : undefined;
        if (json === undefined)
            return [];
        try {
            return decodeEntries(json, ruleId);
        }
        catch (error) {
            this.opts.log?.warning(`The reviewed window of rule ${ruleId} in ${this.resource} is unreadable (${error.message}); read as empty.`);
            return [];
        }
    }
    /**
     * Adds entries to a rule's window item. Writes for one rule are serialised in this process and
     * what arrives while one is in flight goes into the next, so 100 marks made at once on one rule
     * are a few writes, not 100 racing ones.
     */
    queueWindowEntries(ruleId, entries) {
        const running = this.windowQueues.get(ruleId);
        const queue = running ?? { pending: [], waiters: [] };
        if (!running)
            this.windowQueues.set(ruleId, queue);
        queue.pending.push(...entries);
        const done = new Promise((resolve, reject) => queue.waiters.push({ resolve, reject }));
        if (!running)
            void this.drainWindowQueue(ruleId, queue);
        return done;
    }
    async drainWindowQueue(ruleId, queue) {
        while (queue.pending.length > 0) {
            const { pending, waiters } = queue;
            queue.pending = [];
            queue.waiters = [];
            try {
                await this.writeWindow(ruleId, pending);
                for (const w of waiters)
                    w.resolve();
            }
            catch (error) {
                for (const w of waiters)
                    w.reject(error);
            }
        }
        this.windowQueues.delete(ruleId);
    }
    /** Read-modify-write of the window item, conditioned on the version read; read again on conflict. */
    async writeWindow(ruleId, incoming) {
        for (let attempt = 1;; attempt++) {
            const current = await (0,dynamodb_common/* call */.T1)('GetItem', this.resource, this.opts, () => this.client.send(new dist_cjs/* GetItemCommand */.ZKh({ TableName: this.table, Key: windowKey(ruleId), ConsistentRead: true })));
            const version = current.Item ? ((0,dynamodb_common/* getN */.lj)(current.Item, 'version') ?? 0) : 0;
            const before = this.windowEntries(ruleId, current.Item);
            const entries = encodeEntries(mergeEntries(before, incoming, this.nowSec()));
            if (current.Item && entries === encodeEntries(before))
                return; // nothing new (a mark applied again)
            if (await this.putWindow(ruleId, entries, current.Item ? version : null))
                return;
            if (attempt >= WINDOW_WRITE_ATTEMPTS) {
                throw new types/* StoreError */.A(`PutItem on ${this.resource}: rule ${ruleId}'s window kept changing under ${attempt} writes; apply the mark again`, true);
            }
        }
    }
    /** Puts the window item if it is still at `version` (null: still absent). False when it is not. */
    putWindow(ruleId, entries, version) {
        const next = (version ?? 0) + 1;
        const item = { ...windowKey(ruleId), kind: (0,dynamodb_common.S)('window'), ruleId: (0,dynamodb_common.S)(ruleId), entries: (0,dynamodb_common.S)(entries), version: (0,dynamodb_common.N)(next) };
        return this.conditionalPut(item, version === null
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': tables/* FP_EVENTS */.bv.partitionKey } }
            : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': (0,dynamodb_common.N)(version) } });
    }
    /**
     * Count and since windows (calibrate mode): one Query of RuleIndex per rule, newest first,
     * paginated. Heads carry their mark; further events take theirs from their heads, read once
     * per page that has any.
     */
    async windowOf(ruleId, options) {
        const count = options.count ?? DEFAULT_WINDOW_COUNT;
        if (count <= 0)
            return [];
        const names = { '#g1': tables/* FP_EVENTS */.bv.gsiPartitionKey };
        const values = { ':g1': (0,dynamodb_common.S)(tables/* keys */.HP.gsi1pk(ruleId)) };
        let condition = '#g1 = :g1';
        if (options.since) {
            names['#g2'] = tables/* FP_EVENTS */.bv.gsiSortKey;
            values[':from'] = (0,dynamodb_common.S)(tables/* keys */.HP.gsi1skFloor(options.since.toISOString()));
            condition += ' AND #g2 >= :from';
        }
        const marks = new Map();
        const picked = [];
        const nowSec = this.nowSec();
        const limit = Math.min(1000, Math.max(100, count * 2));
        let start;
        do {
            const page = await (0,dynamodb_common/* call */.T1)('Query', `${this.resource} (index ${tables/* FP_EVENTS */.bv.gsiName})`, this.opts, () => this.client.send(new dist_cjs/* QueryCommand */.sfZ({
                TableName: this.table,
                IndexName: tables/* FP_EVENTS */.bv.gsiName,
                KeyConditionExpression: condition,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
                ScanIndexForward: false,
                Limit: limit,
                ExclusiveStartKey: start
            })));
            const items = page.Items ?? [];
            for (const item of items)
                if (isHeadItem(item))
                    marks.set((0,dynamodb_common/* getS */.sd)(item, 'findingId') ?? '', isMarkItem(item) ? markFromItem(item) : null);
            const headless = [...new Set(items.filter((i) => !isHeadItem(i)).map((i) => (0,dynamodb_common/* getS */.sd)(i, 'findingId') ?? ''))].filter((f) => !marks.has(f));
            if (headless.length > 0) {
                const heads = await (0,dynamodb_common/* batchGetAll */.Cy)(this.client, this.table, headless.map(headKey), this.opts);
                for (const f of headless)
                    marks.set(f, null);
                for (const h of heads)
                    if (isMarkItem(h))
                        marks.set((0,dynamodb_common/* getS */.sd)(h, 'findingId') ?? '', markFromItem(h));
            }
            for (const item of items) {
                const ev = eventOfItem(item);
                // TTL deletion lags (up to days): an expired event is gone, and its id may be recorded anew.
                if (!ev || ev.expiresAt <= nowSec)
                    continue;
                const e = applyMark(ev.event, marks.get(ev.event.findingId));
                if (options.reviewedOnly && e.outcome === 'pending')
                    continue;
                picked.push(e);
                if (picked.length >= count)
                    return picked;
            }
            start = page.LastEvaluatedKey;
        } while (start);
        return picked;
    }
}


/***/ })

};
