/**
 * MD-007 — small pieces shared by the rule's finding families (expression injection and PR-head
 * checkout in `../md-007-untrusted-input-executed.ts`, issue_comment guards in `comment-guards.ts`,
 * artifact poisoning in `artifact-poisoning.ts`): the `${{ … }}` pattern (operand unwrapping and
 * logical splitting are re-exported from `../shared/expressions.ts`), the same-repository guard, the lists of build / inert actions and what counts as a step that runs code
 * (`execution`), and step labels for messages. They live here so that those modules only import this
 * one and never each other.
 */
import type { Step } from '../../model/workflow.js';
import { stepKey } from '../md-002-unpinned-execution.js';
import { actionName, matchesAction } from '../shared/action-ref.js';

export { splitLogical, unwrap } from '../shared/expressions.js';

export const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

const SAME_REPO_GUARD =
  /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository\b|github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name|github\.event\.pull_request\.head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork\b|github\.event\.workflow_run\.head_repository\.full_name\s*==\s*github\.repository\b|github\.repository\s*==\s*github\.event\.workflow_run\.head_repository\.full_name|github\.event\.workflow_run\.head_repository\.fork\s*==\s*false|github\.event\.pull_request\.head\.repo\.owner\.login\s*==\s*github\.repository_owner|github\.event\.pull_request\.merged\s*==\s*true|^\s*(?:\$\{\{)?\s*github\.event\.pull_request\.merged\s*(?:\}\})?\s*$/i;

export function guarded(cond: string | undefined): boolean {
  if (!cond) return false;
  if (cond.includes('||')) return false;
  return SAME_REPO_GUARD.test(cond);
}

/** Actions that run the checked-out project's code. */
export const BUILD_ACTIONS: readonly string[] = [
  'github/codeql-action/autobuild',
  'docker/build-push-action',
  'docker/bake-action',
  'cypress-io/github-action',
  'pre-commit/action',
  'gradle/gradle-build-action',
  'gradle/actions/setup-gradle',
  'borales/actions-yarn',
  'bahmutov/npm-install',
  'nick-fields/retry',
  'nick-invision/retry',
  'goreleaser/goreleaser-action',
  'coactions/setup-xvfb',
  'gabrielbb/xvfb-action',
  'microsoft/playwright-github-action',
  'dagger/dagger-for-github',
  'jetbrains/qodana-action'
];

/** Actions that do not execute files from the workspace. */
const INERT_ACTIONS: readonly string[] = [
  'actions/checkout',
  'actions/upload-artifact',
  'actions/download-artifact',
  'actions/cache',
  'actions/labeler',
  'actions/github-script',
  'actions/create-github-app-token',
  'peter-evans/create-or-update-comment',
  'peter-evans/find-comment',
  'marocchino/sticky-pull-request-comment',
  'thollander/actions-comment-pull-request',
  'peter-evans/commit-comment',
  'actions-cool/maintain-one-comment',
  'int128/hide-comment-action',
  'kanga333/comment-hider',
  'juliangruber/read-file-action',
  'dorny/paths-filter',
  'tj-actions/changed-files',
  'step-security/harden-runner',
  'actions/setup-node',
  'actions/setup-python',
  'actions/setup-go',
  'actions/setup-java',
  'actions/setup-dotnet'
];

export function matchesAny(name: string, list: readonly string[]): boolean {
  return list.some((p) => matchesAction(name, p));
}

export type Execution = { level: 'run' | 'unknown'; step: Step; why: string };

export function execution(step: Step): Execution | undefined {
  if (step.run) return { level: 'run', step, why: 'a `run:` step' };
  if (!step.uses) return undefined;
  const u = step.uses.value.trim();
  if (u.startsWith('./') || u.startsWith('$/')) return { level: 'run', step, why: `the local action \`${u}\`, loaded from the checked-out tree` };
  const name = actionName(u);
  if (!name) return { level: 'unknown', step, why: `\`${u}\`` };
  if (matchesAny(name, BUILD_ACTIONS)) return { level: 'run', step, why: `\`${u}\`, which builds or runs the project` };
  if (matchesAction(name, 'ruby/setup-ruby') && /^true$/i.test(step.with['bundler-cache']?.value.trim() ?? '')) {
    return { level: 'run', step, why: `\`${u}\` with \`bundler-cache: true\` (runs \`bundle install\`, which evaluates the Gemfile)` };
  }
  if (matchesAction(name, 'pnpm/action-setup') && step.with['run_install'] && !/^false$/i.test(step.with['run_install'].value.trim())) {
    return { level: 'run', step, why: `\`${u}\` with \`run_install\` (runs install scripts)` };
  }
  if (matchesAny(name, INERT_ACTIONS)) return undefined;
  return { level: 'unknown', step, why: `\`${u}\`` };
}

export function stepLabel(step: Step): string {
  return step.id || step.name ? `step \`${stepKey(step)}\`` : `step ${step.index + 1}`;
}

