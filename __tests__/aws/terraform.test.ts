/**
 * infra/terraform must match the code (DESIGN §7): table names, keys, GSI and TTL attributes,
 * the SSM parameter path, the IAM actions, and the log line the circuit-breaker alarm counts.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OIDC_AUDIENCE, OIDC_ISSUER_HOST } from '../../src/aws/credentials.js';
import {
  BLOCK_COUNTER,
  CIRCUIT_BREAKER_LOG_TOKEN,
  DEFAULT_NONCE_PARAMETER_PATH,
  DEFAULT_TABLE_NAMES,
  FP_EVENTS,
  IAM_ACTIONS,
  NONCE_PARAMETER_PATTERN,
  tableDefinitions,
  type TableKind
} from '../../src/store/aws/tables.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const TF_DIR = join(ROOT, 'infra', 'terraform');

type Block = Record<string, unknown>;
let hcl: { resource: Record<string, Record<string, Block[]>>; data: Record<string, Record<string, Block[]>>; variable: Record<string, Block[]>; locals: Block[] };

function merge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    if (Array.isArray(v)) into[k] = [...((into[k] as unknown[]) ?? []), ...v];
    else if (v && typeof v === 'object') merge((into[k] ??= {}) as Record<string, unknown>, v as Record<string, unknown>);
    else into[k] = v;
  }
}

beforeAll(async () => {
  const all: Record<string, unknown> = {};
  for (const f of readdirSync(TF_DIR).filter((x) => x.endsWith('.tf')).sort()) {
    merge(all, (await parse(f, readFileSync(join(TF_DIR, f), 'utf8'))) as Record<string, unknown>);
  }
  hcl = all as typeof hcl;
}, 30_000);

const resource = (type: string, name: string): Block => {
  const r = hcl.resource[type]?.[name]?.[0];
  if (!r) throw new Error(`no resource ${type}.${name}`);
  return r;
};
const variableDefault = (ref: unknown): unknown => {
  const m = /^\$\{var\.(\w+)\}$/.exec(String(ref));
  if (!m) throw new Error(`expected a var reference, got ${String(ref)}`);
  return hcl.variable[m[1]]?.[0]?.default;
};
const local = (name: string): unknown => hcl.locals.find((l) => name in l)?.[name];

const TF_TABLE: Record<TableKind, string> = { fp: 'fp_events', blockCounter: 'block_counter', consent: 'consent', calibration: 'calibration' };

describe('DynamoDB tables', () => {
  for (const def of tableDefinitions()) {
    it(`${def.kind}: name, keys, attributes, GSI, TTL, billing, PITR and SSE-KMS match the code`, () => {
      const t = resource('aws_dynamodb_table', TF_TABLE[def.kind]);
      expect(variableDefault(t.name)).toBe(DEFAULT_TABLE_NAMES[def.kind]);
      expect(t.billing_mode).toBe(def.create.BillingMode);
      const hash = def.create.KeySchema.find((k) => k.KeyType === 'HASH')!.AttributeName;
      const range = def.create.KeySchema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      expect(t.hash_key).toBe(hash);
      expect(t.range_key).toBe(range);
      const attrs = (t.attribute as { name: string; type: string }[]).map((a) => `${a.name}:${a.type}`).sort();
      expect(attrs).toEqual(def.create.AttributeDefinitions.map((a) => `${a.AttributeName}:${a.AttributeType}`).sort());
      const gsis = ((t.global_secondary_index as Block[]) ?? []).map((g) => ({ name: g.name, hash: g.hash_key, range: g.range_key, projection: g.projection_type }));
      expect(gsis).toEqual(
        (def.create.GlobalSecondaryIndexes ?? []).map((g) => ({
          name: g.IndexName,
          hash: g.KeySchema.find((k) => k.KeyType === 'HASH')!.AttributeName,
          range: g.KeySchema.find((k) => k.KeyType === 'RANGE')?.AttributeName,
          projection: g.Projection.ProjectionType
        }))
      );
      const ttl = (t.ttl as Block[] | undefined)?.[0];
      if (def.ttlAttribute) expect(ttl).toEqual({ attribute_name: def.ttlAttribute, enabled: true });
      else expect(ttl).toBeUndefined();
      expect((t.point_in_time_recovery as Block[])[0]).toEqual({ enabled: true });
      expect((t.server_side_encryption as Block[])[0]).toEqual({ enabled: true, kms_key_arn: '${aws_kms_key.pm_action.arn}' });
    });
  }

  it('the fixed attribute names of DESIGN §7', () => {
    expect(resource('aws_dynamodb_table', 'fp_events').global_secondary_index).toEqual([
      expect.objectContaining({ name: FP_EVENTS.gsiName, hash_key: FP_EVENTS.gsiPartitionKey, range_key: FP_EVENTS.gsiSortKey, projection_type: 'ALL' })
    ]);
    expect(resource('aws_dynamodb_table', 'block_counter').hash_key).toBe(BLOCK_COUNTER.partitionKey);
    expect(FP_EVENTS.ttlAttribute).toBe('expiresAt');
    expect(BLOCK_COUNTER.ttlAttribute).toBe('expiresAt');
  });
});

describe('baselines bucket, redaction key, KMS', () => {
  it('the bucket is versioned, KMS-encrypted and not public', () => {
    expect((resource('aws_s3_bucket_versioning', 'baselines').versioning_configuration as Block[])[0]).toEqual({ status: 'Enabled' });
    const sse = (resource('aws_s3_bucket_server_side_encryption_configuration', 'baselines').rule as Block[])[0];
    expect((sse.apply_server_side_encryption_by_default as Block[])[0]).toMatchObject({ sse_algorithm: 'aws:kms' });
    expect(resource('aws_s3_bucket_public_access_block', 'baselines')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true
    });
    expect(resource('aws_kms_key', 'pm_action').enable_key_rotation).toBe(true);
  });

  it('the redaction key parameter is <path>redaction_nonce_v1, a SecureString of 32 random bytes (64 hex)', () => {
    const p = resource('aws_ssm_parameter', 'redaction_nonce_v1');
    expect(p.type).toBe('SecureString');
    const path = String(local('nonce_parameter_path')).replace('${var.environment}', String(hcl.variable.environment[0].default));
    expect(path).toBe(DEFAULT_NONCE_PARAMETER_PATH);
    const name = String(p.name).replace('${local.nonce_parameter_path}', path);
    expect(name.startsWith(path)).toBe(true);
    expect(NONCE_PARAMETER_PATTERN.test(name.slice(path.length))).toBe(true);
    expect(resource('random_id', 'redaction_nonce_v1').byte_length).toBe(32);
  });
});

describe('IAM', () => {
  const statements = () => {
    const doc = hcl.data.aws_iam_policy_document.pm_action[0];
    return new Map((doc.statement as Block[]).map((s) => [String(s.sid), s]));
  };

  it('the role policy grants exactly the actions the code needs, on the right resources', () => {
    const s = statements();
    const actions = (sid: string) => [...((s.get(sid)?.actions as string[]) ?? [])].sort();
    expect(actions('Tables')).toEqual([...IAM_ACTIONS.dynamodbTables].sort());
    expect(actions('RuleIndex')).toEqual([...IAM_ACTIONS.dynamodbIndex]);
    expect(s.get('RuleIndex')?.resources).toEqual([`\${aws_dynamodb_table.fp_events.arn}/index/${FP_EVENTS.gsiName}`]);
    expect(actions('BaselineObjects')).toEqual([...IAM_ACTIONS.s3Objects].sort());
    expect(actions('BaselineBucket')).toEqual([...IAM_ACTIONS.s3Bucket]);
    expect(actions('RedactionKey')).toEqual([...IAM_ACTIONS.ssm]);
    expect(String((s.get('RedactionKey')?.resources as string[])[0])).toMatch(/:parameter\/guardian\/\$\{var\.environment\}$/);
    expect(actions('Kms')).toEqual([...IAM_ACTIONS.kms].sort());
    for (const st of s.values()) for (const a of st.actions as string[]) expect(a).not.toMatch(/\*/);
    expect(s.get('Tables')?.resources).toBe('${local.table_arns}');
    expect([...(local('table_arns') as string[])].sort()).toEqual(Object.values(TF_TABLE).map((t) => `\${aws_dynamodb_table.${t}.arn}`).sort());
  });

  it('every DynamoDB/S3/SSM call the stores make is allowed by IAM_ACTIONS', () => {
    const dir = join(ROOT, 'src', 'store', 'aws');
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts') && x !== 'create-tables.ts')) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/new (\w+)Command\(/g)) used.add(m[1]);
    }
    // Transactions are authorised per action: the FP store's hold Puts (events) and Updates (finding heads).
    const needs: Record<string, string[]> = {
      TransactWriteItems: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      BatchGetItem: ['dynamodb:BatchGetItem'],
      GetItem: ['dynamodb:GetItem'],
      PutItem: ['dynamodb:PutItem'],
      UpdateItem: ['dynamodb:UpdateItem'],
      Query: ['dynamodb:Query'],
      GetObject: ['s3:GetObject'],
      PutObject: ['s3:PutObject'],
      GetParametersByPath: ['ssm:GetParametersByPath']
    };
    const allowed = new Set<string>(Object.values(IAM_ACTIONS).flat());
    expect([...used].filter((c) => !needs[c])).toEqual([]);
    expect([...used].flatMap((c) => needs[c]).filter((a) => !allowed.has(a))).toEqual([]);
  });

  it('the trust policy pins the audience and the subject, in both subject formats', () => {
    const trust = (hcl.data.aws_iam_policy_document.trust[0].statement as Block[])[0];
    expect(trust.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    const conditions = trust.condition as { test: string; variable: string; values: unknown }[];
    expect(conditions).toContainEqual({ test: 'StringEquals', variable: `${OIDC_ISSUER_HOST}:aud`, values: [OIDC_AUDIENCE] });
    expect(conditions.find((c) => c.variable === `${OIDC_ISSUER_HOST}:sub`)).toMatchObject({ test: 'StringLike' });
    const subjects = String(local('repo_subjects'));
    expect(subjects).toContain(':pull_request');
    expect(subjects).toContain(':ref:refs/heads/');
    expect(subjects).toContain(':environment:');
    expect(String(local('id_subjects'))).toContain('repository_owner_id:');
    expect(resource('aws_iam_openid_connect_provider', 'github')).toMatchObject({
      url: `https://${OIDC_ISSUER_HOST}`,
      client_id_list: [OIDC_AUDIENCE]
    });
  });
});

