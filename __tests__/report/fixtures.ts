/** Hand-built Evaluations for the report tests. */
import { createHash } from 'node:crypto';
import type { Confidence, Evaluation, EvaluatedFinding, Evidence, FindingStatus, RuleMeta, Severity } from '../../src/model/index.js';
import type { ReportContext } from '../../src/report/index.js';

export function findingId(ruleId: string, path: string, subject: string): string {
  return createHash('sha256').update(`${ruleId}|${path}|${subject}`).digest('hex').slice(0, 16);
}

export interface FindingSpec {
  ruleId?: string;
  severity?: Severity;
  confidence?: Confidence;
  status?: FindingStatus;
  action?: 'block' | 'warn';
  path?: string;
  line?: number;
  column?: number;
  subject?: string;
  title?: string;
  message?: string;
  evidence?: Evidence[];
  suppression?: EvaluatedFinding['suppression'];
}

export function finding(spec: FindingSpec = {}): EvaluatedFinding {
  const ruleId = spec.ruleId ?? 'MD-002';
  const path = spec.path ?? '.github/workflows/ci.yml';
  const subject = spec.subject ?? `subject-${ruleId}-${path}-${spec.line ?? 0}`;
  const evidence: Evidence[] =
    spec.evidence ?? [{ path, ...(spec.line !== undefined ? { line: spec.line } : {}), ...(spec.column !== undefined ? { column: spec.column } : {}) }];
  return {
    id: findingId(ruleId, path, subject),
    ruleId,
    ruleVersion: '1.0.0',
    severity: spec.severity ?? 'medium',
    confidence: spec.confidence ?? 'high',
    title: spec.title ?? `Title of ${ruleId}`,
    message: spec.message ?? `Message for ${subject}`,
    evidence,
    remediation: `Fix ${ruleId}.`,
    subject,
    path,
    status: spec.status ?? 'open',
    action: spec.action ?? 'warn',
    ...(spec.suppression ? { suppression: spec.suppression } : {})
  };
}

const RULES_HASH = createHash('sha256').update('MD-001@1.0.0\nMD-002@1.0.0').digest('hex');

/** A mix of severities and statuses, an L0 failure, a demotion, an unobservable item. Decision: block. */
export function sampleEvaluation(): Evaluation {
  const findings: EvaluatedFinding[] = [
    finding({
      ruleId: 'L0-permission-bits',
      severity: 'critical',
      action: 'block',
      path: '.github/workflows/pm.yml',
      line: 12,
      column: 5,
      subject: 'permission_bits',
      title: 'Token permissions exceed the mode',
      message: 'contents: write is not allowed in check mode'
    }),
    finding({
      ruleId: 'MD-001',
      severity: 'high',
      action: 'warn',
      path: '.github/workflows/ci.yml',
      line: 3,
      subject: 'build',
      title: 'Required check unreachable',
      message: 'Required check "build" is produced by no job on pull_request'
    }),
    finding({
      ruleId: 'MD-002',
      severity: 'medium',
      path: '.github/workflows/ci.yml',
      line: 20,
      column: 9,
      subject: 'actions/foo@v1',
      evidence: [
        { path: '.github/workflows/ci.yml', line: 20, column: 9, snippet: 'uses: actions/foo@v1', hash: 'a'.repeat(64) },
        { path: '.github/workflows/release.yml', line: 7 }
      ]
    }),
    finding({
      ruleId: 'MD-002',
      severity: 'medium',
      status: 'suppressed',
      path: '.github/workflows/deploy.yml',
      line: 4,
      subject: 'vendor/action@v2',
      suppression: { kind: 'policy', reason: 'vendor action audited in SEC-42', approvedBy: 'octocat', expires: '2027-03-31' }
    }),
    finding({
      ruleId: 'MD-004',
      severity: 'high',
      status: 'false_positive',
      path: '.github/workflows/nightly.yml',
      line: 1,
      subject: 'nightly',
      suppression: { kind: 'fp_mark', reason: 'marked false positive', approvedBy: 'reviewer1', ticket: 'JIRA-7' }
    }),
    finding({
      ruleId: 'MD-006',
      severity: 'low',
      path: 'CODEOWNERS',
      subject: '/docs/old/**',
      title: 'CODEOWNERS pattern matches nothing',
      message: 'Pattern /docs/old/** matches no tracked file'
    }),
    finding({
      ruleId: 'MD-003',
      severity: 'medium',
      path: '.github/phase-mirror.yml',
      line: 9,
      subject: 'approvals',
      message: 'expected approvals 2, live 1'
    })
  ];
  return {
    l0: [
      { check: 'schema_hash', status: 'pass', detail: 'schema hash matches' },
      { check: 'permission_bits', status: 'fail', detail: 'write bit contents outside the check mask' },
      { check: 'drift_magnitude', status: 'skipped', detail: 'not drift mode' },
      { check: 'nonce_freshness', status: 'pass', detail: 'key loaded 2 s ago' },
      { check: 'contraction_witness', status: 'pass', detail: 'no FPR decrease' }
    ],
    findings,
    demotions: [{ ruleId: 'MD-001', fpr: 0.15, ceiling: 0.1, reviewed: 40, from: 'block', to: 'warn' }],
    evaluationErrors: [],
    unobservable: [
      {
        subject: 'classic branch protection for main',
        reason: 'GET /repos/o/r/branches/main/protection returned 403',
        missingPermission: 'administration: read',
        ruleId: 'MD-003'
      }
    ],
    invalidSuppressions: [{ line: 31, problem: 'suppression expired on 2024-01-01' }],
    decision: {
      outcome: 'block',
      degraded: false,
      degradedReasons: [],
      reasons: ['L0 invariant permission_bits failed', 'critical findings: 1 > 0'],
      strict: false,
      blockingCounts: { critical: 1, high: 0, medium: 0, low: 0 }
    },
    rulesHash: RULES_HASH
  };
}

