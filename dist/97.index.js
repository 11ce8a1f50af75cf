export const id = 97;
export const ids = [97];
export const modules = {

/***/ 2097:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S3BaselineStore: () => (/* binding */ S3BaselineStore)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3711);
/* harmony import */ var _aws_retry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2495);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7940);
/* harmony import */ var _dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5209);
/* harmony import */ var _tables_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9822);
/**
 * BaselineStore on S3: `s3://<bucket>/<owner>/<repo>/integrity-baseline.json` (or the
 * `baseline-key` input). A missing object is "no baseline yet" (null). Malformed JSON is a
 * StoreError and the object is left exactly as it is (a reset baseline would hide drift); a
 * later `save` overwrites it, and the bucket's versioning keeps the old bytes.
 */





function isMissing(error) {
    const info = (0,_aws_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .classifyAwsError */ .u3)(error);
    return info.code === 'NoSuchKey' || (info.code === 'NotFound' && info.status === 404) || (info.kind === 'not_found' && info.status === 404 && info.code !== 'NoSuchBucket');
}
class S3BaselineStore {
    client;
    bucket;
    opts;
    constructor(client, bucket, opts = {}) {
        this.client = client;
        this.bucket = bucket;
        this.opts = opts;
    }
    objectKey(owner, repo) {
        return this.opts.key ? this.opts.key.replace('<owner>', owner).replace('<repo>', repo) : (0,_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .baselineObjectKey */ .yC)(owner, repo);
    }
    async load(owner, repo) {
        const key = this.objectKey(owner, repo);
        const where = `s3://${this.bucket}/${key}`;
        const text = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .call */ .T1)('GetObject', where, this.opts, async () => {
            try {
                const out = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__/* .GetObjectCommand */ .jLs({ Bucket: this.bucket, Key: key }));
                return out.Body ? await out.Body.transformToString('utf-8') : '';
            }
            catch (error) {
                if (isMissing(error))
                    return null;
                throw error;
            }
        });
        if (text === null)
            return null;
        try {
            return JSON.parse(text);
        }
        catch (error) {
            throw new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .A(`The drift baseline ${where} is not valid JSON (${error.message}). It was left untouched: fix or delete it ` +
                '(earlier versions are kept by the bucket versioning), or run drift with update-baseline: true to replace it.', false, error);
        }
    }
    async save(owner, repo, baseline) {
        if (baseline === undefined)
            throw new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .A('refusing to save an undefined baseline', false);
        const key = this.objectKey(owner, repo);
        const body = JSON.stringify(baseline, null, 2) + '\n';
        await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .call */ .T1)('PutObject', `s3://${this.bucket}/${key}`, this.opts, () => this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__/* .PutObjectCommand */ .wKZ({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' })));
    }
}


/***/ })

};
