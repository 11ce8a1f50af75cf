import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSettings } from '../../src/config/settings.js';
import type { Log } from '../../src/pipeline/log.js';
import type { FPEvent } from '../../src/store/types.js';

export async function tempDir(prefix = 'pm-calib-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export function settingsFor(ws: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  return parseSettings((n) => inputs[n], { GITHUB_REPOSITORY: 'acme/widgets', GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1', GITHUB_EVENT_NAME: 'workflow_dispatch', ...env }, ws);
}

export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info: ${m}`), warning: (m) => lines.push(`warning: ${m}`), debug: () => {} };
}

export const T0 = Date.parse('2026-03-01T12:00:00.000Z');
export const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

let seq = 0;
/** An event of `ruleId` for a distinct finding (16 hex id). */
export function event(ruleId: string, minutes: number, extra: Partial<FPEvent> = {}): FPEvent {
  seq++;
  const findingId = seq.toString(16).padStart(16, '0');
  return {
    eventId: `e${seq}`,
    findingId,
    ruleId,
    ruleVersion: '1',
    repository: 'acme/widgets',
    runId: String(seq),
    observedAt: at(minutes).toISOString(),
    outcome: 'pending',
    ...extra
  };
}
