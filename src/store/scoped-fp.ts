import { createHash } from 'node:crypto';
import type { FPEvent, FPMark, FPStore } from './types.js';

/**
 * Finding ids are sha256(rule | path | subject): two repositories with the same workflow file
 * get the same id. In a table shared by an organisation, a mark made in one repository would
 * then excuse the same-looking finding in every other one — by anyone with write access to any
 * repository. This wrapper keys the shared store by repository (a 16-hex id of
 * `repository | finding id`), so marks stay where they were made, while per-rule windows still
 * span the organisation (that is what calibration measures).
 */
export function scopedFindingId(repository: string, findingId: string): string {
  return createHash('sha256').update(`${repository}|${findingId}`).digest('hex').slice(0, 16);
}

export function scopedFPStore(inner: FPStore, repository: string): FPStore {
  const scope = (id: string): string => scopedFindingId(repository, id);
  /** Calls `fn` with scoped ids and maps the result's keys (and events) back to the caller's ids. */
  const back = <T>(ids: string[], result: Map<string, T>, fix: (v: T, id: string) => T): Map<string, T> => {
    const out = new Map<string, T>();
    for (const id of ids) {
      const v = result.get(scope(id));
      if (v !== undefined) out.set(id, fix(v, id));
    }
    return out;
  };
  return {
    recordEvents: (events: FPEvent[]) => inner.recordEvents(events.map((e) => ({ ...e, findingId: scope(e.findingId) }))),
    mark: (mark: FPMark) => inner.mark({ ...mark, findingId: scope(mark.findingId) }),
    lookupMarks: async (ids: string[]) => back(ids, await inner.lookupMarks(ids.map(scope)), (m, id) => ({ ...m, findingId: id })),
    // Windows span every repository of the table: their events keep the stored (scoped) ids.
    window: (ruleIds, options) => inner.window(ruleIds, options),
    findingEvents: async (ids: string[]) =>
      back(ids, await inner.findingEvents(ids.map(scope)), (events, id) => events.map((e) => ({ ...e, findingId: id })))
  };
}
