import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import * as path from 'node:path';
import { parseCommand, runCommentCommand } from '../../src/pipeline/comment-command.js';
import { createLocalStores, type LocalStores } from '../../src/store/local/index.js';
import { StoreError, type FPStore } from '../../src/store/types.js';
import { GitHubFake } from '../../test-support/github-fake.js';
import { event, memoryLog, settingsFor, tempDir } from './helpers.js';

const KNOWN = '0123456789abcdef';
const COMMENTS = '/repos/acme/widgets/issues/7/comments';

let gh: GitHubFake;
let stores: LocalStores;
let ws: string;

beforeAll(async () => {
  gh = await GitHubFake.start();
});
afterAll(async () => {
  await gh.close();
});

beforeEach(async () => {
  gh.reset();
  gh.on('POST', COMMENTS, (req) => ({ status: 201, body: { id: 1, body: (req.body as { body: string }).body } }));
  ws = await tempDir();
  stores = await createLocalStores(path.join(ws, '.phase-mirror'));
  await stores.fp.recordEvents([event('MD-004', 0, { findingId: KNOWN })]);
});

function permission(user: string, permission: string, role = permission): void {
  gh.route(`/repos/acme/widgets/collaborators/${user}/permission`, {
    status: 200,
    body: { permission, role_name: role, user: { login: user } }
  });
}

function payload(body: string, opts: { user?: string; pr?: boolean; action?: string; type?: string } = {}) {
  return {
    action: opts.action ?? 'created',
    issue: { number: 7, ...(opts.pr === false ? {} : { pull_request: { url: 'https://api.github.com/repos/acme/widgets/pulls/7' } }) },
    comment: { body, user: { login: opts.user ?? 'alice', type: opts.type ?? 'User' } }
  };
}

function run(body: string, opts: Parameters<typeof payload>[1] = {}) {
  const s = settingsFor(ws, { 'github-token': 't0k' }, { GITHUB_EVENT_NAME: 'issue_comment', GITHUB_API_URL: gh.url });
  return runCommentCommand(s, { stores, log: memoryLog(), payload: payload(body, opts), now: () => new Date('2026-03-02T09:00:00Z') });
}

const replies = () => gh.requests.filter((r) => r.method === 'POST' && r.path === COMMENTS).map((r) => (r.body as { body: string }).body);

describe('parseCommand', () => {
  it('reads the command from the first line that starts with it', () => {
    expect(parseCommand(`Looks fine.\n  /phase-mirror false-positive ${KNOWN} SEC-42\n`)).toEqual({ kind: 'false-positive', findingId: KNOWN, ticket: 'SEC-42' });
  });
  it('ignores bodies without a command, quoted or fenced commands, and non-strings', () => {
    expect(parseCommand('nothing to see')).toEqual({ kind: 'none' });
    expect(parseCommand(`> /phase-mirror false-positive ${KNOWN} SEC-1`)).toEqual({ kind: 'none' });
    expect(parseCommand(`\`\`\`\n/phase-mirror false-positive ${KNOWN} SEC-1\n\`\`\``)).toEqual({ kind: 'none' });
    expect(parseCommand('/phase-mirrored nope')).toEqual({ kind: 'none' });
    expect(parseCommand(undefined)).toEqual({ kind: 'none' });
  });
  it.each([
    ['/phase-mirror', 'no subcommand'],
    [`/phase-mirror true-positive ${KNOWN} SEC-1`, 'unknown subcommand'],
    [`/phase-mirror false-positive ${KNOWN}`, 'both required'],
    [`/phase-mirror false-positive ${KNOWN} SEC-1 extra`, 'too many'],
    ['/phase-mirror false-positive XYZ SEC-1', 'not a finding id'],
    [`/phase-mirror false-positive ${KNOWN} <img/src=x>`, 'not a ticket']
  ])('%s is malformed (%s)', (body, problem) => {
    const p = parseCommand(body);
    expect(p.kind).toBe('malformed');
    expect((p as { problem: string }).problem).toContain(problem);
  });
});

