export const id = 963;
export const ids = [963,201];
export const modules = {

/***/ 201:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AwsClientFactory: () => (/* binding */ AwsClientFactory),
/* harmony export */   Jt: () => (/* binding */ clientConfigFor)
/* harmony export */ });
/* unused harmony exports ENDPOINT_ENV, EMULATOR_DEFAULT_REGION, resolveEndpoint, resolveRegion, createDynamoDBClient, createS3Client, createSSMClient */
/* harmony import */ var _config_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7827);

const ENDPOINT_ENV = {
    dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
    s3: 'AWS_ENDPOINT_URL_S3',
    ssm: 'AWS_ENDPOINT_URL_SSM',
    sts: 'AWS_ENDPOINT_URL_STS'
};
/** Region used against an endpoint override when none is configured (emulators ignore it). */
const EMULATOR_DEFAULT_REGION = 'us-east-1';
function nonEmpty(v) {
    return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}
function checkUrl(url, source) {
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        throw new _config_errors_js__WEBPACK_IMPORTED_MODULE_0__.ConfigurationError(`${source} has the invalid value '${url}'. It must be an http(s) URL, e.g. http://127.0.0.1:8000.`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new _config_errors_js__WEBPACK_IMPORTED_MODULE_0__.ConfigurationError(`${source} has the invalid value '${url}'. It must be an http(s) URL.`);
    }
    return url;
}
/** The endpoint override for one service, or undefined for the service's public endpoint. */
function resolveEndpoint(service, input, env = process.env) {
    const ignoreEnv = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true';
    const specific = ignoreEnv ? undefined : nonEmpty(env[ENDPOINT_ENV[service]]);
    if (specific)
        return { url: checkUrl(specific, `Environment variable ${ENDPOINT_ENV[service]}`), source: ENDPOINT_ENV[service] };
    const fromInput = nonEmpty(input);
    if (fromInput)
        return { url: checkUrl(fromInput, "Input 'aws-endpoint-url'"), source: 'aws-endpoint-url' };
    const global = ignoreEnv ? undefined : nonEmpty(env.AWS_ENDPOINT_URL);
    if (global)
        return { url: checkUrl(global, 'Environment variable AWS_ENDPOINT_URL'), source: 'AWS_ENDPOINT_URL' };
    return undefined;
}
/** Region from the options or the standard variables; a default only against an override. */
function resolveRegion(opts, hasEndpoint) {
    const env = opts.env ?? process.env;
    const region = nonEmpty(opts.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
    if (region)
        return region;
    if (hasEndpoint)
        return EMULATOR_DEFAULT_REGION;
    throw new _config_errors_js__WEBPACK_IMPORTED_MODULE_0__.ConfigurationError("No AWS region is configured. Set the 'aws-region' input (or AWS_REGION) to the region of the DynamoDB tables, S3 bucket and SSM parameters.");
}
/** The configuration object a client of `service` is built with (pure; exported for tests). */
function clientConfigFor(service, opts) {
    const endpoint = resolveEndpoint(service, opts.endpointUrl, opts.env ?? process.env);
    const config = {
        region: resolveRegion(opts, endpoint !== undefined),
        maxAttempts: 1
    };
    if (endpoint)
        config.endpoint = endpoint.url;
    if (opts.credentials)
        config.credentials = opts.credentials;
    if (service === 's3' && endpoint) {
        // Emulators and most S3-compatible stores: path-style addressing, and no streamed
        // (aws-chunked) checksums, which s3rver stores with the chunk framing in the object.
        config.forcePathStyle = true;
        config.requestChecksumCalculation = 'WHEN_REQUIRED';
        config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    return { ...config, ...opts.clientConfig };
}
async function createDynamoDBClient(opts) {
    const config = clientConfigFor('dynamodb', opts);
    const { DynamoDBClient } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(305)]).then(__webpack_require__.t.bind(__webpack_require__, 4305, 19));
    return new DynamoDBClient(config);
}
async function createS3Client(opts) {
    const config = clientConfigFor('s3', opts);
    const { S3Client } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(711)]).then(__webpack_require__.t.bind(__webpack_require__, 3711, 19));
    return new S3Client(config);
}
async function createSSMClient(opts) {
    const config = clientConfigFor('ssm', opts);
    const { SSMClient } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(736)]).then(__webpack_require__.t.bind(__webpack_require__, 4736, 19));
    return new SSMClient(config);
}
/** Builds clients on first use and reuses them. */
class AwsClientFactory {
    options;
    dynamo;
    s3Client;
    ssmClient;
    constructor(options) {
        this.options = options;
    }
    dynamodb() {
        return (this.dynamo ??= createDynamoDBClient(this.options));
    }
    s3() {
        return (this.s3Client ??= createS3Client(this.options));
    }
    ssm() {
        return (this.ssmClient ??= createSSMClient(this.options));
    }
    /** Closes the sockets of every client built so far. */
    async destroy() {
        const all = await Promise.allSettled([this.dynamo, this.s3Client, this.ssmClient].filter((p) => p !== undefined));
        for (const r of all)
            if (r.status === 'fulfilled')
                r.value.destroy();
    }
}


