/**
 * `pm-action consent grant|list|revoke` (DESIGN §10): consent is recorded by people, never
 * inferred. Against the configured store: the DynamoDB consent table when `--consent-table` (or
 * PM_ACTION_CONSENT_TABLE) is given, else the local store in `--data-dir` (default `.phase-mirror`).
 *
 *   pm-action consent grant  --org ORG [--repo REPO] --scope rule_calibration --by WHO [--expires DATE]
 *   pm-action consent list   --org ORG [--json]
 *   pm-action consent revoke --org ORG [--repo REPO] --scope rule_calibration --by WHO
 *
 * Without --repo the record covers the whole organisation (resource `*`). A revocation keeps
 * the record with who and when; the next calibration run sees it.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../config/errors.js';
import { consentActive, expiryInstant } from '../store/local/consent-store.js';
import type { ConsentRecord, ConsentScope, ConsentStore } from '../store/types.js';
import { plain, type CliIO } from './io.js';

export const CONSENT_USAGE = `Usage:
  pm-action consent grant  --org ORG [--repo REPO] --scope rule_calibration --by WHO [--expires DATE]
  pm-action consent list   --org ORG [--json]
  pm-action consent revoke --org ORG [--repo REPO] --scope rule_calibration --by WHO

Store: --consent-table NAME (DynamoDB; with --aws-region, --aws-endpoint-url) or --data-dir DIR
(local store, default .phase-mirror). Without --repo a grant covers every repository of ORG.
DATE is YYYY-MM-DD (valid through that day, UTC) or an ISO 8601 time.`;

const SCOPES: readonly ConsentScope[] = ['rule_calibration'];
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})$/;

export interface OpenedConsentStore {
  store: ConsentStore;
  where: string;
  close(): Promise<void>;
}

/** The consent store the flags and environment select. The AWS SDK is loaded only for DynamoDB. */
export async function openConsentStore(
  v: { 'consent-table'?: string; 'data-dir'?: string; 'aws-region'?: string; 'aws-endpoint-url'?: string },
  io: CliIO
): Promise<OpenedConsentStore> {
  const table = v['consent-table'] || io.env.PM_ACTION_CONSENT_TABLE;
  if (table) {
    const { createDynamoDBClient } = await import('../aws/clients.js');
    const { DynamoDBConsentStore } = await import('../store/aws/dynamodb-consent-store.js');
    const client = await createDynamoDBClient({ region: v['aws-region'], endpointUrl: v['aws-endpoint-url'], env: io.env, clientConfig: io.awsClientConfig });
    return { store: new DynamoDBConsentStore(client, table), where: `DynamoDB table ${table}`, close: async () => client.destroy() };
  }
  const dir = path.resolve(io.cwd, v['data-dir'] ?? '.phase-mirror');
  const { createLocalStores } = await import('../store/local/index.js');
  const local = await createLocalStores(dir);
  return { store: local.consent, where: `local store ${dir}`, close: async () => {} };
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new ConfigurationError(`${flag} is required.`);
  return value;
}

function resourceOf(org: string, repo: string | undefined): string {
  if (repo === undefined || repo === '' || repo === '*') return '*';
  let name = repo;
  const slash = repo.indexOf('/');
  if (slash >= 0) {
    if (repo.slice(0, slash).toLowerCase() !== org.toLowerCase()) throw new ConfigurationError(`--repo ${repo} is not a repository of ${org}.`);
    name = repo.slice(slash + 1);
  }
  if (!NAME.test(name)) throw new ConfigurationError(`--repo '${repo}' is not a repository name.`);
  return name;
}

function status(r: ConsentRecord, at: Date): string {
  if (r.revokedAt !== undefined && Date.parse(r.revokedAt) <= at.getTime()) return 'revoked';
  if (r.expiresAt !== undefined && !(expiryInstant(r.expiresAt) > at.getTime())) return 'expired';
  return consentActive(r, at) ? 'active' : 'inactive';
}

