/** Shared vocabulary of the pipeline. This folder imports nothing. */

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Confidence = 'high' | 'medium' | 'low';
export type Mode = 'check' | 'drift' | 'calibrate';
export type RuleAction = 'block' | 'warn' | 'off';
export type Outcome = 'pass' | 'warn' | 'block';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
export const CONFIDENCES: readonly Confidence[] = ['high', 'medium', 'low'];

/** Rank used for ordering: lower is more severe. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
export const CONFIDENCE_RANK: Readonly<Record<Confidence, number>> = { high: 0, medium: 1, low: 2 };

/** A value read from the outside world, or the honest statement that it could not be read. */
export type Observed<T> =
  | { status: 'observed'; value: T }
  | { status: 'unobservable'; reason: string; missingPermission?: string };

/** 1-based line and column in a source file. */
export interface Position {
  line: number;
  column: number;
}

export interface Positioned<T> extends Position {
  value: T;
}

/** Something the run needed but could not see. Never changes the decision by itself. */
export interface Unobservable {
  /** What could not be observed, e.g. `classic branch protection for main`. */
  subject: string;
  reason: string;
  missingPermission?: string;
  /** The rule that needed it, if any. */
  ruleId?: string;
}

export type DegradedReason =
  | 'circuit_breaker_triggered'
  | 'fp_store_unavailable'
  | 'nonce_unavailable'
  | 'baseline_unavailable'
  | 'github_api_unavailable';
