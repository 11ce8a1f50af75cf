import type {
  DegradedReason,
  Evaluation,
  EvaluatedFinding,
  Finding,
  GovernanceSnapshot,
  L0Result,
  Rule
} from '../model/index.js';
import type { BreakerState } from './breaker.js';
import { computeDemotions, type CalibrationEvent } from './calibration.js';
import { decide } from './decision.js';
import type { RuleRunResult } from './evaluate.js';
import { rulesHash } from './fingerprint.js';
import { matchSuppressions } from './suppress.js';

/** A person's verdict on a finding, from the FP store. */
export interface MarkLike {
  outcome: 'false_positive' | 'true_positive';
  reviewer: string;
  ticket?: string;
}

export interface AssembleInput {
  snapshot: GovernanceSnapshot;
  rules: readonly Rule[];
  run: RuleRunResult;
  l0: { results: L0Result[]; findings: Finding[] };
  marks: ReadonlyMap<string, MarkLike>;
  windows: ReadonlyMap<string, readonly CalibrationEvent[]>;
  strict: boolean;
  dryRun: boolean;
  breaker: BreakerState;
  degradedReasons: readonly DegradedReason[];
  now: Date;
}

/**
 * DESIGN §6 in order: suppressions and FP marks (1), demotion (2), thresholds (3), circuit
 * breaker (4), dry run (5). Pure: everything it needs was read beforehand.
 */
export function assembleEvaluation(i: AssembleInput): Evaluation {
  const { snapshot } = i;
  const all: Finding[] = [...i.l0.findings, ...i.run.findings];

  const sup = matchSuppressions(all, snapshot.policy.suppressions, i.now);
  const demotions = computeDemotions(
    i.rules.map((r) => r.meta),
    i.run.actions,
    snapshot.policy.rules,
    i.windows
  );
  const demoted = new Set(demotions.map((d) => d.ruleId));

  const findings: EvaluatedFinding[] = all.map((f) => {
    const isL0 = f.ruleId.startsWith('L0-');
    const configured = isL0 ? 'block' : (i.run.actions[f.ruleId] ?? 'warn');
    const action = configured === 'block' && demoted.has(f.ruleId) ? 'warn' : configured;
    const s = sup.matches.get(f.id);
    if (s) return { ...f, action, status: 'suppressed', suppression: { kind: 'policy', reason: s.reason, approvedBy: s.approvedBy, expires: s.expires } };
    const mark = isL0 ? undefined : i.marks.get(f.id);
    if (mark?.outcome === 'false_positive') {
      return {
        ...f,
        action,
        status: 'false_positive',
        suppression: { kind: 'fp_mark', reason: `marked false positive by ${mark.reviewer}`, approvedBy: mark.reviewer, ticket: mark.ticket }
      };
    }
    return { ...f, action, status: 'open' };
  });

  const thresholds = snapshot.policy;
  const decision = decide({
    findings,
    strict: i.strict,
    thresholds: thresholds.thresholds,
    strictThresholds: thresholds.strictThresholds,
    breaker: i.breaker,
    dryRun: i.dryRun,
    degradedReasons: i.degradedReasons
  });

  return {
    l0: i.l0.results,
    findings,
    demotions,
    evaluationErrors: i.run.evaluationErrors,
    unobservable: i.run.unobservable,
    invalidSuppressions: sup.invalid,
    decision,
    rulesHash: rulesHash(i.rules.map((r) => r.meta))
  };
}
