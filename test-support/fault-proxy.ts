/**
 * A tiny HTTP proxy in front of an AWS JSON endpoint (DynamoDB Local) that counts requests per
 * operation and injects failures: throttling (400 ThrottlingException /
 * ProvisionedThroughputExceededException), 5xx, dropped connections, access denied, and
 * BatchGetItem answers with half the keys left in UnprocessedKeys.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `reset`: connection dropped before forwarding; `lost`: forwarded (the write happens), answer dropped. */
export type FaultKind = 'throttling' | 'provisioned' | 'server' | 'reset' | 'lost' | 'denied' | 'unprocessed';

export interface ProxiedRequest {
  /** `Query`, `BatchGetItem`, … (from X-Amz-Target). */
  op: string;
  /** What the proxy did: forwarded, or the injected fault. */
  outcome: 'forwarded' | FaultKind;
}

interface Rule {
  kind: FaultKind;
  remaining: number; // Infinity = forever
  op?: string;
}

const JSON_ERRORS: Record<string, { status: number; type: string; message: string }> = {
  throttling: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  provisioned: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.'
  },
  server: { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
  denied: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message: 'User is not authorized to perform this action' }
};

export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  private rules: Rule[] = [];
  private server?: Server;
  endpoint = '';

  constructor(readonly upstream: string) {}

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

  /** The next `times` requests (of `op`, when given) fail with `kind`. */
  fail(kind: FaultKind, times: number, op?: string): void {
    this.rules.push({ kind, remaining: times, op });
  }

  /** Every request (of `op`) fails with `kind` until `clear()`. */
  failForever(kind: FaultKind, op?: string): void {
    this.fail(kind, Infinity, op);
  }

  clear(): void {
    this.rules = [];
  }

  resetCounts(): void {
    this.requests.length = 0;
  }

  /** Requests per operation since the last reset. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests) out[r.op] = (out[r.op] ?? 0) + 1;
    return out;
  }

  private pick(op: string): FaultKind | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.op === undefined || r.op === op));
    if (!rule) return undefined;
    rule.remaining--;
    return rule.kind;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.slice(target.indexOf('.') + 1) || req.method || '?';
    const fault = this.pick(op);
    this.requests.push({ op, outcome: fault ?? 'forwarded' });
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault && fault !== 'unprocessed' && fault !== 'lost') {
      const e = JSON_ERRORS[fault];
      res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault-proxy' });
      res.end(JSON.stringify({ __type: e.type, message: e.message }));
      return;
    }
    let heldBack: Record<string, { Keys: unknown[]; ConsistentRead?: boolean }> | undefined;
    if (fault === 'unprocessed' && op === 'BatchGetItem') {
      const parsed = JSON.parse(body.toString()) as { RequestItems: Record<string, { Keys: unknown[]; ConsistentRead?: boolean }> };
      heldBack = {};
      for (const [table, spec] of Object.entries(parsed.RequestItems)) {
        const keep = Math.ceil(spec.Keys.length / 2);
        if (spec.Keys.length - keep > 0) heldBack[table] = { ...spec, Keys: spec.Keys.slice(keep) };
        spec.Keys = spec.Keys.slice(0, keep);
      }
      body = Buffer.from(JSON.stringify(parsed));
    }
    const up = new URL(this.upstream);
    const headers = { ...req.headers, host: up.host, 'content-length': String(body.length) };
    const upstreamReq = httpRequest(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers },
      async (upRes) => {
        const parts: Buffer[] = [];
        for await (const c of upRes) parts.push(c as Buffer);
        let out = Buffer.concat(parts);
        if (fault === 'lost') {
          req.socket.destroy();
          return;
        }
        const outHeaders = { ...upRes.headers };
        if (heldBack && upRes.statusCode === 200) {
          const parsed = JSON.parse(out.toString()) as { UnprocessedKeys?: Record<string, unknown> };
          parsed.UnprocessedKeys = { ...(parsed.UnprocessedKeys ?? {}), ...heldBack };
          out = Buffer.from(JSON.stringify(parsed));
          delete outHeaders['x-amz-crc32'];
        }
        outHeaders['content-length'] = String(out.length);
        res.writeHead(upRes.statusCode ?? 502, outHeaders);
        res.end(out);
      }
    );
    upstreamReq.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstreamReq.end(body);
  }
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  return new FaultProxy(upstream).start();
}
