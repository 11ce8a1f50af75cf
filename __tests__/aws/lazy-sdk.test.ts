/**
 * The AWS SDK is loaded only through dynamic import() from src/store/aws/index.ts (and what it
 * loads), so local-store runs never pay for it (DESIGN §12: cold start < 300 ms).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Static, value-level import specifiers (`import type` and `import()` left out). */
function staticImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\b)([^'";]*?)\s*from\s*['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) {
    const clause = m[1] ?? '';
    // `import { type A, type B } from` is type-only too.
    if (/^\{[^}]*\}$/.test(clause.trim()) && clause.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((s) => s.startsWith('type'))) continue;
    out.push(m[2] ?? m[3]);
  }
  return out;
}

const files = tsFiles(join(ROOT, 'src')).map((p) => ({ path: relative(ROOT, p).replace(/\\/g, '/'), imports: staticImports(readFileSync(p, 'utf8')) }));

describe('the AWS SDK is loaded lazily', () => {
  it('no module outside src/aws and src/store/aws imports the SDK, or those modules (but the index), statically', () => {
    const offenders = files
      .filter((f) => !f.path.startsWith('src/aws/') && !f.path.startsWith('src/store/aws/'))
      // src/store/aws/index.ts itself may be imported statically: it loads everything else lazily.
      .flatMap((f) =>
        f.imports.filter((i) => i.startsWith('@aws-sdk/') || (/(^|\/)aws\/[^/]+\.js$/.test(i) && !/store\/aws\/index\.js$/.test(i))).map((i) => `${f.path} → ${i}`)
      );
    expect(offenders).toEqual([]);
  });

  it('src/store/aws/index.ts and src/aws/clients.ts import nothing from the SDK statically', () => {
    for (const path of ['src/store/aws/index.ts', 'src/aws/clients.ts', 'src/aws/credentials.ts', 'src/aws/retry.ts', 'src/store/aws/tables.ts']) {
      const f = files.find((x) => x.path === path)!;
      expect(f.imports.filter((i) => i.startsWith('@aws-sdk/'))).toEqual([]);
    }
    const index = files.find((x) => x.path === 'src/store/aws/index.ts')!;
    expect(index.imports).toEqual([]);
  });

  it('src/store/aws/tables.ts imports nothing (scripts/tables.mjs transpiles it standalone)', () => {
    expect(files.find((x) => x.path === 'src/store/aws/tables.ts')!.imports).toEqual([]);
  });
});
