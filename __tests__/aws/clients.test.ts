import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { clientConfigFor, createDynamoDBClient, resolveEndpoint, resolveRegion } from '../../src/aws/clients.js';
import { ConfigurationError } from '../../src/config/errors.js';
import { freePort, releaseDynamoDBLocal, useDynamoDBLocal } from '../../test-support/dynamodb-local.js';

describe('endpoint precedence', () => {
  const env = {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1000',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2000',
    AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:3000'
  };

  it('service variable > aws-endpoint-url input > AWS_ENDPOINT_URL > none', () => {
    expect(resolveEndpoint('dynamodb', 'http://127.0.0.1:9000', env)).toEqual({ url: 'http://127.0.0.1:2000', source: 'AWS_ENDPOINT_URL_DYNAMODB' });
    expect(resolveEndpoint('sts', 'http://127.0.0.1:9000', env)).toEqual({ url: 'http://127.0.0.1:3000', source: 'AWS_ENDPOINT_URL_STS' });
    expect(resolveEndpoint('s3', 'http://127.0.0.1:9000', env)).toEqual({ url: 'http://127.0.0.1:9000', source: 'aws-endpoint-url' });
    expect(resolveEndpoint('ssm', undefined, env)).toEqual({ url: 'http://127.0.0.1:1000', source: 'AWS_ENDPOINT_URL' });
    expect(resolveEndpoint('ssm', '', {})).toBeUndefined();
    expect(resolveEndpoint('s3', undefined, { AWS_ENDPOINT_URL_S3: '  ' })).toBeUndefined();
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores the variables, not the input', () => {
    const ignoring = { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' };
    expect(resolveEndpoint('dynamodb', undefined, ignoring)).toBeUndefined();
    expect(resolveEndpoint('dynamodb', 'http://127.0.0.1:9000', ignoring)?.source).toBe('aws-endpoint-url');
  });

  it('a malformed endpoint is a configuration error naming where it came from', () => {
    expect(() => resolveEndpoint('s3', undefined, { AWS_ENDPOINT_URL_S3: 'not a url' })).toThrow(/AWS_ENDPOINT_URL_S3 has the invalid value 'not a url'/);
    expect(() => resolveEndpoint('s3', 'ftp://x', {})).toThrow(ConfigurationError);
  });
});

describe('client configuration', () => {
  it('S3 against an override: path style and checksums only when required', () => {
    const c = clientConfigFor('s3', { endpointUrl: 'http://127.0.0.1:4568', region: 'eu-west-1', env: {} });
    expect(c).toMatchObject({ endpoint: 'http://127.0.0.1:4568', region: 'eu-west-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', maxAttempts: 1 });
    const real = clientConfigFor('s3', { region: 'eu-west-1', env: {} });
    expect(real.forcePathStyle).toBeUndefined();
    expect(real.endpoint).toBeUndefined();
  });

  it('credentials and extra client config are injected; extra config wins', () => {
    const credentials = { accessKeyId: 'AKIA', secretAccessKey: 's' };
    const c = clientConfigFor('dynamodb', { region: 'eu-west-1', env: {}, credentials, clientConfig: { maxAttempts: 3, requestHandler: 'x' } });
    expect(c).toMatchObject({ credentials, maxAttempts: 3, requestHandler: 'x' });
  });

  it('region: input, then AWS_REGION / AWS_DEFAULT_REGION, then us-east-1 only against an emulator', () => {
    expect(resolveRegion({ region: 'eu-central-1', env: { AWS_REGION: 'x' } }, false)).toBe('eu-central-1');
    expect(resolveRegion({ env: { AWS_DEFAULT_REGION: 'ap-south-1' } }, false)).toBe('ap-south-1');
    expect(resolveRegion({ env: {} }, true)).toBe('us-east-1');
    expect(() => resolveRegion({ env: {} }, false)).toThrow(/Set the 'aws-region' input/);
  });
});

describe('endpoint override against DynamoDB Local', () => {
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await useDynamoDBLocal();
  }, 90_000);
  afterAll(releaseDynamoDBLocal);

  it('AWS_ENDPOINT_URL_DYNAMODB wins over a dead aws-endpoint-url', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const client = await createDynamoDBClient({
      endpointUrl: dead,
      env: { AWS_ENDPOINT_URL_DYNAMODB: endpoint },
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' }
    });
    const out = await client.send(new ListTablesCommand({}));
    expect(Array.isArray(out.TableNames)).toBe(true);
    client.destroy();
  });
});
