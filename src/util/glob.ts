/**
 * Path globs for the policy's `drift.paths` (pure). Paths and patterns are repo-relative, posix.
 *
 * - `**` as a whole segment matches any number of segments, none included: `.github/**` is
 *   everything under `.github/`, and `**` followed by `/CODEOWNERS` is `CODEOWNERS` at any depth;
 * - `*` matches any run of characters within one segment, `?` one character (dot files included:
 *   governance lives in `.github`);
 * - a pattern ending in `/` matches everything under that directory (`infra/` = `infra/**`);
 * - anything else is matched literally and exactly (`CODEOWNERS` is the root file only).
 * A leading `./` or `/` is ignored. Matching is case-sensitive, as git is on Linux.
 */

const SPECIAL = /[.+^${}()|[\]\\]/g;

function segmentSource(seg: string): string {
  let out = '';
  for (const ch of seg) {
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else out += ch.replace(SPECIAL, '\\$&');
  }
  return out;
}

/** Compiles one glob to an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern.trim().replace(/\\/g, '/').replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
  if (p.endsWith('/')) p += '**';
  const segs = p.split('/').filter((s, i, all) => s !== '' || i === all.length - 1);
  let src = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg === '**') {
      // `**` alone or last: everything below; elsewhere: zero or more whole segments.
      src += last ? '.*' : '(?:[^/]+/)*';
    } else {
      src += segmentSource(seg.replace(/\*{2,}/g, '*')) + (last ? '' : '/');
    }
  }
  return new RegExp(`^${src}$`);
}

/** A matcher for a list of globs: true when any matches. */
export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  const res = patterns.filter((p) => p.trim() !== '').map(globToRegExp);
  return (path) => res.some((re) => re.test(path));
}
