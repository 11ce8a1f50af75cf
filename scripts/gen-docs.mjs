// npm run docs: regenerates docs/rules/*.md from the rule metadata (src/docs/rule-docs.ts).
// TypeScript cannot be imported from .mjs here, so the entry is bundled with ncc first.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';

const root = process.cwd();
const ncc = path.resolve('node_modules/@vercel/ncc/dist/ncc/cli.js');
const out = path.join(root, '.build', 'gen-docs');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [ncc, 'build', 'scripts/gen-docs-entry.ts', '-o', out, '--quiet'], { stdio: 'inherit' });
execFileSync(process.execPath, [path.join(out, 'index.js'), path.join(root, 'docs', 'rules')], { stdio: 'inherit' });
