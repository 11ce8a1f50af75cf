/**
 * Compiles src/store (types + local store, without the cache module) to plain ESM JavaScript
 * in a temporary directory, so that child processes run the real store code under plain Node.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
export const SRC_STORE = join(here, '..', '..', '..', 'src', 'store');
export const CHILD_SCRIPT = join(here, 'store-child.mjs');

/** Returns the directory holding `types.js` and `local/*.js`. */
export async function compileLocalStore(): Promise<string> {
  const out = await fs.mkdtemp(join(tmpdir(), 'pm-store-js-'));
  await fs.writeFile(join(out, 'package.json'), '{"type":"module"}\n');
  await fs.mkdir(join(out, 'local'));
  const sources = ['types.ts', ...(await fs.readdir(join(SRC_STORE, 'local'))).filter((f) => f.endsWith('.ts') && f !== 'cache.ts').map((f) => `local/${f}`)];
  for (const rel of sources) {
    const code = await fs.readFile(join(SRC_STORE, rel), 'utf8');
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, isolatedModules: true },
      fileName: rel
    }).outputText;
    await fs.writeFile(join(out, rel.replace(/\.ts$/, '.js')), js);
  }
  return out;
}
