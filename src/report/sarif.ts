/**
 * SARIF 2.1.0 (`phase-mirror.sarif`) for `github/codeql-action/upload-sarif`. Pure; the caller
 * writes `renderSarif(buildSarif(...))`.
 */
import type { Confidence, Evaluation, EvaluatedFinding, Evidence, RuleMeta, Severity } from '../model/index.js';
import { canonicalJson } from './canonical.js';
import type { ReportContext } from './report.js';
import { compareStrings, sortFindings } from './report.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_TOOL_NAME = 'pm-action';
export const INFORMATION_URI = 'https://github.com/PhaseMirror/pm-action';
export const FINGERPRINT_KEY = 'phaseMirror/v1';

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: SarifLevel; enabled: boolean };
  properties: { tags: string[]; precision: 'high' | 'medium' | 'low'; 'security-severity': string };
}

export interface SarifLocation {
  id?: number;
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId: '%SRCROOT%' };
    region?: { startLine: number; startColumn?: number; snippet?: { text: string } };
  };
  message?: SarifMessage;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: Array<{ kind: 'external' | 'inSource'; status: 'accepted'; justification: string }>;
  properties: { severity: Severity; confidence: Confidence; subject: string; status: string; action: string };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion?: string;
        informationUri: string;
        rules: SarifReportingDescriptor[];
      };
    };
    automationDetails?: { id: string };
    columnKind: 'utf16CodeUnits';
    results: SarifResult[];
    properties: Record<string, unknown>;
  }>;
}

const LEVEL: Readonly<Record<Severity, SarifLevel>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub code scanning maps 9.0+ to critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

export function sarifLevel(severity: Severity): SarifLevel {
  return LEVEL[severity];
}

export function ruleHelpUri(ruleId: string): string {
  return `${INFORMATION_URI}/blob/main/docs/rules/${encodeURIComponent(ruleId)}.md`;
}

/** `Required check unreachable` → `RequiredCheckUnreachable` (SARIF `name` is an identifier-like label). */
function pascalName(title: string, fallback: string): string {
  const name = title
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return name.length > 0 ? name : fallback.replace(/[^A-Za-z0-9]/g, '');
}

function descriptorFromMeta(meta: RuleMeta): SarifReportingDescriptor {
  const helpUri = ruleHelpUri(meta.id);
  const motivation = meta.motivation ? `${meta.motivation}\n\n` : '';
  return {
    id: meta.id,
    name: pascalName(meta.title, meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description || meta.title },
    help: {
      text: `${motivation}${meta.remediation}\n\nDocumentation: ${helpUri}`,
      markdown: `${motivation}**Remediation:** ${meta.remediation}\n\n[Rule documentation](${helpUri})`
    },
    helpUri,
    defaultConfiguration: { level: LEVEL[meta.severity], enabled: true },
    properties: {
      tags: ['governance', 'security', 'phase-mirror'],
      precision: meta.confidence,
      'security-severity': SECURITY_SEVERITY[meta.severity]
    }
  };
}

/** A descriptor for a rule id that has no metadata (L0 invariants, unknown rules), from its finding. */
function descriptorFromFinding(f: EvaluatedFinding): SarifReportingDescriptor {
  const helpUri = ruleHelpUri(f.ruleId);
  const isL0 = f.ruleId.startsWith('L0-');
  const title = f.title || f.ruleId;
  const description = isL0
    ? `L0 invariant ${f.ruleId.slice(3)}: an always-on check of the run itself that failed; it fails closed and counts toward the block decision.`
    : title;
  const remediation = f.remediation || 'See the finding message.';
  return {
    id: f.ruleId,
    name: pascalName(title, f.ruleId),
    shortDescription: { text: title },
    fullDescription: { text: description },
    help: {
      text: `${remediation}\n\nDocumentation: ${helpUri}`,
      markdown: `**Remediation:** ${remediation}\n\n[Rule documentation](${helpUri})`
    },
    helpUri,
    defaultConfiguration: { level: LEVEL[f.severity], enabled: true },
    properties: {
      tags: isL0 ? ['governance', 'security', 'phase-mirror', 'l0-invariant'] : ['governance', 'security', 'phase-mirror'],
      precision: f.confidence,
      'security-severity': SECURITY_SEVERITY[f.severity]
    }
  };
}