/***/ }),

/***/ 6963:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   resolveCredentials: () => (/* binding */ resolveCredentials)
/* harmony export */ });
/* unused harmony exports OIDC_AUDIENCE, OIDC_ISSUER_HOST, roleSessionName */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3838);
/* harmony import */ var _config_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7827);
/* harmony import */ var _store_types_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7940);
/* harmony import */ var _clients_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(201);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2495);
/**
 * AWS credentials for this action (DESIGN §8, issue 5 item 1).
 *
 * With `aws-role-arn`: a GitHub OIDC token for the audience `sts.amazonaws.com`
 * (`core.getIDToken`) is exchanged with STS AssumeRoleWithWebIdentity (`fromWebToken`, against
 * the STS endpoint override when one is configured). The credentials are masked
 * (`core.setSecret`) and kept in memory for this action's clients only: they are never exported
 * to the environment of later steps.
 *
 * Without a role: undefined, i.e. the SDK's default provider chain (environment, profile, …).
 *
 * Failures:
 * - the job cannot request an OIDC token (no ACTIONS_ID_TOKEN_REQUEST_* variables) →
 *   ConfigurationError telling to add `permissions: id-token: write`;
 * - STS rejects the token or the role (InvalidIdentityToken, IDPRejectedClaim, AccessDenied,
 *   ExpiredToken) → ConfigurationError naming the role and the trust-policy claims `aud`/`sub`;
 *   never retried;
 * - throttling, 5xx, network → retried with full-jitter backoff inside the budget, then
 *   StoreError (transient), so the caller can degrade.
 */





