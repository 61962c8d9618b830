// Fibers whose traces are identical, grouped: "312 fibers waiting at query (db.js:59)".
import type { StitchedFrame } from '../stitch/model';
import type { DumpedFiber, FiberGroup } from './model';

const NAMES_SHOWN = 10;

function frameKey(frames: StitchedFrame[]): string {
  return frames
    .map((frame) => `${frame.functionName}@${frame.file}:${frame.line}:${frame.column}`)
    .join('|');
}

/** What makes two fibers one group: their state, and the frames of their trace (not the ids or
 *  names of the fibers in their spawn chains). */
function groupKey(fiber: DumpedFiber): string {
  return [
    fiber.state,
    frameKey(fiber.frames),
    ...fiber.spawnChain.map((level) => frameKey(level.frames)),
  ].join('\n');
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Groups, largest first (then the longest in its state first). */
export function groupFibers(fibers: DumpedFiber[]): FiberGroup[] {
  const byKey = new Map<string, DumpedFiber[]>();
  for (const fiber of fibers) {
    const key = groupKey(fiber);
    const members = byKey.get(key);
    if (members === undefined) byKey.set(key, [fiber]);
    else members.push(fiber);
  }
  const groups: FiberGroup[] = [];
  for (const members of byKey.values()) {
    const times = members.flatMap((fiber) => (fiber.stateMs === null ? [] : [fiber.stateMs]));
    const names = new Map<string, number>();
    for (const fiber of members) names.set(fiber.name, (names.get(fiber.name) ?? 0) + 1);
    groups.push({
      count: members.length,
      state: members[0].state,
      medianStateMs: median(times),
      maxStateMs: times.length === 0 ? null : times.reduce((a, b) => Math.max(a, b)),
      ids: members.map((fiber) => fiber.id).sort((a, b) => a - b),
      names: [...names]
        .map(([name, count]) => ({ name, count }))
        .sort((a, b) => b.count - a.count)
        .slice(0, NAMES_SHOWN),
      nameCount: names.size,
      frames: members[0].frames,
      spawnChain: members[0].spawnChain,
    });
  }
  return groups.sort((a, b) => b.count - a.count || (b.maxStateMs ?? -1) - (a.maxStateMs ?? -1));
}
