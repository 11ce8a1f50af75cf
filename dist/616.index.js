export const id = 616;
export const ids = [616];
export const modules = {

/***/ 1616:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SsmNonceSource: () => (/* binding */ SsmNonceSource)
/* harmony export */ });
/* unused harmony export ssmPath */
/* harmony import */ var _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4736);
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7940);
/* harmony import */ var _dynamodb_common_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5209);
/* harmony import */ var _tables_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9822);
/**
 * NonceSource on SSM Parameter Store: every `<path>redaction_nonce_v<N>` (SecureString, 64 hex),
 * read with GetParametersByPath (paginated, decrypted). The newest version redacts; every valid
 * version verifies (rotation grace). Values that are not 64 hex are ignored with a warning
 * (the value is never printed); none valid → StoreError (the run degrades: nonce_unavailable).
 * The keys are masked in the log and cached for an hour.
 */




const HEX64 = /^[0-9a-f]{64}$/i;
/** GetParametersByPath's Path: the input without its trailing slash (the root stays `/`). */
function ssmPath(path) {
    const p = path.trim();
    return p.length > 1 ? p.replace(/\/+$/, '') : p;
}
class SsmNonceSource {
    client;
    path;
    opts;
    cached;
    constructor(client, path, opts = {}) {
        this.client = client;
        this.path = path;
        this.opts = opts;
        if (!path.startsWith('/'))
            throw new _types_js__WEBPACK_IMPORTED_MODULE_0__/* .StoreError */ .A(`nonce parameter path '${path}' must start with '/' (e.g. /guardian/prod/)`, false);
    }
    now() {
        return this.opts.now ? this.opts.now() : new Date();
    }
    async load() {
        const now = this.now();
        if (this.cached && now.getTime() - this.cached.loadedAt.getTime() < (this.opts.cacheMs ?? _tables_js__WEBPACK_IMPORTED_MODULE_2__/* .NONCE_CACHE_MS */ .EI)) {
            return { keys: this.cached.keys.map((k) => ({ ...k })), loadedAt: this.cached.loadedAt };
        }
        const Path = ssmPath(this.path);
        const byVersion = new Map();
        const ignored = [];
        let NextToken;
        do {
            const page = await (0,_dynamodb_common_js__WEBPACK_IMPORTED_MODULE_1__/* .call */ .T1)('GetParametersByPath', `SSM path ${Path}`, this.opts, () => this.client.send(new _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_3__/* .GetParametersByPathCommand */ .o_y({ Path, Recursive: false, WithDecryption: true, MaxResults: 10, NextToken })));
            for (const p of page.Parameters ?? []) {
                const name = p.Name ?? '';
                const m = _tables_js__WEBPACK_IMPORTED_MODULE_2__/* .NONCE_PARAMETER_PATTERN */ .Zi.exec(name.slice(name.lastIndexOf('/') + 1));
                if (!m)
                    continue;
                const version = Number(m[1]);
                const value = (p.Value ?? '').trim();
                if (!HEX64.test(value)) {
                    ignored.push(`${name} (not 64 hex characters)`);
                    continue;
                }
                if (version < 1 || byVersion.has(version)) {
                    ignored.push(`${name} (${version < 1 ? 'version below 1' : `a second parameter for version ${version}`})`);
                    continue;
                }
                byVersion.set(version, { version, value: value.toLowerCase() });
            }
            NextToken = page.NextToken;
        } while (NextToken);
        if (ignored.length > 0)
            this.opts.log?.warning(`Ignored redaction key parameter(s): ${ignored.join(', ')}.`);
        if (byVersion.size === 0) {
            throw new _types_js__WEBPACK_IMPORTED_MODULE_0__/* .StoreError */ .A(`No valid redaction key under the SSM path ${Path}: expected SecureString parameters named ` +
                `${_tables_js__WEBPACK_IMPORTED_MODULE_2__/* .NONCE_PARAMETER_PREFIX */ .TX}<N> holding 64 hex characters${ignored.length > 0 ? ` (ignored: ${ignored.join(', ')})` : ''}.`, false);
        }
        const keys = [...byVersion.values()].sort((a, b) => b.version - a.version);
        for (const k of keys)
            this.opts.setSecret?.(k.value);
        this.cached = { keys, loadedAt: now };
        return { keys: keys.map((k) => ({ ...k })), loadedAt: now };
    }
}


/***/ })

};
