/** `uses:` references as the rules compare them: a lower-cased `owner/repo[/path]` without the ref. */

/** Normalise a `uses:` value; local (`./`) and `docker://` references give undefined. */
export function actionName(uses: string): string | undefined {
  const u = uses.trim();
  if (u === '' || u.startsWith('./') || u.startsWith('../') || u.startsWith('docker://')) return undefined;
  const at = u.lastIndexOf('@');
  return (at > 0 ? u.slice(0, at) : u).toLowerCase();
}

/** `owner/repo` matches itself and its sub-paths; `owner/*` / `owner/repo/*` match by prefix. */
export function matchesAction(name: string, pattern: string): boolean {
  const p = pattern.trim().toLowerCase();
  if (p.endsWith('/*')) {
    const base = p.slice(0, -2);
    return name === base || name.startsWith(`${base}/`);
  }
  return name === p || name.startsWith(`${p}/`);
}
