import { describe, expect, it } from '@jest/globals';
import { BUILD_INFO } from '../../src/generated/build-info.js';
import { REPORT_SCHEMA_SHA256 } from '../../src/report/schema.js';

describe('build info', () => {
  it('the stamped schema hash equals the hash of the bundled schema (run npm run build after editing schema.json)', () => {
    expect(BUILD_INFO.schemaSha256).toBe(REPORT_SCHEMA_SHA256);
  });
});
