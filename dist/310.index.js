export const id = 310;
export const ids = [310];
export const modules = {

/***/ 3310:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DEFAULT_WINDOW_COUNT: () => (/* binding */ DEFAULT_WINDOW_COUNT),
/* harmony export */   DynamoDBFPStore: () => (/* binding */ DynamoDBFPStore),
/* harmony export */   TRANSACT_MAX: () => (/* binding */ TRANSACT_MAX),
/* harmony export */   eventFromItem: () => (/* binding */ eventFromItem),
/* harmony export */   markFromItem: () => (/* binding */ markFromItem)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4305);
/* harmony import */ var _aws_retry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2495);
/* harmony import */ var _local_fp_store_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4611);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7940);
/* harmony import */ var _dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5209);
/* harmony import */ var _tables_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9822);
/**
 * FPStore on DynamoDB (`fp-events`). The item layout and the access pattern of each method are
 * documented in tables.ts. Round trips per check run: lookupMarks = one BatchGetItem (≤ 100 ids),
 * window = one Query per rule (concurrent, paginated), recordEvents = one TransactWriteItems
 * (≤ 100 events).
 */






const DEFAULT_WINDOW_COUNT = 200;
/** TransactWriteItems takes at most 100 items. */
const TRANSACT_MAX = 100;
const OUTCOMES = ['pending', 'false_positive', 'true_positive'];
function normaliseIso(value) {
    return new Date(value).toISOString();
}
function eventItem(e, expiresAt) {
    const item = {
        [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.rulePk(e.ruleId)),
        [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.eventSk(normaliseIso(e.observedAt), e.eventId)),
        [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.gsiPartitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingPk(e.findingId)),
        [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.gsiSortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.gsi1sk(e.ruleId, e.ruleVersion)),
        [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.ttlAttribute]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.N)(expiresAt),
        kind: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)('event'),
        eventId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(e.eventId),
        findingId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(e.findingId),
        ruleId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(e.ruleId),
        ruleVersion: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(e.ruleVersion),
        repository: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(e.repository),
        runId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(e.runId),
        observedAt: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(e.observedAt),
        outcome: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(e.outcome)
    };
    // The reviewer travels with the event both ways (upstream dropped it on read: FPR 0).
    return (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .putOptional */ .QO)(item, { reviewer: e.reviewer, ticket: e.ticket, reviewedAt: e.reviewedAt });
}
/** An event item read back, every FPEvent field included. */
function eventFromItem(item) {
    const outcome = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'outcome');
    const e = {
        eventId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'eventId') ?? '',
        findingId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'findingId') ?? '',
        ruleId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'ruleId') ?? '',
        ruleVersion: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'ruleVersion') ?? '',
        repository: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'repository') ?? '',
        runId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'runId') ?? '',
        observedAt: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'observedAt') ?? '',
        outcome: OUTCOMES.includes(outcome) ? outcome : 'pending'
    };
    for (const k of ['reviewer', 'ticket', 'reviewedAt']) {
        const v = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, k);
        if (v !== undefined)
            e[k] = v;
    }
    return e;
}
function markItem(pk, sk, m, markedAtMs, rules) {
    const item = {
        [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(pk),
        [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(sk),
        kind: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)('mark'),
        findingId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(m.findingId),
        outcome: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(m.outcome),
        reviewer: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(m.reviewer),
        markedAt: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(m.markedAt),
        markedAtMs: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.N)(markedAtMs)
    };
    if (rules && rules.size > 0)
        item.rules = { SS: [...rules].sort() };
    return (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .putOptional */ .QO)(item, { ruleId: m.ruleId, ticket: m.ticket });
}
function markFromItem(item) {
    const m = {
        findingId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'findingId') ?? '',
        outcome: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'outcome') === 'true_positive' ? 'true_positive' : 'false_positive',
        reviewer: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'reviewer') ?? '',
        markedAt: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'markedAt') ?? ''
    };
    const ruleId = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'ruleId');
    if (ruleId !== undefined)
        m.ruleId = ruleId;
    const ticket = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'ticket');
    if (ticket !== undefined)
        m.ticket = ticket;
    return m;
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
    return (0,_aws_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .classifyAwsError */ .u3)(error).code === 'ConditionalCheckFailedException';
}
/** Indexes of the items a cancelled transaction rejected as duplicates, or null when it was not that. */
function duplicateIndexes(error) {
    const e = error;
    if (e?.name !== 'TransactionCanceledException' || !Array.isArray(e.CancellationReasons))
        return null;
    const codes = e.CancellationReasons.map((r) => r?.Code ?? 'None');
    if (!codes.includes('ConditionalCheckFailed'))
        return null;
    // Other items of a cancelled transaction report None; anything else must surface.
    if (codes.some((c) => c !== 'None' && c !== 'ConditionalCheckFailed'))
        return null;
    return codes.flatMap((c, i) => (c === 'ConditionalCheckFailed' ? [i] : []));
}
class DynamoDBFPStore {
    client;
    table;
    opts;
    resource;
    /** Marks seen by lookupMarks/mark in this process (null: looked up, none), for placing copies. */
    known = new Map();
    constructor(client, table, opts = {}) {
        this.client = client;
        this.table = table;
        this.opts = opts;
        this.resource = `table ${table}`;
    }
    now() {
        return this.opts.now ? this.opts.now() : new Date();
    }
    async recordEvents(events) {
        if (events.length === 0)
            return;
        for (const e of events) {
            const problem = (0,_local_fp_store_js__WEBPACK_IMPORTED_MODULE_1__/* .fpRecordProblem */ .$j)((0,_local_fp_store_js__WEBPACK_IMPORTED_MODULE_1__/* .eventRecord */ .Wd)(e));
            if (problem)
                throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .StoreError */ .A(`invalid FP event ${JSON.stringify(e.eventId)}: ${problem}`, false);
        }
        const unique = new Map();
        for (const e of events)
            if (!unique.has(e.eventId))
                unique.set(e.eventId, e);
        const expiresAt = Math.floor(this.now().getTime() / 1000) + (this.opts.ttlDays ?? _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.ttlDays) * 86_400;
        const items = [...unique.values()].map((e) => eventItem(e, expiresAt));
        const chunks = [];
        for (let i = 0; i < items.length; i += TRANSACT_MAX)
            chunks.push(items.slice(i, i + TRANSACT_MAX));
        await Promise.all(chunks.map((chunk) => this.writeNew(chunk)));
        await this.placeKnownMarks([...unique.values()]);
    }
    /** Puts items that do not exist yet; existing ones (same key) are left as they are. */
    async writeNew(items) {
        let pending = items;
        while (pending.length > 0) {
            const current = pending;
            const duplicates = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('TransactWriteItems', this.resource, this.opts, async () => {
                const TransactItems = current.map((Item) => ({
                    Put: { TableName: this.table, Item, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey } }
                }));
                try {
                    await this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .TransactWriteItemsCommand */ .DS2({ TransactItems }));
                    return [];
                }
                catch (error) {
                    const dup = duplicateIndexes(error);
                    if (dup)
                        return dup;
                    throw error;
                }
            });
            if (duplicates.length === 0)
                return;
            const drop = new Set(duplicates);
            pending = current.filter((_, i) => !drop.has(i));
        }
    }
    /**
     * A mark made without a rule id before any event of its finding existed has no copy in the
     * rule's partition yet; when this process knows such a mark (from lookupMarks), the copy is
     * placed now. No call at all in the usual case.
     */
    async placeKnownMarks(events) {
        const todo = new Map();
        for (const e of events) {
            const known = this.known.get(e.findingId);
            if (known && !known.rules.has(e.ruleId))
                todo.set(`${e.findingId}\u0000${e.ruleId}`, { known, ruleId: e.ruleId });
        }
        await Promise.all([...todo.values()].map(async ({ known, ruleId }) => {
            try {
                await this.putMarkCopy(ruleId, known.mark, known.markedAtMs);
                await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('UpdateItem', this.resource, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .UpdateItemCommand */ .Cs({
                    TableName: this.table,
                    Key: { [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingPk(known.mark.findingId)), [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingMarkSk) },
                    UpdateExpression: 'ADD #rules :r',
                    ConditionExpression: 'attribute_exists(#pk)',
                    ExpressionAttributeNames: { '#rules': 'rules', '#pk': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey },
                    ExpressionAttributeValues: { ':r': { SS: [ruleId] } }
                })));
                known.rules.add(ruleId);
            }
            catch (error) {
                this.opts.log?.warning(`Could not apply the mark of finding ${known.mark.findingId} to rule ${ruleId}'s window: ${error.message}`);
            }
        }));
    }
    /** Conditional put: only when no newer mark is stored there. False when a newer one is. */
    async putIfNewer(item, markedAtMs) {
        return (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('PutItem', this.resource, this.opts, async () => {
            try {
                await this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .PutItemCommand */ .qnp({
                    TableName: this.table,
                    Item: item,
                    ConditionExpression: 'attribute_not_exists(#pk) OR #t <= :t',
                    ExpressionAttributeNames: { '#pk': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey, '#t': 'markedAtMs' },
                    ExpressionAttributeValues: { ':t': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.N)(markedAtMs) }
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
    putMarkCopy(ruleId, mark, markedAtMs) {
        return this.putIfNewer(markItem(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.rulePk(ruleId), _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.ruleMarkSk(mark.findingId), mark, markedAtMs), markedAtMs);
    }
    /** Every GSI FindingIndex item of a finding (keys only), all pages. */
    async findingIndexItems(findingId) {
        const items = [];
        let start;
        do {
            const page = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('Query', `${this.resource} (index ${_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.gsiName})`, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .QueryCommand */ .sfZ({
                TableName: this.table,
                IndexName: _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.gsiName,
                KeyConditionExpression: '#g = :g',
                ExpressionAttributeNames: { '#g': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.gsiPartitionKey },
                ExpressionAttributeValues: { ':g': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingPk(findingId)) },
                ExclusiveStartKey: start
            })));
            items.push(...(page.Items ?? []));
            start = page.LastEvaluatedKey;
        } while (start);
        return items;
    }
    /** Rules with events of the finding. */
    async rulesOfFinding(findingId) {
        const rules = new Set();
        for (const item of await this.findingIndexItems(findingId)) {
            const pk = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey);
            if (pk?.startsWith('rule#'))
                rules.add(pk.slice('rule#'.length));
        }
        return [...rules];
    }
    async mark(mark) {
        const problem = (0,_local_fp_store_js__WEBPACK_IMPORTED_MODULE_1__/* .fpRecordProblem */ .$j)((0,_local_fp_store_js__WEBPACK_IMPORTED_MODULE_1__/* .markRecord */ .Pz)(mark));
        if (problem)
            throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .StoreError */ .A(`invalid FP mark for ${JSON.stringify(mark.findingId)}: ${problem}`, false);
        const markedAtMs = Date.parse(mark.markedAt);
        const findingKey = { [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingPk(mark.findingId)), [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingMarkSk) };
        const [current, indexed] = await Promise.all([
            (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('GetItem', this.resource, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .GetItemCommand */ .ZKh({ TableName: this.table, Key: findingKey, ConsistentRead: true }))),
            this.rulesOfFinding(mark.findingId)
        ]);
        const rules = new Set([...indexed, ...(current.Item ? (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getSS */ .pu)(current.Item, 'rules') : [])]);
        if (mark.ruleId)
            rules.add(mark.ruleId);
        const stored = { ...mark };
        const [won] = await Promise.all([
            this.putIfNewer(markItem(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingPk(mark.findingId), _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingMarkSk, stored, markedAtMs, rules), markedAtMs),
            ...[...rules].map((r) => this.putMarkCopy(r, stored, markedAtMs))
        ]);
        if (won)
            this.known.set(mark.findingId, { mark: stored, markedAtMs, rules });
    }
    async lookupMarks(findingIds) {
        const out = new Map();
        const ids = [...new Set(findingIds)];
        if (ids.length === 0)
            return out;
        const items = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .batchGetAll */ .Cy)(this.client, this.table, ids.map((id) => ({ [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingPk(id)), [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingMarkSk) })), this.opts);
        for (const item of items) {
            const mark = markFromItem(item);
            out.set(mark.findingId, mark);
            this.known.set(mark.findingId, { mark, markedAtMs: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getN */ .lj)(item, 'markedAtMs') ?? Date.parse(mark.markedAt), rules: new Set((0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getSS */ .pu)(item, 'rules')) });
        }
        for (const id of ids)
            if (!out.has(id))
                this.known.set(id, null);
        return new Map([...out].map(([k, v]) => [k, { ...v }]));
    }
    /**
     * Events of each finding: one Query of the GSI FindingIndex per id (keys only, paginated),
     * then BatchGetItem of those events and of the finding's mark.
     */
    async findingEvents(findingIds) {
        const ids = [...new Set(findingIds)];
        const eventKeys = await Promise.all(ids.map((id) => this.eventKeysOf(id)));
        const wanted = eventKeys.flat();
        const out = new Map();
        if (wanted.length === 0)
            return out;
        const withEvents = ids.filter((_, i) => eventKeys[i].length > 0);
        const items = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .batchGetAll */ .Cy)(this.client, this.table, [...wanted, ...withEvents.map((id) => ({ [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingPk(id)), [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.findingMarkSk) }))], this.opts);
        const marks = new Map();
        const events = [];
        for (const item of items) {
            if ((0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'kind') === 'mark') {
                const m = markFromItem(item);
                marks.set(m.findingId, m);
            }
            else if (((0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey) ?? '').startsWith('event#'))
                events.push(eventFromItem(item));
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
    async eventKeysOf(findingId) {
        const out = [];
        for (const item of await this.findingIndexItems(findingId)) {
            const pk = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey);
            const sk = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey);
            if (pk && sk?.startsWith('event#'))
                out.push({ [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(pk), [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(sk) });
        }
        return out;
    }
    async window(ruleIds, options = {}) {
        const unique = [...new Set(ruleIds)];
        const results = await Promise.all(unique.map((r) => this.windowOf(r, options)));
        const out = new Map();
        unique.forEach((r, i) => out.set(r, results[i]));
        return out;
    }
    async windowOf(ruleId, options) {
        const count = options.count ?? DEFAULT_WINDOW_COUNT;
        if (count <= 0)
            return [];
        const names = { '#pk': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.partitionKey };
        const values = { ':pk': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.rulePk(ruleId)) };
        let condition = '#pk = :pk';
        if (options.since) {
            // `mark#…` sorts after every `event#…`, so the marks stay in range.
            names['#sk'] = _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey;
            values[':from'] = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.eventSkFloor(options.since.toISOString()));
            condition += ' AND #sk >= :from';
        }
        const marks = new Map();
        const picked = [];
        const limit = Math.min(1000, Math.max(100, count * 2));
        let start;
        do {
            const page = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('Query', this.resource, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .QueryCommand */ .sfZ({
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
                const sk = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .FP_EVENTS */ .bv.sortKey) ?? '';
                if (sk.startsWith('mark#')) {
                    const m = markFromItem(item);
                    marks.set(m.findingId, m);
                    continue;
                }
                if (!sk.startsWith('event#'))
                    continue;
                const e = applyMark(eventFromItem(item), marks.get((0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'findingId') ?? ''));
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
