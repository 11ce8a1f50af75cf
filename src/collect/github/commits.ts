/**
 * Who last changed a file, as the API says: `GET /repos/{o}/{r}/commits?path=P&sha=REF&per_page=1`
 * per path (bounded). Used to say who is responsible for a drifted file. Never throws; a path the
 * API cannot answer for is simply left out.
 */
import type { GitHubClient } from './http.js';

export interface LastChange {
  /** GitHub login of the commit's author, else the name in the commit. */
  author: string;
  /** True when `author` is a GitHub login. */
  isLogin: boolean;
  sha: string;
  url?: string;
}

/** Most paths looked up per run. */
export const MAX_ATTRIBUTED_PATHS = 20;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function lastChanges(
  client: GitHubClient,
  owner: string,
  repo: string,
  paths: readonly string[],
  ref: string | undefined,
  max = MAX_ATTRIBUTED_PATHS
): Promise<Map<string, LastChange>> {
  const out = new Map<string, LastChange>();
  for (const p of [...new Set(paths)].slice(0, max)) {
    if (client.down) break;
    const r = await client.get('GET /repos/{owner}/{repo}/commits', { owner, repo, path: p, per_page: 1, ...(ref ? { sha: ref } : {}) });
    if (!r.ok || !Array.isArray(r.data) || !isObj(r.data[0])) continue;
    const c = r.data[0];
    const login = isObj(c.author) && typeof c.author.login === 'string' ? c.author.login : undefined;
    const name = isObj(c.commit) && isObj(c.commit.author) && typeof c.commit.author.name === 'string' ? c.commit.author.name : undefined;
    if (typeof c.sha !== 'string' || !(login ?? name)) continue;
    out.set(p, { author: (login ?? name) as string, isLogin: login !== undefined, sha: c.sha, url: typeof c.html_url === 'string' ? c.html_url : undefined });
  }
  return out;
}
