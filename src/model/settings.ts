import type { Mode } from './common.js';

/** Facts about the run, from `GITHUB_*` variables (or CLI flags). */
export interface RunContext {
  eventName: string;
  eventPath?: string;
  repository: string;
  ref?: string;
  sha?: string;
  runId: string;
  runAttempt: string;
  /** `owner/repo/.github/workflows/x.yml@refs/heads/main` */
  workflowRef?: string;
  job?: string;
  serverUrl: string;
  apiUrl: string;
  actor?: string;
}

/** Every input, parsed once and validated. Everything downstream takes this object. */
export interface Settings {
  mode: Mode;
  modeInput: 'auto' | Mode;
  /** Absolute path of the repository checkout. */
  workspace: string;
  githubToken: string;
  policyPath: string;
  strict: boolean;
  dryRun: boolean;
  circuitBreaker: 'auto' | 'degraded' | 'off';
  circuitBreakerThreshold: number;
  store: 'local' | 'dynamodb';
  /** Absolute. */
  dataDir: string;
  cache: boolean;
  aws: {
    region?: string;
    roleArn?: string;
    roleSessionName?: string;
    endpointUrl?: string;
  };
  tables: {
    fp?: string;
    blockCounter?: string;
    consent?: string;
    calibration?: string;
  };
  baseline: { bucket?: string; key?: string; update: boolean };
  nonceParameterPath?: string;
  /** Absolute. */
  reportPath: string;
  /** Absolute, or null for no SARIF. */
  sarifPath: string | null;
  annotations: boolean;
  createIssue: boolean;
  falsePositive: string[];
  reviewer?: string;
  ticket?: string;
  run: RunContext;
}
