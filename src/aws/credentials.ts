/**
 * AWS credentials for this action (DESIGN §8, issue 5 item 1).
 *
 * With `aws-role-arn`: a GitHub OIDC token for the audience `sts.amazonaws.com`
 * (`core.getIDToken`) is exchanged with STS AssumeRoleWithWebIdentity (`fromWebToken`, against
 * the STS endpoint override when one is configured). The credentials are masked
 * (`core.setSecret`) and kept in memory for this action's clients only: they are never exported
 * to the environment of later steps.
 *
 * Without a role: undefined, i.e. the SDK's default provider chain (environment, profile, …).
 *
 * Failures:
 * - the job cannot request an OIDC token (no ACTIONS_ID_TOKEN_REQUEST_* variables) →
 *   ConfigurationError telling to add `permissions: id-token: write`;
 * - STS rejects the token or the role (InvalidIdentityToken, IDPRejectedClaim, AccessDenied,
 *   ExpiredToken) → ConfigurationError naming the role and the trust-policy claims `aud`/`sub`;
 *   never retried;
 * - throttling, 5xx, network → retried with full-jitter backoff inside the budget, then
 *   StoreError (transient), so the caller can degrade.
 */
import * as core from '@actions/core';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { ConfigurationError } from '../config/errors.js';
import type { Settings } from '../model/settings.js';
import { StoreError } from '../store/types.js';
import { clientConfigFor } from './clients.js';
import { classifyAwsError, RetryExhaustedError, withRetry, type AwsErrorInfo, type RetryOptions } from './retry.js';

