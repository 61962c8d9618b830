// speedscope's file format -> the profile model.
// Spec: https://www.speedscope.app/file-format-schema.json
// (types in https://github.com/jlfwong/speedscope/blob/main/src/lib/file-format-spec.ts).
//
// Each profile becomes a logical thread: `sampled` ones sample by sample, laid out by weight as
// speedscope does; `evented` ones (open/close events) as one sample per stretch of time between
// two events while something is open. A profile named like a fiberscope thread label (`main`,
// `fiber #12 "GET /orders"`, `fiber #12`) gets that thread back; any other becomes a fiber named
// after it, numbered from 1. fiberscope's own merged `all threads` profile is not a thread (it
// repeats the others), but its order is the samples' order in time: when the thread profiles
// interleave into it, each sample's time is where it lies in the merged profile, so that the
// threads share one timeline and exporting again gives the same file. Values convert to
// microseconds; `none` and `bytes` are taken as microseconds.
// The format has no waiting time: each thread's wall time is its profile's span, its wait 0.

import { isRecord, type Json } from '../../util/json';
import type { Profile, ProfileFrame, ProfileSample, ProfileThread } from '../model';
import { busyFigures, isNumber, parseJson, SPECIAL_OF_NAME } from './json';

const UNIT_US: Record<string, number> = {
  none: 1,
  nanoseconds: 0.001,
  microseconds: 1,
  milliseconds: 1000,
  seconds: 1_000_000,
  bytes: 1,
};

function fail(why: string): never {
  throw new Error(`not a speedscope file: ${why}`);
}

/** True when `json` has the shape of a speedscope file (`shared` and `profiles`), for sniffing. */
export function looksLikeSpeedscope(json: unknown): boolean {
  return isRecord(json) && isRecord(json.shared) && Array.isArray(json.profiles);
}

/** `main`, `fiber #12 "name"`, `fiber #12` back to a thread's id, kind and name. */
function parseLabel(label: string): Pick<ProfileThread, 'id' | 'kind' | 'name'> | undefined {
  if (label === 'main') return { id: 0, kind: 'main', name: 'main' };
  // Fiber ids start at 1: `fiber #0` is just a name.
  const match = /^fiber #([1-9]\d*)(?: (".*"))?$/s.exec(label);
  if (!match) return undefined;
  let name = '';
  if (match[2] !== undefined) {
    try {
      name = JSON.parse(match[2]);
    } catch {
      return undefined;
    }
  }
  return { id: Number(match[1]), kind: 'fiber', name };
}

interface Thread {
  profile: Json;
  index: number;
  identity: Pick<ProfileThread, 'id' | 'kind' | 'name'> | undefined;
}

