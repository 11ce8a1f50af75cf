import { createHmac } from 'node:crypto';
import type { CalibrationContribution, CalibrationStore, ConsentStore, NonceKey } from '../store/types.js';

/**
 * Anonymised cross-organisation calibration (DESIGN §10, issue 6 item 5).
 *
 * - Organisations and repositories are named only by HMAC-SHA256 under the newest redaction key,
 *   so nobody without the key can tell which organisation a contribution came from, and the
 *   hash changes when the key is rotated away (old contributions stop linking to new ones).
 * - Contributions carry the hour (`YYYY-MM-DDTHH`), never a finer time; their ids are HMACs of
 *   rule, organisation hash and hour: no wall-clock time can be read from them.
 * - Nothing is written for an organisation (or repository) without an unexpired, unrevoked
 *   `rule_calibration` consent, and nothing without a valid, fresh key (fail closed).
 * - Aggregates across organisations are returned only when at least K distinct organisation
 *   hashes contribute; otherwise the result says `insufficient_k` and carries no figures.
 */

/** Distinct organisations an aggregate needs before it is shown. */
export const K_ANONYMITY = 10;
/** A key loaded longer ago than this is stale (as L0 nonce_freshness). */
export const NONCE_MAX_AGE_MS = 3_600_000;
const NONCE_CLOCK_SKEW_MS = 60_000;
const HEX64 = /^[0-9a-f]{64}$/i;

export interface LoadedNonce {
  keys: NonceKey[];
  loadedAt: Date;
}

/** Why a nonce cannot be used, or null when its newest key is 64 hex and fresh. */
export function nonceProblem(nonce: LoadedNonce | null, now: Date): string | null {
  if (!nonce || nonce.keys.length === 0) return 'no redaction key is available';
  const newest = newestKey(nonce.keys)!;
  if (!HEX64.test(newest.value)) return `redaction key v${newest.version} is not 64 hex characters`;
  const age = now.getTime() - nonce.loadedAt.getTime();
  if (age < -NONCE_CLOCK_SKEW_MS || age >= NONCE_MAX_AGE_MS) return 'the redaction key was loaded more than an hour ago';
  return null;
}

/** The key with the highest version. */
export function newestKey(keys: readonly NonceKey[]): NonceKey | null {
  let best: NonceKey | null = null;
  for (const k of keys) if (!best || k.version > best.version) best = k;
  return best;
}

/** `YYYY-MM-DDTHH` (UTC) of an instant: the only time a contribution carries. */
export function hourBucket(at: Date): string {
  return at.toISOString().slice(0, 13);
}

/** The instant at the start of the hour, as ISO 8601. */
export function coarsenToHour(at: Date): string {
  return `${hourBucket(at)}:00:00.000Z`;
}

export class Anonymizer {
  readonly keyVersion: number;
  private readonly key: Buffer;

  constructor(key: NonceKey) {
    if (!HEX64.test(key.value)) throw new Error(`redaction key v${key.version} is not 64 hex characters`);
    this.key = Buffer.from(key.value, 'hex');
    this.keyVersion = key.version;
  }

  private mac(...parts: string[]): string {
    // Length-prefixed parts: ("ab","c") and ("a","bc") never collide.
    const h = createHmac('sha256', this.key);
    for (const p of parts) h.update(`${Buffer.byteLength(p)}:${p};`);
    return h.digest('hex');
  }

  /** HMAC-SHA256 of the organisation (GitHub logins are case-insensitive). */
  orgHash(org: string): string {
    return this.mac('org', org.toLowerCase());
  }

  repoHash(org: string, repo: string): string {
    return this.mac('repo', org.toLowerCase(), repo.toLowerCase());
  }

  /** A contribution's id: derived from rule, organisation hash and hour only. */
  contributionId(ruleId: string, orgHash: string, bucket: string): string {
    return this.mac('contribution', ruleId, orgHash, bucket).slice(0, 32);
  }
}

/** The part of a recorded event a contribution counts. */
export interface ContributionEvent {
  ruleId: string;
  /** `owner/repo`. */
  repository: string;
  outcome: 'pending' | 'false_positive' | 'true_positive';
}

export type ContributionOutcome =
  | {
      status: 'written';
      orgHash: string;
      bucket: string;
      keyVersion: number;
      /** Repositories of the organisation whose events were counted (consented), as HMACs. */
      repoHashes: string[];
      contributions: (CalibrationContribution & { id: string })[];
    }
  | { status: 'skipped'; reason: 'no_consent' | 'nonce_unavailable'; detail: string }
  | { status: 'failed'; detail: string };

