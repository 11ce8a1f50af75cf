export const id = 292;
export const ids = [292];
export const modules = {

/***/ 292:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DynamoDBConsentStore: () => (/* binding */ DynamoDBConsentStore)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4305);
/* harmony import */ var _aws_retry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2495);
/* harmony import */ var _local_consent_store_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2935);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7940);
/* harmony import */ var _dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5209);
/* harmony import */ var _tables_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9822);
/**
 * ConsentStore on DynamoDB (`consent`): pk `orgId`, sk `<scope>#<resource>` (resource: a
 * repository name or `*` for the whole organisation). A grant replaces the record (lifting a
 * revocation); a revocation keeps it, with who and when.
 */






function recordFromItem(item) {
    const r = {
        orgId: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .CONSENT */ .Pv.partitionKey) ?? '',
        resource: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'resource') ?? '',
        scope: ((0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'scope') ?? 'rule_calibration'),
        grantedBy: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'grantedBy') ?? '',
        grantedAt: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, 'grantedAt') ?? ''
    };
    for (const k of ['expiresAt', 'revokedBy', 'revokedAt']) {
        const v = (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .getS */ .sd)(item, k);
        if (v !== undefined)
            r[k] = v;
    }
    return r;
}
class DynamoDBConsentStore {
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
    key(orgId, scope, resource) {
        return { [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .CONSENT */ .Pv.partitionKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(orgId), [_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .CONSENT */ .Pv.sortKey]: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(_tables_js__WEBPACK_IMPORTED_MODULE_4__/* .keys */ .HP.consentSk(scope, resource)) };
    }
    async grant(record) {
        for (const k of ['orgId', 'resource', 'scope', 'grantedBy', 'grantedAt']) {
            if (!record[k])
                throw new _types_js__WEBPACK_IMPORTED_MODULE_2__/* .StoreError */ .A(`invalid consent record: ${k} is required`, false);
        }
        const item = {
            ...this.key(record.orgId, record.scope, record.resource),
            resource: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(record.resource),
            scope: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(record.scope),
            grantedBy: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(record.grantedBy),
            grantedAt: (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(record.grantedAt)
        };
        (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .putOptional */ .QO)(item, { expiresAt: record.expiresAt });
        if (record.revokedAt !== undefined)
            (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .putOptional */ .QO)(item, { revokedAt: record.revokedAt, revokedBy: record.revokedBy });
        await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('PutItem', this.resource, this.opts, () => this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .PutItemCommand */ .qnp({ TableName: this.table, Item: item })));
    }
    async revoke(orgId, resource, scope, by, at) {
        return (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .call */ .T1)('UpdateItem', this.resource, this.opts, async () => {
            try {
                await this.client.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_5__/* .UpdateItemCommand */ .Cs({
                    TableName: this.table,
                    Key: this.key(orgId, scope, resource),
                    UpdateExpression: 'SET #by = :by, #at = :at',
                    ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#at)',
                    ExpressionAttributeNames: { '#pk': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .CONSENT */ .Pv.partitionKey, '#by': 'revokedBy', '#at': 'revokedAt' },
                    ExpressionAttributeValues: { ':by': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(by), ':at': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(at.toISOString()) }
                }));
                return true;
            }
            catch (error) {
                if ((0,_aws_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .classifyAwsError */ .u3)(error).code === 'ConditionalCheckFailedException')
                    return false;
                throw error;
            }
        });
    }
    async list(orgId) {
        const items = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .queryAll */ .YG)(this.client, {
            TableName: this.table,
            KeyConditionExpression: '#pk = :o',
            ExpressionAttributeNames: { '#pk': _tables_js__WEBPACK_IMPORTED_MODULE_4__/* .CONSENT */ .Pv.partitionKey },
            ExpressionAttributeValues: { ':o': (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__.S)(orgId) },
            ConsistentRead: true
        }, this.resource, this.opts);
        const out = items.map(recordFromItem);
        const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
        return out.sort((a, b) => cmp(a.resource, b.resource) || cmp(a.scope, b.scope));
    }
    async hasConsent(orgId, repo, scope, at) {
        const items = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_3__/* .batchGetAll */ .Cy)(this.client, this.table, [this.key(orgId, scope, '*'), ...(repo === '*' ? [] : [this.key(orgId, scope, repo)])], this.opts);
        return items.map(recordFromItem).some((r) => (0,_local_consent_store_js__WEBPACK_IMPORTED_MODULE_1__/* .consentActive */ .j6)(r, at));
    }
}


/***/ })

};
