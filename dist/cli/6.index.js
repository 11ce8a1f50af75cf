export const id = 6;
export const ids = [6,822];
export const modules = {

/***/ 2495:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   aB: () => (/* binding */ RetryExhaustedError),
/* harmony export */   bD: () => (/* binding */ withRetry),
/* harmony export */   u3: () => (/* binding */ classifyAwsError)
/* harmony export */ });
/* unused harmony exports DEFAULT_RETRY_POLICY, defaultSleep, backoffDelay, retryPolicy */
/**
 * Classification of AWS errors and retry with full-jitter exponential backoff inside a total
 * time budget (DESIGN §8). Transient: throttling, 5xx, network failures and timeouts. Never
 * retried: access denied, validation, invalid or expired identity tokens, missing resources,
 * failed conditions — retrying those only delays a message someone has to act on.
 *
 * No AWS SDK import here: errors are read structurally (`name`, `code`, `$metadata`, `$fault`).
 */
const THROTTLING = new Set([
    'ThrottlingException',
    'Throttling',
    'ThrottledException',
    'RequestThrottledException',
    'RequestThrottled',
    'TooManyRequestsException',
    'ProvisionedThroughputExceededException',
    'RequestLimitExceeded',
    'BandwidthLimitExceeded',
    'LimitExceededException',
    'SlowDown',
    'PriorRequestNotComplete',
    'TransactionInProgressException',
    'ThrottlingError'
]);
const SERVER = new Set([
    'InternalServerError',
    'InternalServerErrorException',
    'InternalFailure',
    'InternalError',
    'ServiceUnavailable',
    'ServiceUnavailableException',
    'TransactionConflictException',
    'TransactionConflict',
    'IDPCommunicationError',
    'IDPCommunicationErrorException',
    'RequestTimeout',
    'RequestTimeoutException'
]);
const NETWORK = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENETDOWN',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'TimeoutError',
    'NetworkingError',
    'AbortError'
]);
const NETWORK_MESSAGE = /\b(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|TimeoutError)\b|socket hang up/;
const ACCESS_DENIED = new Set([
    'AccessDenied',
    'AccessDeniedException',
    'UnauthorizedOperation',
    'UnrecognizedClientException',
    'InvalidClientTokenId',
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'MissingAuthenticationToken',
    'MissingAuthenticationTokenException',
    'IncompleteSignature',
    'IncompleteSignatureException',
    'ExpiredToken',
    'ExpiredTokenException',
    'AllAccessDisabled',
    'KMSAccessDeniedException',
    'KMS.AccessDeniedException'
]);
const INVALID_TOKEN = new Set([
    'InvalidIdentityToken',
    'InvalidIdentityTokenException',
    'IDPRejectedClaim',
    'IDPRejectedClaimException'
]);
const VALIDATION = new Set([
    'ValidationException',
    'ValidationError',
    'SerializationException',
    'InvalidParameterValue',
    'InvalidParameterException',
    'MalformedPolicyDocument',
    'MalformedPolicyDocumentException',
    'PackedPolicyTooLarge',
    'InvalidRequest',
    'InvalidArgument',
    'ParameterVersionNotFound',
    'InvalidKeyId',
    'InvalidNextToken',
    'InvalidFilterKey',
    'ItemCollectionSizeLimitExceededException'
]);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'NoSuchKey', 'NotFound', 'NoSuchBucket', 'ParameterNotFound', 'TableNotFoundException']);
const CONDITIONAL = new Set(['ConditionalCheckFailedException', 'ConditionalCheckFailed', 'TransactionCanceledException', 'PreconditionFailed']);
function str(v) {
    return typeof v === 'string' && v.length > 0 ? v : undefined;
}
/** Reads what kind of failure an AWS SDK (or network) error is, and whether retrying can help. */
function classifyAwsError(error) {
    const e = (typeof error === 'object' && error !== null ? error : {});
    const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
    const message = str(e.message) ?? String(error);
    const names = [str(e.code), str(e.Code), str(e.name)].filter((x) => x !== undefined);
    // Network errors often come wrapped (`cause`), and carry the code only there.
    const cause = typeof e.cause === 'object' && e.cause !== null ? e.cause : undefined;
    if (cause)
        names.push(...[str(cause.code), str(cause.name)].filter((x) => x !== undefined));
    const code = names.find((n) => n !== 'Error') ?? names[0] ?? 'Error';
    const info = (kind, transient) => ({ kind, transient, code, status, message });
    const has = (set) => names.some((n) => set.has(n));
    if (names.includes('TransactionCanceledException')) {
        // A cancelled transaction is transient only when no item failed for a lasting reason.
        const reasons = error.CancellationReasons ?? [];
        const codes = reasons.map((r) => r?.Code ?? 'None').filter((c) => c !== 'None');
        const retryable = (c) => THROTTLING.has(c) || SERVER.has(c) || c === 'ProvisionedThroughputExceeded';
        if (codes.length > 0 && codes.every(retryable))
            return info(codes.some((c) => THROTTLING.has(c) || c === 'ProvisionedThroughputExceeded') ? 'throttling' : 'server', true);
        return info(codes.some((c) => c === 'ValidationError') ? 'validation' : 'conditional', false);
    }
    if (has(INVALID_TOKEN))
        return info('invalid_token', false);
    if (has(ACCESS_DENIED))
        return info('access_denied', false);
    if (has(THROTTLING) || e.$retryable?.throttling === true || status === 429)
        return info('throttling', true);
    if (has(CONDITIONAL))
        return info('conditional', false);
    if (has(NOT_FOUND))
        return info('not_found', false);
    if (has(VALIDATION))
        return info('validation', false);
    if (has(SERVER) || (status !== undefined && status >= 500))
        return info('server', true);
    if (has(NETWORK))
        return info('network', true);
    // Errors thrown across realms (or by older handlers) reach the SDK's retry layer as plain
    // errors that keep only the text: "AWS SDK error wrapper for TimeoutError: socket hang up".
    if (status === undefined && NETWORK_MESSAGE.test(message))
        return info('network', true);
    if (status === 403 || status === 401)
        return info('access_denied', false);
    if (status === 404)
        return info('not_found', false);
    if (status !== undefined && status >= 400)
        return info('client', false);
    if (e.$fault === 'server')
        return info('server', true);
    return info('unknown', false);
}
const DEFAULT_RETRY_POLICY = { budgetMs: 20_000, baseMs: 100, capMs: 5_000, maxAttempts: 12 };
/** A transient failure that outlasted the retry budget. `cause` is the last error. */
class RetryExhaustedError extends Error {
    what;
    attempts;
    info;
    cause;
    constructor(what, attempts, info, cause) {
        super(`${what} still failing after ${attempts} attempt(s) within the retry budget: ${info.code}: ${info.message}`);
        this.what = what;
        this.attempts = attempts;
        this.info = info;
        this.cause = cause;
        this.name = 'RetryExhaustedError';
    }
}
const defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Full jitter: uniform in [0, min(cap, base·2^(attempt-1))). */
function backoffDelay(attempt, policy, random = Math.random) {
    const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.floor(random() * ceiling);
}
/** The policy with the given overrides applied. */
function retryPolicy(options = {}) {
    return {
        budgetMs: options.budgetMs ?? DEFAULT_RETRY_POLICY.budgetMs,
        baseMs: options.baseMs ?? DEFAULT_RETRY_POLICY.baseMs,
        capMs: options.capMs ?? DEFAULT_RETRY_POLICY.capMs,
        maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts
    };
}
/**
 * Runs `op` until it succeeds, fails with a non-transient error (rethrown as is), or the budget
 * or attempt limit is spent (RetryExhaustedError with the last error as cause).
 */
