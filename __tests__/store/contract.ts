/**
 * Contract suites shared by every store backend (local files, DynamoDB/S3/SSM). They use only
 * the interfaces of src/store/types.ts, and unique ids per test, so they also hold against a
 * shared table that other tests write to.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type {
  BaselineStore,
  BlockCounter,
  CalibrationContribution,
  CalibrationStore,
  ConsentRecord,
  ConsentStore,
  FPEvent,
  FPMark,
  FPStore,
  NonceSource
} from '../../src/store/types.js';

const uid = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

const BASE = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

function ev(ruleId: string, findingId: string, n: number, extra: Partial<FPEvent> = {}): FPEvent {
  return {
    eventId: `${findingId}-e${n}`,
    findingId,
    ruleId,
    ruleVersion: '1.0.0',
    repository: 'octo/widgets',
    runId: String(1000 + n),
    observedAt: iso(n),
    outcome: 'pending',
    ...extra
  };
}

function fp(findingId: string, minutes: number, extra: Partial<FPMark> = {}): FPMark {
  return { findingId, outcome: 'false_positive', reviewer: 'alice', ticket: 'SEC-1', markedAt: iso(minutes), ...extra };
}

const ids = (events: FPEvent[] | undefined) => (events ?? []).map((e) => e.eventId);

/**
 * `reopen` gives a second handle on the same data, as a later run (another process) opens it:
 * what one handle remembers must not be what makes the contract hold.
 */
