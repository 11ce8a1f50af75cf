import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { entropy, isPathOrIdentifier, redact, verifyRedaction } from '../../src/privacy/redactor.js';
import { redactEvidence } from '../../src/pipeline/evidence.js';
import { finding } from '../oracle/helpers.js';

const KEY = { version: 3, value: 'ab'.repeat(32) };
const OLD = { version: 2, value: 'cd'.repeat(32) };

const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const str = (chars: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...chars.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));

/** Generators for every secret kind the redactor promises to catch. */
const secrets = fc.oneof(
  fc.tuple(fc.constantFrom('ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_'), str(alnum, 36, 40)).map(([p, s]) => p + s),
  str(alnum + '_', 22, 60).map((s) => `github_pat_${s}`),
  fc.tuple(fc.constantFrom('AKIA', 'ASIA'), str('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, 16)).map(([p, s]) => p + s),
  fc.tuple(str(alnum + '-_', 10, 30), str(alnum + '-_', 10, 30), str(alnum + '-_', 10, 30)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`)
);

describe('redact', () => {
  it('replaces each secret kind with a branded MAC token', () => {
    const ghp = 'ghp_' + 'a1B2'.repeat(9);
    const text = `token=${ghp} key AKIAIOSFODNN7EXAMPLE url https://user:hunter2pass@example.com/x aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`;
    const out = redact(text, KEY);
    expect(out).not.toContain(ghp);
    expect(out).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(out).not.toContain('hunter2pass');
    expect(out).not.toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(out).toContain('https://user:[pm-redacted:url-credentials:v3:');
    expect(out).toMatch(/\[pm-redacted:github-token:v3:[0-9a-f]{16}\]/);
  });

  it('redacts PEM private key blocks, even unterminated ones', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----';
    expect(redact(`x\n${pem}\ny`, KEY)).toMatch(/^x\n\[pm-redacted:pem:v3:[0-9a-f]{16}\]\ny$/);
    expect(redact('-----BEGIN PRIVATE KEY-----\nMIIE', KEY)).not.toContain('MIIE');
  });

  it('leaves commit SHAs, digests and ordinary words alone', () => {
    const text = 'uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4 image@sha256:' + 'f'.repeat(64) + ' run: npm ci && npm test';
    expect(redact(text, KEY)).toBe(text);
  });

  it('catches long high-entropy tokens but not long identifiers', () => {
    const random = 'Zx9Qp2Lw7Rt4Vb8Nm1Kc6Hd3Jf5Gs0Ya';
    expect(redact(`secret: ${random}`, KEY)).toMatch(/\[pm-redacted:high-entropy:v3:/);
    expect(redact('name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1', KEY)).toContain('aaaaaaaa');
    expect(entropy('aaaa')).toBe(0);
  });

  it('leaves repository paths and word-built identifiers alone, however random they look', () => {
    const kept = [
      'Job `build` of `.github/workflows/codeql-analysis-2024.yml` writes',
      'in .github/workflows/D0XXXED__razer-battery-report__release.yml',
      'uses: acme/infra/.github/workflows/terraform-plan-apply-v2.yml@main',
      'env: DEPLOY_TARGET_EU_WEST_1_PRODUCTION_2024: yes',
      'path: services/payment-gateway-2/src/handlers/refund_v3',
      'of `.github/workflows/BuildAndReleaseWindows2024.yml` and .github/workflows/D1g1talEntr0py__subscribr__release.yml'
    ];
    for (const text of kept) expect(redact(text, KEY)).toBe(text);
    for (const t of ['github/workflows/codeql-analysis-2024', 'services/payment-gateway-2/src/handlers/refund_v3', 'DEPLOY_TARGET_EU_WEST_1_PRODUCTION_2024']) {
      expect(isPathOrIdentifier(t)).toBe(true);
    }
  });

  it('still redacts random tokens that contain slashes, dashes or underscores', () => {
    const secrets = [
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', // the shape of an AWS secret key
      'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY', // a Google API key
      'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', // a Slack bot token
      'Zx9Qp2Lw7Rt4/Vb8Nm1Kc6Hd3Jf5Gs0Ya+Tq'
    ];
    for (const s of secrets) {
      expect(isPathOrIdentifier(s)).toBe(false);
      expect(redact(`value: ${s} end`, KEY)).not.toContain(s);
    }
  });

  it('verifies a redaction with any live key version (rotation grace), not with a wrong secret', () => {
    const secret = 'ghs_' + 'Q'.repeat(36);
    const oldToken = /\[pm-redacted:[^\]]+\]/.exec(redact(secret, OLD))![0];
    expect(verifyRedaction(oldToken, secret, [KEY, OLD])).toBe(true);
    expect(verifyRedaction(oldToken, secret, [KEY])).toBe(false);
    expect(verifyRedaction(oldToken, secret + 'x', [KEY, OLD])).toBe(false);
    expect(verifyRedaction('not a token', secret, [KEY])).toBe(false);
  });

  it('property: no generated secret survives, whatever surrounds it', () => {
    fc.assert(
      fc.property(secrets, fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (secret, before, after) => {
        const out = redact(`${before} ${secret} ${after}`, KEY);
        return !out.includes(secret);
      }),
      { numRuns: 500 }
    );
  });
});

