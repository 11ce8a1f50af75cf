import type { EvaluatedFinding } from '../model/index.js';
import { redact, sha256, type RedactionKey } from '../privacy/redactor.js';

/**
 * Every snippet passes the redactor before it can reach an output; without a key it is dropped
 * (path, line and hash stay). Messages are redacted too: rules quote repository content in them.
 */
export function redactEvidence(findings: readonly EvaluatedFinding[], key: RedactionKey | null): EvaluatedFinding[] {
  // Many findings quote the same line (`uses: actions/checkout@v4`): hash and redact each
  // distinct snippet once, and share the results.
  const hashes = new Map<string, string>();
  const redacted = new Map<string, string>();
  const memo = (cache: Map<string, string>, text: string, fn: (t: string) => string): string => {
    let v = cache.get(text);
    if (v === undefined) {
      v = fn(text);
      cache.set(text, v);
    }
    return v;
  };
  return findings.map((f) => ({
    ...f,
    message: redact(f.message, key),
    evidence: f.evidence.map((e) => {
      if (e.snippet === undefined) return e;
      const hash = e.hash ?? memo(hashes, e.snippet, sha256);
      if (!key) {
        const { snippet: _dropped, ...rest } = e;
        return { ...rest, hash };
      }
      return { ...e, snippet: memo(redacted, e.snippet, (t) => redact(t, key)), hash };
    })
  }));
}
