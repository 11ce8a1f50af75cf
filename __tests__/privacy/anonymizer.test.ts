import { beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  aggregateContributions,
  Anonymizer,
  coarsenToHour,
  contributeCalibration,
  hourBucket,
  K_ANONYMITY,
  newestKey,
  nonceProblem,
  type ContributionEvent,
  type LoadedNonce
} from '../../src/privacy/anonymizer.js';
import { createLocalStores, type LocalStores } from '../../src/store/local/index.js';
import type { CalibrationContribution } from '../../src/store/types.js';

const K1 = { version: 1, value: '11'.repeat(32) };
const K2 = { version: 2, value: 'ab'.repeat(32) };
const NOW = new Date('2026-03-01T12:34:56.789Z');
const nonce = (keys = [K2, K1], loadedAt = NOW): LoadedNonce => ({ keys, loadedAt });

let stores: LocalStores;
beforeEach(async () => {
  stores = await createLocalStores(await mkdtemp(path.join(tmpdir(), 'pm-anon-')));
});

const events = (repository: string, fp: number, tp: number, pending: number, ruleId = 'MD-004'): ContributionEvent[] => [
  ...Array.from({ length: fp }, () => ({ ruleId, repository, outcome: 'false_positive' as const })),
  ...Array.from({ length: tp }, () => ({ ruleId, repository, outcome: 'true_positive' as const })),
  ...Array.from({ length: pending }, () => ({ ruleId, repository, outcome: 'pending' as const }))
];

describe('Anonymizer', () => {
  it('hashes organisations and repositories with HMAC-SHA256 under the key, case-insensitively', () => {
    const a = new Anonymizer(K2);
    expect(a.orgHash('Acme')).toMatch(/^[0-9a-f]{64}$/);
    expect(a.orgHash('Acme')).toBe(a.orgHash('acme'));
    expect(a.orgHash('acme')).not.toBe(new Anonymizer(K1).orgHash('acme'));
    expect(a.orgHash('acme')).not.toContain('acme');
    expect(a.repoHash('acme', 'widgets')).not.toBe(a.repoHash('acme', 'gadgets'));
    // Parts are length-prefixed: no collision by moving the boundary.
    expect(a.repoHash('ab', 'c')).not.toBe(a.repoHash('a', 'bc'));
    expect(a.keyVersion).toBe(2);
    expect(() => new Anonymizer({ version: 3, value: 'nothex' })).toThrow(/64 hex/);
  });

  it('contribution ids carry no wall-clock time: the same rule, org and hour give the same id', () => {
    const a = new Anonymizer(K2);
    const id = a.contributionId('MD-004', a.orgHash('acme'), hourBucket(NOW));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(id).toBe(a.contributionId('MD-004', a.orgHash('acme'), hourBucket(new Date('2026-03-01T12:59:59Z'))));
    expect(id).not.toContain('2026');
  });

  it('coarsens times to the hour', () => {
    expect(hourBucket(NOW)).toBe('2026-03-01T12');
    expect(coarsenToHour(NOW)).toBe('2026-03-01T12:00:00.000Z');
  });

  it('nonceProblem: missing, malformed, stale or future keys are refused', () => {
    expect(nonceProblem(nonce(), NOW)).toBeNull();
    expect(nonceProblem(null, NOW)).toContain('no redaction key');
    expect(nonceProblem({ keys: [], loadedAt: NOW }, NOW)).toContain('no redaction key');
    expect(nonceProblem(nonce([{ version: 3, value: 'xyz' }, K1]), NOW)).toContain('not 64 hex');
    expect(nonceProblem(nonce(undefined, new Date(NOW.getTime() - 3_600_000)), NOW)).toContain('more than an hour');
    expect(nonceProblem(nonce(undefined, new Date(NOW.getTime() + 3_600_000)), NOW)).toContain('more than an hour');
    expect(newestKey([K1, K2])).toEqual(K2);
    expect(newestKey([])).toBeNull();
  });
});

