/**
 * A stateful model of one repository's issues, labels and comments, served by a `GitHubFake`
 * through `gh.on(...)` handlers. Response shapes follow GitHub's REST documentation
 * (issue, label, issue-comment objects; 404 and 422 `already_exists` error bodies).
 *
 *   const tracker = new FakeIssueTracker(gh, 'octo-org', 'octo-repo');
 *   ... tracker.issues, tracker.labels, tracker.comments ...
 *
 * Handlers are installed on construction; `gh.reset()` removes them (construct a new tracker).
 */
import type { FakeResponse, GitHubFake } from './github-fake.js';

export interface FakeLabel {
  id: number;
  node_id: string;
  url: string;
  name: string;
  description: string | null;
  color: string;
  default: boolean;
}

export interface FakeIssue {
  id: number;
  node_id: string;
  url: string;
  repository_url: string;
  labels_url: string;
  comments_url: string;
  events_url: string;
  html_url: string;
  number: number;
  state: 'open' | 'closed';
  state_reason: string | null;
  title: string;
  body: string | null;
  user: { login: string; id: number; type: string };
  labels: FakeLabel[];
  assignee: null;
  assignees: [];
  milestone: null;
  locked: boolean;
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  author_association: string;
  pull_request?: { url: string; html_url: string };
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
}

const DOCS = 'https://docs.github.com/rest';
const STAMP = '2026-11-28T00:00:00Z';

export class FakeIssueTracker {
  readonly issues: FakeIssue[] = [];
  readonly labels = new Map<string, FakeLabel>();
  readonly comments: FakeComment[] = [];
  private nextId = 1000;

  constructor(
    gh: GitHubFake,
    readonly owner: string,
    readonly repo: string
  ) {
    const base = `/repos/${owner}/${repo}`;
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    gh.on('GET', `${base}/issues`, (req) => this.list(req.query));
    gh.on('POST', `${base}/issues`, (req) => this.create(req.body));
    gh.on('PATCH', new RegExp(`^${esc(base)}/issues/(\\d+)$`), (req) => this.edit(Number(req.match![1]), req.body));
    gh.on('POST', new RegExp(`^${esc(base)}/issues/(\\d+)/comments$`), (req) => this.comment(Number(req.match![1]), req.body));
    gh.on('GET', new RegExp(`^${esc(base)}/labels/(.+)$`), (req) => {
      const l = this.labels.get(req.match![1]);
      return l ? { status: 200, body: l } : notFound();
    });
    gh.on('POST', `${base}/labels`, (req) => this.createLabel(req.body));
  }

  /** Adds an existing label (as if made by a person). */
  addLabel(name: string, color = 'ededed'): FakeLabel {
    const l = this.label(name, color, null);
    this.labels.set(name, l);
    return l;
  }

  /** Adds an issue (or, with `pullRequest`, a pull request) directly. */
  addIssue(title: string, opts: { labels?: string[]; state?: 'open' | 'closed'; body?: string; pullRequest?: boolean } = {}): FakeIssue {
    const it = this.issue(title, opts.body ?? null, (opts.labels ?? []).map((n) => this.labels.get(n) ?? this.addLabel(n)));
    it.state = opts.state ?? 'open';
    if (opts.pullRequest) it.pull_request = { url: `${it.repository_url}/pulls/${it.number}`, html_url: `https://github.com/${this.owner}/${this.repo}/pull/${it.number}` };
    this.issues.push(it);
    return it;
  }

  open(): FakeIssue[] {
    return this.issues.filter((i) => i.state === 'open');
  }

  private label(name: string, color: string, description: string | null): FakeLabel {
    const id = this.nextId++;
    return {
      id,
      node_id: `LA_${id}`,
      url: `https://api.github.com/repos/${this.owner}/${this.repo}/labels/${encodeURIComponent(name)}`,
      name,
      description,
      color,
      default: false
    };
  }