export const OIDC_AUDIENCE = 'sts.amazonaws.com';
export const OIDC_ISSUER_HOST = 'token.actions.githubusercontent.com';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export interface CredentialLog {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export interface CredentialDeps {
  log?: CredentialLog;
  /** Default `core.getIDToken`, after checking that the job may request a token. */
  getIDToken?: (audience: string) => Promise<string>;
  /** Default `core.setSecret`. */
  setSecret?: (secret: string) => void;
  /** Default process.env. */
  env?: Record<string, string | undefined>;
  retry?: RetryOptions;
  /** Extra configuration for the STS client (tests). */
  clientConfig?: Record<string, unknown>;
}

type AwsSettings = Pick<Settings, 'aws' | 'run'>;

/** `aws-role-session-name`, or `pm-action-<run_id>` (trimmed to STS's 64 characters). */
export function roleSessionName(settings: AwsSettings): string {
  const given = settings.aws.roleSessionName;
  if (given !== undefined) {
    if (!SESSION_NAME.test(given)) {
      throw new ConfigurationError(
        `Input 'aws-role-session-name' has the invalid value '${given}'. It must be 2 to 64 characters of letters, digits and + = , . @ _ -.`
      );
    }
    return given;
  }
  const runId = (settings.run.runId || 'local').replace(/[^\w+=,.@-]/g, '-');
  return `pm-action-${runId}`.slice(0, 64);
}

function missingPermissionError(): ConfigurationError {
  return new ConfigurationError(
    "Input 'aws-role-arn' is set, but this job cannot request a GitHub OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and " +
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set. Add `permissions: id-token: write` to the job (or the workflow) that runs ' +
      'pm-action. Pull requests from forks never receive an OIDC token; use the local store for them.'
  );
}

function trustPolicyError(roleArn: string, repository: string, info: AwsErrorInfo): ConfigurationError {
  const repo = repository || '<owner>/<repo>';
  return new ConfigurationError(
    `AWS STS refused to let this workflow assume the role ${roleArn} (${info.code}: ${info.message}). ` +
      `Check the role's trust policy: it must trust the OIDC provider ${OIDC_ISSUER_HOST}, its condition on ` +
      `${OIDC_ISSUER_HOST}:aud must allow "${OIDC_AUDIENCE}", and its condition on ${OIDC_ISSUER_HOST}:sub must match this ` +
      `workflow's subject claim (e.g. "repo:${repo}:ref:refs/heads/main", "repo:${repo}:pull_request" or ` +
      `"repo:${repo}:environment:<name>"; with a customised subject, the claims it is built from). ` +
      'Also check that the role ARN is right and that the job has `permissions: id-token: write`.'
  );
}

/** Status code from the message of an @actions/core getIDToken failure ("Error Code : 403"). */
function idTokenStatus(error: unknown): number | undefined {
  const m = /Error Code\s*:\s*(\d{3})/.exec(error instanceof Error ? error.message : String(error));
  return m ? Number(m[1]) : undefined;
}

function classifyIdTokenError(error: unknown): AwsErrorInfo {
  const status = idTokenStatus(error);
  const base = classifyAwsError(error);
  if (status === undefined) return base.kind === 'network' ? base : { ...base, transient: false };
  const transient = status >= 500 || status === 429;
  return { ...base, status, transient, kind: transient ? 'server' : 'access_denied' };
}

/**
 * Credentials for this action's AWS clients: assumed with OIDC when a role is configured,
 * else undefined (the SDK's default provider chain).
 */
export async function resolveCredentials(settings: AwsSettings, deps: CredentialDeps = {}): Promise<AwsCredentialIdentity | undefined> {
  const log = deps.log;
  const roleArn = settings.aws.roleArn;
  if (!roleArn) {
    log?.debug('No aws-role-arn: AWS clients use the default credential provider chain.');
    return undefined;
  }
  const env = deps.env ?? process.env;
  const setSecret = deps.setSecret ?? core.setSecret;
  const sessionName = roleSessionName(settings);

  let getIDToken = deps.getIDToken;
  if (!getIDToken) {
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) throw missingPermissionError();
    getIDToken = (aud) => core.getIDToken(aud);
  }

  let token: string;
  try {
    token = await withRetry(() => getIDToken(OIDC_AUDIENCE), {
      ...deps.retry,
      what: 'requesting the GitHub OIDC token',
      classify: classifyIdTokenError,
      onRetry: (r) => log?.debug(`OIDC token request failed (${r.error.code}); retrying in ${r.delayMs} ms`)
    });
  } catch (error) {
    if (error instanceof RetryExhaustedError) {
      throw new StoreError(`Could not get a GitHub OIDC token: ${error.message}`, true, error);
    }
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(
      `Could not get a GitHub OIDC token for the audience ${OIDC_AUDIENCE} (${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim()}). ` +
        'Check that the job has `permissions: id-token: write`.'
    );
  }
  if (!token) throw new ConfigurationError('The GitHub OIDC token endpoint returned an empty token. Check that the job has `permissions: id-token: write`.');
  setSecret(token);

  const stsConfig = clientConfigFor('sts', { region: settings.aws.region, endpointUrl: settings.aws.endpointUrl, env, clientConfig: deps.clientConfig });
  // The STS call is unsigned; never let the web-identity client go looking for other credentials.
  delete stsConfig.credentials;
  const { fromWebToken } = await import('@aws-sdk/credential-providers');

  let creds: AwsCredentialIdentity;
  try {
    creds = await withRetry(
      () => fromWebToken({ roleArn, roleSessionName: sessionName, webIdentityToken: token, clientConfig: stsConfig })(),
      {
        ...deps.retry,
        what: `assuming ${roleArn}`,
        onRetry: (r) => log?.debug(`AssumeRoleWithWebIdentity failed (${r.error.code}); retrying in ${r.delayMs} ms`)
      }
    );
  } catch (error) {
    if (error instanceof RetryExhaustedError) {
      throw new StoreError(`Could not assume ${roleArn}: ${error.message}`, true, error);
    }
    const info = classifyAwsError(error);
    if (info.kind === 'invalid_token' || info.kind === 'access_denied' || info.kind === 'validation' || info.kind === 'not_found') {
      throw trustPolicyError(roleArn, settings.run.repository, info);
    }
    throw new StoreError(`Could not assume ${roleArn}: ${info.code}: ${info.message}`, info.transient, error);
  }

  for (const secret of [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken]) {
    if (secret) setSecret(secret);
  }
  log?.info(`Assumed ${roleArn} as session ${sessionName} with GitHub OIDC; the credentials are masked and kept in memory for this step only.`);
  return {
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
    ...(creds.expiration ? { expiration: creds.expiration } : {})
  };
}
