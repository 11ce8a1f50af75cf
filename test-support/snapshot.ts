/**
 * Helpers to build GovernanceSnapshots in tests.
 *
 *   const snap = makeSnapshot({ workflows: [workflowFromYaml('.github/workflows/ci.yml', yaml)] });
 */
import { parseWorkflow } from '../src/collect/workflow-parser.js';
import type { GovernanceSnapshot } from '../src/model/snapshot.js';
import type { Policy, RulePolicy } from '../src/model/policy.js';
import type { WorkflowFile } from '../src/model/workflow.js';

/** A fresh copy of the defaults a repository without a policy file gets. */
export function defaultPolicy(): Policy {
  return {
    source: 'defaults',
    version: 1,
    rules: {},
    thresholds: { critical: 0, high: 3, medium: 10 },
    strictThresholds: { critical: 0, high: 0, medium: 5 },
    expected: {},
    expectedLines: {},
    suppressions: [],
    drift: { paths: ['.github/**'], threshold: 0.3 }
  };
}

/** A snapshot with neutral defaults: no workflows, protection and default permissions unobservable. */
export function makeSnapshot(partial: Partial<GovernanceSnapshot> = {}): GovernanceSnapshot {
  return {
    repo: { owner: 'octo-org', name: 'octo-repo', defaultBranch: 'main' },
    event: { name: 'pull_request', targetBranch: 'main' },
    workflows: [],
    codeowners: null,
    policy: defaultPolicy(),
    files: {},
    trackedPaths: [],
    protection: { status: 'unobservable', reason: 'not collected in this test' },
    defaultWorkflowPermissions: { status: 'unobservable', reason: 'not collected in this test' },
    ...partial
  };
}

/** Parse a workflow (or, with kind `action`, an action file) the way the collector does. */
export function workflowFromYaml(path: string, yaml: string, kind: 'workflow' | 'action' = 'workflow'): WorkflowFile {
  return parseWorkflow(path, yaml, kind);
}

/** A rule configuration: enabled, with the given options. */
export function ruleConfig(options: Record<string, unknown> = {}, extra: Partial<RulePolicy> = {}): RulePolicy {
  return { enabled: true, options, ...extra };
}