/** Parses a speedscope file's text into the model, one logical thread per profile. */
export function fromSpeedscope(text: string): Profile {
  const json = parseJson(text);
  if (!looksLikeSpeedscope(json)) fail('expected an object with "shared" and "profiles"');
  const file = json as Json;
  const shared = file.shared as Json;
  if (!Array.isArray(shared.frames)) fail('"shared.frames" must be an array');
  const frames: ProfileFrame[] = shared.frames.map((frame: unknown, i) => {
    if (!isRecord(frame) || typeof frame.name !== 'string') fail(`frame ${i} has no "name"`);
    const url = typeof frame.file === 'string' ? frame.file : '';
    const out: ProfileFrame = {
      functionName: frame.name,
      url,
      line: isNumber(frame.line) && frame.line > 0 ? frame.line : 0,
      column: isNumber(frame.col) && frame.col > 0 ? frame.col : 0,
      scriptId: 0,
    };
    const special = url === '' ? SPECIAL_OF_NAME[frame.name] : undefined;
    if (special !== undefined) out.special = special;
    return out;
  });
  const checkFrame = (index: unknown, where: string): number => {
    if (!Number.isInteger(index) || frames[index as number] === undefined) {
      fail(`${where} refers to frame ${String(index)}, not in "shared.frames"`);
    }
    return index as number;
  };

  const profiles = file.profiles as unknown[];
  if (profiles.length === 0) fail('"profiles" is empty');
  // fiberscope's merged profile repeats the others (unless it is the only one).
  const skipMerged =
    typeof file.exporter === 'string' &&
    file.exporter.startsWith('fiberscope') &&
    profiles.length > 1;
  const kept: Thread[] = [];
  let merged: Json | undefined;
  profiles.forEach((profile, index) => {
    if (!isRecord(profile)) fail(`profiles[${index}] is not an object`);
    if (profile.type !== 'sampled' && profile.type !== 'evented') {
      fail(`profiles[${index}] has type ${JSON.stringify(profile.type)}, not sampled or evented`);
    }
    if (typeof profile.unit !== 'string' || !(profile.unit in UNIT_US)) {
      fail(`profiles[${index}] has an unknown unit ${JSON.stringify(profile.unit)}`);
    }
    if (!isNumber(profile.startValue) || !isNumber(profile.endValue)) {
      fail(`profiles[${index}] needs numeric "startValue" and "endValue"`);
    }
    const name = typeof profile.name === 'string' ? profile.name : '';
    if (skipMerged && name === 'all threads') {
      merged ??= profile;
      return;
    }
    kept.push({ profile, index, identity: parseLabel(name) });
  });

  // Thread ids: from the labels, then fresh ones (from 1) for the rest and for repeated ids.
  const used = new Set<number>();
  for (const thread of kept) {
    if (thread.identity === undefined) continue;
    if (used.has(thread.identity.id)) thread.identity = undefined;
    else used.add(thread.identity.id);
  }
  let nextId = 1;
  for (const thread of kept) {
    if (thread.identity !== undefined) continue;
    while (used.has(nextId)) nextId++;
    used.add(nextId);
    thread.identity = { id: nextId, kind: 'fiber', name: String(thread.profile.name ?? '') };
  }

  const scale = (profile: Json) => UNIT_US[profile.unit as string] as number;
  const startTimeUs = Math.min(
    ...kept.map(({ profile }) => (profile.startValue as number) * scale(profile)),
  );
  const endTimeUs = Math.max(
    ...kept.map(({ profile }) => (profile.endValue as number) * scale(profile)),
  );
  const owns: ProfileSample[][] = [];
  const threads: ProfileThread[] = [];
  const weights: number[] = [];
  for (const { profile, index, identity } of kept) {
    const { id, kind, name } = identity as NonNullable<Thread['identity']>;
    const us = scale(profile);
    const where = `profiles[${index}]`;
    const own: ProfileSample[] = [];
    if (profile.type === 'sampled') {
      const stacks = profile.samples;
      const values = profile.weights;
      if (!Array.isArray(stacks) || !Array.isArray(values) || stacks.length !== values.length) {
        fail(`${where} needs "samples" and "weights" arrays of the same length`);
      }
      let at = profile.startValue as number;
      stacks.forEach((stack: unknown, i) => {
        const weight = values[i];
        if (!Array.isArray(stack)) fail(`${where}.samples[${i}] is not an array`);
        if (!isNumber(weight) || weight < 0) fail(`${where}.weights[${i}] is not a weight`);
        own.push({
          timeUs: at * us - startTimeUs,
          weightUs: weight * us,
          threadId: id,
          stack: stack.map((frame, j) => checkFrame(frame, `${where}.samples[${i}][${j}]`)),
        });
        weights.push(weight * us);
        at += weight;
      });
    } else {
      const events = profile.events;
      if (!Array.isArray(events)) fail(`${where} needs an "events" array`);
      const open: number[] = [];
      let last = profile.startValue as number;
      const until = (at: number) => {
        if (open.length > 0 && at > last) {
          own.push({
            timeUs: last * us - startTimeUs,
            weightUs: (at - last) * us,
            threadId: id,
            stack: [...open],
          });
        }
      };
      events.forEach((event: unknown, i) => {
        const at = isRecord(event) ? event.at : undefined;
        if (!isRecord(event) || !isNumber(at) || (event.type !== 'O' && event.type !== 'C')) {
          fail(`${where}.events[${i}] is not an open or close event`);
        }
        if (at < last) fail(`${where}.events[${i}] is earlier than the event before it`);
        const frame = checkFrame(event.frame, `${where}.events[${i}]`);
        until(at);
        last = at;
        if (event.type === 'O') open.push(frame);
        else if (open[open.length - 1] === frame) open.pop();
        else fail(`${where}.events[${i}] closes frame ${frame}, which is not the innermost open`);
      });
      until(Math.max(last, profile.endValue as number));
    }
    const busy = busyFigures(own, frames);
    owns.push(own);
    threads.push({
      id,
      name,
      kind,
      cpuMs: busy.cpuMs,
      wallMs:
        Math.max(0, ((profile.endValue as number) - (profile.startValue as number)) * us) / 1000,
      waitMs: 0,
      samples: busy.samples,
    });
  }
  const owners = merged === undefined ? undefined : interleaving(merged, kept);
  let samples: ProfileSample[];
  if (owners === undefined) samples = owns.flat();
  else {
    // Each thread's samples in turn as the merged profile lists them, laid out by its weights.
    const us = scale(merged as Json);
    const next = owns.map(() => 0);
    let at = (merged as Json).startValue as number;
    samples = owners.map((owner, i) => {
      const sample = (owns[owner] as ProfileSample[])[(next[owner] as number)++] as ProfileSample;
      sample.timeUs = at * us - startTimeUs;
      at += ((merged as Json).weights as number[])[i] as number;
      return sample;
    });
  }
  threads.sort((a, b) => a.id - b.id);
  weights.sort((a, b) => a - b);

  return {
    startTimeUs,
    endTimeUs: Math.max(startTimeUs, endTimeUs),
    intervalUs: Math.round(weights[Math.floor(weights.length / 2)] ?? 0),
    frames,
    samples,
    threads,
  };
}

