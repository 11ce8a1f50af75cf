import { describe, expect, it } from '@jest/globals';
import { assertWorkspace, envInputSource, modeForEvent, parseSettings, type InputSource } from '../../src/config/settings.js';
import { ConfigurationError } from '../../src/config/errors.js';

const inputs = (m: Record<string, string>): InputSource => (n) => m[n];
const ENV = { GITHUB_WORKSPACE: '/ws', GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: 'acme/app', GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2' };

describe('parseSettings', () => {
  it('applies the defaults of action.yml', () => {
    const s = parseSettings(inputs({}), ENV);
    expect(s).toMatchObject({
      mode: 'check', modeInput: 'auto', workspace: '/ws', policyPath: '.github/phase-mirror.yml', strict: false, dryRun: false,
      circuitBreaker: 'auto', circuitBreakerThreshold: 100, store: 'local', dataDir: '/ws/.phase-mirror', cache: true,
      reportPath: '/ws/dissonance_report.json', sarifPath: '/ws/phase-mirror.sarif', annotations: true, falsePositive: []
    });
    expect(s.run).toMatchObject({ repository: 'acme/app', runId: '42', runAttempt: '2', apiUrl: 'https://api.github.com' });
  });

  it('auto mode follows the event; strict auto is true on merge_group with a 50 breaker', () => {
    expect(modeForEvent('schedule')).toBe('drift');
    expect(modeForEvent('workflow_dispatch')).toBe('calibrate');
    expect(modeForEvent('merge_group')).toBe('check');
    const s = parseSettings(inputs({}), { ...ENV, GITHUB_EVENT_NAME: 'merge_group' });
    expect(s).toMatchObject({ strict: true, circuitBreakerThreshold: 50 });
    expect(parseSettings(inputs({ strict: 'false' }), { ...ENV, GITHUB_EVENT_NAME: 'merge_group' }).strict).toBe(false);
  });

  it.each([
    ['mode', 'chek', "Input 'mode' has the invalid value 'chek'. Allowed values: auto, check, drift, calibrate."],
    ['circuit-breaker-threshold', '-3', "Input 'circuit-breaker-threshold' has the invalid value '-3'. It must be a whole number of at least 1."],
    ['strict', 'maybe', "Input 'strict' has the invalid value 'maybe'. Allowed values: auto, true, false."],
    ['dry-run', 'yes', "Input 'dry-run' has the invalid value 'yes'. Allowed values: true, false."],
    ['circuit-breaker', 'on', "Input 'circuit-breaker' has the invalid value 'on'. Allowed values: auto, degraded, off."],
    ['store', 's3', "Input 'store' has the invalid value 's3'. Allowed values: auto, local, dynamodb."],
    ['false-positive', 'abc', "Input 'false-positive' has the invalid finding id 'abc'."],
    ['aws-endpoint-url', 'ftp://x', "Input 'aws-endpoint-url' has the invalid value 'ftp://x'."],
    ['aws-role-session-name', 'x', "Input 'aws-role-session-name' has the invalid value 'x'."],
    ['aws-role-arn', 'role', "Input 'aws-role-arn' has the invalid value 'role'."],
    ['policy-path', '../x.yml', "Input 'policy-path' has the invalid value '../x.yml'."]
  ])('rejects %s=%s with a message naming the input, value and what is allowed', (name, value, message) => {
    const run = () => parseSettings(inputs({ [name]: value }), ENV);
    expect(run).toThrow(ConfigurationError);
    expect(run).toThrow(message);
  });

  it('store auto picks DynamoDB when fp-table is set, and dynamodb needs both tables', () => {
    expect(parseSettings(inputs({ 'fp-table': 'fp', 'block-counter-table': 'bc' }), ENV).store).toBe('dynamodb');
    expect(() => parseSettings(inputs({ store: 'dynamodb' }), ENV)).toThrow("'fp-table' and 'block-counter-table'");
  });

  it('an explicitly empty sarif-path means no SARIF; ids are split on commas and spaces', () => {
    const s = parseSettings(inputs({ 'sarif-path': '', 'false-positive': '0123456789abcdef, fedcba9876543210\n' }), ENV);
    expect(s.sarifPath).toBeNull();
    expect(s.falsePositive).toEqual(['0123456789abcdef', 'fedcba9876543210']);
  });

  it('reads INPUT_ variables the way the runner names them', () => {
    const src = envInputSource({ 'INPUT_GITHUB-TOKEN': ' t0k ', INPUT_MODE: 'drift' });
    expect(src('github-token')).toBe('t0k');
    expect(src('mode')).toBe('drift');
    expect(src('dry-run')).toBeUndefined();
    expect(parseSettings(src, ENV)).toMatchObject({ mode: 'drift', githubToken: 't0k' });
  });
});

describe('assertWorkspace', () => {
  it('accepts a directory and names a missing one', () => {
    expect(() => assertWorkspace(parseSettings(inputs({}), ENV, process.cwd()))).not.toThrow();
    expect(() => assertWorkspace(parseSettings(inputs({}), ENV, '/no/such/dir'))).toThrow("The repository directory '/no/such/dir' does not exist");
  });
});
