import type { Finding, L0CheckName, L0Result, Mode, PermissionsDecl } from '../model/index.js';
import { findingId } from './fingerprint.js';

/**
 * L0 invariants: five checks over a flat, prepared state. `checkL0` reads only numbers and
 * pre-compared strings so it allocates nothing per call; everything that allocates (parsing,
 * rendering results) happens in `prepareL0` and `l0Results`, outside the hot path.
 */

/** Write-scope bits, in the order of DESIGN §5. Bits 12–15 mark scopes outside this list. */
export const PERMISSION_BITS: readonly string[] = [
  'actions',
  'checks',
  'contents',
  'deployments',
  'id-token',
  'issues',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses'
];
const UNKNOWN_SCOPE_BIT = 1 << 12;
const ALL_KNOWN = (1 << 12) - 1;

function mask(scopes: readonly string[]): number {
  return scopes.reduce((m, s) => m | (1 << PERMISSION_BITS.indexOf(s)), 0);
}

/** Write bits each mode may hold; `write-all` and anything else fail. */
export const ALLOWED_WRITE_MASK: Readonly<Record<Mode, number>> = {
  check: mask(['id-token', 'security-events', 'checks', 'statuses', 'pull-requests']),
  drift: mask(['id-token', 'issues', 'security-events']),
  calibrate: mask(['id-token', 'issues', 'pull-requests'])
};

/** Encodes a permissions block as a write mask. `write-all` sets every bit including unknown. */
export function writeMask(decl: PermissionsDecl): number {
  if (decl.kind === 'write-all') return ALL_KNOWN | UNKNOWN_SCOPE_BIT;
  if (decl.kind !== 'scopes') return 0;
  let m = 0;
  for (const [scope, level] of Object.entries(decl.scopes)) {
    if (level !== 'write') continue;
    const bit = PERMISSION_BITS.indexOf(scope);
    m |= bit >= 0 ? 1 << bit : UNKNOWN_SCOPE_BIT;
  }
  return m;
}

export interface L0State {
  /** 1 when the bundled schema's hash equals the build-time constant and a loaded baseline's version is supported. */
  schemaOk: number;
  /** -1 = not determinable (skipped). */
  permissionMask: number;
  allowedMask: number;
  /** NaN outside drift mode (skipped). */
  driftMagnitude: number;
  driftThreshold: number;
  /** 1 when the redaction key is 64 hex. */
  nonceValid: number;
  nonceLoadedAtMs: number;
  nowMs: number;
  /** Triples [previousFpr, newFpr, reviewedWithReviewer] per rule. */
  contraction: Float64Array;
  contractionRules: number;
}

export const L0_FAIL = {
  schema_hash: 1,
  permission_bits: 2,
  drift_magnitude: 4,
  nonce_freshness: 8,
  contraction_witness: 16
} as const;
export const L0_SKIP_PERMISSION = 32;
export const L0_SKIP_DRIFT = 64;

const NONCE_MAX_AGE_MS = 3_600_000;
/** A key stamped slightly after the run's clock reading is fine; one from the future is not. */
const NONCE_CLOCK_SKEW_MS = 60_000;
const CONTRACTION_EPSILON = 0.01;
const CONTRACTION_MIN_WITNESSES = 10;

/** All five checks. Returns a bit set of failures (and skips). Allocation-free. */
export function checkL0(s: L0State): number {
  let out = 0;
  if (s.schemaOk !== 1) out |= L0_FAIL.schema_hash;
  if (s.permissionMask < 0) out |= L0_SKIP_PERMISSION;
  else if ((s.permissionMask & ~s.allowedMask) !== 0) out |= L0_FAIL.permission_bits;
  if (s.driftMagnitude !== s.driftMagnitude) out |= L0_SKIP_DRIFT;
  else if (!(s.driftMagnitude >= 0 && s.driftMagnitude <= s.driftThreshold)) out |= L0_FAIL.drift_magnitude;
  const age = s.nowMs - s.nonceLoadedAtMs;
  if (s.nonceValid !== 1 || age < -NONCE_CLOCK_SKEW_MS || age >= NONCE_MAX_AGE_MS) out |= L0_FAIL.nonce_freshness;
  const c = s.contraction;
  for (let i = 0; i < s.contractionRules; i++) {
    const prev = c[i * 3];
    const next = c[i * 3 + 1];
    if (prev - next > CONTRACTION_EPSILON && c[i * 3 + 2] < CONTRACTION_MIN_WITNESSES) {
      out |= L0_FAIL.contraction_witness;
      break;
    }
  }
  return out;
}

