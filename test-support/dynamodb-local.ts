/**
 * DynamoDB Local for the tests. Started once per test run by test-support/jest-global-setup.mjs,
 * which exports the endpoint in PM_TEST_DYNAMODB_ENDPOINT (jest workers inherit it). A test
 * file run without the global setup starts its own instance through `useDynamoDBLocal()` and
 * stops it in `releaseDynamoDBLocal()`.
 */
import { DYNAMODB_ENDPOINT_ENV, startDynamoDBLocal, type DynamoDBLocal } from './dynamodb-local-process.mjs';

export { DYNAMODB_ENDPOINT_ENV, freePort, startDynamoDBLocal, type DynamoDBLocal } from './dynamodb-local-process.mjs';

let own: DynamoDBLocal | undefined;
let users = 0;

/** The shared endpoint from the global setup, or one started for this test file. */
export async function useDynamoDBLocal(): Promise<string> {
  const shared = process.env[DYNAMODB_ENDPOINT_ENV];
  if (shared) return shared;
  users++;
  own ??= await startDynamoDBLocal();
  return own.endpoint;
}

/** Stops the instance `useDynamoDBLocal` started for this file (no-op with the global setup). */
export async function releaseDynamoDBLocal(): Promise<void> {
  if (process.env[DYNAMODB_ENDPOINT_ENV] || !own) return;
  if (--users > 0) return;
  const d = own;
  own = undefined;
  await d.stop();
}
