import type { Confidence, DegradedReason, Outcome, RuleAction, Severity, Unobservable } from './common.js';
import type { GovernanceSnapshot } from './snapshot.js';
import type { RulePolicy } from './policy.js';

export interface Evidence {
  path: string;
  line?: number;
  column?: number;
  snippet?: string;
  /** sha256 of the snippet, kept when the snippet itself is dropped or redacted. */
  hash?: string;
}

export interface Finding {
  id: string;
  ruleId: string;
  ruleVersion: string;
  severity: Severity;
  confidence: Confidence;
  title: string;
  message: string;
  evidence: Evidence[];
  remediation: string;
  /** The rule's stable key: a check context, a job id, a `uses` ref, a pattern. */
  subject: string;
  /** Primary path (first evidence path); part of the id. */
  path: string;
}

/** What a rule returns; the runner fills id, rule id/version and defaults from the metadata. */
export interface FindingDraft {
  subject: string;
  path: string;
  message: string;
  evidence: Evidence[];
  severity?: Severity;
  confidence?: Confidence;
  title?: string;
  remediation?: string;
}

export interface RuleMeta {
  id: string;
  version: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  defaultAction: Exclude<RuleAction, 'off'>;
  /** Highest tolerated false-positive rate before a blocking rule is demoted. */
  fpCeiling: number;
  /** Why it matters. */
  motivation: string;
  /** What is checked. */
  description: string;
  remediation: string;
  /** A short YAML (or text) example that triggers the rule. */
  example?: string;
}

export interface RuleResult {
  findings: FindingDraft[];
  unobservable?: Unobservable[];
}

export interface Rule {
  meta: RuleMeta;
  /** Pure: no I/O. */
  evaluate(snapshot: GovernanceSnapshot, config: RulePolicy): FindingDraft[] | RuleResult;
}

export type FindingStatus = 'open' | 'suppressed' | 'false_positive';

export interface EvaluatedFinding extends Finding {
  status: FindingStatus;
  /** The action the finding's rule ran with this run (after policy and demotion). */
  action: Exclude<RuleAction, 'off'>;
  suppression?: { reason: string; approvedBy?: string; expires?: string; kind: 'policy' | 'fp_mark'; ticket?: string };
}

export interface Demotion {
  ruleId: string;
  fpr: number;
  ceiling: number;
  reviewed: number;
  from: 'block';
  to: 'warn';
}

export interface EvaluationError {
  ruleId: string;
  message: string;
}

export type L0CheckName = 'schema_hash' | 'permission_bits' | 'drift_magnitude' | 'nonce_freshness' | 'contraction_witness';

export interface L0Result {
  check: L0CheckName;
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
}

export interface Decision {
  outcome: Outcome;
  degraded: boolean;
  degradedReasons: DegradedReason[];
  /** Human-readable reasons, in the order they were applied. */
  reasons: string[];
  strict: boolean;
  /** Open findings of blocking rules (and L0) by severity. */
  blockingCounts: Record<Severity, number>;
}

export interface Evaluation {
  l0: L0Result[];
  findings: EvaluatedFinding[];
  demotions: Demotion[];
  evaluationErrors: EvaluationError[];
  unobservable: Unobservable[];
  /** Suppressions that did not apply (expired, no reason), reported so they are fixed. */
  invalidSuppressions: { line: number; problem: string }[];
  decision: Decision;
  rulesHash: string;
}