describe('contributeCalibration', () => {
  const input = (extra: Partial<Parameters<typeof contributeCalibration>[0]> = {}) => ({
    repository: 'acme/widgets',
    ruleIds: ['MD-004', 'MD-001'],
    events: events('acme/widgets', 2, 3, 1),
    nonce: nonce(),
    now: NOW,
    consent: stores.consent,
    calibration: stores.calibration,
    ...extra
  });

  it('writes nothing without consent', async () => {
    const r = await contributeCalibration(input());
    expect(r).toMatchObject({ status: 'skipped', reason: 'no_consent' });
    expect(await stores.calibration.read('MD-004')).toEqual([]);
  });

  it('writes nothing without a valid, fresh key (fail closed), even with consent', async () => {
    await stores.consent.grant({ orgId: 'acme', resource: '*', scope: 'rule_calibration', grantedBy: 'cto', grantedAt: NOW.toISOString() });
    for (const n of [null, nonce([{ version: 1, value: 'short' }]), nonce(undefined, new Date(NOW.getTime() - 2 * 3_600_000))]) {
      const r = await contributeCalibration(input({ nonce: n }));
      expect(r).toMatchObject({ status: 'skipped', reason: 'nonce_unavailable' });
    }
    expect(await stores.calibration.read('MD-004')).toEqual([]);
  });

  it('with org-wide consent: anonymised counts for the hour, newest key; other orgs and unconsented repos left out', async () => {
    await stores.consent.grant({ orgId: 'acme', resource: '*', scope: 'rule_calibration', grantedBy: 'cto', grantedAt: NOW.toISOString() });
    const r = await contributeCalibration(input({ events: [...events('acme/widgets', 2, 3, 1), ...events('acme/gadgets', 1, 0, 0), ...events('other/x', 9, 9, 9)] }));
    expect(r.status).toBe('written');
    if (r.status !== 'written') return;
    const orgHash = new Anonymizer(K2).orgHash('acme');
    expect(r).toMatchObject({ orgHash, bucket: '2026-03-01T12', keyVersion: 2 });
    expect(r.repoHashes).toHaveLength(2);
    expect(await stores.calibration.read('MD-004')).toEqual([{ ruleId: 'MD-004', bucket: '2026-03-01T12', orgHash, total: 7, falsePositives: 3, pending: 1 }]);
    expect(await stores.calibration.read('MD-001')).toEqual([{ ruleId: 'MD-001', bucket: '2026-03-01T12', orgHash, total: 0, falsePositives: 0, pending: 0 }]);
    // Nothing in the stored file names the organisation or a time finer than the hour.
    const text = JSON.stringify(await stores.calibration.read('MD-004'));
    expect(text).not.toMatch(/acme|widgets|12:34/);
  });

  it('a repository grant covers that repository only; expired and revoked consent write nothing', async () => {
    await stores.consent.grant({ orgId: 'acme', resource: 'widgets', scope: 'rule_calibration', grantedBy: 'cto', grantedAt: NOW.toISOString() });
    const r = await contributeCalibration(input({ events: [...events('acme/widgets', 1, 1, 0), ...events('acme/gadgets', 5, 0, 0)] }));
    expect(r.status === 'written' && r.contributions.find((c) => c.ruleId === 'MD-004')).toMatchObject({ total: 2, falsePositives: 1 });
    expect((await contributeCalibration(input({ repository: 'acme/gadgets' }))).status).toBe('skipped');

    await stores.consent.grant({ orgId: 'acme', resource: 'widgets', scope: 'rule_calibration', grantedBy: 'cto', grantedAt: NOW.toISOString(), expiresAt: '2026-02-28' });
    expect((await contributeCalibration(input())).status).toBe('skipped');
    await stores.consent.grant({ orgId: 'acme', resource: 'widgets', scope: 'rule_calibration', grantedBy: 'cto', grantedAt: NOW.toISOString() });
    await stores.consent.revoke('acme', 'widgets', 'rule_calibration', 'dpo', new Date(NOW.getTime() - 1000));
    expect((await contributeCalibration(input())).status).toBe('skipped');
  });

  it('store failures are returned, never thrown', async () => {
    const fail = () => Promise.reject(new Error('boom'));
    expect(await contributeCalibration(input({ consent: { hasConsent: fail } }))).toMatchObject({ status: 'failed' });
    expect(await contributeCalibration(input({ consent: { hasConsent: async () => true }, calibration: { contribute: fail } }))).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('boom')
    });
  });
});

describe('aggregateContributions (k-anonymity)', () => {
  const c = (org: number, bucket: string, total: number, fp: number, pending = 0, ruleId = 'MD-004'): CalibrationContribution => ({
    ruleId,
    bucket,
    orgHash: `org${org}`,
    total,
    falsePositives: fp,
    pending
  });

  it('fewer than 10 distinct organisations: insufficient_k and no figures', () => {
    const list = Array.from({ length: 9 }, (_, i) => c(i, '2026-03-01T10', 10, 1));
    const r = aggregateContributions('MD-004', [...list, c(0, '2026-03-01T11', 10, 1)]);
    expect(r).toEqual({ status: 'insufficient_k', ruleId: 'MD-004', orgs: 9, k: K_ANONYMITY });
    expect(r).not.toHaveProperty('total');
  });

  it('10 organisations: each counts once with its newest contribution', () => {
    const list = Array.from({ length: 10 }, (_, i) => c(i, '2026-03-01T10', 10, 1, 0));
    list.push(c(0, '2026-03-01T12', 20, 10, 10)); // org0's newer window replaces its older one
    list.push(c(0, '2026-02-01T00', 99, 99, 0));
    list.push(c(5, '2026-03-01T10', 10, 1, 0, 'MD-001')); // another rule
    const r = aggregateContributions('MD-004', list);
    expect(r).toEqual({ status: 'ok', ruleId: 'MD-004', orgs: 10, total: 110, falsePositives: 19, pending: 10, fpr: 0.19 });
  });

  it('honours sinceBucket and a custom k; an all-pending aggregate has no FPR', () => {
    const list = Array.from({ length: 3 }, (_, i) => c(i, '2026-03-01T10', 4, 0, 4));
    expect(aggregateContributions('MD-004', list, { k: 3 })).toMatchObject({ status: 'ok', fpr: null });
    expect(aggregateContributions('MD-004', list, { k: 3, sinceBucket: '2026-03-01T11' })).toMatchObject({ status: 'insufficient_k', orgs: 0 });
  });
});