export interface L0Inputs {
  mode: Mode;
  schemaHash: string;
  expectedSchemaHash: string;
  baselineSchemaSupported: boolean;
  /** The running job's effective permissions; null when the job could not be found. */
  jobPermissions: { decl: PermissionsDecl | null; path: string; jobId: string; defaultWrite: boolean | null } | null;
  driftMagnitude: number | null;
  driftThreshold: number;
  nonce: { value: string; loadedAt: Date } | null;
  now: Date;
  contraction: { ruleId: string; previousFpr: number; newFpr: number; witnesses: number }[];
}

export function prepareL0(i: L0Inputs): L0State {
  let permissionMask = -1;
  const jp = i.jobPermissions;
  if (jp) {
    if (jp.decl) permissionMask = writeMask(jp.decl);
    // No permissions block: the job inherits the repository default.
    else if (jp.defaultWrite === true) permissionMask = ALL_KNOWN;
    else if (jp.defaultWrite === false) permissionMask = 0;
  }
  const contraction = new Float64Array(i.contraction.length * 3);
  i.contraction.forEach((c, k) => contraction.set([c.previousFpr, c.newFpr, c.witnesses], k * 3));
  return {
    schemaOk: i.schemaHash === i.expectedSchemaHash && i.baselineSchemaSupported ? 1 : 0,
    permissionMask,
    allowedMask: ALLOWED_WRITE_MASK[i.mode],
    driftMagnitude: i.driftMagnitude ?? Number.NaN,
    driftThreshold: i.driftThreshold,
    nonceValid: i.nonce && /^[0-9a-f]{64}$/i.test(i.nonce.value) ? 1 : 0,
    nonceLoadedAtMs: i.nonce ? i.nonce.loadedAt.getTime() : 0,
    nowMs: i.now.getTime(),
    contraction,
    contractionRules: i.contraction.length
  };
}

function scopesOf(m: number): string[] {
  const names = PERMISSION_BITS.filter((_, b) => (m & (1 << b)) !== 0);
  if (m & UNKNOWN_SCOPE_BIT) names.push('(scopes outside the known twelve)');
  return names;
}

export interface L0Outcome {
  results: L0Result[];
  /** Critical findings for failed checks, nonce freshness excluded (it degrades redaction instead). */
  findings: Finding[];
  nonceStale: boolean;
}

const L0_IDS: Record<L0CheckName, string> = {
  schema_hash: 'L0-schema-hash',
  permission_bits: 'L0-permission-bits',
  drift_magnitude: 'L0-drift-magnitude',
  nonce_freshness: 'L0-nonce-freshness',
  contraction_witness: 'L0-contraction-witness'
};

