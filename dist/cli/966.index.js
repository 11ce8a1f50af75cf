export const id = 966;
export const ids = [966];
export const modules = {

/***/ 2966:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DynamoDBBlockCounter: () => (/* binding */ DynamoDBBlockCounter)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4305);
/* harmony import */ var _aws_retry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2495);
/* harmony import */ var _local_block_counter_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1817);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7940);
/* harmony import */ var _dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5209);
/* harmony import */ var _tables_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9822);
/**
 * BlockCounter on DynamoDB (`block-counter`): one item per repository and UTC hour,
 * pk `bucketKey` = `<repo>#<yyyy-mm-ddThh>`. `increment` is a single UpdateItem that ADDs 1 to
 * `count` and the run key to the string set `runs`, conditioned on the run key not being in the
 * set yet — atomic under concurrency, and a re-run (or a retried request whose answer was lost)
 * counts once. `expiresAt` (TTL) is 3 h after the later of the bucket's hour and the write.
 */






const HOUR_MS = 60 * 60 * 1000;
class DynamoDBBlockCounter {
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
    key(repository, at) {
        return { [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.bucketKey(repository, (0,_local_block_counter_js__WEBPACK_IMPORTED_MODULE_1__/* .hourBucket */ .nF)(at))) };
    }
    async increment(repository, runKey, at) {
        if (!repository || !runKey)
            throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .StoreError */ .A('block counter: repository and run key are required', false);
        const hourEnd = Date.parse(`${(0,_local_block_counter_js__WEBPACK_IMPORTED_MODULE_1__/* .hourBucket */ .nF)(at)}:00:00Z`) + HOUR_MS;
        const now = this.opts.now ? this.opts.now().getTime() : Date.now();
        const expiresAt = Math.floor(Math.max(hourEnd, now) / 1000) + _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.ttlHours * 3600;
        const key = this.key(repository, at);
        const counted = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('UpdateItem', this.resource, this.opts, async () => {
            try {
                const out = await this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .UpdateItemCommand */ .Cs({
                    TableName: this.table,
                    Key: key,
                    UpdateExpression: 'ADD #count :one, #runs :run SET #exp = :exp',
                    ConditionExpression: 'attribute_not_exists(#runs) OR NOT contains(#runs, :runKey)',
                    ExpressionAttributeNames: { '#count': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.countAttribute, '#runs': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.runsAttribute, '#exp': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.ttlAttribute },
                    ExpressionAttributeValues: { ':one': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.N)(1), ':run': { SS: [runKey] }, ':runKey': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(runKey), ':exp': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.N)(expiresAt) },
                    ReturnValues: 'UPDATED_NEW',
                    ReturnValuesOnConditionCheckFailure: 'ALL_OLD'
                }));
                return (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getN */ .lj)(out.Attributes ?? {}, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.countAttribute) ?? null;
            }
            catch (error) {
                if ((0,_aws_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .classifyAwsError */ .u3)(error).code !== 'ConditionalCheckFailedException')
                    throw error;
                // Already counted: the stored item came back with the failure (when the service supports it).
                const old = error.Item;
                return old ? ((0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getN */ .lj)(old, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.countAttribute) ?? null) : null;
            }
        });
        return counted ?? this.read(repository, at);
    }
    async read(repository, at) {
        const out = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('GetItem', this.resource, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .GetItemCommand */ .ZKh({
            TableName: this.table,
            Key: this.key(repository, at),
            ConsistentRead: true,
            ProjectionExpression: '#count',
            ExpressionAttributeNames: { '#count': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.countAttribute }
        })));
        return (out.Item && (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getN */ .lj)(out.Item, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .BLOCK_COUNTER */ .JK.countAttribute)) ?? 0;
    }
}


/***/ })

};
