export const id = 822;
export const ids = [822];
export const modules = {

/***/ 9822:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EI: () => (/* binding */ NONCE_CACHE_MS),
/* harmony export */   HP: () => (/* binding */ keys),
/* harmony export */   JK: () => (/* binding */ BLOCK_COUNTER),
/* harmony export */   NONCE_PARAMETER_PATTERN: () => (/* binding */ NONCE_PARAMETER_PATTERN),
/* harmony export */   NONCE_PARAMETER_PREFIX: () => (/* binding */ NONCE_PARAMETER_PREFIX),
/* harmony export */   Pv: () => (/* binding */ CONSENT),
/* harmony export */   bv: () => (/* binding */ FP_EVENTS),
/* harmony export */   jY: () => (/* binding */ CALIBRATION),
/* harmony export */   yC: () => (/* binding */ baselineObjectKey)
/* harmony export */ });
/* unused harmony exports DEFAULT_TABLE_NAMES, BASELINE_KEY_TEMPLATE, DEFAULT_NONCE_PARAMETER_PATH, IAM_ACTIONS, CIRCUIT_BREAKER_LOG_TOKEN, tableDefinitions */
/**
 * The AWS data layout (DESIGN §7): table key schemas, fixed attribute names, TTLs, the SSM
 * parameter names and the IAM actions the action needs. Code, `scripts/tables.mjs`, the
 * Terraform in infra/terraform and the tests all read these constants.
 *
 * This module imports nothing (scripts/tables.mjs transpiles it on the fly) and never loads the SDK.
 *
 * ## fp-events: one table, four item kinds
 *
 * | item | pk | sk | other |
 * |---|---|---|---|
 * | event (a finding seen: the first record of an event id) | `rule#<ruleId>` | `event#<observedAt ISO>#<eventId>` | gsi1pk `finding#<findingId>`, gsi1sk `rule#<ruleId>#<ruleVersion>`, expiresAt (90 d), the FPEvent fields |
 * | finding head (what lookupMarks reads) | `finding#<findingId>` | `mark` | `kind` `finding`, `findingId`; per recorded event id an attribute `ev#<eventId>` = map {`pk`, `sk`, `expiresAt`} of its event item (the duplicate guard); once marked, the FPMark fields, `markedAtMs` and `rules` (string set of rule partitions holding a copy). No TTL. |
 * | mark, copy in the rule's partition (what count and since windows read) | `rule#<ruleId>` | `mark#<findingId>` | the FPMark fields, `markedAtMs` |
 * | reviewed window (what the check's demotion reads) | `rule#<ruleId>` | `_window` | `kind` `window`, `ruleId`, `entries`: JSON list of the rule's newest 200 reviewed events, verdicts applied, one per event id, newest first, each with its event's expiresAt; `version` (N). No TTL. |
 *
 * In a rule partition `_window` < `event#…` < `mark#…`: a descending Query meets the marks first,
 * then the events, the window item last (and skips it); `sk >= event#<since>` leaves it out.
 *
 * - `lookupMarks(ids)` is one BatchGetItem of `finding#<id>`/`mark` keys (100 keys per request;
 *   UnprocessedKeys retried with backoff). A head without mark fields is not a mark. Every head
 *   read tells which event ids of the finding are recorded; the store remembers them, so that
 *   recordEvents skips them without a call.
 * - `window(ruleIds, { reviewedOnly: true })` with a count of at most 200 and no since (the check's
 *   demotion read) is one BatchGetItem of the rules' `_window` items (100 keys per request).
 *   Entries whose event has passed its expiresAt are dropped on read.
 * - Other windows (by count, by since: calibrate mode) are one Query per rule on `pk = rule#<id>`
 *   (and `sk >= event#<since>` when a since is given), descending, paginated, issued
 *   concurrently. Because `mark#` sorts after `event#`, a descending Query meets the rule's marks
 *   before any event, so events come back with their reviewer, ticket and review time applied,
 *   in the same read (upstream dropped the reviewer on read and computed FPR 0).
 * - `recordEvents`: an event whose id is known recorded costs no call. Every other event is two
 *   actions of a TransactWriteItems: an Update of its finding's head setting `ev#<eventId>`,
 *   conditioned on that attribute being absent (or expired) — the guard that makes recording
 *   idempotent per event id whatever the observedAt, and that leaves the mark fields alone — and
 *   the Put of the event item (conditioned on `attribute_not_exists(pk)`). 50 events (100
 *   actions) per transaction, a head at most once per transaction, transactions concurrent. A
 *   cancelled transaction says which actions failed their condition (the head's old image, asked
 *   for with ALL_OLD, says which ids were there): those events are duplicates, dropped, and the
 *   rest written again. Reviewed events written (their own outcome, or a mark this store knows)
 *   are added to their rule's window item.
 * - Round trips of a check run (≤ 100 findings): BatchGetItem (marks), BatchGetItem (windows), at
 *   most one UpdateItem (block counter), and for the events none when every finding was recorded
 *   before, one transaction for up to 50 new ones, two concurrent ones for 51–100 (a first run
 *   of 100 new findings is 5 requests).
 * - `mark` reads the head (GetItem) and the finding's events (GSI `FindingIndex`, plus the head's
 *   `ev#` entries), then updates the head's mark fields and puts the copy in each rule partition
 *   where the finding has events, each conditioned on "no newer mark", so the newest `markedAt`
 *   wins whatever the write order. When its mark wins it reads those events (BatchGetItem) and
 *   rewrites each concerned rule's window item: GetItem, then PutItem conditioned on the version
 *   read, read again and retried on conflict (marks made concurrently in one process are merged
 *   into one write per rule). Marks carry no TTL: a person's verdict does not expire with the
 *   events.
 *
 * ## block-counter
 * pk `bucketKey` = `<repo>#<yyyy-mm-ddThh>`; `count` (number), `runs` (string set of
 * `<run_id>.<attempt>`), `expiresAt` (3 h after the later of the bucket hour and the write).
 * One UpdateItem: `ADD count 1, runs {run}` conditioned on `NOT contains(runs, run)`.
 *
 * ## consent
 * pk `orgId`, sk `<scope>#<resource>` (resource: a repository name or `*` for the organisation).
 *
 * ## calibration
 * pk `rule#<ruleId>`, sk `<bucket>#<orgHash>`; calibration snapshots pk `snapshot#<scope>`, sk `latest`.
 */