async function withRetry(op, options = {}) {
    const policy = retryPolicy(options);
    const sleep = options.sleep ?? defaultSleep;
    const random = options.random ?? Math.random;
    const now = options.now ?? Date.now;
    const classify = options.classify ?? classifyAwsError;
    const what = options.what ?? 'AWS call';
    const start = now();
    for (let attempt = 1;; attempt++) {
        try {
            return await op(attempt);
        }
        catch (error) {
            const info = classify(error);
            if (!info.transient)
                throw error;
            const delayMs = backoffDelay(attempt, policy, random);
            if (attempt >= policy.maxAttempts || now() - start + delayMs > policy.budgetMs) {
                throw new RetryExhaustedError(what, attempt, info, error);
            }
            options.onRetry?.({ attempt, delayMs, error: info, what });
            await sleep(delayMs);
        }
    }
}


/***/ }),

/***/ 5209:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cy: () => (/* binding */ batchGetAll),
/* harmony export */   N: () => (/* binding */ N),
/* harmony export */   QO: () => (/* binding */ putOptional),
/* harmony export */   S: () => (/* binding */ S),
/* harmony export */   T1: () => (/* binding */ call),
/* harmony export */   YG: () => (/* binding */ queryAll),
/* harmony export */   lj: () => (/* binding */ getN),
/* harmony export */   sd: () => (/* binding */ getS)
/* harmony export */ });
/* unused harmony exports toStoreError, getSS, BATCH_GET_MAX */
/* harmony import */ var _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4305);
/* harmony import */ var _aws_retry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2495);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7940);
/**
 * What the DynamoDB stores share: calls with retry and error mapping (→ StoreError), attribute
 * (un)marshalling for the few types used, BatchGetItem with UnprocessedKeys handling, and a
 * Query read to its last page.
 */



