export const id = 201;
export const ids = [201];
export const modules = {

/***/ 201:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AwsClientFactory: () => (/* binding */ AwsClientFactory),
/* harmony export */   Jt: () => (/* binding */ clientConfigFor),
/* harmony export */   createDynamoDBClient: () => (/* binding */ createDynamoDBClient),
/* harmony export */   createSSMClient: () => (/* binding */ createSSMClient)
/* harmony export */ });
/* unused harmony exports ENDPOINT_ENV, EMULATOR_DEFAULT_REGION, resolveEndpoint, resolveRegion, createS3Client */
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


/***/ })

};
