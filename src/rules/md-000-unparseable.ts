/**
 * MD-000 — unparseable governance file.
 *
 * A workflow or local action metadata file that is not valid YAML (or not a mapping, or could not
 * be read) cannot be analysed by any other rule, and GitHub will refuse to run it. One finding per
 * such file; the run goes on without it.
 */
import type { Evidence, FindingDraft, Rule, RuleMeta } from '../model/finding.js';
import type { GovernanceSnapshot } from '../model/snapshot.js';

export const meta: RuleMeta = {
  id: 'MD-000',
  version: '1.0.0',
  title: 'Unparseable governance file',
  severity: 'medium',
  confidence: 'high',
  defaultAction: 'warn',
  fpCeiling: 0.1,
  motivation:
    'A workflow or action file that does not parse is invisible to every other check: its triggers, ' +
    'permissions and pinned actions cannot be verified, and GitHub rejects it at run time, so a ' +
    'required check it was meant to produce may never report.',
  description:
    'Reports each workflow (`.github/workflows/*.yml|yaml`) and local action metadata file ' +
    '(`action.yml|yaml`) that is not valid YAML, is empty or not a mapping, or could not be read. ' +
    'The finding quotes the parser message and points at the line and column of the first error. ' +
    'CODEOWNERS syntax is checked by MD-006 and a broken policy file is a configuration error.',
  remediation:
    'Fix the YAML at the reported line (indentation, an unclosed quote or bracket, a tab used for ' +
    'indentation, a duplicated key), or delete the file if it is no longer used. `actionlint` or ' +
    "GitHub's workflow editor show the same error locally.",
  example: ['# .github/workflows/ci.yml', 'on: push', 'jobs:', '  build:', '    runs-on: ubuntu-latest', '     steps:            # indented one space too far', '      - run: make'].join('\n')
};

export function evaluate(snapshot: GovernanceSnapshot): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const wf of snapshot.workflows) {
    const err = wf.parseError;
    if (!err) continue;
    const what = wf.kind === 'action' ? 'Action metadata file' : 'Workflow';
    const where = err.line !== undefined ? ` at line ${err.line}${err.column !== undefined ? `, column ${err.column}` : ''}` : '';
    const evidence: Evidence = { path: wf.path };
    if (err.line !== undefined) evidence.line = err.line;
    if (err.column !== undefined) evidence.column = err.column;
    out.push({
      subject: 'parse-error',
      path: wf.path,
      title: `${what} ${wf.path} could not be parsed`,
      message:
        `${what} \`${wf.path}\` could not be parsed${where}: "${err.message}". ` +
        'No other rule could check it, and GitHub will not run it until it is fixed.',
      evidence: [evidence]
    });
  }
  return out;
}

export const rule: Rule = { meta, evaluate };
