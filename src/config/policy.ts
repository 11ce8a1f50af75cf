import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import {
  DEFAULT_DRIFT,
  DEFAULT_STRICT_THRESHOLDS,
  DEFAULT_THRESHOLDS,
  SEVERITIES,
  type ExpectedSettings,
  type MergeQueuePolicy,
  type Policy,
  type RulePolicy,
  type Severity,
  type Suppression,
  type Thresholds
} from '../model/index.js';
import { ConfigurationError } from './errors.js';

/** The policy used when the repository has no policy file. */
export function defaultPolicy(source = 'defaults'): Policy {
  return {
    source,
    version: 1,
    rules: {},
    thresholds: { ...DEFAULT_THRESHOLDS },
    strictThresholds: { ...DEFAULT_STRICT_THRESHOLDS },
    expected: {},
    expectedLines: {},
    suppressions: [],
    drift: { paths: [...DEFAULT_DRIFT.paths], threshold: DEFAULT_DRIFT.threshold }
  };
}

/** Keys every rule section accepts; anything else is a rule option passed to the rule. */
const RULE_KEYS = new Set(['enabled', 'action', 'severity', 'fp-ceiling']);
const TOP_KEYS = ['version', 'rules', 'thresholds', 'expected', 'merge-queue', 'suppressions', 'drift'];
const THRESHOLD_KEYS = ['critical', 'high', 'medium', 'strict'];
const EXPECTED_KEYS: Record<string, keyof ExpectedSettings> = {
  'required-checks': 'requiredChecks',
  approvals: 'approvals',
  'code-owner-review': 'codeOwnerReview',
  'linear-history': 'linearHistory',
  'signed-commits': 'signedCommits',
  'default-workflow-permissions': 'defaultWorkflowPermissions',
  'merge-queue': 'mergeQueue'
};
const MERGE_QUEUE_KEYS: Record<string, keyof MergeQueuePolicy> = {
  required: 'required',
  'allow-admin-bypass': 'allowAdminBypass',
  'allow-direct-pushes': 'allowDirectPushes',
  'require-linear-history': 'requireLinearHistory'
};
const SUPPRESSION_KEYS = ['finding', 'rule', 'path', 'reason', 'expires', 'approved-by'];

class PolicyReader {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter
  ) {}

  line(node: Node | Pair | null | undefined): number {
    const n = node && 'range' in node ? node : (node as Pair | undefined)?.key;
    const range = (n as Node | undefined)?.range;
    return range ? this.lines.linePos(range[0]).line : 1;
  }

  fail(node: Node | Pair | null | undefined, message: string): never {
    throw new ConfigurationError(`${this.file}:${this.line(node)}: ${message}`);
  }

  map(node: unknown, what: string): YAMLMap {
    if (!isMap(node)) this.fail(node as Node, `${what} must be a mapping (key: value).`);
    return node;
  }

  pairs(node: YAMLMap, what: string, allowed?: readonly string[]): Array<[string, Node | null, Pair]> {
    return node.items.map((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) this.fail(pair.key as Node, `${what} has a key that is not a plain name.`);
      if (allowed && !allowed.includes(key)) {
        this.fail(pair.key as Node, `unknown key '${key}' in ${what}. Allowed keys: ${allowed.join(', ')}.`);
      }
      return [key, (pair.value as Node | null) ?? null, pair];
    });
  }

  scalar(node: Node | null, what: string): unknown {
    if (!isScalar(node)) this.fail(node, `${what} must be a single value.`);
    return node.value;
  }

  bool(node: Node | null, what: string): boolean {
    const v = this.scalar(node, what);
    if (typeof v !== 'boolean') this.fail(node, `${what} must be true or false, not '${String(v)}'.`);
    return v;
  }

  int(node: Node | null, what: string, min: number, max: number): number {
    const v = this.scalar(node, what);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(node, `${what} must be a whole number from ${min} to ${max}, not '${String(v)}'.`);
    }
    return v;
  }

  num(node: Node | null, what: string, min: number, max: number): number {
    const v = this.scalar(node, what);
    if (typeof v !== 'number' || !(v >= min && v <= max)) {
      this.fail(node, `${what} must be a number from ${min} to ${max}, not '${String(v)}'.`);
    }
    return v;
  }

  str(node: Node | null, what: string): string {
    const v = this.scalar(node, what);
    if (typeof v !== 'string' && typeof v !== 'number') this.fail(node, `${what} must be text.`);
    return String(v);
  }

  strList(node: Node | null, what: string): string[] {
    if (!isSeq(node)) this.fail(node, `${what} must be a list.`);
    return node.items.map((item) => this.str(item as Node, `each entry of ${what}`));
  }

  oneOf<T extends string>(node: Node | null, what: string, allowed: readonly T[]): T {
    const v = this.str(node, what);
    if (!(allowed as readonly string[]).includes(v)) this.fail(node, `${what} must be one of ${allowed.join(', ')}, not '${v}'.`);
    return v as T;
  }
}

