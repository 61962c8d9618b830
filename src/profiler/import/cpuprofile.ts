// Chrome DevTools / V8 `.cpuprofile` (what `node --cpu-prof`, DevTools and `fiberscope run
// --profile x.cpuprofile` write) -> the profile model.
// Spec: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile
// (nodes: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-ProfileNode).
//
// The format has no threads: everything becomes one logical thread, `main` (a fiberscope
// `.cpuprofile` holds all fibers merged). Nodes link to their children (`children`, as V8 writes
// them) or to their parent (`parent`, as Chrome's `ProfileChunk` trace events do); the `(root)`
// node is left out of stacks. As DevTools counts it, a sample stands for the time to the next
// sample, the last one for the time to `endTime`. Without `samples`, each node's `hitCount` becomes
// one sample, the profile's span shared evenly among the hits.

import { isRecord, type Json } from '../../util/json';
import type { Profile, ProfileFrame, ProfileSample } from '../model';
import { busyFigures, isNumber, parseJson, SPECIAL_OF_NAME } from './json';

function fail(why: string): never {
  throw new Error(`not a .cpuprofile: ${why}`);
}

/** True when `json` has the shape of a `.cpuprofile` (a `nodes` array), for sniffing a file. */
export function looksLikeCpuProfile(json: unknown): boolean {
  return isRecord(json) && Array.isArray(json.nodes);
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Parses a `.cpuprofile`'s text into the model, with one thread: `main`. */
export function fromCpuProfile(text: string): Profile {
  const json = parseJson(text);
  if (!isRecord(json)) fail('expected a JSON object');
  const { nodes, samples, timeDeltas, startTime, endTime } = json;
  if (!Array.isArray(nodes) || nodes.length === 0) fail('"nodes" must be a non-empty array');
  if (!isNumber(startTime) || !isNumber(endTime)) fail('"startTime" and "endTime" must be numbers');

  // Frames, interned; each node's frame (or undefined for the root).
  const frames: ProfileFrame[] = [];
  const frameIndex = new Map<string, number>();
  const nodeFrame = new Map<number, number | undefined>();
  const parentOf = new Map<number, number>();
  nodes.forEach((node: unknown, i) => {
    if (!isRecord(node) || !isNumber(node.id)) fail(`nodes[${i}] has no numeric "id"`);
    if (nodeFrame.has(node.id)) fail(`node id ${node.id} appears twice`);
    const callFrame = node.callFrame;
    if (!isRecord(callFrame) || typeof callFrame.functionName !== 'string') {
      fail(`nodes[${i}].callFrame has no "functionName"`);
    }
    const url = typeof callFrame.url === 'string' ? callFrame.url : '';
    const line =
      isNumber(callFrame.lineNumber) && callFrame.lineNumber >= 0 ? callFrame.lineNumber + 1 : 0;
    const column =
      isNumber(callFrame.columnNumber) && callFrame.columnNumber >= 0
        ? callFrame.columnNumber + 1
        : 0;
    const scriptId = Number(callFrame.scriptId) || 0;
    const functionName = callFrame.functionName;
    if (Array.isArray(node.children)) {
      for (const child of node.children) {
        if (!isNumber(child)) fail(`nodes[${i}].children must hold node ids`);
        parentOf.set(child, node.id);
      }
    }
    if (isNumber(node.parent)) parentOf.set(node.id, node.parent);
    if (functionName === '(root)' && url === '') {
      nodeFrame.set(node.id, undefined);
      return;
    }
    const special = url === '' ? SPECIAL_OF_NAME[functionName] : undefined;
    const key = JSON.stringify([functionName, url, line, column, scriptId, special ?? '']);
    let index = frameIndex.get(key);
    if (index === undefined) {
      index = frames.length;
      const frame: ProfileFrame = { functionName, url, line, column, scriptId };
      if (special !== undefined) frame.special = special;
      frames.push(frame);
      frameIndex.set(key, index);
    }
    nodeFrame.set(node.id, index);
  });
  for (const [child, parent] of parentOf) {
    if (!nodeFrame.has(child) || !nodeFrame.has(parent)) {
      fail(`node ${nodeFrame.has(child) ? parent : child} is linked to but not in "nodes"`);
    }
  }

  // Each node's stack, root first, memoized; iterative, parents may be listed after children.
  const stacks = new Map<number, number[]>();
  const stackOf = (id: number): number[] => {
    const chain: number[] = [];
    let at: number | undefined = id;
    while (at !== undefined && !stacks.has(at)) {
      chain.push(at);
      if (chain.length > nodes.length) fail('the node tree has a cycle');
      at = parentOf.get(at);
    }
    let stack = at === undefined ? [] : (stacks.get(at) as number[]);
    for (let i = chain.length - 1; i >= 0; i--) {
      const node = chain[i] as number;
      const frame = nodeFrame.get(node);
      stack = frame === undefined ? stack : [...stack, frame];
      stacks.set(node, stack);
    }
    return stack;
  };

  const out: ProfileSample[] = [];
  if (samples !== undefined) {
    if (!Array.isArray(samples) || !Array.isArray(timeDeltas)) {
      fail('"samples" and "timeDeltas" must be arrays');
    }
    if (samples.length !== timeDeltas.length) {
      fail('"samples" and "timeDeltas" must have the same length');
    }
    const timed: Array<{ at: number; id: number }> = [];
    let time = startTime;
    for (let i = 0; i < samples.length; i++) {
      const delta = timeDeltas[i];
      if (!isNumber(delta)) fail(`timeDeltas[${i}] is not a number`);
      const id = samples[i];
      if (!isNumber(id) || !nodeFrame.has(id)) fail(`samples[${i}] is not a node id in "nodes"`);
      time += delta;
      timed.push({ at: time, id });
    }
    // V8 writes a negative delta now and then (a sample recorded out of order): DevTools sorts
    // the samples by time, and so does this (a stable sort), so that no time is counted twice.
    timed.sort((a, b) => a.at - b.at);
    for (let i = 0; i < timed.length; i++) {
      const { at, id } = timed[i] as { at: number; id: number };
      const next =
        i + 1 < timed.length ? (timed[i + 1] as { at: number }).at : Math.max(endTime, at);
      out.push({
        timeUs: at - startTime,
        weightUs: Math.max(0, next - at),
        threadId: 0,
        stack: stackOf(id),
      });
    }
  } else {
    const hits = nodes.map((node: Json) => (isNumber(node.hitCount) ? node.hitCount : 0));
    const total = hits.reduce((sum: number, count: number) => sum + count, 0);
    const each = total > 0 ? (endTime - startTime) / total : 0;
    nodes.forEach((node: Json, i) => {
      const count = hits[i] as number;
      if (count > 0) {
        out.push({
          timeUs: 0,
          weightUs: count * each,
          threadId: 0,
          stack: stackOf(node.id as number),
        });
      }
    });
  }

  const busy = busyFigures(out, frames);
  const deltas = Array.isArray(timeDeltas) ? timeDeltas.filter((d) => isNumber(d) && d > 0) : [];
  return {
    startTimeUs: startTime,
    endTimeUs: Math.max(endTime, startTime),
    intervalUs: Math.round(median(deltas)),
    frames,
    samples: out,
    threads: [
      {
        id: 0,
        name: 'main',
        kind: 'main',
        cpuMs: busy.cpuMs,
        wallMs: Math.max(0, endTime - startTime) / 1000,
        waitMs: 0,
        samples: busy.samples,
      },
    ],
  };
}
