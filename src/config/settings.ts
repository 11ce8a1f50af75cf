import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { Mode, RunContext, Settings } from '../model/index.js';
import { ConfigurationError } from './errors.js';

/**
 * Where input values come from: the action's `INPUT_*` variables or the CLI's flags.
 * Returns undefined when the input was not given at all, '' when given empty.
 */
export type InputSource = (name: string) => string | undefined;

/** Reads inputs the way the runner passes them (`INPUT_<NAME>`, hyphens kept). */
export function envInputSource(env: NodeJS.ProcessEnv): InputSource {
  return (name) => {
    const v = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
    return v === undefined ? undefined : v.trim();
  };
}

/** Every input of action.yml with its default. Kept in one place so a test can compare it to action.yml. */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  mode: 'auto',
  'github-token': '',
  'policy-path': '.github/phase-mirror.yml',
  strict: 'auto',
  'dry-run': 'false',
  'circuit-breaker': 'auto',
  'circuit-breaker-threshold': '',
  store: 'auto',
  'data-dir': '.phase-mirror',
  cache: 'true',
  'aws-region': '',
  'aws-role-arn': '',
  'aws-role-session-name': '',
  'aws-endpoint-url': '',
  'fp-table': '',
  'block-counter-table': '',
  'consent-table': '',
  'calibration-table': '',
  'baseline-bucket': '',
  'baseline-key': '',
  'update-baseline': 'false',
  'nonce-parameter-path': '',
  'report-path': 'dissonance_report.json',
  'sarif-path': 'phase-mirror.sarif',
  annotations: 'true',
  'create-issue': 'true',
  'false-positive': '',
  reviewer: '',
  ticket: ''
};

const MODES = ['auto', 'check', 'drift', 'calibrate'] as const;
const BREAKER = ['auto', 'degraded', 'off'] as const;
const STORES = ['auto', 'local', 'dynamodb'] as const;
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** `mode: auto` picks the mode from the event (DESIGN "It runs in three places"). */
export function modeForEvent(eventName: string): Mode {
  switch (eventName) {
    case 'schedule':
      return 'drift';
    case 'workflow_dispatch':
    case 'issue_comment':
      return 'calibrate';
    default:
      return 'check';
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigurationError(
    `Input '${name}' has the invalid value '${value}'. Allowed values: ${allowed.join(', ')}.`
  );
}

function bool(name: string, value: string): boolean {
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new ConfigurationError(`Input '${name}' has the invalid value '${value}'. Allowed values: true, false.`);
}

function positiveInt(name: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new ConfigurationError(
      `Input '${name}' has the invalid value '${value}'. It must be a whole number of at least 1.`
    );
  }
  return Number(value);
}

