// Builds dist/index.js (the action) and dist/cli.js (the pm-action command) with ncc.
// Lazily imported modules (the AWS SDK) become chunk files next to their entry, so each entry
// gets its own folder of chunks: dist/ for the action, dist/cli/ for the command.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

execFileSync(process.execPath, ['scripts/build-info.mjs'], { stdio: 'inherit' });

const ncc = path.resolve('node_modules/@vercel/ncc/dist/ncc/cli.js');
const tmp = path.resolve('.build');
rmSync(tmp, { recursive: true, force: true });
rmSync('dist', { recursive: true, force: true });

const targets = { index: 'dist', cli: 'dist/cli' };
for (const [entry, dest] of Object.entries(targets)) {
  const out = path.join(tmp, entry);
  execFileSync(process.execPath, [ncc, 'build', `src/${entry}.ts`, '-o', out, '--minify', '--no-source-map-register', '--license', 'licenses.txt', '--quiet'], { stdio: 'inherit' });
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(out)) {
    if (f === 'package.json') continue;
    if (entry === 'cli' && f === 'licenses.txt') continue;
    cpSync(path.join(out, f), path.join(dest, f), { recursive: true });
  }
}
writeFileSync('dist/cli.js', "#!/usr/bin/env node\nimport './cli/index.js';\n");
chmodSync('dist/cli.js', 0o755);
// dist/ is ESM like the source.
writeFileSync('dist/package.json', '{ "type": "module" }\n');
rmSync(tmp, { recursive: true, force: true });
console.log('built dist/index.js and dist/cli.js');
