/**
 * Which findings become workflow annotations. GitHub shows at most 10 error, 10 warning and 10
 * notice annotations per step; the rest are counted so the summary can say so. Pure: the caller
 * passes the result to `core.error/warning/notice`.
 */
import type { Evaluation, EvaluatedFinding, Severity } from '../model/index.js';
import { CONFIDENCE_RANK, SEVERITY_RANK } from '../model/index.js';
import { compareStrings, DEGRADED_REASON_TEXT, primaryLine, primaryPath } from './report.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

export interface AnnotationSelection {
  annotations: Annotation[];
  omitted: Record<AnnotationLevel, number>;
}

/** GitHub's per-step display limit for each annotation level. */
export const ANNOTATION_LIMIT_PER_LEVEL = 10;
const MAX_TITLE = 200;
const MAX_MESSAGE = 4000;

const LEVEL: Readonly<Record<Severity, AnnotationLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'notice'
};

export function annotationLevel(severity: Severity): AnnotationLevel {
  return LEVEL[severity];
}

/** Severity, then confidence, then rule, path, line, id. */
export function compareForAnnotation(a: EvaluatedFinding, b: EvaluatedFinding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    CONFIDENCE_RANK[a.confidence] - CONFIDENCE_RANK[b.confidence] ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(primaryPath(a), primaryPath(b)) ||
    primaryLine(a) - primaryLine(b) ||
    compareStrings(a.id, b.id)
  );
}

function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

function toAnnotation(f: EvaluatedFinding): Annotation {
  const ev = f.evidence[0];
  const a: Annotation = {
    level: LEVEL[f.severity],
    title: oneLine(`${f.ruleId}: ${f.title}`, MAX_TITLE),
    message: truncate(f.remediation ? `${f.message}\n\nRemediation: ${f.remediation}` : f.message, MAX_MESSAGE)
  };
  const file = (ev?.path ?? f.path).replace(/^(\.\/)+/, '');
  if (file) {
    a.file = file;
    if (ev && typeof ev.line === 'number' && Number.isInteger(ev.line) && ev.line >= 1) {
      a.startLine = ev.line;
      if (typeof ev.column === 'number' && Number.isInteger(ev.column) && ev.column >= 1) a.startColumn = ev.column;
    }
  }
  return a;
}

/** The warning announcing a degraded run (e.g. the circuit breaker), or undefined when the run is not degraded. */
export function degradedAnnotation(evaluation: Evaluation): Annotation | undefined {
  const d = evaluation.decision;
  if (!d.degraded) return undefined;
  const reasons = d.degradedReasons.map((r) => DEGRADED_REASON_TEXT[r] ?? r);
  return {
    level: 'warning',
    title: 'Phase Mirror ran degraded',
    message: reasons.length > 0 ? reasons.join('\n') : 'degraded run'
  };
}

export interface SelectAnnotationsOptions {
  /** Put the degraded-run warning first (it then takes one of the 10 warning slots). Default false. */
  includeDegraded?: boolean;
}

/**
 * The annotations to emit (best first), at most 10 per level, and how many were left out per level.
 * Only open findings are annotated.
 */
export function selectAnnotations(evaluation: Evaluation, options: SelectAnnotationsOptions = {}): AnnotationSelection {
  const open = evaluation.findings.filter((f) => f.status === 'open').sort(compareForAnnotation);
  const shown: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const omitted: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const annotations: Annotation[] = [];
  const degraded = options.includeDegraded ? degradedAnnotation(evaluation) : undefined;
  if (degraded) {
    annotations.push(degraded);
    shown.warning++;
  }
  for (const f of open) {
    const level = LEVEL[f.severity];
    if (shown[level] < ANNOTATION_LIMIT_PER_LEVEL) {
      shown[level]++;
      annotations.push(toAnnotation(f));
    } else {
      omitted[level]++;
    }
  }
  return { annotations, omitted };
}