/**
 * Parses and validates a policy file. Throws ConfigurationError with `file:line: problem`.
 * `knownRules` lists the rule ids a `rules:` section may name.
 */
export function parsePolicy(text: string, file: string, knownRules: readonly string[]): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line ?? 1;
    throw new ConfigurationError(`${file}:${line}: the policy file is not valid YAML: ${err.message.split('\n')[0]}`);
  }
  const policy = defaultPolicy(file);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return policy;

  const r = new PolicyReader(file, lines);
  const root = r.map(doc.contents, 'the policy file');
  for (const [key, value, pair] of r.pairs(root, 'the policy file', TOP_KEYS)) {
    switch (key) {
      case 'version':
        if (r.scalar(value, 'version') !== 1) r.fail(pair, `version must be 1 (the only policy version so far).`);
        break;
      case 'rules':
        policy.rules = readRules(r, value, knownRules);
        break;
      case 'thresholds':
        readThresholds(r, value, policy);
        break;
      case 'expected':
        readExpected(r, value, policy);
        break;
      case 'merge-queue': {
        const mq: MergeQueuePolicy = {};
        for (const [k, v] of r.pairs(r.map(value, 'merge-queue'), 'merge-queue', Object.keys(MERGE_QUEUE_KEYS))) {
          mq[MERGE_QUEUE_KEYS[k]] = r.bool(v, `merge-queue.${k}`);
        }
        policy.mergeQueue = mq;
        policy.mergeQueueLine = r.line(pair);
        break;
      }
      case 'suppressions':
        policy.suppressions = readSuppressions(r, value);
        break;
      case 'drift':
        for (const [k, v] of r.pairs(r.map(value, 'drift'), 'drift', ['paths', 'threshold'])) {
          if (k === 'paths') policy.drift.paths = r.strList(v, 'drift.paths');
          else policy.drift.threshold = r.num(v, 'drift.threshold', 0, 1);
        }
        break;
    }
  }
  return policy;
}

function readRules(r: PolicyReader, value: Node | null, knownRules: readonly string[]): Record<string, RulePolicy> {
  const rules: Record<string, RulePolicy> = {};
  for (const [id, v, pair] of r.pairs(r.map(value, 'rules'), 'rules')) {
    if (!knownRules.includes(id)) r.fail(pair, `unknown rule '${id}' in rules. Known rules: ${knownRules.join(', ')}.`);
    const rule: RulePolicy = { enabled: true, options: {} };
    if (isScalar(v)) {
      // Shorthand: `MD-002: warn` / `MD-002: off`.
      rule.action = r.oneOf(v, `rules.${id}`, ['block', 'warn', 'off'] as const);
    } else {
      for (const [k, opt] of r.pairs(r.map(v, `rules.${id}`), `rules.${id}`)) {
        if (k === 'enabled') rule.enabled = r.bool(opt, `rules.${id}.enabled`);
        else if (k === 'action') rule.action = r.oneOf(opt, `rules.${id}.action`, ['block', 'warn', 'off'] as const);
        else if (k === 'severity') rule.severity = r.oneOf(opt, `rules.${id}.severity`, SEVERITIES) as Severity;
        else if (k === 'fp-ceiling') rule.fpCeiling = r.num(opt, `rules.${id}.fp-ceiling`, 0, 1);
        else if (!RULE_KEYS.has(k)) rule.options[k] = opt === null ? null : opt.toJSON();
      }
    }
    if (rule.action === 'off') rule.enabled = false;
    rules[id] = rule;
  }
  return rules;
}

