/**
 * A loopback fake of SSM Parameter Store (protocol awsJson1_1: `POST /`,
 * `X-Amz-Target: AmazonSSM.<Op>`): GetParameter, GetParametersByPath (non-recursive and
 * recursive, MaxResults 1–10, NextToken), PutParameter, DeleteParameter. SecureString values
 * come back encrypted-looking unless WithDecryption is true. Failure injection per operation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SsmFault = 'throttling' | 'server' | 'denied' | 'reset';

interface Param {
  Name: string;
  Type: 'String' | 'SecureString' | 'StringList';
  Value: string;
  Version: number;
  LastModifiedDate: number;
}

export class SsmFake {
  readonly params = new Map<string, Param>();
  readonly calls: { op: string; body: Record<string, unknown> }[] = [];
  private faults: { kind: SsmFault; remaining: number; op?: string }[] = [];
  private server?: Server;
  endpoint = '';
  private seq = 0;

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

  fail(kind: SsmFault, times: number, op?: string): void {
    this.faults.push({ kind, remaining: times, op });
  }

  clear(): void {
    this.faults = [];
  }

  put(name: string, value: string, type: Param['Type'] = 'SecureString'): void {
    const prev = this.params.get(name);
    this.params.set(name, { Name: name, Type: type, Value: value, Version: (prev?.Version ?? 0) + 1, LastModifiedDate: 1_700_000_000 + ++this.seq });
  }

  private view(p: Param, decrypt: boolean): Record<string, unknown> {
    const Value = p.Type === 'SecureString' && !decrypt ? Buffer.from(`kms:${p.Value}`).toString('base64') : p.Value;
    return { ...p, Value, ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${p.Name}`, DataType: 'text' };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AmazonSSM.') ? target.slice('AmazonSSM.'.length) : '';
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
    } catch {
      return this.error(res, 400, 'SerializationException', 'bad JSON');
    }
    this.calls.push({ op, body });
    const fault = this.faults.find((f) => f.remaining > 0 && (f.op === undefined || f.op === op));
    if (fault) {
      fault.remaining--;
      if (fault.kind === 'reset') return void req.socket.destroy();
      if (fault.kind === 'throttling') return this.error(res, 400, 'ThrottlingException', 'Rate exceeded');
      if (fault.kind === 'server') return this.error(res, 500, 'InternalServerError', 'internal error');
      return this.error(res, 400, 'AccessDeniedException', `User is not authorized to perform: ssm:${op}`);
    }
    switch (op) {
      case 'GetParameter': {
        const p = this.params.get(String(body.Name));
        if (!p) return this.error(res, 400, 'ParameterNotFound', `Parameter ${String(body.Name)} not found.`);
        return this.ok(res, { Parameter: this.view(p, body.WithDecryption === true) });
      }
      case 'GetParametersByPath': {
        const path = String(body.Path ?? '');
        if (!path.startsWith('/')) return this.error(res, 400, 'ValidationException', 'The parameter path must begin with /');
        const max = body.MaxResults === undefined ? 10 : Number(body.MaxResults);
        if (!Number.isInteger(max) || max < 1 || max > 10) return this.error(res, 400, 'ValidationException', 'MaxResults must be between 1 and 10');
        const prefix = path === '/' ? '/' : `${path.replace(/\/+$/, '')}/`;
        const matching = [...this.params.values()]
          .filter((p) => p.Name.startsWith(prefix) && (body.Recursive === true || !p.Name.slice(prefix.length).includes('/')))
          .sort((a, b) => (a.Name < b.Name ? -1 : 1));
        const start = body.NextToken === undefined ? 0 : Number(String(body.NextToken).replace('tok-', ''));
        if (!Number.isInteger(start) || start < 0) return this.error(res, 400, 'InvalidNextToken', 'The token is not valid');
        const page = matching.slice(start, start + max);
        const next = start + max < matching.length ? `tok-${start + max}` : undefined;
        return this.ok(res, { Parameters: page.map((p) => this.view(p, body.WithDecryption === true)), ...(next ? { NextToken: next } : {}) });
      }
      case 'PutParameter': {
        const name = String(body.Name);
        if (this.params.has(name) && body.Overwrite !== true) return this.error(res, 400, 'ParameterAlreadyExists', 'The parameter already exists.');
        this.put(name, String(body.Value), (body.Type as Param['Type']) ?? 'String');
        return this.ok(res, { Version: this.params.get(name)!.Version, Tier: 'Standard' });
      }
      case 'DeleteParameter': {
        const name = String(body.Name);
        if (!this.params.delete(name)) return this.error(res, 400, 'ParameterNotFound', `Parameter ${name} not found.`);
        return this.ok(res, {});
      }
      default:
        return this.error(res, 400, 'UnknownOperationException', `unknown operation ${op}`);
    }
  }

  private ok(res: ServerResponse, payload: unknown): void {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'ssm-fake' });
    res.end(JSON.stringify(payload));
  }

  private error(res: ServerResponse, status: number, type: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'ssm-fake' });
    res.end(JSON.stringify({ __type: type, message }));
  }
}

export async function startSsmFake(): Promise<SsmFake> {
  return new SsmFake().start();
}
