import type { DegradedReason, Decision, EvaluatedFinding, Outcome, Severity, Thresholds } from '../model/index.js';
import { breakerVerdict, type BreakerState } from './breaker.js';

export interface DecisionInput {
  findings: readonly EvaluatedFinding[];
  strict: boolean;
  thresholds: Thresholds;
  strictThresholds: Thresholds;
  breaker: BreakerState;
  dryRun: boolean;
  /** Degraded reasons found before deciding (store down, API down, no nonce…). */
  degradedReasons: readonly DegradedReason[];
}

/**
 * Reasons that make a block untrustworthy (a known false positive could not be excluded, the
 * gate is flooding): a block becomes a warning so merges are never wedged by our own outage.
 * nonce_unavailable only degrades redaction; the decision itself stands.
 */
const UNTRUSTED: ReadonlySet<DegradedReason> = new Set([
  'circuit_breaker_triggered',
  'fp_store_unavailable',
  'github_api_unavailable',
  'baseline_unavailable'
]);

function exceeded(counts: Record<Severity, number>, t: Thresholds): string | null {
  if (counts.critical > t.critical) return `${counts.critical} critical (allowed ${t.critical})`;
  if (counts.high > t.high) return `${counts.high} high (allowed ${t.high})`;
  if (counts.medium > t.medium) return `${counts.medium} medium (allowed ${t.medium})`;
  return null;
}

/** DESIGN §6 steps 3–5, in that order. Findings arrive already filtered (1) and demoted (2). */
export function decide(input: DecisionInput): Decision {
  const blockingCounts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  let openMediumOrAbove = 0;
  for (const f of input.findings) {
    if (f.status !== 'open') continue;
    if (f.severity !== 'low') openMediumOrAbove++;
    if (f.action === 'block') blockingCounts[f.severity]++;
  }
  const reasons: string[] = [];
  const t = input.strict ? input.strictThresholds : input.thresholds;
  const over = exceeded(blockingCounts, t);
  let outcome: Outcome;
  if (over) {
    outcome = 'block';
    reasons.push(`blocking findings over the ${input.strict ? 'strict ' : ''}threshold: ${over}`);
  } else if (openMediumOrAbove > 0) {
    outcome = 'warn';
    reasons.push(`${openMediumOrAbove} open finding(s) of medium severity or higher`);
  } else {
    outcome = 'pass';
    reasons.push('no open findings of medium severity or higher');
  }

  const degradedReasons = [...new Set(input.degradedReasons)];
  const breaker = breakerVerdict(input.breaker);
  if (breaker.tripped && outcome === 'block') {
    degradedReasons.push('circuit_breaker_triggered');
    outcome = 'warn';
    reasons.push(`circuit breaker triggered (${breaker.why}): block downgraded to warn`);
  } else if (breaker.tripped && input.breaker.mode === 'degraded') {
    degradedReasons.push('circuit_breaker_triggered');
    reasons.push(`degraded mode (${breaker.why})`);
  }

  if (outcome === 'block') {
    const untrusted = degradedReasons.filter((r) => UNTRUSTED.has(r));
    if (untrusted.length > 0) {
      outcome = 'warn';
      reasons.push(`degraded (${untrusted.join(', ')}): block downgraded to warn`);
    }
  }
  if (input.dryRun && outcome === 'block') {
    outcome = 'warn';
    reasons.push('dry run: block downgraded to warn');
  }
  return {
    outcome,
    degraded: degradedReasons.length > 0,
    degradedReasons: [...new Set(degradedReasons)],
    reasons,
    strict: input.strict,
    blockingCounts
  };
}
