import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigurationError } from '../config/errors.js';
import { defaultPolicy, parsePolicy } from '../config/policy.js';
import type { Policy } from '../model/index.js';

/** Reads the policy file from the workspace; absent means the defaults. */
export async function loadPolicy(workspace: string, policyPath: string, knownRules: readonly string[]): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path.join(workspace, policyPath), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return defaultPolicy();
    throw new ConfigurationError(`${policyPath}: the policy file cannot be read (${code ?? String(err)}).`);
  }
  return parsePolicy(text, policyPath, knownRules);
}