export function fpStoreContract(name: string, make: () => Promise<FPStore>, reopen: (store: FPStore) => Promise<FPStore> = async (s) => s): void {
  describe(`FPStore contract: ${name}`, () => {
    it('returns recorded events per rule, newest first, with their fields intact', async () => {
      const store = await make();
      const [r1, r2, f1, f2] = [uid('rule'), uid('rule'), uid('f'), uid('f')];
      const events = [ev(r1, f1, 1), ev(r1, f1, 3), ev(r1, f1, 2), ev(r2, f2, 4, { ruleVersion: '2.1.0', runId: 'run-x' })];
      await store.recordEvents(events);
      const w = await store.window([r1, r2], {});
      expect(ids(w.get(r1))).toEqual([`${f1}-e3`, `${f1}-e2`, `${f1}-e1`]);
      expect(w.get(r2)).toEqual([events[3]]);
      expect(w.get(r1)?.[0]).toEqual(events[1]);
    });

    it('gives an empty list for a rule without events', async () => {
      const store = await make();
      const w = await store.window([uid('rule')], {});
      expect([...w.values()].flat()).toEqual([]);
    });

    it('records each eventId once, within a batch and across batches', async () => {
      const store = await make();
      const [r, f] = [uid('rule'), uid('f')];
      const e1 = ev(r, f, 1);
      await store.recordEvents([e1, e1, ev(r, f, 2)]);
      await store.recordEvents([e1, ev(r, f, 2)]);
      await store.recordEvents([]);
      expect(ids((await store.window([r], {})).get(r))).toEqual([`${f}-e2`, `${f}-e1`]);
    });

    it('records an eventId once across runs: recorded again later (another run, another observedAt) it stays one event, the first one', async () => {
      const store = await make();
      const [r, f, g] = [uid('rule'), uid('f'), uid('f')];
      const first = ev(r, f, 1);
      const again = (minutes: number): FPEvent => ({ ...first, runId: String(9000 + minutes), observedAt: iso(minutes) });
      await store.recordEvents([first, ev(r, g, 2)]);
      await store.recordEvents([again(30)]);
      const nextRun = await reopen(store);
      await nextRun.recordEvents([again(40), ev(r, g, 3)]);
      await nextRun.mark(fp(f, 45, { ruleId: r }));
      // A mark made since must not erase what says the id is recorded.
      const afterMark = await reopen(store);
      await afterMark.recordEvents([again(50), again(50)]);
      for (const s of [store, afterMark]) {
        const w = (await s.window([r], {})).get(r) ?? [];
        expect(ids(w)).toEqual([`${g}-e3`, `${g}-e2`, `${f}-e1`]);
        expect(w[2]).toEqual({ ...first, outcome: 'false_positive', reviewer: 'alice', ticket: 'SEC-1', reviewedAt: iso(45) });
        expect(ids((await s.window([r], { reviewedOnly: true })).get(r))).toEqual([`${f}-e1`]);
        expect(ids((await s.window([r], { since: new Date(iso(2)) })).get(r))).toEqual([`${g}-e3`, `${g}-e2`]);
        expect(ids((await s.findingEvents([f])).get(f))).toEqual([`${f}-e1`]);
      }
    });

    it('a reviewed-only window holds each reviewed event once, newest first, with the newest verdict, whenever the mark was made', async () => {
      const store = await make();
      const [r, fa, fb, fc, fd] = [uid('rule'), uid('f'), uid('f'), uid('f'), uid('f')];
      await store.mark(fp(fd, 0)); // by finding id, before any event of it
      await store.recordEvents([ev(r, fa, 1), ev(r, fb, 2), ev(r, fc, 3)]);
      await store.mark(fp(fa, 10, { ruleId: r }));
      await store.mark(fp(fc, 11, { outcome: 'true_positive', reviewer: 'bob', ticket: undefined }));
      await store.recordEvents([ev(r, fa, 4), ev(r, fd, 5), ev(r, fb, 6, { outcome: 'false_positive', reviewer: 'erin', reviewedAt: iso(6) })]);
      await store.mark(fp(fa, 20, { reviewer: 'carol', ticket: 'SEC-2' }));
      await store.mark(fp(fa, 15, { reviewer: 'dave' })); // older than carol's: changes nothing
      const later = await reopen(store);
      await later.recordEvents([{ ...ev(r, fa, 1), runId: '9', observedAt: iso(30) }]);
      const w = (await later.window([r], { reviewedOnly: true })).get(r) ?? [];
      expect(w.map((e) => [e.eventId, e.outcome, e.reviewer, e.ticket, e.reviewedAt])).toEqual([
        [`${fb}-e6`, 'false_positive', 'erin', undefined, iso(6)],
        [`${fd}-e5`, 'false_positive', 'alice', 'SEC-1', iso(0)],
        [`${fa}-e4`, 'false_positive', 'carol', 'SEC-2', iso(20)],
        [`${fc}-e3`, 'true_positive', 'bob', undefined, iso(11)],
        [`${fa}-e1`, 'false_positive', 'carol', 'SEC-2', iso(20)]
      ]);
      expect(w[4]).toEqual({ ...ev(r, fa, 1), outcome: 'false_positive', reviewer: 'carol', ticket: 'SEC-2', reviewedAt: iso(20) });
      // The same events as the reviewed ones of the full window, and count honoured.
      expect(((await later.window([r], {})).get(r) ?? []).filter((e) => e.outcome !== 'pending')).toEqual(w);
      expect(ids((await later.window([r], { reviewedOnly: true, count: 2 })).get(r))).toEqual([`${fb}-e6`, `${fd}-e5`]);
    });

    it('a reviewed-only window holds the newest 200 reviewed events per rule, marked after or before they were recorded', async () => {
      const store = await make();
      const [r1, r2, f, g, other] = [uid('rule'), uid('rule'), uid('f'), uid('f'), uid('f')];
      await store.recordEvents(Array.from({ length: 230 }, (_, i) => ev(r1, f, i)));
      await store.recordEvents([ev(r1, other, 500)]);
      await store.mark(fp(f, 1000));
      await store.mark(fp(g, 1000, { ruleId: r2 }));
      await store.recordEvents(Array.from({ length: 230 }, (_, i) => ev(r2, g, i)));
      const w = await (await reopen(store)).window([r1, r2, uid('rule')], { reviewedOnly: true });
      for (const [r, id] of [
        [r1, f],
        [r2, g]
      ]) {
        const list = w.get(r) ?? [];
        expect(list).toHaveLength(200);
        expect(list[0]).toMatchObject({ eventId: `${id}-e229`, outcome: 'false_positive', reviewer: 'alice', reviewedAt: iso(1000) });
        expect(list[199].eventId).toBe(`${id}-e30`);
      }
      expect([...w.values()].map((l) => l.length)).toEqual([200, 200, 0]);
      expect(ids((await store.window([r1], { reviewedOnly: true, count: 3 })).get(r1))).toEqual([`${f}-e229`, `${f}-e228`, `${f}-e227`]);
    });

    it('a mark applies to the events recorded before it and to those recorded after it', async () => {
      const store = await make();
      const [r, f, other] = [uid('rule'), uid('f'), uid('f')];
      await store.recordEvents([ev(r, f, 1), ev(r, other, 2)]);
      await store.mark(fp(f, 10, { ruleId: r }));
      await store.recordEvents([ev(r, f, 20)]);
      const w = (await store.window([r], {})).get(r) ?? [];
      const byId = new Map(w.map((e) => [e.eventId, e]));
      for (const id of [`${f}-e1`, `${f}-e20`]) {
        expect(byId.get(id)).toMatchObject({ outcome: 'false_positive', reviewer: 'alice', ticket: 'SEC-1', reviewedAt: iso(10) });
      }
      expect(byId.get(`${other}-e2`)?.outcome).toBe('pending');
      expect(byId.get(`${other}-e2`)?.reviewer).toBeUndefined();
    });

    it('a newer mark replaces an older one; an older mark recorded later does not', async () => {
      const store = await make();
      const [r, f] = [uid('rule'), uid('f')];
      await store.recordEvents([ev(r, f, 1)]);
      await store.mark(fp(f, 10));
      await store.mark(fp(f, 20, { outcome: 'true_positive', reviewer: 'bob', ticket: undefined }));
      await store.mark(fp(f, 15, { reviewer: 'carol' }));
      const marks = await store.lookupMarks([f]);
      expect(marks.get(f)).toMatchObject({ findingId: f, outcome: 'true_positive', reviewer: 'bob', markedAt: iso(20) });
      const [e] = (await store.window([r], {})).get(r) ?? [];
      expect(e).toMatchObject({ outcome: 'true_positive', reviewer: 'bob', reviewedAt: iso(20) });
      expect(e.ticket).toBeUndefined();
    });

    it('looks up marks for a batch of ids, leaving out ids without a mark', async () => {
      const store = await make();
      const marked = Array.from({ length: 5 }, () => uid('f'));
      const unmarked = Array.from({ length: 145 }, () => uid('f'));
      for (const [i, f] of marked.entries()) await store.mark(fp(f, i, { reviewer: `rev${i}` }));
      const result = await store.lookupMarks([...unmarked.slice(0, 70), ...marked, ...unmarked.slice(70)]);
      expect([...result.keys()].sort()).toEqual([...marked].sort());
      marked.forEach((f, i) => expect(result.get(f)).toMatchObject({ findingId: f, reviewer: `rev${i}`, outcome: 'false_positive' }));
      expect((await store.lookupMarks([])).size).toBe(0);
    });

    it('findingEvents returns every event of the ids given, newest first, marks applied, and leaves out unknown ids', async () => {
      const store = await make();
      const [r1, r2, f, g, unknown] = [uid('rule'), uid('rule'), uid('f'), uid('f'), uid('f')];
      await store.recordEvents([ev(r1, f, 1), ev(r1, f, 3, { repository: 'octo/gadgets' }), ev(r2, g, 2)]);
      await store.mark(fp(g, 10, { ruleId: r2 }));
      const got = await store.findingEvents([f, g, unknown]);
      expect([...got.keys()].sort()).toEqual([f, g].sort());
      expect(got.get(f)?.map((e) => [e.eventId, e.repository, e.outcome])).toEqual([
        [`${f}-e3`, 'octo/gadgets', 'pending'],
        [`${f}-e1`, 'octo/widgets', 'pending']
      ]);
      expect(got.get(g)?.[0]).toMatchObject({ eventId: `${g}-e2`, outcome: 'false_positive', reviewer: 'alice', ticket: 'SEC-1' });
      expect((await store.findingEvents([])).size).toBe(0);
    });

    it('a window holds the newest 200 events by default and honours count', async () => {
      const store = await make();
      const [r, f] = [uid('rule'), uid('f')];
      const events = Array.from({ length: 230 }, (_, i) => ev(r, f, i));
      await store.recordEvents(events);
      const all = (await store.window([r], {})).get(r) ?? [];
      expect(all).toHaveLength(200);
      expect(all[0].eventId).toBe(`${f}-e229`);
      expect(all[199].eventId).toBe(`${f}-e30`);
      expect(ids((await store.window([r], { count: 3 })).get(r))).toEqual([`${f}-e229`, `${f}-e228`, `${f}-e227`]);
    });

    it('filters by since (inclusive) and by reviewedOnly, counting only what passes the filters', async () => {
      const store = await make();
      const [r, fa, fb] = [uid('rule'), uid('f'), uid('f')];
      await store.recordEvents([ev(r, fa, 1), ev(r, fb, 2), ev(r, fa, 3), ev(r, fb, 4), ev(r, fa, 5), ev(r, fb, 6)]);
      await store.mark(fp(fa, 30));
      const since = (await store.window([r], { since: new Date(iso(3)) })).get(r);
      expect(ids(since)).toEqual([`${fb}-e6`, `${fa}-e5`, `${fb}-e4`, `${fa}-e3`]);
      const reviewed = (await store.window([r], { reviewedOnly: true, count: 2 })).get(r);
      expect(ids(reviewed)).toEqual([`${fa}-e5`, `${fa}-e3`]);
      const both = (await store.window([r], { reviewedOnly: true, since: new Date(iso(4)) })).get(r);
      expect(ids(both)).toEqual([`${fa}-e5`]);
    });
  });
}

