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
}

const PATTERNS: readonly Pattern[] = [
  { kind: 'pem', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  { kind: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { kind: 'aws-access-key', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: 'aws-secret', re: /(aws_?secret_?access_?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi, group: 2 },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'url-credentials', re: /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, group: 2 }
];

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

/** Long random-looking tokens that are not commit SHAs or other plain hex digests. */
function isHighEntropySecret(token: string): boolean {
  if (token.length < 32) return false;
  if (/^[0-9a-f]+$/i.test(token)) return false; // SHAs and digests are hex: not secrets by shape.
  if (!/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) return false;
  return entropy(token) >= 4.0;
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
    out = out.replace(p.re, (...m: string[]) => {
      if (!p.group) return token(p.kind, key, m[0]);
      const groups = m.slice(1, 1 + 3);
      return groups.map((g, i) => (i + 1 === p.group ? token(p.kind, key, g) : g ?? '')).join('');
    });
  }
  return out.replace(/[A-Za-z0-9_+/=-]{32,}/g, (t) => (t.includes(BRAND) || !isHighEntropySecret(t) ? t : token('high-entropy', key, t)));
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
