import { createHash, createHmac } from 'node:crypto';

/**
 * Evidence redaction. Snippets come from repository files and may hold secrets; before anything
 * leaves the run (report, SARIF, summary, annotations) every secret-shaped value is replaced by a
 * branded token carrying a MAC of the secret, so the same secret is recognisable across runs
 * without being recoverable. Without a key, snippets are dropped entirely (fail closed).
 */

export interface RedactionKey {
  version: number;
  /** 64 hex. */
  value: string;
}

export type SecretKind = 'github-token' | 'aws-access-key' | 'aws-secret' | 'jwt' | 'pem' | 'url-credentials' | 'high-entropy';

interface Pattern {
  kind: SecretKind;
  re: RegExp;
  /** Index of the group to redact (0 = whole match). */
  group?: number;
  /**
   * A cheap test every match needs to pass (a literal the pattern requires): most texts hold no
   * secret, and a large run redacts tens of thousands of messages.
   */
  may: (text: string) => boolean;
}

const PATTERNS: readonly Pattern[] = [
  {
    kind: 'pem',
    re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    may: (t) => t.includes('-----BEGIN ')
  },
  {
    kind: 'github-token',
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
    may: (t) => t.includes('github_pat_') || /gh[pousr]_/.test(t)
  },
  {
    kind: 'aws-access-key',
    re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    may: (t) => t.includes('AKIA') || t.includes('ASIA') || t.includes('ABIA') || t.includes('ACCA')
  },
  {
    kind: 'aws-secret',
    re: /(aws_?secret_?access_?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 2,
    may: (t) => /secret/i.test(t)
  },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, may: (t) => t.includes('eyJ') },
  { kind: 'url-credentials', re: /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, group: 2, may: (t) => t.includes('://') }
];

/** Characters of a high-entropy candidate: `[A-Za-z0-9_+/=-]`. */
const TOKEN_CHAR = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+/=-') TOKEN_CHAR[ch.charCodeAt(0)] = 1;
const MIN_TOKEN = 32;

/**
 * Replaces every maximal run of token characters at least 32 long with `fn(run)` — what
 * `text.replace(/[A-Za-z0-9_+/=-]{32,}/g, fn)` does, in one linear pass that allocates nothing
 * when there is no such run (the usual case).
 */
function replaceLongRuns(text: string, fn: (run: string) => string): string {
  let out: string | undefined;
  let copied = 0;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    if (c < 128 && TOKEN_CHAR[c] === 1) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= MIN_TOKEN) {
      out = (out ?? '') + text.slice(copied, start) + fn(text.slice(start, i));
      copied = i;
    }
    start = -1;
  }
  return out === undefined ? text : out + text.slice(copied);
}

const BRAND = 'pm-redacted';

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A segment of a path or a word-built identifier: short, or in one case (`workflows`,
 * `PRODUCTION`), or split into parts by `-`, `_` or `.` none of which is a long mixed-case run. Random base64 between slashes is long and mixed case, so it does not pass.
 */
function isWordySegment(seg: string): boolean {
  if (seg.length <= 8) return true;
  // Mixed case that is not CamelCase words (each capital followed by at least two lower-case
  // letters or digits): `D1g1talEntr0py` is a name, `wJalrXUtnFEMI` is not.
  const mixedCase = (t: string): boolean => /[a-z]/.test(t) && /[A-Z]/.test(t) && !/^[a-z0-9]*(?:[A-Z][a-z0-9]{2,})+$/.test(t);
  return seg.split(/[-_.]+/).every((part) => part.length <= 12 || !mixedCase(part)) && (/[-_.]/.test(seg) || !mixedCase(seg));
}

/**
 * Repository paths and identifiers that merely look random: `github/workflows/codeql-2024`
 * (what a message quoting `.github/workflows/codeql-2024.yml` contains) has more than 4 bits of
 * entropy per character, and redacting it mangled every message naming such a file. A token
 * counts as a path when it has a `/` and every segment is wordy, with at least one word of three
 * letters; as an identifier when it is built of wordy parts joined by `-` or `_`.
 */
export function isPathOrIdentifier(token: string): boolean {
  if (!/[a-z]{3}/i.test(token)) return false;
  if (token.includes('/')) return token.split('/').every((seg) => seg === '' || isWordySegment(seg));
  return /[-_]/.test(token) && token.split(/[-_]+/).every((part) => part.length <= 12 && isWordySegment(part));
}

/** Long random-looking tokens that are not commit SHAs, other plain hex digests, paths or identifiers. */
function isHighEntropySecret(token: string): boolean {
  if (token.length < 32) return false;
  if (/^[0-9a-f]+$/i.test(token)) return false; // SHAs and digests are hex: not secrets by shape.
  if (!/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) return false;
  if (entropy(token) < 4.0) return false;
  return !isPathOrIdentifier(token);
}

function mac(key: RedactionKey, secret: string): string {
  return createHmac('sha256', Buffer.from(key.value, 'hex')).update(secret).digest('hex').slice(0, 16);
}

/** With a key the token carries a MAC of the secret; without one, only the kind (fail closed). */
function token(kind: SecretKind, key: RedactionKey | null, secret: string): string {
  return key ? `[${BRAND}:${kind}:v${key.version}:${mac(key, secret)}]` : `[${BRAND}:${kind}]`;
}

/** Replaces every secret-shaped value in `text`. */
export function redact(text: string, key: RedactionKey | null): string {
  let out = text;
  for (const p of PATTERNS) {
    if (!p.may(out)) continue;
    out = out.replace(p.re, (...m: string[]) => {
      if (!p.group) return token(p.kind, key, m[0]);
      const groups = m.slice(1, 1 + 3);
      return groups.map((g, i) => (i + 1 === p.group ? token(p.kind, key, g) : g ?? '')).join('');
    });
  }
  return replaceLongRuns(out, (t) => (t.includes(BRAND) || !isHighEntropySecret(t) ? t : token('high-entropy', key, t)));
}

/**
 * True when `redactedToken` is what `secret` redacts to under one of the live keys (rotation
 * grace: older versions still verify).
 */
export function verifyRedaction(redactedToken: string, secret: string, keys: readonly RedactionKey[]): boolean {
  const m = /^\[pm-redacted:([a-z-]+):v(\d+):([0-9a-f]{16})\]$/.exec(redactedToken);
  if (!m) return false;
  const key = keys.find((k) => k.version === Number(m[2]));
  return key !== undefined && mac(key, secret) === m[3];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