/**
 * For each sample of fiberscope's merged profile, the index in `kept` of the thread profile it is
 * the next sample of (same stack, same weight), such that each thread's samples are its merged
 * ones in order; undefined when they do not interleave so (a file edited by hand or by another
 * tool) or when telling how takes too long. Samples alike on several threads are tried on each,
 * the lowest index first, going back where that leads nowhere.
 */
function interleaving(merged: Json, kept: readonly Thread[]): number[] | undefined {
  const keysOf = (profile: Json): string[] | undefined => {
    const { samples, weights } = profile;
    if (!Array.isArray(samples) || !Array.isArray(weights)) return undefined;
    if (samples.length !== weights.length) return undefined;
    return samples.map((stack, i) => `${String(weights[i])}:${String(stack)}`);
  };
  const unit = merged.unit;
  if (merged.type !== 'sampled' || merged.startValue !== 0) return undefined;
  const wanted = keysOf(merged);
  if (wanted === undefined) return undefined;
  const lists: string[][] = [];
  for (const { profile } of kept) {
    const keys = profile.type === 'sampled' && profile.unit === unit ? keysOf(profile) : undefined;
    if (keys === undefined) return undefined;
    lists.push(keys);
  }
  if (lists.reduce((sum, keys) => sum + keys.length, 0) !== wanted.length) return undefined;

  // The threads by the key of their next sample.
  const waiting = new Map<string, number[]>();
  const next = lists.map(() => 0);
  const enter = (thread: number) => {
    const key = (lists[thread] as string[])[next[thread] as number];
    if (key === undefined) return;
    const threads = waiting.get(key);
    if (threads === undefined) waiting.set(key, [thread]);
    else {
      threads.push(thread);
      threads.sort((a, b) => a - b);
    }
  };
  const leave = (thread: number) => {
    const key = (lists[thread] as string[])[next[thread] as number];
    if (key === undefined) return;
    const threads = waiting.get(key) as number[];
    threads.splice(threads.indexOf(thread), 1);
    if (threads.length === 0) waiting.delete(key);
  };
  for (let thread = 0; thread < lists.length; thread++) enter(thread);

  const owners: number[] = [];
  // The threads still to try at each position up to the current one.
  const untried: number[][] = [];
  let budget = 16 * wanted.length + 10_000;
  let i = 0;
  while (i < wanted.length) {
    if (--budget < 0) return undefined;
    untried[i] ??= [...(waiting.get(wanted[i] as string) ?? [])];
    const thread = (untried[i] as number[]).shift();
    if (thread === undefined) {
      // No thread goes on from here: take back the choice before.
      untried.length = i;
      i--;
      if (i < 0) return undefined;
      const back = owners[i] as number;
      leave(back);
      next[back] = (next[back] as number) - 1;
      enter(back);
      continue;
    }
    leave(thread);
    next[thread] = (next[thread] as number) + 1;
    enter(thread);
    owners[i] = thread;
    i++;
  }
  return owners;
}