function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function endpoint(name: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(`Input '${name}' has the invalid value '${value}'. It must be an http(s) URL, e.g. http://127.0.0.1:8000.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`Input '${name}' has the invalid value '${value}'. It must be an http(s) URL.`);
  }
  return value;
}

function resolveIn(workspace: string, p: string): string {
  return path.resolve(workspace, p);
}

/** Reads the `GITHUB_*` facts about this run. */
export function runContextFromEnv(env: NodeJS.ProcessEnv): RunContext {
  return {
    eventName: env.GITHUB_EVENT_NAME || 'local',
    eventPath: optional(env.GITHUB_EVENT_PATH),
    repository: env.GITHUB_REPOSITORY || 'local/repository',
    ref: optional(env.GITHUB_REF),
    sha: optional(env.GITHUB_SHA),
    runId: env.GITHUB_RUN_ID || '0',
    runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
    workflowRef: optional(env.GITHUB_WORKFLOW_REF),
    job: optional(env.GITHUB_JOB),
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    actor: optional(env.GITHUB_ACTOR)
  };
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const FINDING_ID = /^[0-9a-f]{16}$/;

/**
 * Parses and validates every input once. Throws ConfigurationError naming the input,
 * the value and what is allowed.
 */
export function parseSettings(input: InputSource, env: NodeJS.ProcessEnv, workspaceOverride?: string): Settings {
  const get = (name: string): string => {
    const v = input(name);
    return v === undefined ? (INPUT_DEFAULTS[name] ?? '') : v;
  };
  // An input given empty means "use the default" except where empty has a meaning of its own.
  const getOrDefault = (name: string): string => get(name) || (INPUT_DEFAULTS[name] ?? '');

  const run = runContextFromEnv(env);
  const workspace = path.resolve(workspaceOverride ?? (env.GITHUB_WORKSPACE || process.cwd()));

  const modeInput = oneOf('mode', getOrDefault('mode'), MODES);
  const mode: Mode = modeInput === 'auto' ? modeForEvent(run.eventName) : modeInput;

  const strictInput = oneOf('strict', getOrDefault('strict'), ['auto', 'true', 'false'] as const);
  const strict = strictInput === 'auto' ? run.eventName === 'merge_group' : strictInput === 'true';

  const thresholdRaw = get('circuit-breaker-threshold');
  const circuitBreakerThreshold = thresholdRaw ? positiveInt('circuit-breaker-threshold', thresholdRaw) : strict ? 50 : 100;

  const tables = {
    fp: optional(get('fp-table')),
    blockCounter: optional(get('block-counter-table')),
    consent: optional(get('consent-table')),
    calibration: optional(get('calibration-table'))
  };
  const storeInput = oneOf('store', getOrDefault('store'), STORES);
  const store = storeInput === 'auto' ? (tables.fp ? 'dynamodb' : 'local') : storeInput;
  if (store === 'dynamodb' && (!tables.fp || !tables.blockCounter)) {
    throw new ConfigurationError(
      "Input 'store' is 'dynamodb' but 'fp-table' and 'block-counter-table' are not both set. Set both table names, or use store: local."
    );
  }

  const sessionName = optional(get('aws-role-session-name'));
  if (sessionName !== undefined && !SESSION_NAME.test(sessionName)) {
    throw new ConfigurationError(
      `Input 'aws-role-session-name' has the invalid value '${sessionName}'. It must be 2 to 64 characters of letters, digits and + = , . @ _ -.`
    );
  }
  const roleArn = optional(get('aws-role-arn'));
  if (roleArn !== undefined && !/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
    throw new ConfigurationError(
      `Input 'aws-role-arn' has the invalid value '${roleArn}'. It must look like arn:aws:iam::123456789012:role/pm-action.`
    );
  }

  const falsePositive = get('false-positive')
    .split(/[\s,]+/)
    .filter(Boolean);
  for (const id of falsePositive) {
    if (!FINDING_ID.test(id)) {
      throw new ConfigurationError(
        `Input 'false-positive' has the invalid finding id '${id}'. Finding ids are 16 lowercase hex characters, as shown in the report's items[].id.`
      );
    }
  }

  const sarif = get('sarif-path');
  const policyPath = getOrDefault('policy-path');
  if (path.isAbsolute(policyPath) || policyPath.split(/[\\/]/).includes('..')) {
    throw new ConfigurationError(
      `Input 'policy-path' has the invalid value '${policyPath}'. It must be a path inside the repository, e.g. .github/phase-mirror.yml.`
    );
  }

  return {
    mode,
    modeInput,
    workspace,
    githubToken: get('github-token') || env.GITHUB_TOKEN || '',
    policyPath: policyPath.replace(/\\/g, '/'),
    strict,
    dryRun: bool('dry-run', getOrDefault('dry-run')),
    circuitBreaker: oneOf('circuit-breaker', getOrDefault('circuit-breaker'), BREAKER),
    circuitBreakerThreshold,
    store,
    dataDir: resolveIn(workspace, getOrDefault('data-dir')),
    cache: bool('cache', getOrDefault('cache')),
    aws: {
      region: optional(get('aws-region')) ?? optional(env.AWS_REGION) ?? optional(env.AWS_DEFAULT_REGION),
      roleArn,
      roleSessionName: sessionName,
      endpointUrl: endpoint('aws-endpoint-url', optional(get('aws-endpoint-url')))
    },
    tables,
    baseline: {
      bucket: optional(get('baseline-bucket')),
      key: optional(get('baseline-key')),
      update: bool('update-baseline', getOrDefault('update-baseline'))
    },
    nonceParameterPath: optional(get('nonce-parameter-path')),
    reportPath: resolveIn(workspace, getOrDefault('report-path')),
    sarifPath: sarif === '' ? null : resolveIn(workspace, sarif),
    annotations: bool('annotations', getOrDefault('annotations')),
    createIssue: bool('create-issue', getOrDefault('create-issue')),
    falsePositive,
    reviewer: optional(get('reviewer')),
    ticket: optional(get('ticket')),
    run
  };
}

/** The workspace must be an existing directory: a typo in --repo or GITHUB_WORKSPACE must not "pass". */
export function assertWorkspace(settings: Settings): void {
  let isDir = false;
  try {
    isDir = statSync(settings.workspace).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new ConfigurationError(
      `The repository directory '${settings.workspace}' does not exist or is not a directory. Check out the repository first (actions/checkout) or pass --repo DIR.`
    );
  }
}
