/** Store contracts shared by the local file store and the AWS backends. */

export type FPOutcome = 'pending' | 'false_positive' | 'true_positive';

/** One observation of a finding in one run; reviewed later by a person. */
export interface FPEvent {
  /** Stable per finding and run: sha256(findingId|runId|attempt), first 16 hex. */
  eventId: string;
  findingId: string;
  ruleId: string;
  ruleVersion: string;
  repository: string;
  runId: string;
  /** ISO 8601. */
  observedAt: string;
  outcome: FPOutcome;
  reviewer?: string;
  ticket?: string;
  reviewedAt?: string;
}

export interface FPMark {
  findingId: string;
  ruleId?: string;
  outcome: Exclude<FPOutcome, 'pending'>;
  reviewer: string;
  ticket?: string;
  /** ISO 8601. */
  markedAt: string;
}

export interface WindowOptions {
  /** Most recent N events (default 200). */
  count?: number;
  /** Only events observed at or after this time. */
  since?: Date;
  /** Only reviewed events (outcome not pending). */
  reviewedOnly?: boolean;
}

export interface FPStore {
  /** Idempotent per eventId. */
  recordEvents(events: FPEvent[]): Promise<void>;
  /** Marks a finding and every recorded event of it. */
  mark(mark: FPMark): Promise<void>;
  /** Latest mark per finding id, for the ids given. */
  lookupMarks(findingIds: string[]): Promise<Map<string, FPMark>>;
  /** Newest first, per rule. */
  window(ruleIds: string[], options: WindowOptions): Promise<Map<string, FPEvent[]>>;
  /**
   * Every recorded event of each finding id given (any rule, any repository), marks applied,
   * newest first; ids without events are left out. Used to tell whether a finding id someone
   * wants to mark was ever seen in a repository (the PR comment command).
   */
  findingEvents(findingIds: string[]): Promise<Map<string, FPEvent[]>>;
}

export interface BlockCounter {
  /** Counts this run once for the hour bucket, whatever the number of calls. Returns the hour's count. */
  increment(repository: string, runKey: string, at: Date): Promise<number>;
  /** Blocked runs in the UTC hour containing `at`. */
  read(repository: string, at: Date): Promise<number>;
}

export type ConsentScope = 'rule_calibration';

export interface ConsentRecord {
  orgId: string;
  /** Repository name, or `*` for the whole organisation. */
  resource: string;
  scope: ConsentScope;
  grantedBy: string;
  grantedAt: string;
  expiresAt?: string;
  revokedBy?: string;
  revokedAt?: string;
}

export interface ConsentStore {
  grant(record: ConsentRecord): Promise<void>;
  revoke(orgId: string, resource: string, scope: ConsentScope, by: string, at: Date): Promise<boolean>;
  list(orgId: string): Promise<ConsentRecord[]>;
  /** True when an unexpired, unrevoked consent covers the repository (org-wide or its own). */
  hasConsent(orgId: string, repo: string, scope: ConsentScope, at: Date): Promise<boolean>;
}

export interface CalibrationContribution {
  ruleId: string;
  /** Hour bucket, `YYYY-MM-DDTHH`. */
  bucket: string;
  orgHash: string;
  total: number;
  falsePositives: number;
  pending: number;
}

/** One rule's figures as a calibration run left them (the contraction witness compares against them). */
export interface RuleSnapshot {
  /** FPR over the count window; null when nothing was reviewed. */
  fpr: number | null;
  reviewed: number;
  /** The action the rule ran with when the snapshot was taken (after automatic demotion). */
  action: 'block' | 'warn';
  /** ISO 8601: since when calibration runs have seen the rule in `warn` without a break. */
  warnSince?: string;
}

/** The per-rule state a calibration run leaves for the next one, per scope (a pseudonymous repository key). */
export interface CalibrationSnapshot {
  scope: string;
  /** ISO 8601. */
  takenAt: string;
  rules: Record<string, RuleSnapshot>;
}

export interface CalibrationStore {
  contribute(c: CalibrationContribution): Promise<void>;
  /** Contributions for a rule (all buckets). */
  read(ruleId: string): Promise<CalibrationContribution[]>;
  /** The last snapshot saved for the scope, or null. */
  loadSnapshot(scope: string): Promise<CalibrationSnapshot | null>;
  /** Replaces the scope's snapshot. */
  saveSnapshot(snapshot: CalibrationSnapshot): Promise<void>;
}

export interface BaselineStore {
  /** null when there is no baseline yet. Throws StoreError on malformed content. */
  load(owner: string, repo: string): Promise<unknown | null>;
  save(owner: string, repo: string, baseline: unknown): Promise<void>;
}

export interface NonceKey {
  version: number;
  /** 64 hex. */
  value: string;
}

export interface NonceSource {
  /** Newest first. */
  load(): Promise<{ keys: NonceKey[]; loadedAt: Date }>;
}

export interface Stores {
  fp: FPStore;
  blocks: BlockCounter;
  consent: ConsentStore;
  calibration: CalibrationStore;
  baseline: BaselineStore;
  nonce: NonceSource;
}

/** A store could not do what was asked. `transient` failures may be retried. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    override readonly cause?: unknown
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** A write that could not be made; kept in the report's `meta.unrecorded` so it can be replayed. */
export interface UnrecordedWrite {
  store: 'fp-events' | 'fp-marks' | 'block-counter' | 'calibration' | 'baseline';
  operation: string;
  error: string;
  payload: unknown;
}