/** Repository-relative path → URI reference (each segment percent-encoded; `./` and leading `/` dropped). */
export function pathToUri(path: string): string {
  const normalised = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  return normalised
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function toLocation(e: Evidence | { path: string }, id?: number): SarifLocation {
  const loc: SarifLocation = {
    physicalLocation: { artifactLocation: { uri: pathToUri(e.path), uriBaseId: '%SRCROOT%' } }
  };
  if (id !== undefined) loc.id = id;
  const ev = e as Evidence;
  // SARIF requires startLine ≥ 1: without a known line the location is the whole file (no region).
  if (typeof ev.line === 'number' && Number.isInteger(ev.line) && ev.line >= 1) {
    const region: NonNullable<SarifLocation['physicalLocation']['region']> = { startLine: ev.line };
    if (typeof ev.column === 'number' && Number.isInteger(ev.column) && ev.column >= 1) region.startColumn = ev.column;
    if (ev.snippet) region.snippet = { text: ev.snippet };
    loc.physicalLocation.region = region;
  }
  return loc;
}

function justification(f: EvaluatedFinding): string {
  const s = f.suppression;
  if (!s) return f.status === 'false_positive' ? 'marked as a false positive' : 'suppressed by policy';
  const parts = [s.reason];
  if (s.approvedBy) parts.push(`approved by ${s.approvedBy}`);
  if (s.ticket) parts.push(`ticket ${s.ticket}`);
  if (s.expires) parts.push(`expires ${s.expires}`);
  return parts.join('; ');
}

function toResult(f: EvaluatedFinding, ruleIndex: number): SarifResult {
  const [first, ...rest] = f.evidence;
  const result: SarifResult = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.message || f.title },
    locations: [toLocation(first ?? { path: f.path })],
    partialFingerprints: { [FINGERPRINT_KEY]: f.id },
    properties: { severity: f.severity, confidence: f.confidence, subject: f.subject, status: f.status, action: f.action }
  };
  if (rest.length > 0) result.relatedLocations = rest.map((e, i) => toLocation(e, i + 1));
  if (f.status !== 'open') {
    // Policy suppressions live in a configuration file and FP marks in the store: both are
    // "external" in SARIF's sense (inSource is for pragmas in the analysed code itself).
    result.suppressions = [{ kind: 'external', status: 'accepted', justification: justification(f) }];
  }
  return result;
}

/** The SARIF log for an Evaluation: one run, one descriptor per rule (plus L0/unknown ids), one result per finding. */
export function buildSarif(evaluation: Evaluation, ctx: ReportContext, rules: readonly RuleMeta[]): SarifLog {
  const findings = sortFindings(evaluation.findings);
  const descriptors = new Map<string, SarifReportingDescriptor>();
  for (const meta of rules) if (!descriptors.has(meta.id)) descriptors.set(meta.id, descriptorFromMeta(meta));
  for (const f of findings) if (!descriptors.has(f.ruleId)) descriptors.set(f.ruleId, descriptorFromFinding(f));
  const ordered = [...descriptors.values()].sort((a, b) => compareStrings(a.id, b.id));
  const index = new Map(ordered.map((d, i) => [d.id, i]));

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: SARIF_TOOL_NAME,
            version: ctx.toolVersion,
            ...(/^\d+\.\d+\.\d+/.test(ctx.toolVersion) ? { semanticVersion: ctx.toolVersion } : {}),
            informationUri: INFORMATION_URI,
            rules: ordered
          }
        },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => toResult(f, index.get(f.ruleId)!)),
        properties: {
          mode: ctx.mode,
          outcome: evaluation.decision.outcome,
          degraded: evaluation.decision.degraded,
          rulesHash: evaluation.rulesHash
        }
      }
    ]
  };
}

/** The SARIF file's text (canonical JSON). */
export function renderSarif(log: SarifLog | object): string {
  return canonicalJson(log);
}