describe('CloudWatch', () => {
  it('alarms on throttling of every table', () => {
    const a = resource('aws_cloudwatch_metric_alarm', 'throttled');
    expect(a).toMatchObject({ namespace: 'AWS/DynamoDB', metric_name: 'ThrottledRequests', for_each: '${local.tables}' });
    const tables = local('tables') as Record<string, string>;
    expect(Object.keys(tables).sort()).toEqual(Object.values(TF_TABLE).sort());
  });

  it('counts the circuit-breaker line the action really prints', () => {
    const pattern = String(resource('aws_cloudwatch_log_metric_filter', 'circuit_breaker').pattern);
    expect(pattern).toContain(CIRCUIT_BREAKER_LOG_TOKEN);
    expect(pattern).toContain('Phase Mirror ran degraded');
    const main = readFileSync(join(ROOT, 'src', 'main.ts'), 'utf8');
    expect(main).toMatch(/core\.warning\(`Phase Mirror ran degraded \(\$\{d\.degradedReasons\.join/);
    expect(readFileSync(join(ROOT, 'src', 'oracle', 'decision.ts'), 'utf8')).toContain(`'${CIRCUIT_BREAKER_LOG_TOKEN}'`);
    const alarm = resource('aws_cloudwatch_metric_alarm', 'circuit_breaker');
    const transform = (resource('aws_cloudwatch_log_metric_filter', 'circuit_breaker').metric_transformation as Block[])[0];
    expect(alarm).toMatchObject({ namespace: transform.namespace, metric_name: transform.name });
  });
});
