// Bundled by scripts/gen-docs.mjs (TypeScript cannot be imported from .mjs here) and run with the
// output directory as its argument: writes docs/rules/<id>.md for every registered rule and
// docs/rules/README.md, and removes pages of rules that no longer exist.
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderRuleDoc, renderRuleIndex, ruleDocFile } from '../src/docs/rule-docs.js';
import { RULES } from '../src/rules/index.js';

const outDir = path.resolve(process.argv[2] ?? 'docs/rules');
mkdirSync(outDir, { recursive: true });
const wanted = new Map<string, string>();
for (const r of RULES) wanted.set(ruleDocFile(r.meta), renderRuleDoc(r.meta));
wanted.set('README.md', renderRuleIndex(RULES.map((r) => r.meta)));

let changed = 0;
for (const [file, text] of wanted) {
  const abs = path.join(outDir, file);
  let old: string | undefined;
  try {
    old = readFileSync(abs, 'utf8');
  } catch {
    old = undefined;
  }
  if (old !== text) {
    writeFileSync(abs, text);
    changed++;
  }
}
for (const file of readdirSync(outDir)) {
  if (file.endsWith('.md') && !wanted.has(file)) {
    unlinkSync(path.join(outDir, file));
    changed++;
  }
}
console.log(`docs/rules: ${wanted.size} page(s), ${changed} changed`);
