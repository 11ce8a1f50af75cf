export { canonicalJson, sha256Hex, writeCanonicalJson } from './canonical.js';
export { REPORT_SCHEMA, REPORT_SCHEMA_SHA256 } from './schema.js';
export {
  buildReport,
  renderReport,
  compareFindings,
  sortFindings,
  summarise,
  DEGRADED_REASON_TEXT,
  REPORT_SCHEMA_VERSION
} from './report.js';
export type {
  DissonanceReport,
  ReportContext,
  ReportItem,
  ReportEvidence,
  ReportSuppression,
  ReportMeta,
  ReportSummary,
  ReportL0,
  ReportDemotion,
  ReportUnobservable
} from './report.js';
export { buildSarif, renderSarif, pathToUri, sarifLevel, SARIF_SCHEMA_URI, FINGERPRINT_KEY } from './sarif.js';
export type { SarifLog, SarifResult, SarifReportingDescriptor, SarifLevel } from './sarif.js';
export {
  buildSummary,
  escapeMarkdown,
  blobUrl,
  encodePathSegment,
  GITHUB_SUMMARY_LIMIT_BYTES,
  DEFAULT_SUMMARY_MAX_BYTES
} from './summary.js';
export type { SummaryOptions } from './summary.js';
export { selectAnnotations, degradedAnnotation, annotationLevel, ANNOTATION_LIMIT_PER_LEVEL } from './annotations.js';
export type { Annotation, AnnotationLevel, AnnotationSelection, SelectAnnotationsOptions } from './annotations.js';