/** Renders the bit set from `checkL0` as results and findings, with evidence. */
export function l0Results(bits: number, i: L0Inputs, s: L0State, policyPath: string): L0Outcome {
  const results: L0Result[] = [];
  const findings: Finding[] = [];
  const fail = (check: L0CheckName, detail: string, path: string, line?: number): void => {
    results.push({ check, status: 'fail', detail });
    if (check === 'nonce_freshness') return;
    const id = L0_IDS[check];
    findings.push({
      id: findingId(id, path, check),
      ruleId: id,
      ruleVersion: '1',
      severity: 'critical',
      confidence: 'high',
      title: `L0 invariant ${check} failed`,
      message: detail,
      evidence: [line ? { path, line } : { path }],
      remediation: L0_REMEDIATION[check],
      subject: check,
      path
    });
  };

  if (bits & L0_FAIL.schema_hash) {
    fail('schema_hash', i.schemaHash !== i.expectedSchemaHash
      ? `the bundled report schema hash ${i.schemaHash.slice(0, 12)}… differs from the build-time constant ${i.expectedSchemaHash.slice(0, 12)}…`
      : 'the loaded baseline has a schema version this build does not support', 'src/report/schema.json');
  } else results.push({ check: 'schema_hash', status: 'pass', detail: 'report schema matches the build' });

  const jp = i.jobPermissions;
  if (bits & L0_SKIP_PERMISSION) {
    results.push({
      check: 'permission_bits',
      status: 'skipped',
      detail: jp
        ? `job '${jp.jobId}' declares no permissions and the repository default could not be read`
        : 'the running job could not be found (GITHUB_WORKFLOW_REF/GITHUB_JOB unset or not in the workspace, as in local runs)'
    });
  } else if (bits & L0_FAIL.permission_bits) {
    const extra = scopesOf(s.permissionMask & ~s.allowedMask);
    fail('permission_bits', `job '${jp!.jobId}' holds write permissions not allowed in ${i.mode} mode: ${extra.join(', ')}. Allowed: ${scopesOf(s.allowedMask).join(', ')}.`,
      jp!.path, jp!.decl?.line);
  } else results.push({ check: 'permission_bits', status: 'pass', detail: `write scopes within the ${i.mode} mask` });

  if (bits & L0_SKIP_DRIFT) {
    results.push({ check: 'drift_magnitude', status: 'skipped', detail: i.mode === 'drift' ? 'no drift magnitude: the stored baseline could not be compared' : 'not a drift run' });
  } else if (bits & L0_FAIL.drift_magnitude) {
    fail('drift_magnitude', `drift magnitude ${s.driftMagnitude.toFixed(3)} is outside 0…${s.driftThreshold}`, policyPath);
  } else results.push({ check: 'drift_magnitude', status: 'pass', detail: `magnitude ${s.driftMagnitude.toFixed(3)} ≤ ${s.driftThreshold}` });

  if (bits & L0_FAIL.nonce_freshness) {
    fail('nonce_freshness', i.nonce ? 'the redaction key is not 64 hex or was loaded more than an hour ago: evidence snippets are dropped' : 'no redaction key is available: evidence snippets are dropped', policyPath);
  } else results.push({ check: 'nonce_freshness', status: 'pass', detail: 'redaction key valid and fresh' });

  if (bits & L0_FAIL.contraction_witness) {
    const bad = i.contraction.filter((c) => c.previousFpr - c.newFpr > CONTRACTION_EPSILON && c.witnesses < CONTRACTION_MIN_WITNESSES);
    fail('contraction_witness', bad.map((c) => `${c.ruleId}: FPR fell from ${c.previousFpr.toFixed(3)} to ${c.newFpr.toFixed(3)} with only ${c.witnesses} reviewed events (need ${CONTRACTION_MIN_WITNESSES})`).join('; '), policyPath);
  } else results.push({ check: 'contraction_witness', status: 'pass', detail: 'every FPR decrease is backed by reviewed events' });

  return { results, findings, nonceStale: (bits & L0_FAIL.nonce_freshness) !== 0 };
}

const L0_REMEDIATION: Record<L0CheckName, string> = {
  schema_hash: 'The bundle is inconsistent with its own report schema: rebuild dist/ (npm run build) or use a released tag.',
  permission_bits: "Reduce the job's `permissions:` to the scopes its mode needs (check: checks, statuses, pull-requests, security-events, id-token).",
  drift_magnitude: 'Governance drifted more than the threshold since the baseline: review the drift report, then update the baseline (update-baseline: true).',
  nonce_freshness: 'Make the redaction key available (nonce-parameter-path, or the local data dir).',
  contraction_witness: 'Review at least 10 findings (with a reviewer) before a rule’s false-positive rate can fall.'
};
