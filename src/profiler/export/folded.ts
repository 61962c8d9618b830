// Folded ("collapsed") stacks, the input of flamegraph.pl and inferno-flamegraph.
// Spec: https://github.com/brendangregg/FlameGraph#2-fold-stacks
// (and https://github.com/jonhoo/inferno#how-to-use): one line per unique stack,
// `frame;frame;frame count`, root first, the count after the last space.
//
// The format has no escapes, so a frame name can hold neither `;` (it splits frames) nor a line
// break: `;` becomes `|` (as async-profiler's collapsed output does) and line breaks a space.

import type { Profile, ProfileFrame, ProfileThread } from '../model';
import { displayName, missingFrame, threadLabel } from './names';

export interface FoldedOptions {
  /** Put each sample's thread label (`main`, `fiber #12 "GET /orders"`) as its root frame. */
  byThread?: boolean;
}

function clean(name: string): string {
  return name.replace(/;/g, '|').replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}

/** `functionName (file:line)`, `functionName (file)` when the line is unknown, or just the name. */
function frameName(frame: ProfileFrame): string {
  const name = displayName(frame);
  if (frame.special !== undefined || frame.url === '') return clean(name);
  return clean(frame.line > 0 ? `${name} (${frame.url}:${frame.line})` : `${name} (${frame.url})`);
}

/**
 * The profile as folded stacks: lines sorted, each stack's weight the sum of its samples' in µs,
 * rounded, and at least 1 when not zero (stacks weighing 0 are left out). Ends with a newline
 * unless empty. A sample with an empty stack counts as `(program)`, as in V8.
 */
export function toFolded(profile: Profile, options: FoldedOptions = {}): string {
  const names = profile.frames.map(frameName);
  const threads = new Map<number, ProfileThread>(profile.threads.map((t) => [t.id, t]));
  const labels = new Map<number, string>();
  const label = (id: number): string => {
    let text = labels.get(id);
    if (text === undefined) {
      text = clean(threadLabel(threads.get(id), id));
      labels.set(id, text);
    }
    return text;
  };

  const weights = new Map<string, number>();
  for (const sample of profile.samples) {
    const parts = sample.stack.map((index) => {
      const name = names[index];
      if (name === undefined) throw missingFrame(index);
      return name;
    });
    if (parts.length === 0) parts.push('(program)');
    if (options.byThread === true) parts.unshift(label(sample.threadId));
    const stack = parts.join(';');
    weights.set(stack, (weights.get(stack) ?? 0) + sample.weightUs);
  }

  const lines: string[] = [];
  for (const stack of [...weights.keys()].sort()) {
    const weight = weights.get(stack) as number;
    if (weight > 0) lines.push(`${stack} ${Math.max(1, Math.round(weight))}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