const OIDC_AUDIENCE = 'sts.amazonaws.com';
const OIDC_ISSUER_HOST = 'token.actions.githubusercontent.com';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** `aws-role-session-name`, or `pm-action-<run_id>` (trimmed to STS's 64 characters). */
function roleSessionName(settings) {
    const given = settings.aws.roleSessionName;
    if (given !== undefined) {
        if (!SESSION_NAME.test(given)) {
            throw new _config_errors_js__WEBPACK_IMPORTED_MODULE_1__.ConfigurationError(`Input 'aws-role-session-name' has the invalid value '${given}'. It must be 2 to 64 characters of letters, digits and + = , . @ _ -.`);
        }
        return given;
    }
    const runId = (settings.run.runId || 'local').replace(/[^\w+=,.@-]/g, '-');
    return `pm-action-${runId}`.slice(0, 64);
}
function missingPermissionError() {
    return new _config_errors_js__WEBPACK_IMPORTED_MODULE_1__.ConfigurationError("Input 'aws-role-arn' is set, but this job cannot request a GitHub OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and " +
        'ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set. Add `permissions: id-token: write` to the job (or the workflow) that runs ' +
        'pm-action. Pull requests from forks never receive an OIDC token; use the local store for them.');
}
function trustPolicyError(roleArn, repository, info) {
    const repo = repository || '<owner>/<repo>';
    return new _config_errors_js__WEBPACK_IMPORTED_MODULE_1__.ConfigurationError(`AWS STS refused to let this workflow assume the role ${roleArn} (${info.code}: ${info.message}). ` +
        `Check the role's trust policy: it must trust the OIDC provider ${OIDC_ISSUER_HOST}, its condition on ` +
        `${OIDC_ISSUER_HOST}:aud must allow "${OIDC_AUDIENCE}", and its condition on ${OIDC_ISSUER_HOST}:sub must match this ` +
        `workflow's subject claim (e.g. "repo:${repo}:ref:refs/heads/main", "repo:${repo}:pull_request" or ` +
        `"repo:${repo}:environment:<name>"; with a customised subject, the claims it is built from). ` +
        'Also check that the role ARN is right and that the job has `permissions: id-token: write`.');
}
/** Status code from the message of an @actions/core getIDToken failure ("Error Code : 403"). */
function idTokenStatus(error) {
    const m = /Error Code\s*:\s*(\d{3})/.exec(error instanceof Error ? error.message : String(error));
    return m ? Number(m[1]) : undefined;
}
function classifyIdTokenError(error) {
    const status = idTokenStatus(error);
    const base = (0,_retry_js__WEBPACK_IMPORTED_MODULE_4__/* .classifyAwsError */ .u3)(error);
    if (status === undefined)
        return base.kind === 'network' ? base : { ...base, transient: false };
    const transient = status >= 500 || status === 429;
    return { ...base, status, transient, kind: transient ? 'server' : 'access_denied' };
}
/**
 * Credentials for this action's AWS clients: assumed with OIDC when a role is configured,
 * else undefined (the SDK's default provider chain).
 */
async function resolveCredentials(settings, deps = {}) {
    const log = deps.log;
    const roleArn = settings.aws.roleArn;
    if (!roleArn) {
        log?.debug('No aws-role-arn: AWS clients use the default credential provider chain.');
        return undefined;
    }
    const env = deps.env ?? process.env;
    const setSecret = deps.setSecret ?? _actions_core__WEBPACK_IMPORTED_MODULE_0__.setSecret;
    const sessionName = roleSessionName(settings);
    let getIDToken = deps.getIDToken;
    if (!getIDToken) {
        if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
            throw missingPermissionError();
        getIDToken = (aud) => _actions_core__WEBPACK_IMPORTED_MODULE_0__.getIDToken(aud);
    }
    let token;
    try {
        token = await (0,_retry_js__WEBPACK_IMPORTED_MODULE_4__/* .withRetry */ .bD)(() => getIDToken(OIDC_AUDIENCE), {
            ...deps.retry,
            what: 'requesting the GitHub OIDC token',
            classify: classifyIdTokenError,
            onRetry: (r) => log?.debug(`OIDC token request failed (${r.error.code}); retrying in ${r.delayMs} ms`)
        });
    }
    catch (error) {
        if (error instanceof _retry_js__WEBPACK_IMPORTED_MODULE_4__/* .RetryExhaustedError */ .aB) {
            throw new _store_types_js__WEBPACK_IMPORTED_MODULE_2__/* .StoreError */ .A(`Could not get a GitHub OIDC token: ${error.message}`, true, error);
        }
        if (error instanceof _config_errors_js__WEBPACK_IMPORTED_MODULE_1__.ConfigurationError)
            throw error;
        throw new _config_errors_js__WEBPACK_IMPORTED_MODULE_1__.ConfigurationError(`Could not get a GitHub OIDC token for the audience ${OIDC_AUDIENCE} (${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim()}). ` +
            'Check that the job has `permissions: id-token: write`.');
    }
    if (!token)
        throw new _config_errors_js__WEBPACK_IMPORTED_MODULE_1__.ConfigurationError('The GitHub OIDC token endpoint returned an empty token. Check that the job has `permissions: id-token: write`.');
    setSecret(token);
    const stsConfig = (0,_clients_js__WEBPACK_IMPORTED_MODULE_3__/* .clientConfigFor */ .Jt)('sts', { region: settings.aws.region, endpointUrl: settings.aws.endpointUrl, env, clientConfig: deps.clientConfig });
    // The STS call is unsigned; never let the web-identity client go looking for other credentials.
    delete stsConfig.credentials;
    const { fromWebToken } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(719)]).then(__webpack_require__.t.bind(__webpack_require__, 9719, 19));
    let creds;
    try {
        creds = await (0,_retry_js__WEBPACK_IMPORTED_MODULE_4__/* .withRetry */ .bD)(() => fromWebToken({ roleArn, roleSessionName: sessionName, webIdentityToken: token, clientConfig: stsConfig })(), {
            ...deps.retry,
            what: `assuming ${roleArn}`,
            onRetry: (r) => log?.debug(`AssumeRoleWithWebIdentity failed (${r.error.code}); retrying in ${r.delayMs} ms`)
        });
    }
    catch (error) {
        if (error instanceof _retry_js__WEBPACK_IMPORTED_MODULE_4__/* .RetryExhaustedError */ .aB) {
            throw new _store_types_js__WEBPACK_IMPORTED_MODULE_2__/* .StoreError */ .A(`Could not assume ${roleArn}: ${error.message}`, true, error);
        }
        const info = (0,_retry_js__WEBPACK_IMPORTED_MODULE_4__/* .classifyAwsError */ .u3)(error);
        if (info.kind === 'invalid_token' || info.kind === 'access_denied' || info.kind === 'validation' || info.kind === 'not_found') {
            throw trustPolicyError(roleArn, settings.run.repository, info);
        }
        throw new _store_types_js__WEBPACK_IMPORTED_MODULE_2__/* .StoreError */ .A(`Could not assume ${roleArn}: ${info.code}: ${info.message}`, info.transient, error);
    }
    for (const secret of [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken]) {
        if (secret)
            setSecret(secret);
    }
    log?.info(`Assumed ${roleArn} as session ${sessionName} with GitHub OIDC; the credentials are masked and kept in memory for this step only.`);
    return {
        accessKeyId: creds.accessKeyId,
        secretAccessKey: creds.secretAccessKey,
        ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
        ...(creds.expiration ? { expiration: creds.expiration } : {})
    };
}


/***/ }),

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


/***/ })

};