function readThresholdMap(r: PolicyReader, value: Node | null, what: string, into: Thresholds, allowStrict: boolean): Node | null {
  let strict: Node | null = null;
  for (const [k, v] of r.pairs(r.map(value, what), what, allowStrict ? THRESHOLD_KEYS : THRESHOLD_KEYS.slice(0, 3))) {
    if (k === 'strict') strict = v;
    else into[k as keyof Thresholds] = r.int(v, `${what}.${k}`, 0, 100000);
  }
  return strict;
}

function readThresholds(r: PolicyReader, value: Node | null, policy: Policy): void {
  const strict = readThresholdMap(r, value, 'thresholds', policy.thresholds, true);
  if (strict !== null) readThresholdMap(r, strict, 'thresholds.strict', policy.strictThresholds, false);
}

function readExpected(r: PolicyReader, value: Node | null, policy: Policy): void {
  for (const [k, v, pair] of r.pairs(r.map(value, 'expected'), 'expected', Object.keys(EXPECTED_KEYS))) {
    const what = `expected.${k}`;
    const e = policy.expected;
    switch (EXPECTED_KEYS[k]) {
      case 'requiredChecks':
        e.requiredChecks = r.strList(v, what);
        break;
      case 'approvals':
        e.approvals = r.int(v, what, 0, 10);
        break;
      case 'defaultWorkflowPermissions':
        e.defaultWorkflowPermissions = r.oneOf(v, what, ['read', 'write'] as const);
        break;
      default:
        (e as Record<string, unknown>)[EXPECTED_KEYS[k]] = r.bool(v, what);
    }
    policy.expectedLines[EXPECTED_KEYS[k]] = r.line(pair);
  }
}

function readSuppressions(r: PolicyReader, value: Node | null): Suppression[] {
  if (!isSeq(value)) r.fail(value, 'suppressions must be a list.');
  return value.items.map((item) => {
    const node = item as Node;
    const s: Suppression = { line: r.line(node) };
    for (const [k, v] of r.pairs(r.map(node, 'each suppression'), 'a suppression', SUPPRESSION_KEYS)) {
      const text = r.str(v, `suppression.${k}`);
      if (k === 'finding') {
        if (!/^[0-9a-f]{16}$/.test(text)) r.fail(v, `suppression.finding must be a 16-hex finding id from the report, not '${text}'.`);
        s.finding = text;
      } else if (k === 'rule') s.rule = text;
      else if (k === 'path') s.path = text;
      else if (k === 'reason') s.reason = text;
      else if (k === 'approved-by') s.approvedBy = text;
      else {
        // yaml parses an unquoted 2027-03-31 as a string under the core schema.
        if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
          r.fail(v, `suppression.expires must be a date YYYY-MM-DD, not '${text}'.`);
        }
        s.expires = text;
      }
    }
    if (!s.finding && !s.rule) r.fail(node, 'a suppression needs `finding: <id>` or `rule: <rule id>` (optionally with `path:`).');
    if (s.finding && s.rule) r.fail(node, 'a suppression names either `finding:` or `rule:`, not both.');
    return s;
  });
}