export function blockCounterContract(name: string, make: () => Promise<BlockCounter>): void {
  describe(`BlockCounter contract: ${name}`, () => {
    const at = new Date('2026-03-01T10:15:00Z');

    it('reads 0 for an hour without blocked runs', async () => {
      const c = await make();
      expect(await c.read(uid('octo/repo'), at)).toBe(0);
    });

    it('counts distinct runs in the hour and returns the new count', async () => {
      const c = await make();
      const repo = uid('octo/repo');
      expect(await c.increment(repo, '100.1', at)).toBe(1);
      expect(await c.increment(repo, '101.1', new Date('2026-03-01T10:59:59Z'))).toBe(2);
      expect(await c.increment(repo, '100.2', new Date('2026-03-01T10:00:00Z'))).toBe(3);
      expect(await c.read(repo, new Date('2026-03-01T10:30:00Z'))).toBe(3);
    });

    it('counts a re-run with the same run key once', async () => {
      const c = await make();
      const repo = uid('octo/repo');
      await c.increment(repo, '200.1', at);
      expect(await c.increment(repo, '200.1', at)).toBe(1);
      expect(await c.increment(repo, '200.1', new Date('2026-03-01T10:40:00Z'))).toBe(1);
      expect(await c.read(repo, at)).toBe(1);
    });

    it('keeps hours and repositories apart', async () => {
      const c = await make();
      const [a, b] = [uid('octo/a'), uid('octo/b')];
      await c.increment(a, '1.1', at);
      await c.increment(a, '2.1', new Date('2026-03-01T11:00:00Z'));
      await c.increment(b, '3.1', at);
      expect(await c.read(a, at)).toBe(1);
      expect(await c.read(a, new Date('2026-03-01T11:20:00Z'))).toBe(1);
      expect(await c.read(b, at)).toBe(1);
      expect(await c.read(b, new Date('2026-03-01T09:59:59Z'))).toBe(0);
    });

    it('loses no increment when many runs block at once', async () => {
      const c = await make();
      const repo = uid('octo/repo');
      await Promise.all(Array.from({ length: 12 }, (_, i) => c.increment(repo, `${500 + i}.1`, at)));
      expect(await c.read(repo, at)).toBe(12);
    });
  });
}

