import { describe, expect, it } from '@jest/globals';
import { parsePolicy } from '../../src/config/policy.js';

const RULES = ['MD-000', 'MD-001', 'MD-002', 'MD-004'];
const parse = (text: string) => parsePolicy(text, '.github/phase-mirror.yml', RULES);

describe('parsePolicy', () => {
  it('reads a full policy', () => {
    const p = parse(`version: 1
rules:
  MD-002: { action: warn, trusted-owners: [actions, github] }
  MD-001: { severity: critical, fp-ceiling: 0.2 }
  MD-000: off
thresholds: { critical: 0, high: 2, medium: 8, strict: { high: 0, medium: 3 } }
expected:
  required-checks: [build, test]
  approvals: 2
  code-owner-review: true
  linear-history: true
  signed-commits: false
  default-workflow-permissions: read
  merge-queue: true
merge-queue:
  required: true
  allow-admin-bypass: false
suppressions:
  - finding: 3f9c0a1b2d4e5f60
    reason: vendor action audited in SEC-42
    expires: 2027-03-31
    approved-by: octocat
  - rule: MD-002
    path: .github/workflows/x.yml
    reason: r
drift:
  paths: [.github/**, infra/**]
  threshold: 0.25
`);
    expect(p.rules['MD-002']).toEqual({ enabled: true, action: 'warn', options: { 'trusted-owners': ['actions', 'github'] } });
    expect(p.rules['MD-001']).toMatchObject({ severity: 'critical', fpCeiling: 0.2 });
    expect(p.rules['MD-000']).toMatchObject({ enabled: false, action: 'off' });
    expect(p.thresholds).toEqual({ critical: 0, high: 2, medium: 8 });
    expect(p.strictThresholds).toEqual({ critical: 0, high: 0, medium: 3 });
    expect(p.expected).toEqual({ requiredChecks: ['build', 'test'], approvals: 2, codeOwnerReview: true, linearHistory: true, signedCommits: false, defaultWorkflowPermissions: 'read', mergeQueue: true });
    expect(p.expectedLines.approvals).toBe(9);
    expect(p.mergeQueue).toEqual({ required: true, allowAdminBypass: false });
    expect(p.suppressions).toEqual([
      { finding: '3f9c0a1b2d4e5f60', reason: 'vendor action audited in SEC-42', expires: '2027-03-31', approvedBy: 'octocat', line: 19 },
      { rule: 'MD-002', path: '.github/workflows/x.yml', reason: 'r', line: 23 }
    ]);
    expect(p.drift).toEqual({ paths: ['.github/**', 'infra/**'], threshold: 0.25 });
  });

  it('an empty file is the defaults', () => {
    expect(parse('').thresholds).toEqual({ critical: 0, high: 3, medium: 10 });
    expect(parse('# only a comment\n').rules).toEqual({});
  });

  it.each([
    ['rules:\n  MD-002: { action: warn }\nthreshold: 3\n', '.github/phase-mirror.yml:3: unknown key \'threshold\' in the policy file.'],
    ['rules:\n  MD-999: warn\n', ".github/phase-mirror.yml:2: unknown rule 'MD-999' in rules."],
    ['rules:\n  MD-002: { action: maybe }\n', '.github/phase-mirror.yml:2: rules.MD-002.action must be one of block, warn, off'],
    ['expected:\n  approvals: two\n', '.github/phase-mirror.yml:2: expected.approvals must be a whole number from 0 to 10'],
    ['expected:\n  linear-history: "yes"\n', '.github/phase-mirror.yml:2: expected.linear-history must be true or false'],
    ['version: 2\n', '.github/phase-mirror.yml:1: version must be 1'],
    ['suppressions:\n  - reason: x\n', 'a suppression needs `finding: <id>` or `rule: <rule id>`'],
    ['suppressions:\n  - finding: nothex\n    reason: x\n', 'suppression.finding must be a 16-hex finding id'],
    ['suppressions:\n  - rule: MD-002\n    expires: next week\n', 'suppression.expires must be a date YYYY-MM-DD'],
    ['rules: [MD-002]\n', '.github/phase-mirror.yml:1: rules must be a mapping'],
    ['- a\n- b\n', 'the policy file must be a mapping'],
    ['rules:\n  MD-002: {\n', '.github/phase-mirror.yml:'],
    ['a: 1\na: 2\n', 'not valid YAML'],
    ['drift:\n  threshold: 3\n', 'drift.threshold must be a number from 0 to 1']
  ])('rejects %j with a located message', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});