const FP_EVENTS = {
    logicalName: 'fp-events',
    partitionKey: 'pk',
    sortKey: 'sk',
    gsiName: 'FindingIndex',
    gsiPartitionKey: 'gsi1pk',
    gsiSortKey: 'gsi1sk',
    ttlAttribute: 'expiresAt',
    ttlDays: 90
};
const BLOCK_COUNTER = {
    logicalName: 'block-counter',
    partitionKey: 'bucketKey',
    countAttribute: 'count',
    runsAttribute: 'runs',
    ttlAttribute: 'expiresAt',
    ttlHours: 3
};
const CONSENT = {
    logicalName: 'consent',
    partitionKey: 'orgId',
    sortKey: 'sk'
};
const CALIBRATION = {
    logicalName: 'calibration',
    partitionKey: 'pk',
    sortKey: 'sk'
};
/** Table names used when no input names them (`npm run tables`, infra defaults). */
const DEFAULT_TABLE_NAMES = {
    fp: 'pm-action-fp-events',
    blockCounter: 'pm-action-block-counter',
    consent: 'pm-action-consent',
    calibration: 'pm-action-calibration'
};
/** Key builders (the value formats of DESIGN §7). */
const keys = {
    rulePk: (ruleId) => `rule#${ruleId}`,
    eventSk: (observedAtIso, eventId) => `event#${observedAtIso}#${eventId}`,
    eventSkFloor: (sinceIso) => `event#${sinceIso}`,
    findingPk: (findingId) => `finding#${findingId}`,
    findingMarkSk: 'mark',
    /** Attribute of the finding head recording one event id (the duplicate guard). */
    findingEventAttribute: (eventId) => `ev#${eventId}`,
    ruleMarkSk: (findingId) => `mark#${findingId}`,
    /** Sorts before `event#` (outside since ranges) and so last in a descending Query. */
    ruleWindowSk: '_window',
    gsi1sk: (ruleId, ruleVersion) => `rule#${ruleId}#${ruleVersion}`,
    bucketKey: (repository, hourBucket) => `${repository}#${hourBucket}`,
    consentSk: (scope, resource) => `${scope}#${resource}`,
    calibrationPk: (ruleId) => `rule#${ruleId}`,
    calibrationSk: (bucket, orgHash) => `${bucket}#${orgHash}`,
    snapshotPk: (scope) => `snapshot#${scope}`,
    snapshotSk: 'latest'
};
/** S3 key of a repository's baseline when `baseline-key` is not set. */
const BASELINE_KEY_TEMPLATE = '<owner>/<repo>/integrity-baseline.json';
function baselineObjectKey(owner, repo) {
    return BASELINE_KEY_TEMPLATE.replace('<owner>', owner).replace('<repo>', repo);
}
/** SSM: `<nonce-parameter-path>redaction_nonce_v<N>`, SecureString, 64 hex. */
const NONCE_PARAMETER_PREFIX = 'redaction_nonce_v';
const NONCE_PARAMETER_PATTERN = /^redaction_nonce_v(\d+)$/;
const DEFAULT_NONCE_PARAMETER_PATH = '/guardian/prod/';
/** How long a loaded redaction key is used before SSM is read again (DESIGN §5 nonce_freshness). */
const NONCE_CACHE_MS = 60 * 60 * 1000;
/** IAM actions the action's role needs, per resource (least privilege; infra/terraform must match). */
const IAM_ACTIONS = {
    /** On the four tables. Transactions are authorised per item (PutItem, UpdateItem), so no Transact* action. */
    dynamodbTables: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    /** On `<fp-events>/index/FindingIndex`. */
    dynamodbIndex: ['dynamodb:Query'],
    /** On the baseline objects. */
    s3Objects: ['s3:GetObject', 's3:PutObject'],
    /** On the bucket: without ListBucket a missing baseline reads as 403 instead of 404. */
    s3Bucket: ['s3:ListBucket'],
    /** On the nonce parameter path. */
    ssm: ['ssm:GetParametersByPath'],
    /** On the KMS key encrypting tables, bucket and parameters. */
    kms: ['kms:Decrypt', 'kms:GenerateDataKey']
};
/** The warning the action prints when the circuit breaker trips (src/main.ts), for the CloudWatch metric filter. */
const CIRCUIT_BREAKER_LOG_TOKEN = 'circuit_breaker_triggered';
/** The four tables, under the given names. */
function tableDefinitions(names = {}) {
    const n = { ...DEFAULT_TABLE_NAMES, ...names };
    const s = (AttributeName) => ({ AttributeName, AttributeType: 'S' });
    const hash = (AttributeName) => ({ AttributeName, KeyType: 'HASH' });
    const range = (AttributeName) => ({ AttributeName, KeyType: 'RANGE' });
    return [
        {
            kind: 'fp',
            ttlAttribute: FP_EVENTS.ttlAttribute,
            create: {
                TableName: n.fp,
                BillingMode: 'PAY_PER_REQUEST',
                AttributeDefinitions: [s(FP_EVENTS.partitionKey), s(FP_EVENTS.sortKey), s(FP_EVENTS.gsiPartitionKey), s(FP_EVENTS.gsiSortKey)],
                KeySchema: [hash(FP_EVENTS.partitionKey), range(FP_EVENTS.sortKey)],
                GlobalSecondaryIndexes: [
                    {
                        IndexName: FP_EVENTS.gsiName,
                        KeySchema: [hash(FP_EVENTS.gsiPartitionKey), range(FP_EVENTS.gsiSortKey)],
                        Projection: { ProjectionType: 'KEYS_ONLY' }
                    }
                ]
            }
        },
        {
            kind: 'blockCounter',
            ttlAttribute: BLOCK_COUNTER.ttlAttribute,
            create: {
                TableName: n.blockCounter,
                BillingMode: 'PAY_PER_REQUEST',
                AttributeDefinitions: [s(BLOCK_COUNTER.partitionKey)],
                KeySchema: [hash(BLOCK_COUNTER.partitionKey)]
            }
        },
        {
            kind: 'consent',
            create: {
                TableName: n.consent,
                BillingMode: 'PAY_PER_REQUEST',
                AttributeDefinitions: [s(CONSENT.partitionKey), s(CONSENT.sortKey)],
                KeySchema: [hash(CONSENT.partitionKey), range(CONSENT.sortKey)]
            }
        },
        {
            kind: 'calibration',
            create: {
                TableName: n.calibration,
                BillingMode: 'PAY_PER_REQUEST',
                AttributeDefinitions: [s(CALIBRATION.partitionKey), s(CALIBRATION.sortKey)],
                KeySchema: [hash(CALIBRATION.partitionKey), range(CALIBRATION.sortKey)]
            }
        }
    ];
}


/***/ })

};
