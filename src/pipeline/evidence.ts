import type { EvaluatedFinding } from '../model/index.js';
import { redact, sha256, type RedactionKey } from '../privacy/redactor.js';

/**
 * Every snippet passes the redactor before it can reach an output; without a key it is dropped
 * (path, line and hash stay). Messages are redacted too: rules quote repository content in them.
 */
export function redactEvidence(findings: readonly EvaluatedFinding[], key: RedactionKey | null): EvaluatedFinding[] {
  return findings.map((f) => ({
    ...f,
    message: redact(f.message, key),
    evidence: f.evidence.map((e) => {
      if (e.snippet === undefined) return e;
      const hash = e.hash ?? sha256(e.snippet);
      if (!key) {
        const { snippet: _dropped, ...rest } = e;
        return { ...rest, hash };
      }
      return { ...e, snippet: redact(e.snippet, key), hash };
    })
  }));
}
