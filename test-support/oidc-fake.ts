/**
 * The GitHub Actions OIDC token endpoint on loopback: `GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=…`
 * with `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` answers `{"value": "<jwt>"}`, an
 * RS256 token signed by an oauth2-mock-server issuer (whose JWKS the STS fake verifies against).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Server } from 'oauth2-mock-server';

export interface OidcClaims {
  sub: string;
  repository: string;
  [claim: string]: unknown;
}

export class OidcFake {
  readonly oauth = new OAuth2Server();
  readonly requestToken = `req-${randomBytes(12).toString('hex')}`;
  readonly requests: { audience: string | null; authorized: boolean }[] = [];
  claims: OidcClaims = { sub: 'repo:octo/widgets:ref:refs/heads/main', repository: 'octo/widgets', ref: 'refs/heads/main' };
  /** Changes each token after signing-time claims are set (tests forge bad tokens with it). */
  transform?: (payload: Record<string, unknown>) => void;
  /** The next token requests answer this HTTP status instead (e.g. 500, 403). */
  failures: number[] = [];
  private server?: Server;
  requestUrl = '';

  get issuer(): string {
    return this.oauth.issuer.url!;
  }

  get jwksUrl(): string {
    return `${this.issuer}/jwks`;
  }

  async start(): Promise<this> {
    await this.oauth.issuer.keys.generate('RS256');
    await this.oauth.start(0, '127.0.0.1');
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const authorized = req.headers.authorization === `Bearer ${this.requestToken}`;
      const audience = url.searchParams.get('audience');
      this.requests.push({ audience, authorized });
      const status = this.failures.shift();
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: 'injected failure' }));
      }
      if (!authorized) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: 'Bad credentials' }));
      }
      void this.oauth.issuer
        .buildToken({
          scopesOrTransform: (_header, payload) => {
            Object.assign(payload, this.claims, { aud: audience ?? url.origin });
            this.transform?.(payload as Record<string, unknown>);
          }
        })
        .then((value) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ count: 1, value }));
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.requestUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token?api-version=2.0`;
    return this;
  }

  /** The variables a job with `permissions: id-token: write` gets. */
  env(): Record<string, string> {
    return { ACTIONS_ID_TOKEN_REQUEST_URL: this.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.requestToken };
  }

  async stop(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
    await this.oauth.stop();
  }
}

export async function startOidcFake(): Promise<OidcFake> {
  return new OidcFake().start();
}