export function consentStoreContract(name: string, make: () => Promise<ConsentStore>): void {
  describe(`ConsentStore contract: ${name}`, () => {
    const t0 = new Date('2026-03-01T10:00:00Z');
    const later = new Date('2026-03-02T10:00:00Z');
    const grant = (orgId: string, resource: string, extra: Partial<ConsentRecord> = {}): ConsentRecord => ({
      orgId,
      resource,
      scope: 'rule_calibration',
      grantedBy: 'alice',
      grantedAt: t0.toISOString(),
      ...extra
    });

    it('has no consent before a grant', async () => {
      const s = await make();
      const org = uid('org');
      expect(await s.hasConsent(org, 'repo', 'rule_calibration', later)).toBe(false);
      expect(await s.list(org)).toEqual([]);
    });

    it('a repository grant covers that repository only', async () => {
      const s = await make();
      const org = uid('org');
      await s.grant(grant(org, 'widgets'));
      expect(await s.hasConsent(org, 'widgets', 'rule_calibration', later)).toBe(true);
      expect(await s.hasConsent(org, 'gadgets', 'rule_calibration', later)).toBe(false);
      expect(await s.hasConsent(uid('org'), 'widgets', 'rule_calibration', later)).toBe(false);
    });

    it('an organisation-wide grant covers every repository of the organisation', async () => {
      const s = await make();
      const org = uid('org');
      await s.grant(grant(org, '*'));
      expect(await s.hasConsent(org, 'widgets', 'rule_calibration', later)).toBe(true);
      expect(await s.hasConsent(org, 'anything', 'rule_calibration', later)).toBe(true);
    });

    it('an expired grant gives no consent', async () => {
      const s = await make();
      const org = uid('org');
      await s.grant(grant(org, 'widgets', { expiresAt: '2026-03-01T12:00:00.000Z' }));
      expect(await s.hasConsent(org, 'widgets', 'rule_calibration', new Date('2026-03-01T11:00:00Z'))).toBe(true);
      expect(await s.hasConsent(org, 'widgets', 'rule_calibration', later)).toBe(false);
    });

    it('revocation records who and when, ends the consent, and reports whether anything was revoked', async () => {
      const s = await make();
      const org = uid('org');
      await s.grant(grant(org, '*'));
      expect(await s.revoke(org, 'widgets', 'rule_calibration', 'bob', later)).toBe(false);
      expect(await s.revoke(org, '*', 'rule_calibration', 'bob', later)).toBe(true);
      expect(await s.revoke(org, '*', 'rule_calibration', 'carol', later)).toBe(false);
      expect(await s.hasConsent(org, 'widgets', 'rule_calibration', new Date('2026-03-03T00:00:00Z'))).toBe(false);
      const [r] = await s.list(org);
      expect(r).toMatchObject({ orgId: org, resource: '*', revokedBy: 'bob', revokedAt: later.toISOString(), grantedBy: 'alice' });
    });

    it('a new grant after a revocation restores consent', async () => {
      const s = await make();
      const org = uid('org');
      await s.grant(grant(org, 'widgets'));
      await s.revoke(org, 'widgets', 'rule_calibration', 'bob', later);
      await s.grant(grant(org, 'widgets', { grantedAt: '2026-03-04T00:00:00.000Z', grantedBy: 'dave' }));
      expect(await s.hasConsent(org, 'widgets', 'rule_calibration', new Date('2026-03-05T00:00:00Z'))).toBe(true);
      const records = await s.list(org);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ grantedBy: 'dave' });
      expect(records[0].revokedAt).toBeUndefined();
    });

    it('lists every record of the organisation and none of another', async () => {
      const s = await make();
      const [org, other] = [uid('org'), uid('org')];
      await s.grant(grant(org, 'widgets'));
      await s.grant(grant(org, '*', { expiresAt: '2027-01-01T00:00:00.000Z' }));
      await s.grant(grant(other, 'widgets'));
      const list = await s.list(org);
      expect(list.map((r) => r.resource).sort()).toEqual(['*', 'widgets']);
      expect(list.find((r) => r.resource === '*')).toEqual(grant(org, '*', { expiresAt: '2027-01-01T00:00:00.000Z' }));
    });
  });
}

