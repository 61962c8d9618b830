// Chrome DevTools / VS Code `.cpuprofile`: the JSON of the DevTools protocol's `Profiler.Profile`.
// Spec: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile
// (nodes: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-ProfileNode,
// call frames: https://chromedevtools.github.io/devtools-protocol/tot/Runtime/#type-CallFrame).
//
// As V8 writes it: times in microseconds of the monotonic clock, `timeDeltas[0]` from `startTime`,
// lines and columns 0-based (-1 when unknown), script ids as strings ('0' when unknown), the tree's
// root named `(root)` and time without JavaScript as `(idle)`, `(garbage collector)` and `(program)`.

import type { Profile, ProfileFrame, ProfileThread } from '../model';
import { byTime, missingFrame, SPECIAL_FRAME_NAMES } from './names';

export interface CpuProfileCallFrame {
  /** `''` for an anonymous function (DevTools shows `(anonymous)`). */
  functionName: string;
  scriptId: string;
  url: string;
  /** 0-based; -1 when unknown. */
  lineNumber: number;
  /** 0-based; -1 when unknown. */
  columnNumber: number;
}

export interface CpuProfileNode {
  /** Unique in the profile; the root is 1 and ids follow the tree in pre-order. */
  id: number;
  callFrame: CpuProfileCallFrame;
  /** Samples whose innermost frame is this node. */
  hitCount: number;
  /** Child node ids (present, maybe empty, on every node). */
  children: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** Microseconds (monotonic clock). */
  startTime: number;
  endTime: number;
  /** Node id of each sample's innermost frame, in time order. */
  samples: number[];
  /** Microseconds between samples; the first is from `startTime`. */
  timeDeltas: number[];
}

interface TreeNode {
  callFrame: CpuProfileCallFrame;
  hitCount: number;
  /** Keyed by frame index (frames are interned, so one index is one function), or by the kind of
   * a pseudo-frame: one `(program)` node for empty stacks and `program` frames alike. */
  children: Map<number | string, TreeNode>;
  id: number;
}

const ROOT_FRAME: CpuProfileCallFrame = {
  functionName: '(root)',
  scriptId: '0',
  url: '',
  lineNumber: -1,
  columnNumber: -1,
};

function callFrame(frame: ProfileFrame): CpuProfileCallFrame {
  if (frame.special !== undefined) {
    return { ...ROOT_FRAME, functionName: SPECIAL_FRAME_NAMES[frame.special] };
  }
  return {
    functionName: frame.functionName,
    scriptId: String(frame.scriptId),
    url: frame.url,
    lineNumber: frame.line - 1,
    columnNumber: frame.column - 1,
  };
}

/**
 * The profile as a `.cpuprofile`, with the samples of the threads `filter` accepts (default: all
 * threads, merged into one tree). A sample with an empty stack counts as `(program)`, as in V8.
 * DevTools derives durations from the timestamps, so with a filter the time other threads ran
 * between two kept samples is charged to the earlier one.
 */
export function toCpuProfile(
  profile: Profile,
  filter?: (thread: ProfileThread) => boolean,
): CpuProfile {
  const kept =
    filter === undefined
      ? undefined
      : new Set(profile.threads.filter((thread) => filter(thread)).map((thread) => thread.id));
  const samples = byTime(
    kept === undefined
      ? profile.samples
      : profile.samples.filter((sample) => kept.has(sample.threadId)),
  );

  const root: TreeNode = { callFrame: ROOT_FRAME, hitCount: 0, children: new Map(), id: 0 };
  const child = (
    parent: TreeNode,
    key: number | string,
    make: () => CpuProfileCallFrame,
  ): TreeNode => {
    let node = parent.children.get(key);
    if (node === undefined) {
      node = { callFrame: make(), hitCount: 0, children: new Map(), id: 0 };
      parent.children.set(key, node);
    }
    return node;
  };

  const leaves: TreeNode[] = [];
  for (const sample of samples) {
    let node = root;
    if (sample.stack.length === 0) {
      node = child(root, 'program', () => ({ ...ROOT_FRAME, functionName: '(program)' }));
    }
    for (const index of sample.stack) {
      const frame = profile.frames[index];
      if (frame === undefined) throw missingFrame(index);
      node = child(node, frame.special ?? index, () => callFrame(frame));
    }
    node.hitCount++;
    leaves.push(node);
  }

  // Number the nodes in pre-order (parents before children, as V8 writes them), iteratively:
  // stacks can be deeper than the call stack this runs on.
  const nodes: CpuProfileNode[] = [];
  const pending: TreeNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as TreeNode;
    node.id = nodes.length + 1;
    nodes.push({ id: node.id, callFrame: node.callFrame, hitCount: node.hitCount, children: [] });
    pending.push(...[...node.children.values()].reverse());
  }
  const byId = (node: TreeNode) => nodes[node.id - 1] as CpuProfileNode;
  const link = [root];
  while (link.length > 0) {
    const node = link.pop() as TreeNode;
    for (const c of node.children.values()) {
      byId(node).children.push(c.id);
      link.push(c);
    }
  }

  // DevTools takes a sample to last until the next one, while a sample of the model stands for
  // the time before it (its weight). So each sample is placed where its weight starts: the
  // samples, in time order, laid end to end from the start. Absolute times are rounded, then
  // differenced: rounding each delta would drift.
  const startTime = Math.round(profile.startTimeUs);
  const timeDeltas: number[] = [];
  let previous = startTime;
  let elapsed = 0;
  for (const sample of samples) {
    const time = Math.round(profile.startTimeUs + elapsed);
    timeDeltas.push(time - previous);
    previous = time;
    elapsed += sample.weightUs;
  }

  return {
    nodes,
    startTime,
    endTime: Math.max(Math.round(profile.endTimeUs), Math.round(profile.startTimeUs + elapsed)),
    samples: leaves.map((node) => node.id),
    timeDeltas,
  };
}
