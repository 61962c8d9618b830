// What the REPL's commands print: the live fibers, and a profile's top functions per fiber.
import type { LiveFiber } from '../fiber/live';
import type { Profile } from '../profiler/model';
import { isFrameLine, isSeparatorLine } from '../stitch/parse';
import { cyan, dim } from '../util/ansi';
import { formatDuration } from '../util/duration';
import { isOwnFile, isOwnFrame } from '../util/own-files';

/** One header line per fiber (id, name, state, age), then where it is suspended. */
export function formatFibers(fibers: LiveFiber[], color = false): string {
  if (fibers.length === 0) return 'No live fibers.';
  const lines: string[] = [];
  for (const fiber of fibers) {
    const name = fiber.name === '' ? '(anonymous)' : JSON.stringify(fiber.name);
    let header = `#${fiber.id} ${name} ${fiber.state}, age ${formatDuration(fiber.ageMs)}`;
    if (fiber.suspendedMs !== undefined) header += `, for ${formatDuration(fiber.suspendedMs)}`;
    lines.push(color ? cyan(header) : header);
    if (fiber.trace !== '') {
      for (const line of withoutEmptySegments(fiber.trace.split('\n'))) {
        lines.push(color ? dim(line) : line);
      }
    }
  }
  return lines.join('\n');
}

interface FunctionTime {
  label: string;
  selfUs: number;
}

/** The functions with the most self time in each thread that ran, busiest thread first. */
export function formatTopFunctions(profile: Profile, perThread = 5): string {
  const byThread = new Map<number, Map<number, number>>();
  for (const sample of profile.samples) {
    const leaf = sample.stack[sample.stack.length - 1];
    // Idle time, and the profiler's own stop() that ends the last sample, are not the input's.
    if (leaf === undefined || profile.frames[leaf].special === 'idle') continue;
    if (isOwnFile(profile.frames[leaf].url)) continue;
    const frames = byThread.get(sample.threadId) ?? new Map<number, number>();
    byThread.set(sample.threadId, frames);
    frames.set(leaf, (frames.get(leaf) ?? 0) + sample.weightUs);
  }
  const threads = profile.threads
    .filter((thread) => byThread.has(thread.id))
    .sort((a, b) => b.cpuMs - a.cpuMs);
  if (threads.length === 0) return 'No samples: the expression ran for less than an interval.';
  const lines: string[] = [];
  for (const thread of threads) {
    const name =
      thread.kind === 'main' ? 'main' : `fiber #${thread.id} ${JSON.stringify(thread.name)}`;
    lines.push(`${name}: ${thread.cpuMs.toFixed(1)}ms CPU, ${thread.samples} samples`);
    const top: FunctionTime[] = [...(byThread.get(thread.id) ?? new Map<number, number>())]
      .map(([index, selfUs]) => {
        const frame = profile.frames[index];
        const where = frame.url === '' ? '' : ` ${frame.url}:${frame.line}`;
        return { label: `${frame.functionName || '(anonymous)'}${where}`, selfUs };
      })
      .sort((a, b) => b.selfUs - a.selfUs)
      .slice(0, perThread);
    const total = thread.cpuMs * 1000 || 1;
    for (const entry of top) {
      const share = ((entry.selfUs / total) * 100).toFixed(1).padStart(5);
      lines.push(`  ${(entry.selfUs / 1000).toFixed(1).padStart(8)}ms ${share}%  ${entry.label}`);
    }
  }
  return lines.join('\n');
}

// Frames of the REPL's own machinery (Node's evaluator, domains, fiberscope's evaluator) say
// nothing about the input: Node's REPL hides them too.
const MACHINERY =
  /^\s+at .*\(?node:(?:vm|repl|domain|events|readline|net|stream|internal\/[^)]*):\d+:\d+\)?$/;

/** Drops separator lines left with no frames below them (the input fiber's own spawn site). */
function withoutEmptySegments(lines: string[]): string[] {
  return lines.filter(
    (line, i) =>
      !isSeparatorLine(line) || (lines[i + 1] !== undefined && isFrameLine(lines[i + 1])),
  );
}

/** Removes the REPL's machinery from an error's stack, in place (as Node's REPL does). */
export function trimReplFrames(error: unknown): void {
  if (error === null || typeof error !== 'object') return;
  let stack: unknown;
  try {
    stack = (error as { stack?: unknown }).stack;
  } catch {
    return;
  }
  if (typeof stack !== 'string') return;
  const kept = stack
    .split('\n')
    .filter((line) => !MACHINERY.test(line) && !(isFrameLine(line) && isOwnFrame(line)));
  try {
    (error as { stack?: string }).stack = withoutEmptySegments(kept).join('\n');
  } catch {
    // a frozen error keeps its stack
  }
}