describe('runCommentCommand against the fake GitHub API', () => {
  it('an authorised user (write) marks a known finding; the reply says so; the next lookup sees the mark', async () => {
    permission('alice', 'write');
    const r = await run(`/phase-mirror false-positive ${KNOWN} SEC-42`);
    expect(r).toMatchObject({ outcome: 'marked', findingId: KNOWN, ruleId: 'MD-004', replied: true, commenter: 'alice' });
    const marks = await stores.fp.lookupMarks([KNOWN]);
    expect(marks.get(KNOWN)).toMatchObject({ outcome: 'false_positive', reviewer: 'alice', ticket: 'SEC-42', ruleId: 'MD-004', markedAt: '2026-03-02T09:00:00.000Z' });
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toContain(`marked finding \`${KNOWN}\``);
    expect(replies()[0]).toContain('`SEC-42`');
    expect(gh.requests.find((q) => q.path.endsWith('/permission'))?.auth).toBe(true);
  });

  it('maintain (role_name) and admin are accepted too', async () => {
    permission('mia', 'write', 'maintain');
    expect((await run(`/phase-mirror false-positive ${KNOWN} SEC-1`, { user: 'mia' })).outcome).toBe('marked');
    permission('ada', 'admin');
    expect((await run(`/phase-mirror false-positive ${KNOWN} SEC-2`, { user: 'ada' })).outcome).toBe('marked');
  });

  it('a second identical command changes nothing and says it is already marked', async () => {
    permission('alice', 'write');
    await run(`/phase-mirror false-positive ${KNOWN} SEC-42`);
    const again = await run(`/phase-mirror false-positive ${KNOWN} SEC-42`);
    expect(again.outcome).toBe('already_marked');
  });

  it.each([
    ['read', 'read'],
    ['triage', 'read'],
    ['none', 'none']
  ])('an unauthorised user (role %s) changes nothing and is told why', async (role, perm) => {
    permission('mallory', perm, role);
    const r = await run(`/phase-mirror false-positive ${KNOWN} SEC-42`, { user: 'mallory' });
    expect(r).toMatchObject({ outcome: 'unauthorised', replied: true });
    expect((await stores.fp.lookupMarks([KNOWN])).size).toBe(0);
    expect(replies()[0]).toContain('only people with write, maintain or admin access');
    expect(replies()[0]).toContain('Nothing was changed');
    expect(replies()[0]).toContain('@\u200dmallory'); // no ping
  });

  it('a permission check that fails (404 for a non-collaborator, 422) refuses', async () => {
    const r = await run(`/phase-mirror false-positive ${KNOWN} SEC-42`, { user: 'stranger' });
    expect(r.outcome).toBe('unauthorised');
    expect(r.detail).toContain('could not be checked');
    gh.fail('/repos/acme/widgets/collaborators/eve/permission', 'unprocessable');
    expect((await run(`/phase-mirror false-positive ${KNOWN} SEC-42`, { user: 'eve' })).outcome).toBe('unauthorised');
    expect((await stores.fp.lookupMarks([KNOWN])).size).toBe(0);
  });

  it('an unknown finding id gets a clear reply and no mark', async () => {
    permission('alice', 'write');
    const r = await run('/phase-mirror false-positive fedcba9876543210 SEC-42');
    expect(r).toMatchObject({ outcome: 'unknown_id', replied: true });
    expect(replies()[0]).toContain('has no record of finding `fedcba9876543210` in this repository');
    expect((await stores.fp.lookupMarks(['fedcba9876543210'])).size).toBe(0);
  });

  it('an id seen only in another repository is unknown here', async () => {
    await stores.fp.recordEvents([event('MD-002', 1, { findingId: 'aaaaaaaaaaaaaaaa', repository: 'acme/other' })]);
    permission('alice', 'write');
    expect((await run('/phase-mirror false-positive aaaaaaaaaaaaaaaa SEC-1')).outcome).toBe('unknown_id');
  });

  it('a malformed command gets the usage, checks no permission and changes nothing', async () => {
    const r = await run(`/phase-mirror false-positive ${KNOWN}`);
    expect(r).toMatchObject({ outcome: 'malformed', replied: true });
    expect(replies()[0]).toContain('Usage: `/phase-mirror false-positive <finding-id> <ticket>`');
    expect(gh.requests.some((q) => q.path.endsWith('/permission'))).toBe(false);
    expect((await stores.fp.lookupMarks([KNOWN])).size).toBe(0);
  });

  it('escapes what the commenter wrote in the reply', async () => {
    await run('/phase-mirror false-positive <script>alert(1)</script> [x](http://evil)');
    const body = replies()[0];
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('](http://evil)');
    expect(body).toContain('&lt;script&gt;');
  });

  it('issue (not PR) comments, edits, bots and comments without a command are ignored: no API call at all', async () => {
    permission('alice', 'write');
    const cmd = `/phase-mirror false-positive ${KNOWN} SEC-42`;
    expect((await run(cmd, { pr: false })).outcome).toBe('ignored');
    expect((await run(cmd, { action: 'edited' })).outcome).toBe('ignored');
    expect((await run(cmd, { type: 'Bot', user: 'pm-bot[bot]' })).outcome).toBe('ignored');
    expect((await run('LGTM')).outcome).toBe('ignored');
    expect(gh.requests).toHaveLength(0);
    expect((await stores.fp.lookupMarks([KNOWN])).size).toBe(0);
  });

  it('a reply that cannot be posted is reported, the mark stands', async () => {
    permission('alice', 'write');
    gh.fail(COMMENTS, 'forbidden');
    const r = await run(`/phase-mirror false-positive ${KNOWN} SEC-42`);
    expect(r).toMatchObject({ outcome: 'marked', replied: false });
    expect(r.replyError).toBeTruthy();
  });

  it('a store that fails on the mark: the reply says nothing changed', async () => {
    permission('alice', 'write');
    const down = () => Promise.reject(new StoreError('connect ECONNREFUSED', true));
    const s = settingsFor(ws, { 'github-token': 't0k' }, { GITHUB_EVENT_NAME: 'issue_comment', GITHUB_API_URL: gh.url });
    const fp = stores.fp;
    const wrap = (over: Partial<FPStore>): FPStore => ({
      recordEvents: (e) => fp.recordEvents(e),
      mark: (m) => fp.mark(m),
      lookupMarks: (ids) => fp.lookupMarks(ids),
      window: (r, o) => fp.window(r, o),
      findingEvents: (ids) => fp.findingEvents(ids),
      ...over
    });
    const r = await runCommentCommand(s, {
      stores: { ...stores, fp: wrap({ mark: down }) },
      log: memoryLog(),
      payload: payload(`/phase-mirror false-positive ${KNOWN} SEC-42`)
    });
    expect(r.outcome).toBe('failed');
    expect(replies()[0]).toContain('could not be recorded');
    const r2 = await runCommentCommand(s, { stores: { ...stores, fp: wrap({ findingEvents: down }) }, log: memoryLog(), payload: payload(`/phase-mirror false-positive ${KNOWN} SEC-42`) });
    expect(r2.outcome).toBe('failed');
    expect((await stores.fp.lookupMarks([KNOWN])).size).toBe(0);
  });
});
