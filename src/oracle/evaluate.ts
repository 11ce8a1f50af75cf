import type {
  EvaluationError,
  Finding,
  FindingDraft,
  GovernanceSnapshot,
  Rule,
  RuleAction,
  RulePolicy,
  Unobservable
} from '../model/index.js';
import { findingId } from './fingerprint.js';

export interface RuleRunResult {
  findings: Finding[];
  evaluationErrors: EvaluationError[];
  unobservable: Unobservable[];
  /** Action each enabled rule runs with (policy over metadata), before demotion. */
  actions: Record<string, Exclude<RuleAction, 'off'>>;
}

const DEFAULT_RULE_POLICY: RulePolicy = { enabled: true, options: {} };

export function rulePolicy(snapshot: GovernanceSnapshot, ruleId: string): RulePolicy {
  return snapshot.policy.rules[ruleId] ?? DEFAULT_RULE_POLICY;
}

function complete(rule: Rule, cfg: RulePolicy, draft: FindingDraft): Finding {
  return {
    id: findingId(rule.meta.id, draft.path, draft.subject),
    ruleId: rule.meta.id,
    ruleVersion: rule.meta.version,
    // A policy severity override wins over the rule's own choice: the policy is the owner's word.
    severity: cfg.severity ?? draft.severity ?? rule.meta.severity,
    confidence: draft.confidence ?? rule.meta.confidence,
    title: draft.title ?? rule.meta.title,
    message: draft.message,
    evidence: draft.evidence,
    remediation: draft.remediation ?? rule.meta.remediation,
    subject: draft.subject,
    path: draft.path
  };
}

/**
 * Runs every enabled rule. A rule that throws becomes a critical finding (fail closed) and an
 * evaluation error; the other rules still run. Findings with the same id are merged (first wins),
 * so a rule that reports one subject twice cannot double count.
 */
export function runRules(snapshot: GovernanceSnapshot, rules: readonly Rule[]): RuleRunResult {
  const findings = new Map<string, Finding>();
  const evaluationErrors: EvaluationError[] = [];
  const unobservable: Unobservable[] = [];
  const actions: Record<string, Exclude<RuleAction, 'off'>> = {};

  for (const rule of rules) {
    const cfg = rulePolicy(snapshot, rule.meta.id);
    if (!cfg.enabled || cfg.action === 'off') continue;
    actions[rule.meta.id] = cfg.action ?? rule.meta.defaultAction;
    try {
      const out = rule.evaluate(snapshot, cfg);
      const result = Array.isArray(out) ? { findings: out, unobservable: [] } : out;
      for (const draft of result.findings) {
        const f = complete(rule, cfg, draft);
        if (!findings.has(f.id)) findings.set(f.id, f);
      }
      for (const u of result.unobservable ?? []) unobservable.push({ ...u, ruleId: u.ruleId ?? rule.meta.id });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      evaluationErrors.push({ ruleId: rule.meta.id, message });
      const f: Finding = {
        id: findingId(rule.meta.id, snapshot.policy.source, 'evaluate-error'),
        ruleId: rule.meta.id,
        ruleVersion: rule.meta.version,
        severity: 'critical',
        confidence: 'high',
        title: `Rule ${rule.meta.id} failed during evaluate`,
        message: `Rule ${rule.meta.id} failed during evaluate: ${message}. The run fails closed; please report this with the report artifact.`,
        evidence: [{ path: snapshot.policy.source }],
        remediation: 'This is a defect in pm-action, not in your repository. Disable the rule in the policy (`rules: { ID: off }`) as a stopgap and report it.',
        subject: 'evaluate-error',
        path: snapshot.policy.source
      };
      findings.set(f.id, f);
      // Rule failures must count toward blocking whatever the rule's configured action.
      actions[rule.meta.id] = 'block';
    }
  }
  return { findings: [...findings.values()], evaluationErrors, unobservable, actions };
}