/** Required IAM action per API call, for access-denied messages. */
const IAM_ACTION = {
    // Authorised per action: the head claims (Update), further events (Put) and head checks.
    TransactWriteItems: 'dynamodb:UpdateItem, dynamodb:PutItem and dynamodb:ConditionCheckItem',
    BatchGetItem: 'dynamodb:BatchGetItem',
    GetItem: 'dynamodb:GetItem',
    PutItem: 'dynamodb:PutItem',
    UpdateItem: 'dynamodb:UpdateItem',
    Query: 'dynamodb:Query',
    GetObject: 's3:GetObject',
    PutObject: 's3:PutObject',
    GetParametersByPath: 'ssm:GetParametersByPath'
};
/** A StoreError saying what failed, where, whether it may pass, and what to do about it. */
function toStoreError(operation, resource, error) {
    if (error instanceof _types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .A)
        return error;
    if (error instanceof _aws_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .RetryExhaustedError */ .aB) {
        return new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .A(`${operation} on ${resource} failed: ${error.message}`, true, error);
    }
    const info = (0,_aws_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .classifyAwsError */ .u3)(error);
    let hint = '';
    if (info.kind === 'access_denied')
        hint = ` The role needs ${IAM_ACTION[operation] ?? operation} on ${resource} (see infra/terraform).`;
    else if (info.kind === 'not_found' && operation !== 'GetObject')
        hint = ` Check that ${resource} exists (npm run tables -- --endpoint URL, or infra/terraform).`;
    else if (info.code === 'CredentialsProviderError')
        hint = " No AWS credentials were found: set 'aws-role-arn' (GitHub OIDC) or provide credentials to the job.";
    return new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .A(`${operation} on ${resource} failed: ${info.code}: ${info.message}.${hint}`, info.transient, error);
}
/** Runs one API call with retry inside the budget; every failure comes out as StoreError. */
async function call(operation, resource, opts, op) {
    try {
        return await (0,_aws_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .withRetry */ .bD)(op, {
            ...opts.retry,
            what: `${operation} on ${resource}`,
            onRetry: (r) => {
                opts.log?.debug(`${r.what}: ${r.error.code}; retry ${r.attempt} in ${r.delayMs} ms`);
                opts.retry?.onRetry?.(r);
            }
        });
    }
    catch (error) {
        throw toStoreError(operation, resource, error);
    }
}
const S = (value) => ({ S: value });
const N = (value) => ({ N: String(value) });
function getS(item, name) {
    const v = item[name];
    return v && 'S' in v && typeof v.S === 'string' ? v.S : undefined;
}
function getN(item, name) {
    const v = item[name];
    return v && 'N' in v && typeof v.N === 'string' ? Number(v.N) : undefined;
}
function getSS(item, name) {
    const v = item[name];
    return v && 'SS' in v && Array.isArray(v.SS) ? v.SS : [];
}
/** Sets optional string attributes that are defined. */
function putOptional(item, values) {
    for (const [k, v] of Object.entries(values))
        if (v !== undefined)
            item[k] = S(v);
    return item;
}
const BATCH_GET_MAX = 100;
class UnprocessedKeys extends Error {
    count;
    constructor(count) {
        super(`${count} key(s) left unprocessed by BatchGetItem`);
        this.count = count;
        // Classified like throttling: the table had no capacity for them this time.
        this.name = 'ProvisionedThroughputExceededException';
    }
}
/**
 * Every item of `keys` that exists, in no particular order: one BatchGetItem per 100 keys (issued
 * concurrently), UnprocessedKeys asked for again with backoff inside the retry budget.
 */
async function batchGetAll(client, table, keys, opts, consistent = true) {
    const chunks = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX)
        chunks.push(keys.slice(i, i + BATCH_GET_MAX));
    const results = await Promise.all(chunks.map(async (chunk) => {
        const found = [];
        let pending = chunk;
        await call('BatchGetItem', `table ${table}`, opts, async () => {
            const out = await client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .BatchGetItemCommand */ .Xo8({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } } }));
            found.push(...(out.Responses?.[table] ?? []));
            const left = out.UnprocessedKeys?.[table]?.Keys ?? [];
            pending = left;
            if (left.length > 0)
                throw new UnprocessedKeys(left.length);
        });
        return found;
    }));
    return results.flat();
}
/**
 * Every item a Query matches, all pages read (each page one retried call). For partitions read
 * whole; a read that stops early (a window of N events) pages by itself.
 */
async function queryAll(client, input, resource, opts) {
    const items = [];
    let start;
    do {
        const page = await call('Query', resource, opts, () => client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .QueryCommand */ .sfZ({ ...input, ExclusiveStartKey: start })));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
    } while (start);
    return items;
}


/***/ }),

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
