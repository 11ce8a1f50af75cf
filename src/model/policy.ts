import type { RuleAction, Severity } from './common.js';

export interface RulePolicy {
  enabled: boolean;
  action?: RuleAction;
  severity?: Severity;
  /** Rule-specific options (kebab-case keys as written, e.g. `trusted-owners`). */
  options: Record<string, unknown>;
  /** Per-rule FP-rate ceiling override. */
  fpCeiling?: number;
}

export interface Thresholds {
  critical: number;
  high: number;
  medium: number;
}

export interface ExpectedSettings {
  requiredChecks?: string[];
  approvals?: number;
  codeOwnerReview?: boolean;
  linearHistory?: boolean;
  signedCommits?: boolean;
  defaultWorkflowPermissions?: 'read' | 'write';
  mergeQueue?: boolean;
}

export interface MergeQueuePolicy {
  required?: boolean;
  allowAdminBypass?: boolean;
  allowDirectPushes?: boolean;
  requireLinearHistory?: boolean;
}

export interface Suppression {
  /** Either a finding id, or a rule (optionally narrowed to a path). */
  finding?: string;
  rule?: string;
  path?: string;
  reason?: string;
  /** ISO date (YYYY-MM-DD); the suppression holds through that day (UTC). */
  expires?: string;
  approvedBy?: string;
  line: number;
}

export interface DriftPolicy {
  paths: string[];
  threshold: number;
}

export interface Policy {
  /** Where it came from: a path, `defaults`, or `<ref>:<path>` when read from the base branch. */
  source: string;
  version: 1;
  rules: Record<string, RulePolicy>;
  thresholds: Thresholds;
  strictThresholds: Thresholds;
  expected: ExpectedSettings;
  /** Line of each `expected:` key, for MD-003 evidence. */
  expectedLines: Record<string, number>;
  mergeQueue?: MergeQueuePolicy;
  mergeQueueLine?: number;
  suppressions: Suppression[];
  drift: DriftPolicy;
}

export const DEFAULT_THRESHOLDS: Thresholds = { critical: 0, high: 3, medium: 10 };
export const DEFAULT_STRICT_THRESHOLDS: Thresholds = { critical: 0, high: 0, medium: 5 };
export const DEFAULT_DRIFT: DriftPolicy = {
  paths: ['.github/**', 'CODEOWNERS', 'docs/CODEOWNERS', 'infra/**'],
  threshold: 0.3
};
