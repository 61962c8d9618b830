// Threads grouped by name: every fiber of a request handler ("GET /orders") together.
import type { Profile, ProfileThread } from './model';

/** The threads of one kind and name, their figures summed. */
export interface NameGroup {
  /** `'main'`, or the fibers' name (`''` for fibers without one). */
  name: string;
  kind: ProfileThread['kind'];
  /** The ids of its threads, ascending. */
  ids: number[];
  /** How many threads (fibers) it holds. */
  fibers: number;
  cpuMs: number;
  wallMs: number;
  waitMs: number;
  readyMs: number;
  samples: number;
}

/** `main` first, then one group per fiber name, by CPU time (most first), then by name. */
export function threadsByName(profile: Pick<Profile, 'threads'>): NameGroup[] {
  const groups = new Map<string, NameGroup>();
  for (const thread of profile.threads) {
    const key = `${thread.kind}\0${thread.name}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        name: thread.name,
        kind: thread.kind,
        ids: [],
        fibers: 0,
        cpuMs: 0,
        wallMs: 0,
        waitMs: 0,
        readyMs: 0,
        samples: 0,
      };
      groups.set(key, group);
    }
    group.ids.push(thread.id);
    group.fibers++;
    group.cpuMs += thread.cpuMs;
    group.wallMs += thread.wallMs;
    group.waitMs += thread.waitMs;
    group.readyMs += thread.readyMs ?? 0;
    group.samples += thread.samples;
  }
  return [...groups.values()]
    .map((group) => ({ ...group, ids: group.ids.sort((a, b) => a - b) }))
    .sort(
      (a, b) =>
        (a.kind === 'main' ? 0 : 1) - (b.kind === 'main' ? 0 : 1) ||
        b.cpuMs - a.cpuMs ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
}
