// jest globalTeardown: stops the DynamoDB Local of jest-global-setup.mjs.
import { DYNAMODB_ENDPOINT_ENV } from './dynamodb-local-process.mjs';

export default async function globalTeardown() {
  const instance = globalThis.__PM_DYNAMODB_LOCAL__;
  if (!instance) return;
  globalThis.__PM_DYNAMODB_LOCAL__ = undefined;
  delete process.env[DYNAMODB_ENDPOINT_ENV];
  await instance.stop();
}
