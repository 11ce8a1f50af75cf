/**
 * The PR comment command (DESIGN §10, issue 6 item 2):
 *
 *   /phase-mirror false-positive <finding-id> <ticket>
 *
 * on an `issue_comment` event (action `created`) of a pull request. Accepted only from users
 * whose permission on the repository is write, maintain or admin (checked with
 * `GET /repos/{o}/{r}/collaborators/{user}/permission`; any error refuses). The id must be one
 * the false-positive store has seen in this repository (unknown ids are refused: a typo must not
 * become a mark, and a report artifact a PR run uploaded is no evidence — a PR can forge it).
 * Every outcome but "not a command" is answered with a reply comment; every repository- or
 * user-controlled value in it is escaped. Nothing is written unless the command is accepted.
 */
import { GitHubClient, type HttpResult } from '../collect/github/http.js';
import type { Settings } from '../model/index.js';
import { escapeMarkdown } from '../report/summary.js';
import type { FPEvent, Stores } from '../store/types.js';
import type { Log } from './log.js';
import { readEventPayload, retryBudget } from './snapshot.js';

export const COMMAND = '/phase-mirror';
export const ACCEPTED_PERMISSIONS = ['admin', 'maintain', 'write'] as const;
const FINDING_ID = /^[0-9a-f]{16}$/;
const TICKET = /^[A-Za-z0-9][A-Za-z0-9._#:/-]{0,99}$/;
export const USAGE = '`/phase-mirror false-positive <finding-id> <ticket>` — the finding id is the 16-hex `id` from the Phase Mirror report; the ticket names where the review is recorded (e.g. `SEC-42`).';

export type ParsedCommand =
  | { kind: 'none' }
  | { kind: 'malformed'; problem: string }
  | { kind: 'false-positive'; findingId: string; ticket: string };

/**
 * Finds the command in a comment body: the first line that starts with `/phase-mirror`
 * (leading spaces allowed; quoted lines `> …` and fenced code blocks are not commands).
 */
export function parseCommand(body: unknown): ParsedCommand {
  if (typeof body !== 'string') return { kind: 'none' };
  let fenced = false;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced || !(line === COMMAND || line.startsWith(`${COMMAND} `) || line.startsWith(`${COMMAND}\t`))) continue;
    const args = line.slice(COMMAND.length).trim().split(/\s+/).filter(Boolean);
    if (args.length === 0) return { kind: 'malformed', problem: 'no subcommand given' };
    if (args[0] !== 'false-positive') return { kind: 'malformed', problem: `unknown subcommand '${args[0]}'` };
    if (args.length < 3) return { kind: 'malformed', problem: 'a finding id and a ticket are both required' };
    if (args.length > 3) return { kind: 'malformed', problem: 'too many arguments' };
    const [, id, ticket] = args;
    if (!FINDING_ID.test(id)) return { kind: 'malformed', problem: `'${id}' is not a finding id (16 lowercase hex characters)` };
    if (!TICKET.test(ticket)) return { kind: 'malformed', problem: `'${ticket}' is not a ticket reference (letters, digits and . _ # : / -, at most 100)` };
    return { kind: 'false-positive', findingId: id, ticket };
  }
  return { kind: 'none' };
}

export type CommentOutcome =
  | 'ignored'
  | 'malformed'
  | 'unauthorised'
  | 'unknown_id'
  | 'marked'
  | 'already_marked'
  | 'failed';

export interface CommentResult {
  outcome: CommentOutcome;
  /** Why, in one line (logged and shown in the job summary). */
  detail: string;
  commenter?: string;
  findingId?: string;
  ruleId?: string;
  reply?: string;
  /** Whether the reply was posted; the error when it was not. */
  replied: boolean;
  replyError?: string;
}

/** The GitHub calls the command needs (GitHubClient in the action; a stub in unit tests). */
export interface CommentGitHub {
  get(route: string, params: Record<string, string | number | boolean>): Promise<HttpResult>;
  send(method: 'POST', route: string, params: Record<string, string | number | boolean>, body: unknown): Promise<HttpResult>;
}

