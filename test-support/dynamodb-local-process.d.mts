export declare const DYNAMODB_ENDPOINT_ENV: 'PM_TEST_DYNAMODB_ENDPOINT';

export interface DynamoDBLocal {
  endpoint: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

export declare function freePort(): Promise<number>;
export declare function startDynamoDBLocal(options?: { timeoutMs?: number }): Promise<DynamoDBLocal>;
