// jest globalSetup: one DynamoDB Local for the whole run (see dynamodb-local-process.mjs).
// Plain ESM: jest loads globalSetup outside ts-jest's resolver, so a .ts setup cannot import
// the shared helpers with their .js suffixes.
import { DYNAMODB_ENDPOINT_ENV, startDynamoDBLocal } from './dynamodb-local-process.mjs';

export default async function globalSetup() {
  if (process.env[DYNAMODB_ENDPOINT_ENV]) return; // provided from outside
  const instance = await startDynamoDBLocal();
  globalThis.__PM_DYNAMODB_LOCAL__ = instance;
  process.env[DYNAMODB_ENDPOINT_ENV] = instance.endpoint;
}
