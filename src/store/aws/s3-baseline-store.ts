/**
 * BaselineStore on S3: `s3://<bucket>/<owner>/<repo>/integrity-baseline.json` (or the
 * `baseline-key` input). A missing object is "no baseline yet" (null). Malformed JSON is a
 * StoreError and the object is left exactly as it is (a reset baseline would hide drift); a
 * later `save` overwrites it, and the bucket's versioning keeps the old bytes.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../aws/retry.js';
import type { BaselineStore } from '../types.js';
import { StoreError } from '../types.js';
import { call, type AwsStoreOptions } from './dynamodb-common.js';
import { baselineObjectKey } from './tables.js';

export interface S3BaselineStoreOptions extends AwsStoreOptions {
  /** The `baseline-key` input: the object key, `<owner>` and `<repo>` substituted. */
  key?: string;
}

function isMissing(error: unknown): boolean {
  const info = classifyAwsError(error);
  return info.code === 'NoSuchKey' || (info.code === 'NotFound' && info.status === 404) || (info.kind === 'not_found' && info.status === 404 && info.code !== 'NoSuchBucket');
}

export class S3BaselineStore implements BaselineStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly opts: S3BaselineStoreOptions = {}
  ) {}

  objectKey(owner: string, repo: string): string {
    return this.opts.key ? this.opts.key.replace('<owner>', owner).replace('<repo>', repo) : baselineObjectKey(owner, repo);
  }

  async load(owner: string, repo: string): Promise<unknown | null> {
    const key = this.objectKey(owner, repo);
    const where = `s3://${this.bucket}/${key}`;
    const text = await call('GetObject', where, this.opts, async () => {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return out.Body ? await out.Body.transformToString('utf-8') : '';
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    });
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new StoreError(
        `The drift baseline ${where} is not valid JSON (${(error as Error).message}). It was left untouched: fix or delete it ` +
          '(earlier versions are kept by the bucket versioning), or run drift with update-baseline: true to replace it.',
        false,
        error
      );
    }
  }

  async save(owner: string, repo: string, baseline: unknown): Promise<void> {
    if (baseline === undefined) throw new StoreError('refusing to save an undefined baseline', false);
    const key = this.objectKey(owner, repo);
    const body = JSON.stringify(baseline, null, 2) + '\n';
    await call('PutObject', `s3://${this.bucket}/${key}`, this.opts, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }))
    );
  }
}
