export const id = 591;
export const ids = [591];
export const modules = {

/***/ 9591:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createAwsStores: () => (/* binding */ createAwsStores)
/* harmony export */ });
async function createAwsStores(settings, deps) {
    // Imported one after the other: jest's ESM loader races on concurrent imports sharing a module.
    const { ConfigurationError } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 7827));
    const { resolveCredentials } = await __webpack_require__.e(/* import() */ 963).then(__webpack_require__.bind(__webpack_require__, 6963));
    const { AwsClientFactory } = await __webpack_require__.e(/* import() */ 201).then(__webpack_require__.bind(__webpack_require__, 201));
    const { fp: fpTable, blockCounter: blockTable, consent: consentTable, calibration: calibrationTable } = settings.tables;
    if (!fpTable || !blockTable) {
        throw new ConfigurationError("The DynamoDB store needs both 'fp-table' and 'block-counter-table'. Set both table names, or use store: local.");
    }
    const env = deps.env ?? process.env;
    const credentials = await resolveCredentials(settings, {
        log: deps.log,
        getIDToken: deps.getIDToken,
        setSecret: deps.setSecret,
        env,
        retry: deps.retry,
        clientConfig: deps.clientConfig
    });
    const factory = new AwsClientFactory({
        region: settings.aws.region,
        endpointUrl: settings.aws.endpointUrl,
        env,
        credentials,
        clientConfig: deps.clientConfig
    });
    const opts = { retry: deps.retry, log: deps.log };
    const dynamo = await factory.dynamodb();
    const fpMod = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(305), __webpack_require__.e(6), __webpack_require__.e(217)]).then(__webpack_require__.bind(__webpack_require__, 8217));
    const blockMod = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(305), __webpack_require__.e(6), __webpack_require__.e(966)]).then(__webpack_require__.bind(__webpack_require__, 2966));
    const consentMod = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(305), __webpack_require__.e(6), __webpack_require__.e(292)]).then(__webpack_require__.bind(__webpack_require__, 292));
    const calibrationMod = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(305), __webpack_require__.e(6), __webpack_require__.e(834)]).then(__webpack_require__.bind(__webpack_require__, 1834));
    const needLocal = !consentTable || !calibrationTable || !settings.baseline.bucket || !settings.nonceParameterPath;
    const local = needLocal ? await (await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 1101))).createLocalStores(settings.dataDir) : undefined;
    const backends = {
        fp: 'dynamodb',
        blocks: 'dynamodb',
        consent: consentTable ? 'dynamodb' : 'local',
        calibration: calibrationTable ? 'dynamodb' : 'local',
        baseline: settings.baseline.bucket ? 's3' : 'local',
        nonce: settings.nonceParameterPath ? 'ssm' : 'local'
    };
    let baseline;
    if (settings.baseline.bucket) {
        const s3 = await factory.s3();
        const { S3BaselineStore } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(305), __webpack_require__.e(711), __webpack_require__.e(6), __webpack_require__.e(97)]).then(__webpack_require__.bind(__webpack_require__, 2097));
        baseline = new S3BaselineStore(s3, settings.baseline.bucket, { ...opts, key: settings.baseline.key });
    }
    else {
        baseline = local.baseline;
    }
    let nonce;
    if (settings.nonceParameterPath) {
        const ssm = await factory.ssm();
        const { SsmNonceSource } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(305), __webpack_require__.e(736), __webpack_require__.e(6), __webpack_require__.e(616)]).then(__webpack_require__.bind(__webpack_require__, 1616));
        const setSecret = deps.setSecret ?? (await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 3838))).setSecret;
        nonce = new SsmNonceSource(ssm, settings.nonceParameterPath, { ...opts, setSecret });
    }
    else {
        nonce = local.nonce;
    }
    deps.log.info(`AWS stores: ${Object.entries(backends)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}${credentials ? '' : ' (default AWS credential chain)'}`);
    return {
        fp: new fpMod.DynamoDBFPStore(dynamo, fpTable, opts),
        blocks: new blockMod.DynamoDBBlockCounter(dynamo, blockTable, opts),
        consent: consentTable ? new consentMod.DynamoDBConsentStore(dynamo, consentTable, opts) : local.consent,
        calibration: calibrationTable ? new calibrationMod.DynamoDBCalibrationStore(dynamo, calibrationTable, opts) : local.calibration,
        baseline,
        nonce,
        backends,
        close: () => factory.destroy()
    };
}


/***/ })

};