  private issue(title: string, body: string | null, labels: FakeLabel[]): FakeIssue {
    const number = this.issues.length + 1;
    const api = `https://api.github.com/repos/${this.owner}/${this.repo}`;
    return {
      id: this.nextId++,
      node_id: `I_${number}`,
      url: `${api}/issues/${number}`,
      repository_url: api,
      labels_url: `${api}/issues/${number}/labels{/name}`,
      comments_url: `${api}/issues/${number}/comments`,
      events_url: `${api}/issues/${number}/events`,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${number}`,
      number,
      state: 'open',
      state_reason: null,
      title,
      body,
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      labels,
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      comments: 0,
      created_at: STAMP,
      updated_at: STAMP,
      closed_at: null,
      author_association: 'NONE'
    };
  }

  private list(query: Record<string, string>): FakeResponse {
    const want = (query.labels ?? '').split(',').filter(Boolean);
    const state = query.state ?? 'open';
    const items = this.issues.filter(
      (i) => (state === 'all' || i.state === state) && want.every((w) => i.labels.some((l) => l.name === w))
    );
    return { status: 200, body: items.map((i) => structuredClone(i)) };
  }

  private labelsFrom(names: unknown): FakeLabel[] | FakeResponse {
    if (names === undefined) return [];
    if (!Array.isArray(names)) return invalid('Issue', 'labels');
    // GitHub creates labels that do not exist yet when an issue is labelled with them.
    return names.map((n) => this.labels.get(String(n)) ?? this.addLabel(String(n)));
  }

  private create(body: unknown): FakeResponse {
    const b = (body ?? {}) as { title?: unknown; body?: unknown; labels?: unknown };
    if (typeof b.title !== 'string' || b.title === '') return invalid('Issue', 'title');
    const labels = this.labelsFrom(b.labels);
    if (!Array.isArray(labels)) return labels;
    const it = this.issue(b.title, typeof b.body === 'string' ? b.body : null, labels);
    this.issues.push(it);
    return { status: 201, body: it, headers: { location: it.url } };
  }

  private edit(number: number, body: unknown): FakeResponse {
    const it = this.issues.find((i) => i.number === number);
    if (!it) return notFound();
    const b = (body ?? {}) as { title?: unknown; body?: unknown; state?: unknown; state_reason?: unknown; labels?: unknown };
    if (b.labels !== undefined) {
      const labels = this.labelsFrom(b.labels);
      if (!Array.isArray(labels)) return labels;
      it.labels = labels;
    }
    if (typeof b.title === 'string') it.title = b.title;
    if (typeof b.body === 'string') it.body = b.body;
    if (b.state === 'closed' || b.state === 'open') {
      it.state = b.state;
      it.closed_at = b.state === 'closed' ? STAMP : null;
      it.state_reason = b.state === 'closed' ? (typeof b.state_reason === 'string' ? b.state_reason : 'completed') : 'reopened';
    }
    return { status: 200, body: it };
  }

  private comment(number: number, body: unknown): FakeResponse {
    const it = this.issues.find((i) => i.number === number);
    if (!it) return notFound();
    const text = (body as { body?: unknown } | undefined)?.body;
    if (typeof text !== 'string' || text === '') return invalid('IssueComment', 'body');
    const c: FakeComment = { id: this.nextId++, issue: number, body: text };
    this.comments.push(c);
    it.comments++;
    return {
      status: 201,
      body: {
        id: c.id,
        node_id: `IC_${c.id}`,
        url: `${it.url.replace(/\/issues\/\d+$/, '')}/issues/comments/${c.id}`,
        html_url: `${it.html_url}#issuecomment-${c.id}`,
        issue_url: it.url,
        body: text,
        user: it.user,
        created_at: STAMP,
        updated_at: STAMP,
        author_association: 'NONE'
      }
    };
  }

  private createLabel(body: unknown): FakeResponse {
    const b = (body ?? {}) as { name?: unknown; color?: unknown; description?: unknown };
    if (typeof b.name !== 'string' || b.name === '') return invalid('Label', 'name');
    if (this.labels.has(b.name)) {
      return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }], documentation_url: `${DOCS}/issues/labels#create-a-label`, status: '422' } };
    }
    const l = this.label(b.name, typeof b.color === 'string' ? b.color : 'ededed', typeof b.description === 'string' ? b.description : null);
    this.labels.set(b.name, l);
    return { status: 201, body: l };
  }
}

function notFound(): FakeResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
}

function invalid(resource: string, field: string): FakeResponse {
  return { status: 422, body: { message: 'Validation Failed', errors: [{ resource, code: 'missing_field', field }], documentation_url: DOCS, status: '422' } };
}