export function calibrationStoreContract(name: string, make: () => Promise<CalibrationStore>): void {
  describe(`CalibrationStore contract: ${name}`, () => {
    const c = (ruleId: string, orgHash: string, extra: Partial<CalibrationContribution> = {}): CalibrationContribution => ({
      ruleId,
      bucket: '2026-03-01T10',
      orgHash,
      total: 10,
      falsePositives: 2,
      pending: 1,
      ...extra
    });

    it('reads nothing for an unknown rule', async () => {
      const s = await make();
      expect(await s.read(uid('rule'))).toEqual([]);
    });

    it('reads back every contribution of a rule, across buckets and orgs', async () => {
      const s = await make();
      const [r, other] = [uid('rule'), uid('rule')];
      const items = [c(r, 'h1'), c(r, 'h2'), c(r, 'h1', { bucket: '2026-03-01T11', total: 4 })];
      for (const i of items) await s.contribute(i);
      await s.contribute(c(other, 'h1'));
      const got = await s.read(r);
      const key = (x: CalibrationContribution) => `${x.bucket}#${x.orgHash}`;
      expect([...got].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...items].sort((a, b) => key(a).localeCompare(key(b))));
    });

    it('a second contribution to the same rule, bucket and org replaces the first', async () => {
      const s = await make();
      const r = uid('rule');
      await s.contribute(c(r, 'h1'));
      await s.contribute(c(r, 'h1', { total: 30, falsePositives: 9, pending: 0 }));
      expect(await s.read(r)).toEqual([c(r, 'h1', { total: 30, falsePositives: 9, pending: 0 })]);
    });

    it('loads null for a scope without a snapshot; the latest save wins; scopes stay apart', async () => {
      const s = await make();
      const [scope, other] = [uid('scope'), uid('scope')];
      expect(await s.loadSnapshot(scope)).toBeNull();
      const first = { scope, takenAt: iso(0), rules: { 'MD-001': { fpr: 0.25, reviewed: 12, action: 'block' as const } } };
      const second = { scope, takenAt: iso(60), rules: { 'MD-001': { fpr: 0.2, reviewed: 15, action: 'warn' as const, warnSince: iso(60) } } };
      await s.saveSnapshot(first);
      await s.saveSnapshot(second);
      await s.saveSnapshot({ scope: other, takenAt: iso(1), rules: {} });
      expect(await s.loadSnapshot(scope)).toEqual(second);
      expect(await s.loadSnapshot(other)).toEqual({ scope: other, takenAt: iso(1), rules: {} });
      // Snapshots are not contributions.
      expect(await s.read('MD-001').then((list) => list.filter((x) => x.orgHash === scope))).toEqual([]);
    });
  });
}