/** The same evaluation, after the circuit breaker turned the block into a warning. */
export function degradedEvaluation(): Evaluation {
  const e = sampleEvaluation();
  e.decision = {
    ...e.decision,
    outcome: 'warn',
    degraded: true,
    degradedReasons: ['fp_store_unavailable', 'circuit_breaker_triggered'],
    reasons: [...e.decision.reasons, 'circuit breaker: 120 blocked runs this hour >= 100']
  };
  e.evaluationErrors = [{ ruleId: 'MD-007', message: 'TypeError: cannot read properties of undefined' }];
  return e;
}

export function sampleContext(overrides: Partial<ReportContext> = {}): ReportContext {
  return {
    toolName: 'pm-action',
    toolVersion: '1.2.3',
    runId: '123456789',
    runAttempt: '1',
    timestamp: '2026-05-01T12:00:00.000Z',
    mode: 'check',
    event: 'pull_request',
    repository: 'PhaseMirror/example',
    ref: 'refs/pull/7/merge',
    sha: '0123456789abcdef0123456789abcdef01234567',
    policySource: 'main:.github/phase-mirror.yml',
    ...overrides
  };
}

export function sampleRules(): RuleMeta[] {
  const base = { confidence: 'high' as const, fpCeiling: 0.1, motivation: 'Why it matters.', description: 'What is checked.' };
  return [
    { ...base, id: 'MD-001', version: '1.0.0', title: 'Required check unreachable', severity: 'high', defaultAction: 'block', remediation: 'Make a job produce the check.' },
    { ...base, id: 'MD-002', version: '1.0.0', title: 'Unpinned execution', severity: 'medium', defaultAction: 'warn', remediation: 'Pin to a SHA.' },
    { ...base, id: 'MD-003', version: '1.0.0', title: 'Declared differs from live', severity: 'medium', defaultAction: 'warn', remediation: 'Align settings.' },
    { ...base, id: 'MD-004', version: '1.0.0', title: 'Over-privileged token', severity: 'high', defaultAction: 'warn', remediation: 'Reduce permissions.' },
    { ...base, id: 'MD-006', version: '1.0.0', title: 'CODEOWNERS dissonance', severity: 'medium', confidence: 'medium', defaultAction: 'warn', remediation: 'Fix CODEOWNERS.' }
  ];
}

/** Deterministic Fisher–Yates shuffle (mulberry32). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