export function consentListText(org: string, records: readonly ConsentRecord[], at: Date): string {
  if (records.length === 0) return `No consent records for ${plain(org)}.\n`;
  const out = [`Consent records for ${plain(org)}:`];
  for (const r of records) {
    const what = r.resource === '*' ? 'all repositories' : `repository ${plain(r.resource)}`;
    const parts = [`${status(r, at).padEnd(7)} ${plain(r.scope)} ${what}`, `granted by ${plain(r.grantedBy)} at ${plain(r.grantedAt)}`];
    if (r.expiresAt) parts.push(`expires ${plain(r.expiresAt)}`);
    if (r.revokedAt) parts.push(`revoked by ${plain(r.revokedBy)} at ${plain(r.revokedAt)}`);
    out.push(`  ${parts.join(', ')}`);
  }
  return out.join('\n') + '\n';
}

/** Runs `pm-action consent …`; returns the exit code (0 ok, 1 nothing to revoke / store failure, 3 usage). */
export async function runConsentCli(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        org: { type: 'string' },
        repo: { type: 'string' },
        scope: { type: 'string' },
        by: { type: 'string' },
        expires: { type: 'string' },
        json: { type: 'boolean' },
        'consent-table': { type: 'string' },
        'data-dir': { type: 'string' },
        'aws-region': { type: 'string' },
        'aws-endpoint-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    });
  } catch (err) {
    io.stderr(`pm-action consent: ${(err as Error).message}\n\n${CONSENT_USAGE}\n`);
    return 3;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout(`${CONSENT_USAGE}\n`);
    return 0;
  }
  const action = positionals[0];
  const now = io.now ? io.now() : new Date();
  let opened: OpenedConsentStore | undefined;
  try {
    if (!['grant', 'list', 'revoke'].includes(action ?? '') || positionals.length !== 1) {
      throw new ConfigurationError(`expected grant, list or revoke, got '${positionals.join(' ')}'.`);
    }
    const org = need(v.org, '--org');
    if (!NAME.test(org)) throw new ConfigurationError(`--org '${org}' is not an organisation name.`);
    let scope: ConsentScope | undefined;
    if (action !== 'list') {
      const s = need(v.scope, '--scope');
      if (!(SCOPES as readonly string[]).includes(s)) throw new ConfigurationError(`--scope must be one of ${SCOPES.join(', ')}, not '${s}'.`);
      scope = s as ConsentScope;
      need(v.by, '--by');
    }
    if (v.expires !== undefined) {
      if (action !== 'grant') throw new ConfigurationError('--expires applies to grant only.');
      const t = expiryInstant(v.expires);
      if (!Number.isFinite(t)) throw new ConfigurationError(`--expires '${v.expires}' is not a date (YYYY-MM-DD) or an ISO 8601 time.`);
      if (t <= now.getTime()) throw new ConfigurationError(`--expires ${v.expires} is already past.`);
    }
    const resource = resourceOf(org, v.repo);
    opened = await openConsentStore(v, io);
    const what = resource === '*' ? `every repository of ${org}` : `${org}/${resource}`;
    if (action === 'grant') {
      const record: ConsentRecord = { orgId: org, resource, scope: scope!, grantedBy: v.by!, grantedAt: now.toISOString(), ...(v.expires ? { expiresAt: v.expires } : {}) };
      await opened.store.grant(record);
      io.stdout(`Granted ${scope} consent for ${what} by ${plain(v.by)}${v.expires ? `, expires ${v.expires}` : ''} (${opened.where}).\n`);
      return 0;
    }
    if (action === 'revoke') {
      const done = await opened.store.revoke(org, resource, scope!, v.by!, now);
      if (!done) {
        io.stderr(`No active ${scope} consent record for ${what} to revoke (${opened.where}).\n`);
        return 1;
      }
      io.stdout(`Revoked ${scope} consent for ${what} by ${plain(v.by)} at ${now.toISOString()}; it takes effect on the next run (${opened.where}).\n`);
      return 0;
    }
    const records = await opened.store.list(org);
    io.stdout(v.json ? JSON.stringify(records.map((r) => ({ ...r, status: status(r, now) })), null, 2) + '\n' : consentListText(org, records, now));
    return 0;
  } catch (err) {
    if (err instanceof ConfigurationError) {
      io.stderr(`pm-action consent: ${err.message}\n\n${CONSENT_USAGE}\n`);
      return 3;
    }
    io.stderr(`pm-action consent: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await opened?.close();
  }
}
