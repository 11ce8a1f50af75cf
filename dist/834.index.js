export const id = 834;
export const ids = [834];
export const modules = {

/***/ 1834:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DynamoDBCalibrationStore: () => (/* binding */ DynamoDBCalibrationStore)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4305);
/* harmony import */ var _local_calibration_store_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8821);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7940);
/* harmony import */ var _dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5209);
/* harmony import */ var _tables_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9822);
/**
 * CalibrationStore on DynamoDB (`calibration`): pk `rule#<ruleId>`, sk `<bucket>#<orgHash>`.
 * A second contribution to the same rule, bucket and organisation replaces the first.
 * Calibration snapshots live beside them: pk `snapshot#<scope>`, sk `latest`, `takenAt`, `body`
 * (the snapshot as JSON). `rule#…` reads never meet them.
 */





function check(c) {
    for (const k of ['total', 'falsePositives', 'pending']) {
        if (!Number.isInteger(c[k]) || c[k] < 0)
            throw new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .A(`invalid calibration contribution: ${k} must be a non-negative integer`, false);
    }
    if (!c.ruleId || !c.bucket || !c.orgHash)
        throw new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .A('invalid calibration contribution: ruleId, bucket and orgHash are required', false);
}
class DynamoDBCalibrationStore {
    client;
    table;
    opts;
    resource;
    constructor(client, table, opts = {}) {
        this.client = client;
        this.table = table;
        this.opts = opts;
        this.resource = `table ${table}`;
    }
    async contribute(c) {
        check(c);
        const now = this.opts.now ? this.opts.now() : new Date();
        const item = {
            [_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .CALIBRATION */ .jY.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .keys */ .HP.calibrationPk(c.ruleId)),
            [_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .CALIBRATION */ .jY.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .keys */ .HP.calibrationSk(c.bucket, c.orgHash)),
            ruleId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(c.ruleId),
            bucket: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(c.bucket),
            orgHash: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(c.orgHash),
            total: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.N)(c.total),
            falsePositives: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.N)(c.falsePositives),
            pending: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.N)(c.pending),
            // Coarsened to the hour like the bucket: contributions carry no finer time.
            updatedAt: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(`${now.toISOString().slice(0, 13)}:00:00.000Z`)
        };
        await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .call */ .T1)('PutItem', this.resource, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_4__/* .PutItemCommand */ .qnp({ TableName: this.table, Item: item })));
    }
    async read(ruleId) {
        const items = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .queryAll */ .YG)(this.client, {
            TableName: this.table,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': _tables_js__WEBPACK_IMPORTED_MODULE_3__/* .CALIBRATION */ .jY.partitionKey },
            ExpressionAttributeValues: { ':pk': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .keys */ .HP.calibrationPk(ruleId)) },
            ConsistentRead: true
        }, this.resource, this.opts);
        return items.map((item) => ({
            ruleId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .getS */ .sd)(item, 'ruleId') ?? ruleId,
            bucket: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .getS */ .sd)(item, 'bucket') ?? '',
            orgHash: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .getS */ .sd)(item, 'orgHash') ?? '',
            total: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .getN */ .lj)(item, 'total') ?? 0,
            falsePositives: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .getN */ .lj)(item, 'falsePositives') ?? 0,
            pending: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .getN */ .lj)(item, 'pending') ?? 0
        }));
    }
    snapshotKey(scope) {
        return { [_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .CALIBRATION */ .jY.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .keys */ .HP.snapshotPk(scope)), [_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .CALIBRATION */ .jY.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_3__/* .keys */ .HP.snapshotSk) };
    }
    async loadSnapshot(scope) {
        const r = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .call */ .T1)('GetItem', this.resource, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_4__/* .GetItemCommand */ .ZKh({ TableName: this.table, Key: this.snapshotKey(scope), ConsistentRead: true })));
        const body = r.Item ? (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .getS */ .sd)(r.Item, 'body') : undefined;
        if (body === undefined)
            return null;
        try {
            return JSON.parse(body);
        }
        catch (error) {
            throw new _types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .A(`the calibration snapshot of ${scope} in ${this.resource} is not JSON`, false, error);
        }
    }
    async saveSnapshot(snapshot) {
        (0,_local_calibration_store_js__WEBPACK_IMPORTED_MODULE_0__/* .checkCalibrationSnapshot */ .VU)(snapshot);
        const item = { ...this.snapshotKey(snapshot.scope), takenAt: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(snapshot.takenAt), body: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__.S)(JSON.stringify(snapshot)) };
        await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_2__/* .call */ .T1)('PutItem', this.resource, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_4__/* .PutItemCommand */ .qnp({ TableName: this.table, Item: item })));
    }
}


/***/ })

};
