/**
 * MD-005 — merge-group patch missing.
 *
 * On `merge_group`, every pull request in the group must have its changes in the group's commit:
 * a PR whose changed files are not all in `compare(base_sha…head_sha)` would be merged (and its
 * checks counted as passed) without its patch being what was tested. Critical.
 */
import type { Unobservable } from '../model/common.js';
import type { FindingDraft, Rule, RuleMeta, RuleResult } from '../model/finding.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';

export const meta: RuleMeta = {
  id: 'MD-005',
  version: '1.0.0',
  title: 'Merge-group patch missing',
  severity: 'critical',
  confidence: 'high',
  defaultAction: 'block',
  fpCeiling: 0.05,
  motivation:
    'A merge queue tests the combination of queued pull requests in a temporary branch and then ' +
    'fast-forwards the base branch to it. If a queued pull request\'s changes are not in that ' +
    'combination — a bad rebase, a force-push racing the queue, a conflicting resolution that ' +
    'dropped a file — the pull request is marked merged while its patch is not what was tested, or ' +
    'not there at all.',
  description:
    'On `merge_group` runs, reads the pull requests of the group (the one named in ' +
    '`gh-readonly-queue/<base>/pr-<N>-<sha>` and those associated with the group\'s commits), each ' +
    'one\'s changed files, and the files changed between the group\'s base and head commits. ' +
    'Reports each pull request whose changed files are not all in that comparison, listing the ' +
    'missing files. Pull requests whose files could not be read are listed as unobservable.',
  remediation:
    'Remove the pull request from the queue, rebase it on the current base branch, check that its ' +
    'diff is what you expect, and queue it again. If it happens repeatedly, look for a workflow or ' +
    'bot that pushes to `gh-readonly-queue/*` branches.',
  example: [
    'merge group gh-readonly-queue/main/pr-13-…',
    '  PR #13 changes docs/guide.md, docs/missing.md',
    '  compare(base…head) changes docs/guide.md     → docs/missing.md is missing'
  ].join('\n')
};

const MAX_LISTED = 20;

export function evaluate(snapshot: GovernanceSnapshot): RuleResult {
  const findings: FindingDraft[] = [];
  const unobservable: Unobservable[] = [];
  if (snapshot.event.name !== 'merge_group') return { findings, unobservable };
  const mg = snapshot.mergeGroup;
  if (!mg) {
    unobservable.push({ subject: 'merge group contents', reason: 'the merge group was not collected (no GitHub API state for this run)' });
    return { findings, unobservable };
  }
  if (mg.status !== 'observed') {
    unobservable.push({ subject: 'merge group contents', reason: mg.reason, ...(mg.missingPermission ? { missingPermission: mg.missingPermission } : {}) });
    return { findings, unobservable };
  }
  const g = mg.value;
  const compare = new Set(g.compareFiles);
  if (g.prs.length === 0) {
    unobservable.push({ subject: `pull requests of merge group ${g.headRef}`, reason: 'no pull request could be identified from the queue branch name or the group\'s commits' });
  }
  for (const pr of g.prs) {
    if (pr.filesUnobservable) {
      unobservable.push({ subject: `changed files of pull request #${pr.number}`, reason: pr.filesUnobservable });
      continue;
    }
    const missing = pr.changedFiles.filter((f) => !compare.has(f));
    if (missing.length === 0) continue;
    const shown = missing.slice(0, MAX_LISTED);
    const more = missing.length > shown.length ? ` and ${missing.length - shown.length} more` : '';
    const truncated = g.compareFilesTruncated === true;
    findings.push({
      subject: `pr-${pr.number}`,
      path: missing[0],
      confidence: truncated ? 'low' : 'high',
      message:
        `Pull request #${pr.number}${pr.title ? ` ("${pr.title}")` : ''} is in merge group \`${g.headRef}\` (base ${g.baseRef} ${g.baseSha.slice(0, 7)}, head ${g.headSha.slice(0, 7)}), ` +
        `but ${missing.length} of its ${pr.changedFiles.length} changed file(s) are not changed between the group's base and head: ` +
        `${shown.map((f) => `\`${f}\``).join(', ')}${more}. The group would merge without that part of the patch, after checks that never saw it.` +
        (truncated ? ' GitHub lists at most 300 files for a comparison and this one may have been cut short, so the files may be further down the list.' : ''),
      evidence: shown.map((f) => ({ path: f }))
    });
  }
  return { findings, unobservable };
}

export const rule: Rule = { meta, evaluate };