export function baselineStoreContract(name: string, make: () => Promise<BaselineStore>): void {
  describe(`BaselineStore contract: ${name}`, () => {
    it('loads null when there is no baseline', async () => {
      const s = await make();
      expect(await s.load(uid('owner'), 'repo')).toBeNull();
    });

    it('loads what was saved, and the latest save wins', async () => {
      const s = await make();
      const owner = uid('owner');
      const first = { schema: 1, createdAt: '2026-03-01T10:00:00.000Z', files: { 'a.yml': 'abc' }, list: [1, 'two', null] };
      await s.save(owner, 'repo', first);
      expect(await s.load(owner, 'repo')).toEqual(first);
      const second = { ...first, createdAt: '2026-03-02T10:00:00.000Z', files: { 'a.yml': 'def' } };
      await s.save(owner, 'repo', second);
      expect(await s.load(owner, 'repo')).toEqual(second);
    });

    it('keeps repositories apart', async () => {
      const s = await make();
      const owner = uid('owner');
      await s.save(owner, 'one', { n: 1 });
      await s.save(owner, 'two', { n: 2 });
      expect(await s.load(owner, 'one')).toEqual({ n: 1 });
      expect(await s.load(owner, 'two')).toEqual({ n: 2 });
      expect(await s.load(owner, 'three')).toBeNull();
    });
  });
}

export function nonceSourceContract(name: string, make: () => Promise<NonceSource>): void {
  describe(`NonceSource contract: ${name}`, () => {
    it('loads at least one 64-hex key, newest version first, the same on every load', async () => {
      const s = await make();
      const a = await s.load();
      expect(a.keys.length).toBeGreaterThan(0);
      for (const k of a.keys) {
        expect(k.value).toMatch(/^[0-9a-f]{64}$/);
        expect(Number.isInteger(k.version)).toBe(true);
      }
      const versions = a.keys.map((k) => k.version);
      expect(versions).toEqual([...versions].sort((x, y) => y - x));
      expect(a.loadedAt).toBeInstanceOf(Date);
      const b = await s.load();
      expect(b.keys).toEqual(a.keys);
    });
  });
}