export interface ContributeInput {
  /** `owner/repo` of the running repository: its organisation is the one that contributes. */
  repository: string;
  /** The rules to contribute for (a rule without events contributes zeros). */
  ruleIds: readonly string[];
  /** The calibration window's events; other organisations' and unconsented repositories' are left out. */
  events: readonly ContributionEvent[];
  nonce: LoadedNonce | null;
  now: Date;
  consent: Pick<ConsentStore, 'hasConsent'>;
  calibration: Pick<CalibrationStore, 'contribute'>;
}

/**
 * Writes the organisation's per-rule counts (its consented repositories' events only) as
 * anonymised contributions, when consent and key allow. Consent is read at every run, so a
 * revocation takes effect on the next run. Never throws: a store failure is returned as
 * `failed` (calibration fails open; the check never depends on it).
 */
export async function contributeCalibration(input: ContributeInput): Promise<ContributionOutcome> {
  const [org] = splitRepository(input.repository);
  const problem = nonceProblem(input.nonce, input.now);
  if (problem) return { status: 'skipped', reason: 'nonce_unavailable', detail: `${problem}: nothing is written to shared calibration data` };
  const repos = new Set<string>([input.repository]);
  for (const e of input.events) if (splitRepository(e.repository)[0].toLowerCase() === org.toLowerCase()) repos.add(e.repository);
  const consented = new Set<string>();
  try {
    for (const r of [...repos].sort()) {
      if (await input.consent.hasConsent(org, splitRepository(r)[1], 'rule_calibration', input.now)) consented.add(r);
    }
  } catch (err) {
    return { status: 'failed', detail: `consent could not be read: ${(err as Error).message}` };
  }
  if (!consented.has(input.repository)) {
    return {
      status: 'skipped',
      reason: 'no_consent',
      detail: `no active rule_calibration consent covers ${input.repository} (pm-action consent grant --org ${org} --scope rule_calibration --by WHO)`
    };
  }
  const anon = new Anonymizer(newestKey(input.nonce!.keys)!);
  const orgHash = anon.orgHash(org);
  const bucket = hourBucket(input.now);
  const counts = new Map<string, { total: number; falsePositives: number; pending: number }>();
  for (const id of input.ruleIds) counts.set(id, { total: 0, falsePositives: 0, pending: 0 });
  for (const e of input.events) {
    const c = counts.get(e.ruleId);
    if (!c || !consented.has(e.repository)) continue;
    c.total++;
    if (e.outcome === 'pending') c.pending++;
    else if (e.outcome === 'false_positive') c.falsePositives++;
  }
  const contributions = [...counts].map(([ruleId, c]) => ({ id: anon.contributionId(ruleId, orgHash, bucket), ruleId, bucket, orgHash, ...c }));
  try {
    for (const c of contributions) {
      const { id: _id, ...stored } = c;
      await input.calibration.contribute(stored);
    }
  } catch (err) {
    return { status: 'failed', detail: `calibration contribution not written: ${(err as Error).message}` };
  }
  const repoHashes = [...consented].sort().map((r) => anon.repoHash(org, splitRepository(r)[1]));
  return { status: 'written', orgHash, bucket, keyVersion: anon.keyVersion, repoHashes, contributions };
}

export type CrossOrgAggregate =
  | { status: 'ok'; ruleId: string; orgs: number; total: number; falsePositives: number; pending: number; fpr: number | null }
  | { status: 'insufficient_k'; ruleId: string; orgs: number; k: number };

/**
 * Aggregates a rule's contributions across organisations: each organisation counts once, with
 * its newest contribution (a contribution is a window, not a delta). Only buckets at or after
 * `sinceBucket` count. Fewer than `k` distinct organisation hashes → `insufficient_k`, no figures.
 */
export function aggregateContributions(
  ruleId: string,
  contributions: readonly CalibrationContribution[],
  options: { k?: number; sinceBucket?: string } = {}
): CrossOrgAggregate {
  const k = options.k ?? K_ANONYMITY;
  const newest = new Map<string, CalibrationContribution>();
  for (const c of contributions) {
    if (c.ruleId !== ruleId || !c.orgHash) continue;
    if (options.sinceBucket !== undefined && c.bucket < options.sinceBucket) continue;
    const prev = newest.get(c.orgHash);
    if (!prev || c.bucket > prev.bucket) newest.set(c.orgHash, c);
  }
  if (newest.size < k) return { status: 'insufficient_k', ruleId, orgs: newest.size, k };
  let total = 0;
  let fp = 0;
  let pending = 0;
  for (const c of newest.values()) {
    total += c.total;
    fp += c.falsePositives;
    pending += c.pending;
  }
  const reviewed = total - pending;
  return { status: 'ok', ruleId, orgs: newest.size, total, falsePositives: fp, pending, fpr: reviewed > 0 ? fp / reviewed : null };
}

function splitRepository(repository: string): [string, string] {
  const i = repository.indexOf('/');
  return i < 0 ? [repository, ''] : [repository.slice(0, i), repository.slice(i + 1)];
}
