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
  EVENTS_PER_TRANSACTION: () => (/* binding */ EVENTS_PER_TRANSACTION),
  TRANSACT_MAX: () => (/* binding */ TRANSACT_MAX),
  WINDOW_WRITE_ATTEMPTS: () => (/* binding */ WINDOW_WRITE_ATTEMPTS),
  eventFromItem: () => (/* binding */ eventFromItem),
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
 * recordEvents = nothing for events already recorded, else one TransactWriteItems per 50 new
 * events (issued together).
 */







const DEFAULT_WINDOW_COUNT = 200;
/** TransactWriteItems takes at most 100 actions. */
const TRANSACT_MAX = 100;
/** A new event is two actions (its finding's head, its own item). */
const EVENTS_PER_TRANSACTION = TRANSACT_MAX / 2;
/**
 * Conditional writes of one window item before giving up. A failed condition means another
 * writer got through, so this bounds the writers racing on one rule, not the time.
 */
const WINDOW_WRITE_ATTEMPTS = 10;
const dynamodb_fp_store_OUTCOMES = ['pending', 'false_positive', 'true_positive'];
const EVENT_ATTRIBUTE_PREFIX = tables/* keys */.HP.findingEventAttribute('');
function normaliseIso(value) {
    return new Date(value).toISOString();
}
function eventKey(e) {
    return { pk: tables/* keys */.HP.rulePk(e.ruleId), sk: tables/* keys */.HP.eventSk(normaliseIso(e.observedAt), e.eventId) };
}
function headKey(findingId) {
    return { [tables/* FP_EVENTS */.bv.partitionKey]: (0,dynamodb_common.S)(tables/* keys */.HP.findingPk(findingId)), [tables/* FP_EVENTS */.bv.sortKey]: (0,dynamodb_common.S)(tables/* keys */.HP.findingMarkSk) };
}
function windowKey(ruleId) {
    return { [tables/* FP_EVENTS */.bv.partitionKey]: (0,dynamodb_common.S)(tables/* keys */.HP.rulePk(ruleId)), [tables/* FP_EVENTS */.bv.sortKey]: (0,dynamodb_common.S)(tables/* keys */.HP.ruleWindowSk) };
}
function eventItem(e, expiresAt) {
    const { pk, sk } = eventKey(e);
    const item = {
        [tables/* FP_EVENTS */.bv.partitionKey]: (0,dynamodb_common.S)(pk),
        [tables/* FP_EVENTS */.bv.sortKey]: (0,dynamodb_common.S)(sk),
        [tables/* FP_EVENTS */.bv.gsiPartitionKey]: (0,dynamodb_common.S)(tables/* keys */.HP.findingPk(e.findingId)),
        [tables/* FP_EVENTS */.bv.gsiSortKey]: (0,dynamodb_common.S)(tables/* keys */.HP.gsi1sk(e.ruleId, e.ruleVersion)),
        [tables/* FP_EVENTS */.bv.ttlAttribute]: (0,dynamodb_common.N)(expiresAt),
        kind: (0,dynamodb_common.S)('event'),
        eventId: (0,dynamodb_common.S)(e.eventId),
        findingId: (0,dynamodb_common.S)(e.findingId),
        ruleId: (0,dynamodb_common.S)(e.ruleId),
        ruleVersion: (0,dynamodb_common.S)(e.ruleVersion),
        repository: (0,dynamodb_common.S)(e.repository),
        runId: (0,dynamodb_common.S)(e.runId),
        observedAt: (0,dynamodb_common.S)(e.observedAt),
        outcome: (0,dynamodb_common.S)(e.outcome)
    };
    // The reviewer travels with the event both ways (upstream dropped it on read: FPR 0).
    return (0,dynamodb_common/* putOptional */.QO)(item, { reviewer: e.reviewer, ticket: e.ticket, reviewedAt: e.reviewedAt });
}
/** An event item read back, every FPEvent field included. */
function eventFromItem(item) {
    const outcome = (0,dynamodb_common/* getS */.sd)(item, 'outcome');
    const e = {
        eventId: (0,dynamodb_common/* getS */.sd)(item, 'eventId') ?? '',
        findingId: (0,dynamodb_common/* getS */.sd)(item, 'findingId') ?? '',
        ruleId: (0,dynamodb_common/* getS */.sd)(item, 'ruleId') ?? '',
        ruleVersion: (0,dynamodb_common/* getS */.sd)(item, 'ruleVersion') ?? '',
        repository: (0,dynamodb_common/* getS */.sd)(item, 'repository') ?? '',
        runId: (0,dynamodb_common/* getS */.sd)(item, 'runId') ?? '',
        observedAt: (0,dynamodb_common/* getS */.sd)(item, 'observedAt') ?? '',
        outcome: dynamodb_fp_store_OUTCOMES.includes(outcome) ? outcome : 'pending'
    };
    for (const k of ['reviewer', 'ticket', 'reviewedAt']) {
        const v = (0,dynamodb_common/* getS */.sd)(item, k);
        if (v !== undefined)
            e[k] = v;
    }
    return e;
}
function markItem(pk, sk, m, markedAtMs) {
    const item = {
        [tables/* FP_EVENTS */.bv.partitionKey]: (0,dynamodb_common.S)(pk),
        [tables/* FP_EVENTS */.bv.sortKey]: (0,dynamodb_common.S)(sk),
        kind: (0,dynamodb_common.S)('mark'),
        findingId: (0,dynamodb_common.S)(m.findingId),
        outcome: (0,dynamodb_common.S)(m.outcome),
        reviewer: (0,dynamodb_common.S)(m.reviewer),
        markedAt: (0,dynamodb_common.S)(m.markedAt),
        markedAtMs: (0,dynamodb_common.N)(markedAtMs)
    };
    return (0,dynamodb_common/* putOptional */.QO)(item, { ruleId: m.ruleId, ticket: m.ticket });
}
/** A finding head is a mark only once marked: recording events creates heads without mark fields. */
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
/** The event ids a finding head records, and where their items are. */
function recordedEvents(head) {
    const out = new Map();
    for (const [name, value] of Object.entries(head ?? {})) {
        if (!name.startsWith(EVENT_ATTRIBUTE_PREFIX) || !value || !('M' in value) || !value.M)
            continue;
        const pk = (0,dynamodb_common/* getS */.sd)(value.M, 'pk');
        const sk = (0,dynamodb_common/* getS */.sd)(value.M, 'sk');
        const expiresAt = (0,dynamodb_common/* getN */.lj)(value.M, tables/* FP_EVENTS */.bv.ttlAttribute);
        if (pk && sk && expiresAt !== undefined)
            out.set(name.slice(EVENT_ATTRIBUTE_PREFIX.length), { pk, sk, expiresAt });
    }
    return out;
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
/**
 * New events in transactions of at most 50, each finding's head at most once per transaction (a
 * transaction may not touch an item twice). Returns waves of transactions: the transactions of a
 * wave touch distinct heads and run together; a finding with more than 50 new events (the
 * contract allows it, a check run has one event per finding) spreads over successive waves.
 */
function planTransactions(events, perTransaction = EVENTS_PER_TRANSACTION) {
    const waves = [];
    for (const group of groupBy(events, (e) => e.findingId).values()) {
        for (let w = 0; w * perTransaction < group.length; w++) {
            const piece = group.slice(w * perTransaction, (w + 1) * perTransaction);
            const wave = (waves[w] ??= []);
            const last = wave[wave.length - 1];
            if (last && last.length + piece.length <= perTransaction)
                last.push(...piece);
            else
                wave.push(piece);
        }
    }
    return waves;
}
class DynamoDBFPStore {
    client;
    table;
    opts;
    resource;
    /** Findings this process has read the head of, or written events of. */
    known = new Map();
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
    knownFinding(findingId) {
        let k = this.known.get(findingId);
        if (!k)
            this.known.set(findingId, (k = { mark: null, events: new Map() }));
        return k;
    }
    isKnownRecorded(e, nowSec) {
        return (this.known.get(e.findingId)?.events.get(e.eventId) ?? 0) > nowSec;
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
        const nowSec = this.nowSec();
        const expiresAt = nowSec + (this.opts.ttlDays ?? tables/* FP_EVENTS */.bv.ttlDays) * 86_400;
        // A run's findings were looked up first (lookupMarks): those already recorded cost nothing.
        const fresh = [...unique.values()].filter((e) => !this.isKnownRecorded(e, nowSec));
        const stored = [];
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
    async writeNew(events, expiresAt, nowSec) {
        const stored = [];
        let pending = events;
        while (pending.length > 0) {
            const tx = this.transaction(pending, expiresAt, nowSec);
            const reasons = await (0,dynamodb_common/* call */.T1)('TransactWriteItems', this.resource, this.opts, async () => {
                try {
                    await this.client.send(new dist_cjs/* TransactWriteItemsCommand */.DS2({ TransactItems: tx.items }));
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
                for (const e of pending)
                    this.knownFinding(e.findingId).events.set(e.eventId, expiresAt);
                return [...stored, ...pending];
            }
            const duplicates = await this.duplicatesOf(tx, reasons, nowSec, expiresAt);
            if (duplicates.size === 0)
                throw new types/* StoreError */.A(`TransactWriteItems on ${this.resource}: a condition failed on no recorded event`, false);
            for (const e of pending) {
                const where = duplicates.get(e.eventId);
                if (!where)
                    continue;
                this.knownFinding(e.findingId).events.set(e.eventId, where.expiresAt);
                if (where.sk === eventKey(e).sk)
                    stored.push(e);
            }
            pending = pending.filter((e) => !duplicates.has(e.eventId));
        }
        return stored;
    }
    /** Per finding, the head Update guarding its new event ids; per event, the Put of its item. */
    transaction(events, expiresAt, nowSec) {
        const tx = { items: [], owners: [] };
        for (const [findingId, group] of groupBy(events, (e) => e.findingId)) {
            tx.items.push(this.headGuard(findingId, group, expiresAt, nowSec));
            tx.owners.push({ findingId, events: group, head: true });
            for (const e of group) {
                tx.items.push({
                    Put: {
                        TableName: this.table,
                        Item: eventItem(e, expiresAt),
                        ConditionExpression: 'attribute_not_exists(#pk)',
                        ExpressionAttributeNames: { '#pk': tables/* FP_EVENTS */.bv.partitionKey }
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
    headGuard(findingId, events, expiresAt, nowSec) {
        const names = { '#kind': 'kind', '#f': 'findingId', '#x': tables/* FP_EVENTS */.bv.ttlAttribute };
        const values = { ':kind': (0,dynamodb_common.S)('finding'), ':f': (0,dynamodb_common.S)(findingId), ':now': (0,dynamodb_common.N)(nowSec) };
        const set = ['#kind = :kind', '#f = :f'];
        const guard = [];
        events.forEach((e, i) => {
            const { pk, sk } = eventKey(e);
            names[`#e${i}`] = tables/* keys */.HP.findingEventAttribute(e.eventId);
            values[`:e${i}`] = { M: { pk: (0,dynamodb_common.S)(pk), sk: (0,dynamodb_common.S)(sk), [tables/* FP_EVENTS */.bv.ttlAttribute]: (0,dynamodb_common.N)(expiresAt) } };
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
    async duplicatesOf(tx, reasons, nowSec, expiresAt) {
        const out = new Map();
        await Promise.all(reasons.map(async (reason, i) => {
            const owner = tx.owners[i];
            if (reason?.Code !== 'ConditionalCheckFailed' || !owner)
                return;
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
                if (where && where.expiresAt > nowSec)
                    out.set(e.eventId, where);
            }
        }));
        return out;
    }
    /**
     * After a write: a mark this process knows that has no copy in an event's rule partition yet
     * (made by finding id before any event of its finding existed) gets its copy; and events stored
     * that are reviewed (their own outcome, or that known mark) join their rule's window item. No
     * call at all in the usual case (pending events of unmarked findings). Failures are warnings:
     * the events are recorded, and the next mark of the finding repairs both.
     */
    async afterWrite(events, stored, expiresAt) {
        const copies = new Map();
        for (const e of events) {
            const known = this.known.get(e.findingId)?.mark;
            if (known && !known.rules.has(e.ruleId))
                copies.set(`${e.findingId}\u0000${e.ruleId}`, { known, ruleId: e.ruleId });
        }
        const reviewed = [];
        for (const e of stored) {
            const mark = this.known.get(e.findingId)?.mark?.mark;
            if (mark || e.outcome !== 'pending')
                reviewed.push({ event: applyMark(e, mark), expiresAt });
        }
        const entries = groupBy(reviewed, (x) => x.event.ruleId);
        await Promise.all([
            ...[...copies.values()].map(({ known, ruleId }) => this.placeMarkCopy(known, ruleId)),
            ...[...entries].map(([ruleId, list]) => this.queueWindowEntries(ruleId, list).catch((error) => this.opts.log?.warning(`Could not add ${list.length} reviewed event(s) to rule ${ruleId}'s window: ${error.message}`)))
        ]);
    }
    async placeMarkCopy(known, ruleId) {
        try {
            await this.putMarkCopy(ruleId, known.mark, known.markedAtMs);
            await (0,dynamodb_common/* call */.T1)('UpdateItem', this.resource, this.opts, () => this.client.send(new dist_cjs/* UpdateItemCommand */.Cs({
                TableName: this.table,
                Key: headKey(known.mark.findingId),
                UpdateExpression: 'ADD #rules :r',
                ConditionExpression: 'attribute_exists(#pk)',
                ExpressionAttributeNames: { '#rules': 'rules', '#pk': tables/* FP_EVENTS */.bv.partitionKey },
                ExpressionAttributeValues: { ':r': { SS: [ruleId] } }
            })));
            known.rules.add(ruleId);
        }
        catch (error) {
            this.opts.log?.warning(`Could not apply the mark of finding ${known.mark.findingId} to rule ${ruleId}'s window: ${error.message}`);
        }
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
    /** Conditional put: only when no newer mark is stored there. False when a newer one is. */
    putIfNewer(item, markedAtMs) {
        return this.conditionalPut(item, {
            ConditionExpression: 'attribute_not_exists(#pk) OR #t <= :t',
            ExpressionAttributeNames: { '#pk': tables/* FP_EVENTS */.bv.partitionKey, '#t': 'markedAtMs' },
            ExpressionAttributeValues: { ':t': (0,dynamodb_common.N)(markedAtMs) }
        });
    }
    putMarkCopy(ruleId, mark, markedAtMs) {
        return this.putIfNewer(markItem(tables/* keys */.HP.rulePk(ruleId), tables/* keys */.HP.ruleMarkSk(mark.findingId), mark, markedAtMs), markedAtMs);
    }
    /**
     * Sets the mark fields of the finding's head, on condition that no newer mark is there. An
     * update, not a put: the head's `ev#` entries (the duplicate guard) stay. False when a newer
     * mark stands.
     */
    async setHeadMark(mark, markedAtMs, rules) {
        const names = { '#kind': 'kind', '#f': 'findingId', '#o': 'outcome', '#rv': 'reviewer', '#m': 'markedAt', '#t': 'markedAtMs' };
        const values = { ':kind': (0,dynamodb_common.S)('finding'), ':f': (0,dynamodb_common.S)(mark.findingId), ':o': (0,dynamodb_common.S)(mark.outcome), ':rv': (0,dynamodb_common.S)(mark.reviewer), ':m': (0,dynamodb_common.S)(mark.markedAt), ':t': (0,dynamodb_common.N)(markedAtMs) };
        const set = ['#kind = :kind', '#f = :f', '#o = :o', '#rv = :rv', '#m = :m', '#t = :t'];
        const remove = [];
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
        let expression = `SET ${set.join(', ')}`;
        if (remove.length > 0)
            expression += ` REMOVE ${remove.join(', ')}`;
        if (rules.size > 0) {
            names['#rules'] = 'rules';
            values[':rules'] = { SS: [...rules].sort() };
            expression += ' ADD #rules :rules';
        }
        return (0,dynamodb_common/* call */.T1)('UpdateItem', this.resource, this.opts, async () => {
            try {
                await this.client.send(new dist_cjs/* UpdateItemCommand */.Cs({
                    TableName: this.table,
                    Key: headKey(mark.findingId),
                    UpdateExpression: expression,
                    ConditionExpression: 'attribute_not_exists(#t) OR #t <= :t',
                    ExpressionAttributeNames: names,
                    ExpressionAttributeValues: values
                }));
                return true;
            }
            catch (error) {
                if (isConditionalFailure(error))
                    return false;
                throw error;
            }
        });
    }
    async readHead(findingId) {
        const out = await (0,dynamodb_common/* call */.T1)('GetItem', this.resource, this.opts, () => this.client.send(new dist_cjs/* GetItemCommand */.ZKh({ TableName: this.table, Key: headKey(findingId), ConsistentRead: true })));
        return out.Item;
    }
    /** Every GSI FindingIndex item of a finding (keys only), all pages. */
    findingIndexItems(findingId) {
        return (0,dynamodb_common/* queryAll */.YG)(this.client, {
            TableName: this.table,
            IndexName: tables/* FP_EVENTS */.bv.gsiName,
            KeyConditionExpression: '#g = :g',
            ExpressionAttributeNames: { '#g': tables/* FP_EVENTS */.bv.gsiPartitionKey },
            ExpressionAttributeValues: { ':g': (0,dynamodb_common.S)(tables/* keys */.HP.findingPk(findingId)) }
        }, `${this.resource} (index ${tables/* FP_EVENTS */.bv.gsiName})`, this.opts);
    }
    /**
     * Keys of a finding's events: the head's entries (strongly consistent) and the index's (which
     * also finds events recorded before heads recorded them).
     */
    eventKeysOf(head, indexed, nowSec) {
        const found = new Map();
        for (const where of recordedEvents(head).values())
            if (where.expiresAt > nowSec)
                found.set(`${where.pk}\u0000${where.sk}`, where);
        for (const item of indexed) {
            const pk = (0,dynamodb_common/* getS */.sd)(item, tables/* FP_EVENTS */.bv.partitionKey);
            const sk = (0,dynamodb_common/* getS */.sd)(item, tables/* FP_EVENTS */.bv.sortKey);
            if (pk && sk?.startsWith('event#'))
                found.set(`${pk}\u0000${sk}`, { pk, sk });
        }
        return [...found.values()].map(({ pk, sk }) => ({ [tables/* FP_EVENTS */.bv.partitionKey]: (0,dynamodb_common.S)(pk), [tables/* FP_EVENTS */.bv.sortKey]: (0,dynamodb_common.S)(sk) }));
    }
    async mark(mark) {
        const problem = (0,fp_store/* fpRecordProblem */.$j)((0,fp_store/* markRecord */.Pz)(mark));
        if (problem)
            throw new types/* StoreError */.A(`invalid FP mark for ${JSON.stringify(mark.findingId)}: ${problem}`, false);
        const markedAtMs = Date.parse(mark.markedAt);
        const [head, indexed] = await Promise.all([this.readHead(mark.findingId), this.findingIndexItems(mark.findingId)]);
        const eventKeys = this.eventKeysOf(head, indexed, this.nowSec());
        const rules = new Set(head ? (0,dynamodb_common/* getSS */.pu)(head, 'rules') : []);
        for (const k of eventKeys)
            rules.add(((0,dynamodb_common/* getS */.sd)(k, tables/* FP_EVENTS */.bv.partitionKey) ?? '').slice('rule#'.length));
        if (mark.ruleId)
            rules.add(mark.ruleId);
        const stored = { ...mark };
        const [won] = await Promise.all([this.setHeadMark(stored, markedAtMs, rules), ...[...rules].map((r) => this.putMarkCopy(r, stored, markedAtMs))]);
        if (!won)
            return; // a newer mark stands, and its writer keeps the windows
        const known = this.knownFinding(mark.findingId);
        known.mark = { mark: stored, markedAtMs, rules };
        for (const [id, where] of recordedEvents(head))
            known.events.set(id, where.expiresAt);
        await this.markInWindows(stored, eventKeys);
    }
    /** Reads the finding's events and writes them, with the mark's verdict, into their rules' window items. */
    async markInWindows(mark, eventKeys) {
        if (eventKeys.length === 0)
            return;
        const nowSec = this.nowSec();
        // The first record of an event id is the event (events recorded before the guard may repeat).
        const first = new Map();
        for (const item of await (0,dynamodb_common/* batchGetAll */.Cy)(this.client, this.table, eventKeys, this.opts)) {
            const expiresAt = (0,dynamodb_common/* getN */.lj)(item, tables/* FP_EVENTS */.bv.ttlAttribute) ?? Number.MAX_SAFE_INTEGER;
            if (expiresAt <= nowSec)
                continue; // TTL deletion lags
            const e = eventFromItem(item);
            const prev = first.get(e.eventId);
            if (!prev || Date.parse(e.observedAt) < Date.parse(prev.event.observedAt))
                first.set(e.eventId, { event: applyMark(e, mark), expiresAt });
        }
        const byRule = groupBy([...first.values()], (x) => x.event.ruleId);
        await Promise.all([...byRule].map(([ruleId, entries]) => this.queueWindowEntries(ruleId, entries)));
    }
    async lookupMarks(findingIds) {
        const out = new Map();
        const ids = [...new Set(findingIds)];
        if (ids.length === 0)
            return out;
        const items = await (0,dynamodb_common/* batchGetAll */.Cy)(this.client, this.table, ids.map((id) => headKey(id)), this.opts);
        const seen = new Set();
        for (const item of items) {
            const findingId = ((0,dynamodb_common/* getS */.sd)(item, tables/* FP_EVENTS */.bv.partitionKey) ?? '').slice('finding#'.length);
            seen.add(findingId);
            const known = this.knownFinding(findingId);
            for (const [id, where] of recordedEvents(item))
                known.events.set(id, where.expiresAt);
            if (!isMarkItem(item)) {
                known.mark = null;
                continue;
            }
            const mark = markFromItem(item);
            out.set(findingId, mark);
            known.mark = { mark, markedAtMs: (0,dynamodb_common/* getN */.lj)(item, 'markedAtMs') ?? Date.parse(mark.markedAt), rules: new Set((0,dynamodb_common/* getSS */.pu)(item, 'rules')) };
        }
        for (const id of ids)
            if (!seen.has(id))
                this.knownFinding(id).mark = null;
        return new Map([...out].map(([k, v]) => [k, { ...v }]));
    }
    /**
     * Events of each finding: one Query of the GSI FindingIndex per id (keys only, paginated),
     * then BatchGetItem of those events and of the finding's head (its mark).
     */
    async findingEvents(findingIds) {
        const ids = [...new Set(findingIds)];
        const eventKeys = await Promise.all(ids.map(async (id) => this.eventKeysOf(undefined, await this.findingIndexItems(id), 0)));
        const wanted = eventKeys.flat();
        const out = new Map();
        if (wanted.length === 0)
            return out;
        const withEvents = ids.filter((_, i) => eventKeys[i].length > 0);
        const items = await (0,dynamodb_common/* batchGetAll */.Cy)(this.client, this.table, [...wanted, ...withEvents.map((id) => headKey(id))], this.opts);
        const marks = new Map();
        const events = [];
        for (const item of items) {
            const sk = (0,dynamodb_common/* getS */.sd)(item, tables/* FP_EVENTS */.bv.sortKey) ?? '';
            if (sk === tables/* keys */.HP.findingMarkSk) {
                if (isMarkItem(item)) {
                    const m = markFromItem(item);
                    marks.set(m.findingId, m);
                }
            }
            else if (sk.startsWith('event#'))
                events.push(eventFromItem(item));
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
    /** Count and since windows (calibrate mode): one Query of the rule's partition, newest first, paginated. */
    async windowOf(ruleId, options) {
        const count = options.count ?? DEFAULT_WINDOW_COUNT;
        if (count <= 0)
            return [];
        const names = { '#pk': tables/* FP_EVENTS */.bv.partitionKey };
        const values = { ':pk': (0,dynamodb_common.S)(tables/* keys */.HP.rulePk(ruleId)) };
        let condition = '#pk = :pk';
        if (options.since) {
            // `mark#…` sorts after every `event#…`, so the marks stay in range; `_window` does not.
            names['#sk'] = tables/* FP_EVENTS */.bv.sortKey;
            values[':from'] = (0,dynamodb_common.S)(tables/* keys */.HP.eventSkFloor(options.since.toISOString()));
            condition += ' AND #sk >= :from';
        }
        const marks = new Map();
        const picked = [];
        const nowSec = this.nowSec();
        const limit = Math.min(1000, Math.max(100, count * 2));
        let start;
        do {
            const page = await (0,dynamodb_common/* call */.T1)('Query', this.resource, this.opts, () => this.client.send(new dist_cjs/* QueryCommand */.sfZ({
                TableName: this.table,
                KeyConditionExpression: condition,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
                ScanIndexForward: false,
                ConsistentRead: true,
                Limit: limit,
                ExclusiveStartKey: start
            })));
            for (const item of page.Items ?? []) {
                const sk = (0,dynamodb_common/* getS */.sd)(item, tables/* FP_EVENTS */.bv.sortKey) ?? '';
                if (sk.startsWith('mark#')) {
                    const m = markFromItem(item);
                    marks.set(m.findingId, m);
                    continue;
                }
                // TTL deletion lags (up to days): an expired event is gone, and its id may be recorded anew.
                if (!sk.startsWith('event#') || ((0,dynamodb_common/* getN */.lj)(item, tables/* FP_EVENTS */.bv.ttlAttribute) ?? Infinity) <= nowSec)
                    continue;
                const e = applyMark(eventFromItem(item), marks.get((0,dynamodb_common/* getS */.sd)(item, 'findingId') ?? ''));
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
