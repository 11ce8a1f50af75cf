/**
 * Every recorded GitHub response the fake serves must have the shape GitHub documents: each
 * fixture body is validated against the response schema of its operation in GitHub's OpenAPI
 * description (`@octokit/openapi`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { FIXTURE_DIR, type Fixture } from '../../test-support/github-fake.js';

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
}

const require = createRequire(import.meta.url);
const specPath = path.join(path.dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApi;

/**
 * OpenAPI 3.0 → JSON Schema: local refs (`#/components/...`) point at the description registered
 * under the id `github`, and `nullable: true` (which OpenAPI allows without `type`) becomes
 * `anyOf: [schema, {type: null}]`.
 */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema && typeof schema === 'object') {
    const out: Record<string, unknown> = {};
    let nullable = false;
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'nullable') nullable = v === true;
      else out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `github${v}` : rebase(v);
    }
    return nullable ? { anyOf: [out, { type: 'null' }] } : out;
  }
  return schema;
}

// OpenAPI 3.0 schemas: `nullable`, `example`, `x-*` and formats; strict mode off, formats not checked.
const ajv = new Ajv({ strict: false, validateFormats: false, validateSchema: false, allErrors: true });
ajv.addSchema({ $id: 'github', components: { schemas: rebase(spec.components.schemas) } });

function responseSchema(fx: Fixture): unknown {
  if (fx.schema) return { $ref: `github#/components/schemas/${fx.schema}` };
  const [method, route] = fx.operation.split(' ');
  const op = spec.paths[route]?.[method.toLowerCase()];
  if (!op) throw new Error(`operation ${fx.operation} is not in GitHub's OpenAPI description`);
  let res = op.responses[String(fx.status)];
  if (!res) throw new Error(`${fx.operation} documents no ${fx.status} response; name a component schema with "schema"`);
  if (res.$ref) res = spec.components.responses[res.$ref.split('/').pop() as string];
  const schema = res.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${fx.operation} ${fx.status} has no JSON schema`);
  return rebase(schema);
}

const files = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();

describe('GitHub fixtures match the OpenAPI description', () => {
  it('loads the description', () => {
    expect(spec.openapi).toMatch(/^3\./);
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)('%s', (file) => {
    const fx = JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8')) as Fixture;
    const validate = ajv.compile(responseSchema(fx) as object);
    const ok = validate(fx.body);
    expect(ok ? [] : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  });

  it('rejects a body of the wrong shape (the check is real)', () => {
    const fx = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'rules-branch.json'), 'utf8')) as Fixture;
    const validate = ajv.compile(responseSchema(fx) as object);
    expect(validate({ type: 'deletion' })).toBe(false);
    expect(validate([{ type: 'required_status_checks', parameters: { required_status_checks: 'build' } }])).toBe(false);
  });
});