describe('redact: the fast paths change nothing', () => {
  // The plain form of the redactor (every pattern always applied, the long-run scan as a regex),
  // as it was before the prefilters; the fast one must give the same text for any input.
  const REFERENCE: [string, RegExp, number][] = [
    ['pem', /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, 0],
    ['github-token', /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g, 0],
    ['aws-access-key', /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, 0],
    ['aws-secret', /(aws_?secret_?access_?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi, 2],
    ['jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, 0],
    ['url-credentials', /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, 2]
  ];
  const tok = (kind: string, secret: string) =>
    `[pm-redacted:${kind}:v${KEY.version}:${createHmac('sha256', Buffer.from(KEY.value, 'hex')).update(secret).digest('hex').slice(0, 16)}]`;
  function reference(text: string): string {
    let out = text;
    for (const [kind, re, group] of REFERENCE) {
      out = out.replace(re, (...m: string[]) => (group === 0 ? tok(kind, m[0]) : m.slice(1, 4).map((g, i) => (i + 1 === group ? tok(kind, g) : (g ?? ''))).join('')));
    }
    return out.replace(/[A-Za-z0-9_+/=-]{32,}/g, (t) =>
      t.includes('pm-redacted') || !(/[0-9]/.test(t) && /[A-Za-z]/.test(t) && !/^[0-9a-f]+$/i.test(t) && entropy(t) >= 4.0) || isPathOrIdentifier(t) ? t : tok('high-entropy', t)
    );
  }
  const pieces = fc.oneof(
    secrets,
    str(alnum + '_+/=-', 28, 45),
    fc.constantFrom('-----BEGIN RSA PRIVATE KEY-----\nabc\n', 'aws_secret_access_key = ', 'AWS_SECRET_ACCESS_KEY: ', 'https://user:', 'pass@host/x', 'eyJ', 'ghp_', ' ', '\n', '://', '@'),
    fc.string({ maxLength: 12 })
  );
  it('property: redact() gives exactly what the plain regex form gives', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        expect(redact(text, KEY)).toBe(reference(text));
      }),
      { numRuns: 3000 }
    );
  });
});

describe('redactEvidence', () => {
  const secret = 'ghp_' + 'x9Y8'.repeat(9);
  const f = finding({ message: `uses ${secret}`, evidence: [{ path: 'a.yml', line: 2, snippet: `env: { T: ${secret} }` }, { path: 'b.yml' }] });

  it('with a key: snippets and messages redacted, hash kept', () => {
    const [out] = redactEvidence([f], KEY);
    expect(JSON.stringify(out)).not.toContain(secret);
    expect(out.evidence[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(out.evidence[1]).toEqual({ path: 'b.yml' });
  });

  it('without a key: snippets dropped (fail closed), path/line/hash stay', () => {
    const [out] = redactEvidence([f], null);
    expect(out.evidence[0]).toEqual({ path: 'a.yml', line: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(out.message).toBe('uses [pm-redacted:github-token]');
  });
});

describe('no secret reaches any output', () => {
  it('property: report, SARIF, summary and annotations never contain a secret from a finding', async () => {
    const { buildReport, renderReport, buildSarif, renderSarif, buildSummary, selectAnnotations } = await import('../../src/report/index.js');
    const { sampleEvaluation, sampleContext, sampleRules } = await import('../report/fixtures.js');
    fc.assert(
      fc.property(secrets, fc.boolean(), (secret, withKey) => {
        const base = sampleEvaluation();
        const dirty = base.findings.map((f, i) => ({
          ...f,
          message: `${f.message} ${i % 2 ? secret : `x=${secret};`}`,
          evidence: f.evidence.map((e) => ({ ...e, snippet: `run: curl -H "Authorization: ${secret}" x` }))
        }));
        const evaluation = { ...base, findings: redactEvidence(dirty, withKey ? KEY : null) };
        const ctx = sampleContext();
        const outputs = [
          renderReport(buildReport(evaluation, ctx)),
          renderSarif(buildSarif(evaluation, ctx, sampleRules())),
          buildSummary(evaluation, ctx, { serverUrl: 'https://github.com', repository: 'o/r', sha: 'a'.repeat(40), reportFileName: 'r.json' }),
          JSON.stringify(selectAnnotations(evaluation, { includeDegraded: true }))
        ];
        return outputs.every((o) => !o.includes(secret));
      }),
      { numRuns: 150 }
    );
  });
});