export interface CommentDeps {
  stores: Stores;
  log: Log;
  /** Default: a GitHubClient on the settings' token and API URL. */
  github?: CommentGitHub;
  /** Default: the payload at GITHUB_EVENT_PATH. */
  payload?: unknown;
  now?: () => Date;
}

interface Payload {
  action?: string;
  issue?: { number?: number; pull_request?: unknown };
  comment?: { body?: unknown; user?: { login?: string; type?: string } };
}

/**
 * A code span for values already validated by `parseCommand` (hex ids, tickets of letters, digits
 * and `. _ # : / -`): no backtick, line break, `<` or `@` can be in them. Backslash escapes do not
 * work inside code spans, so anything else is replaced rather than escaped.
 */
const code = (s: string): string => `\`${s.replace(/[^A-Za-z0-9._#:/-]/g, '?')}\``;

/** Handles one `issue_comment` event. Never throws for GitHub trouble; a store failure on the mark is reported in the reply. */
export async function runCommentCommand(settings: Settings, deps: CommentDeps): Promise<CommentResult> {
  const { stores, log } = deps;
  const payload = ((deps.payload ?? (await readEventPayload(settings.run.eventPath, log))) ?? {}) as Payload;
  const ignore = (detail: string): CommentResult => {
    log.info(`Comment ignored: ${detail}.`);
    return { outcome: 'ignored', detail, replied: false };
  };
  if (payload.action !== undefined && payload.action !== 'created') return ignore(`comment ${payload.action}, not created`);
  const issueNumber = payload.issue?.number;
  if (!payload.issue?.pull_request || typeof issueNumber !== 'number') return ignore('not a pull request comment');
  const login = payload.comment?.user?.login;
  if (!login) return ignore('the comment has no author');
  if (payload.comment?.user?.type === 'Bot') return ignore(`comment by the bot ${login}`);
  const parsed = parseCommand(payload.comment?.body);
  if (parsed.kind === 'none') return ignore(`no ${COMMAND} command`);

  const [owner, repo] = settings.run.repository.split('/');
  const github: CommentGitHub =
    deps.github ?? new GitHubClient({ token: settings.githubToken, apiUrl: settings.run.apiUrl, log, retry: retryBudget(process.env.PM_ACTION_GITHUB_RETRY_BUDGET_MS) });
  const who = `@${login}`;
  const finish = async (r: Omit<CommentResult, 'replied' | 'commenter'>): Promise<CommentResult> => {
    const body = r.reply!;
    const res = await github.send('POST', 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner, repo, issue_number: issueNumber }, { body });
    const out: CommentResult = { ...r, commenter: login, replied: res.ok };
    if (!res.ok) {
      out.replyError = res.message;
      log.warning(`Could not reply on #${issueNumber}: ${res.message}`);
    }
    log.info(`Comment command by ${login}: ${r.outcome} (${r.detail}).`);
    return out;
  };

  if (parsed.kind === 'malformed') {
    return finish({
      outcome: 'malformed',
      detail: parsed.problem,
      reply: `${escapeMarkdown(who)}: that Phase Mirror command was not understood (${escapeMarkdown(parsed.problem)}). Nothing was changed.\n\nUsage: ${USAGE}\n`
    });
  }

  // Who may mark: write, maintain or admin on this repository; anything else, or no answer, refuses.
  const perm = await github.get('GET /repos/{owner}/{repo}/collaborators/{username}/permission', { owner, repo, username: login });
  let level: string | undefined;
  if (perm.ok) {
    const d = perm.data as { permission?: unknown; role_name?: unknown; user?: { permissions?: Record<string, unknown> } };
    const role = typeof d.role_name === 'string' ? d.role_name : undefined;
    const p = typeof d.permission === 'string' ? d.permission : undefined;
    // `permission` says `write` for maintainers; `role_name` names the role itself.
    level = [role, p].find((x) => x !== undefined && (ACCEPTED_PERMISSIONS as readonly string[]).includes(x)) ?? role ?? p ?? 'none';
  }
  if (!perm.ok || !(ACCEPTED_PERMISSIONS as readonly string[]).includes(level!)) {
    const detail = perm.ok ? `permission '${level}' is not write, maintain or admin` : `the permission could not be checked (${perm.message})`;
    return finish({
      outcome: 'unauthorised',
      detail,
      findingId: parsed.findingId,
      reply: `${escapeMarkdown(who)}: only people with write, maintain or admin access to this repository can mark findings as false positives (${escapeMarkdown(
        perm.ok ? `your permission is ${level}` : 'your permission could not be checked'
      )}). Nothing was changed.\n`
    });
  }

  let events: FPEvent[];
  try {
    events = ((await stores.fp.findingEvents([parsed.findingId])).get(parsed.findingId) ?? []).filter(
      (e) => e.repository.toLowerCase() === settings.run.repository.toLowerCase()
    );
  } catch (err) {
    return finish({
      outcome: 'failed',
      detail: `the false-positive store could not be read: ${(err as Error).message}`,
      findingId: parsed.findingId,
      reply: `${escapeMarkdown(who)}: the false-positive store could not be read, so ${code(parsed.findingId)} was not marked. Nothing was changed; please try again later.\n`
    });
  }
  if (events.length === 0) {
    return finish({
      outcome: 'unknown_id',
      detail: `finding ${parsed.findingId} was never recorded for ${settings.run.repository}`,
      findingId: parsed.findingId,
      reply: `${escapeMarkdown(who)}: Phase Mirror has no record of finding ${code(parsed.findingId)} in this repository. Check the id against the \`items[].id\` of the report (or the job summary). Nothing was changed.\n`
    });
  }
  const ruleId = events[0].ruleId;
  if (events[0].outcome === 'false_positive' && events[0].ticket === parsed.ticket) {
    return finish({
      outcome: 'already_marked',
      detail: `finding ${parsed.findingId} is already marked with ticket ${parsed.ticket}`,
      findingId: parsed.findingId,
      ruleId,
      reply: `${escapeMarkdown(who)}: finding ${code(parsed.findingId)} (${escapeMarkdown(ruleId)}) is already marked as a false positive under ${code(parsed.ticket)}. Nothing was changed.\n`
    });
  }
  const now = deps.now ? deps.now() : new Date();
  try {
    await stores.fp.mark({ findingId: parsed.findingId, ruleId, outcome: 'false_positive', reviewer: login, ticket: parsed.ticket, markedAt: now.toISOString() });
  } catch (err) {
    return finish({
      outcome: 'failed',
      detail: `the mark could not be recorded: ${(err as Error).message}`,
      findingId: parsed.findingId,
      ruleId,
      reply: `${escapeMarkdown(who)}: the mark for ${code(parsed.findingId)} could not be recorded (the false-positive store is unavailable). Nothing was changed; please try again later.\n`
    });
  }
  return finish({
    outcome: 'marked',
    detail: `finding ${parsed.findingId} (${ruleId}) marked as a false positive, ticket ${parsed.ticket}`,
    findingId: parsed.findingId,
    ruleId,
    reply: `${escapeMarkdown(who)}: marked finding ${code(parsed.findingId)} (${escapeMarkdown(ruleId)}) as a false positive, reviewer ${escapeMarkdown(login)}, ticket ${code(
      parsed.ticket
    )}. The next Phase Mirror check treats it as a false positive, and it counts toward ${escapeMarkdown(ruleId)}'s false-positive rate.\n`
  });
}

/** The job summary of a comment-command run. */
export function commentMarkdown(r: CommentResult): string {
  const lines = ['## Phase Mirror comment command', '', `Outcome: **${r.outcome}** — ${escapeMarkdown(r.detail)}`];
  if (r.reply !== undefined) lines.push('', r.replied ? 'A reply was posted on the pull request.' : `The reply could not be posted: ${escapeMarkdown(r.replyError ?? 'unknown error')}.`);
  return lines.join('\n') + '\n';
}
