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
 * ## fp-events: one table, three item kinds
 *
 * Departs from DESIGN §7 on purpose (README, design notes): DESIGN keys events by rule
 * (`rule#<id>` / `event#<iso>#<eventId>`) with a GSI by finding. Then no write can be its own
 * duplicate guard (the time is in the key), so a new event cost a second action on the finding's
 * head, and a first run of 51–100 new findings two transactions: five calls, over the budget of
 * four. Here the roles are swapped: items are keyed by finding, and the GSI `RuleIndex` carries
 * DESIGN's event key (`rule#<id>` / `event#<iso>#<eventId>`) for the windows.
 *
 * | item | pk | sk | other |
 * |---|---|---|---|
 * | finding head (what lookupMarks reads) | `finding#<findingId>` | `head` | `kind` `finding`, `findingId`; the finding's first live event as a map `ev` (FPEvent fields + `expiresAt`), with gsi1pk `rule#<ruleId>`, gsi1sk `event#<observedAt ISO>#<eventId>`; once marked, the FPMark fields and `markedAtMs`. TTL `expiresAt` (its event's) only while unmarked: a person's verdict does not expire. |
 * | further event of the finding | `finding#<findingId>` | `event#<eventId>` | `kind` `event`, `findingId`, `ev`, gsi1pk, gsi1sk as above, TTL `expiresAt` (90 d) |
 * | reviewed window (what the check's demotion reads) | `rule#<ruleId>` | `_window` | `kind` `window`, `ruleId`, `entries`: JSON list of the rule's newest 200 reviewed events, verdicts applied, one per event id, newest first, each with its event's expiresAt; `version` (N). No TTL, not indexed. |
 *
 * A check run records one event per finding (its id is stable per finding and repository), so
 * its events are all head events: one key per finding to read (marks, and whether the event is
 * recorded), one action per new finding to write.
 *
 * - `lookupMarks(ids)` is one BatchGetItem of the heads (100 keys per request; UnprocessedKeys
 *   retried with backoff). A head without mark fields is not a mark. The store remembers each
 *   head read (its event, whether it is marked), so recordEvents writes only what is new.
 * - `recordEvents`: heads not read yet are read first (one BatchGetItem; none in a check run,
 *   whose lookupMarks read them). An event already recorded (the head's event, or one this
 *   process wrote) costs nothing. A finding without a live head event claims the head with its
 *   first new event: an Update conditioned on the head having no live `ev` — the write is its
 *   own duplicate guard — and, while unmarked, setting the TTL on condition that no mark came
 *   meanwhile. A finding's other events are Puts of their own items, conditioned on the item
 *   being absent (or expired), next to either the claim or a ConditionCheck that the head's
 *   event is still the one known (so an id is never both). All in TransactWriteItems of at most
 *   100 actions, concurrent; a finding's later chunks in later waves. A cancelled transaction
 *   says which conditions failed and returns the items as they were (ALL_OLD): the store learns
 *   from them and sends the rest again. Reviewed events written (their own outcome, or a mark
 *   the store knows) join their rule's window item.
 * - Round trips of a check run (≤ 100 findings): BatchGetItem (marks), BatchGetItem (windows), at
 *   most one UpdateItem (block counter), at most one TransactWriteItems (new events), none when
 *   every finding was recorded before.
 * - `window(ruleIds, { reviewedOnly: true })` with a count of at most 200 and no since (the check's
 *   demotion read) is one BatchGetItem of the rules' `_window` items. Entries whose event has
 *   passed its expiresAt are dropped on read.
 * - Other windows (by count, by since: calibrate mode) are one Query per rule of `RuleIndex`
 *   (`gsi1pk = rule#<id>`, and `gsi1sk >= event#<since>`), descending, paginated, concurrent.
 *   A head carries its mark; further events get theirs from their heads (one BatchGetItem per
 *   page that has any), so events come back with reviewer, ticket and review time (upstream
 *   dropped the reviewer on read and computed FPR 0). The index is eventually consistent: an
 *   event written a moment before a calibration run may be missing from it.
 * - `mark` updates the head's mark fields on condition that no newer mark is there (the newest
 *   `markedAt` wins whatever the write order) and removes its TTL; when its mark wins it reads the
 *   finding's events (one Query of its partition) and rewrites each concerned rule's window item:
 *   GetItem, then PutItem conditioned on the version read, read again and retried on conflict
 *   (marks made concurrently in one process are merged into one write per rule).
 * - `findingEvents(ids)` is one Query per id of the finding's partition.
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
    gsiName: 'RuleIndex',
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
    findingPk: (findingId) => `finding#${findingId}`,
    findingHeadSk: 'head',
    /** A finding's further event (one that is not its head's). */
    findingEventSk: (eventId) => `event#${eventId}`,
    ruleWindowSk: '_window',
    /** RuleIndex keys of an event: DESIGN's event key. */
    gsi1pk: (ruleId) => `rule#${ruleId}`,
    gsi1sk: (observedAtIso, eventId) => `event#${observedAtIso}#${eventId}`,
    gsi1skFloor: (sinceIso) => `event#${sinceIso}`,
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
    /**
     * On the four tables. Transactions are authorised per action (PutItem, UpdateItem,
     * ConditionCheckItem), so no Transact* action.
     */
    dynamodbTables: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    /** On `<fp-events>/index/RuleIndex`. */
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
                        // Windows read events (and heads' marks) from the index itself.
                        Projection: { ProjectionType: 'ALL' }
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
