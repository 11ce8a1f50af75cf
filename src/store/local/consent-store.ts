/**
 * Consent records in `<dataDir>/consent.json`:
 *   { "records": { "<orgId>#<scope>#<resource>": ConsentRecord } }
 * One record per organisation, scope and resource; a new grant replaces the previous record
 * (and so lifts a revocation), a revocation keeps the record with who and when.
 */
import { join } from 'node:path';
import type { ConsentRecord, ConsentScope, ConsentStore } from '../types.js';
import { isPlainObject, readJson, updateJson, WarningSink, type LockOptions } from './files.js';

export const CONSENT_FILE = 'consent.json';

export interface ConsentFile {
  records: Record<string, ConsentRecord>;
}

export function consentKey(orgId: string, scope: ConsentScope, resource: string): string {
  return `${orgId}#${scope}#${resource}`;
}

export function consentProblem(v: unknown): string | null {
  if (!isPlainObject(v) || !isPlainObject(v.records)) return 'expected an object with a "records" object';
  for (const [key, r] of Object.entries(v.records)) {
    if (!isPlainObject(r) || typeof r.orgId !== 'string' || typeof r.resource !== 'string' || typeof r.scope !== 'string') {
      return `record ${JSON.stringify(key)} lacks orgId, resource or scope`;
    }
  }
  return null;
}

/**
 * Instant a date or timestamp stands for. A bare `YYYY-MM-DD` expiry holds through that day
 * (UTC), like policy suppressions; other values are parsed as ISO 8601.
 */
export function expiryInstant(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00Z`) + 24 * 60 * 60 * 1000;
  return Date.parse(value);
}

/** Most recent change to a record (grant or revocation), for merges. */
export function consentUpdatedAt(r: ConsentRecord): number {
  const times = [Date.parse(r.grantedAt), r.revokedAt ? Date.parse(r.revokedAt) : NaN].filter(Number.isFinite);
  return times.length ? Math.max(...times) : 0;
}

export function consentActive(r: ConsentRecord, at: Date): boolean {
  const t = at.getTime();
  if (r.revokedAt !== undefined) {
    const revoked = Date.parse(r.revokedAt);
    if (!Number.isFinite(revoked) || revoked <= t) return false;
  }
  if (r.expiresAt !== undefined) {
    const expires = expiryInstant(r.expiresAt);
    if (!Number.isFinite(expires) || expires <= t) return false;
  }
  return true;
}

export interface LocalConsentStoreOptions {
  warnings?: WarningSink;
  lock?: LockOptions;
}

export class LocalConsentStore implements ConsentStore {
  readonly path: string;
  private readonly warnings: WarningSink;
  private readonly lockOptions: LockOptions;

  constructor(dataDir: string, options: LocalConsentStoreOptions = {}) {
    this.path = join(dataDir, CONSENT_FILE);
    this.warnings = options.warnings ?? new WarningSink();
    this.lockOptions = { onWarning: (m) => this.warnings.add(m), ...options.lock };
  }

  getWarnings(): string[] {
    return this.warnings.list();
  }

  private readFile(): Promise<ConsentFile> {
    return readJson<ConsentFile>(this.path, { records: {} }, { validate: consentProblem, what: 'consent' });
  }

  private update(change: (file: ConsentFile) => void): Promise<ConsentFile> {
    return updateJson<ConsentFile>(this.path, () => ({ records: {} }), { validate: consentProblem, what: 'consent' }, this.lockOptions, change);
  }

  async grant(record: ConsentRecord): Promise<void> {
    const { revokedAt: _a, revokedBy: _b, ...granted } = record;
    const stored: ConsentRecord = record.revokedAt !== undefined ? { ...record } : granted;
    await this.update((file) => {
      file.records[consentKey(record.orgId, record.scope, record.resource)] = stored;
    });
  }

  async revoke(orgId: string, resource: string, scope: ConsentScope, by: string, at: Date): Promise<boolean> {
    let revoked = false;
    await this.update((file) => {
      const r = file.records[consentKey(orgId, scope, resource)];
      if (!r || r.revokedAt !== undefined) return;
      r.revokedBy = by;
      r.revokedAt = at.toISOString();
      revoked = true;
    });
    return revoked;
  }

  async list(orgId: string): Promise<ConsentRecord[]> {
    const file = await this.readFile();
    return Object.values(file.records)
      .filter((r) => r.orgId === orgId)
      .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0))
      .map((r) => ({ ...r }));
  }

  async hasConsent(orgId: string, repo: string, scope: ConsentScope, at: Date): Promise<boolean> {
    const file = await this.readFile();
    return [file.records[consentKey(orgId, scope, '*')], file.records[consentKey(orgId, scope, repo)]].some(
      (r) => r !== undefined && consentActive(r, at)
    );
  }
}
