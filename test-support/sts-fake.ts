/**
 * A loopback fake of STS AssumeRoleWithWebIdentity (protocol awsQuery: form POST, XML answers).
 * It verifies the web identity token like AWS does for a GitHub OIDC trust policy: RS256
 * signature against the issuer's JWKS (jose), issuer, `aud` = sts.amazonaws.com, and `sub`
 * against the role's allowed subjects. Errors are `ErrorResponse > Error {Type, Code, Message}`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface StsFakeOptions {
  issuer: string;
  jwksUrl: string;
  /** Default sts.amazonaws.com. */
  audience?: string;
  /** Roles that exist, with the `sub` values their trust policy allows (`*` wildcards). */
  roles: Record<string, string[]>;
  /** Issue these instead of random credentials (e.g. S3RVER/S3RVER, the only pair s3rver accepts). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export type StsFault = 'throttling' | 'server' | 'reset';

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

export class StsFake {
  readonly calls: { roleArn: string; sessionName: string; sub?: string; outcome: string }[] = [];
  readonly issued: IssuedCredentials[] = [];
  private faults: { kind: StsFault; remaining: number }[] = [];
  private server?: Server;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  endpoint = '';

  constructor(readonly options: StsFakeOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  fail(kind: StsFault, times: number): void {
    this.faults.push({ kind, remaining: times });
  }

  clear(): void {
    this.faults = [];
  }

  private error(res: ServerResponse, status: number, code: string, message: string, type = 'Sender'): void {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'sts-fake' });
    res.end(
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code>` +
        `<Message>${xmlEscape(message)}</Message></Error><RequestId>sts-fake</RequestId></ErrorResponse>`
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    const record = (outcome: string, sub?: string) => this.calls.push({ roleArn, sessionName, sub, outcome });
    const fault = this.faults.find((f) => f.remaining > 0);
    if (fault) {
      fault.remaining--;
      record(fault.kind);
      if (fault.kind === 'reset') return void req.socket.destroy();
      if (fault.kind === 'throttling') return this.error(res, 400, 'Throttling', 'Rate exceeded');
      return this.error(res, 500, 'InternalFailure', 'An internal error occurred', 'Receiver');
    }
    if (form.get('Action') !== 'AssumeRoleWithWebIdentity') {
      record('unsupported');
      return this.error(res, 400, 'InvalidAction', `Could not find operation ${form.get('Action')}`);
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      record('validation');
      return this.error(res, 400, 'ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(form.get('WebIdentityToken') ?? '', this.jwks, {
        issuer: this.options.issuer,
        audience: this.options.audience ?? 'sts.amazonaws.com',
        algorithms: ['RS256']
      }));
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      record('invalid-token');
      const message =
        code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (e as { claim?: string }).claim === 'aud'
          ? 'Incorrect token audience'
          : code === 'ERR_JWT_EXPIRED'
            ? 'Token expired'
            : "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements";
      return this.error(res, 400, 'InvalidIdentityToken', message);
    }
    const allowed = this.options.roles[roleArn];
    const sub = typeof payload.sub === 'string' ? payload.sub : '';
    if (!allowed || !allowed.some((p) => globMatch(p, sub))) {
      record('denied', sub);
      return this.error(res, 403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    }
    const creds: IssuedCredentials = {
      AccessKeyId: this.options.credentials?.accessKeyId ?? `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      SecretAccessKey: this.options.credentials?.secretAccessKey ?? randomBytes(30).toString('base64'),
      SessionToken: `FwoG${randomBytes(48).toString('base64')}`,
      Expiration: new Date(Date.now() + 3600_000).toISOString()
    };
    this.issued.push(creds);
    record('ok', sub);
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'sts-fake' });
    res.end(
      `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>` +
        `<SubjectFromWebIdentityToken>${xmlEscape(sub)}</SubjectFromWebIdentityToken>` +
        `<Audience>${xmlEscape(String(payload.aud))}</Audience>` +
        `<AssumedRoleUser><Arn>${xmlEscape(roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/'))}/${xmlEscape(sessionName)}</Arn>` +
        `<AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${creds.AccessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(creds.SecretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${xmlEscape(creds.SessionToken)}</SessionToken><Expiration>${creds.Expiration}</Expiration></Credentials>` +
        `<Provider>${xmlEscape(this.options.issuer)}</Provider></AssumeRoleWithWebIdentityResult>` +
        `<ResponseMetadata><RequestId>sts-fake</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`
    );
  }
}

export async function startStsFake(options: StsFakeOptions): Promise<StsFake> {
  return new StsFake(options).start();
}
