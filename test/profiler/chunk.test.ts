// Profiler#takeChunk() hands out what was recorded so far; assembleProfile() builds the profile
// from the chunks, the same way stop() builds it from its one chunk.
import { assembleProfile, type ProfileChunk } from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import { inChild } from '../helpers/profile';

const chunk = (fields: Partial<ProfileChunk>): ProfileChunk => ({
  startTimeUs: 1000,
  endTimeUs: 2000,
  intervalUs: 100,
  firstFrame: 0,
  frames: [],
  firstStack: 0,
  stacks: [],
  samples: [],
  events: [],
  marks: [],
  names: [],
  dropped: 0,
  ...fields,
});

describe('Profiler#takeChunk() and assembleProfile()', () => {
  it('chunks taken while fibers run assemble to what one chunk of the same data gives', () => {
    const result = inChild(new URL('./fixtures/chunks-while-fibers-run.js', import.meta.url));
    expect(result.chunks as number).toBeGreaterThan(2);
    expect(result.same).toBe(true);
    expect((result.samples as number[])[0]).toBeGreaterThan(0);
    // The chunks' weights cover the whole span: a take loses no time between two chunks.
    expect(Math.abs((result.weightsMs as number) - (result.spanMs as number))).toBeLessThan(2);
    // Each position is interned once, whichever chunk first saw it: later chunks refer to it.
    expect(result.duplicateFrames).toBe(0);
    // So is each stack: a sample refers to it by id, whichever chunk first saw it.
    expect(result.stacks as number).toBeGreaterThan(0);
    expect(result.duplicateStacks).toBe(0);
    expect(result.stackArrays).toBe(result.distinctStacks);
    expect(result.stackArrays as number).toBeLessThan(result.jsSamples as number);
    expect(result.burnThreads).toEqual(['worker 1', 'worker 2', 'worker 3']);
    expect(result.names).toEqual(['main', 'worker 1', 'worker 2', 'worker 3']);
  });

  it('keeps fiber names across chunks, a name taken back to the default included', () => {
    const result = inChild(new URL('./fixtures/chunks-fiber-names.js', import.meta.url));
    expect(result.names).toEqual(['', 'kept', '']);
    // Unnamed fibers cost no entry: only names, and the renaming, are handed out.
    expect(result.listed).toEqual([['x', 'kept'], ['']]);
  });

  it('rejects an empty list, a missing chunk and chunks of two profiles', () => {
    expect(() => assembleProfile([])).toThrow('assembleProfile() needs at least one chunk');
    const frame = { functionName: 'f', url: '/a.js', line: 1, column: 1, scriptId: 1 };
    expect(() =>
      assembleProfile([chunk({ frames: [frame] }), chunk({ firstFrame: 2, frames: [frame] })]),
    ).toThrow(
      'chunks[1] starts at frame 2, but 1 frames came before it: a chunk is missing or out of order',
    );
    expect(() =>
      assembleProfile([
        chunk({ frames: [frame], stacks: [[-1, 0]] }),
        chunk({ firstFrame: 1, firstStack: 0, stacks: [[-1, 0]] }),
      ]),
    ).toThrow(
      'chunks[1] starts at stack 0, but 1 stacks came before it: a chunk is missing or out of order',
    );
    expect(() => assembleProfile([chunk({ stacks: [[0, 0]] })])).toThrow(
      'chunks[0].stacks[0] has a parent (0) that is not an earlier stack',
    );
    expect(() => assembleProfile([chunk({ stacks: [[-1, 0]] })])).toThrow(
      'chunks[0].stacks[0] has a frame (0) that no chunk so far holds',
    );
    expect(() => assembleProfile([chunk({ samples: [[1000, 10, 0, 0, 0]] })])).toThrow(
      'chunks[0] has a sample of an unknown stack (0)',
    );
    expect(() => assembleProfile(undefined as unknown as ProfileChunk[])).toThrow(
      new TypeError('assembleProfile() expects an array of chunks'),
    );
    expect(() => assembleProfile([null as unknown as ProfileChunk])).toThrow(
      new TypeError('chunks[0] is not a chunk: null'),
    );
    const { firstStack, stacks, ...older } = chunk({});
    expect(() => assembleProfile([older as ProfileChunk])).toThrow(
      "chunks[0] has no stacks: it is not a chunk of this version of fiberscope's profiler",
    );
    expect(() => assembleProfile([chunk({}), chunk({ startTimeUs: 5 })])).toThrow(
      'chunks[1] is from another profile (another startTimeUs)',
    );
  });

  it('stop() after takeChunk(), and any use after the end, throw clear errors', () => {
    const result = inChild(new URL('./fixtures/chunks-misuse.js', import.meta.url));
    expect(result.errors).toEqual([
      'Error: Chunks were taken from this profiler: end it with stopChunk() and pass every chunk to assembleProfile()',
      'Error: The profiler was already stopped',
      'Error: The profiler was already stopped',
      'Error: The profiler was already stopped',
    ]);
    expect(result.last).toBe('number');
  });

  it('the native takeSamples(), internCaller() and stopSampling() reject misuse without crashing', () => {
    const result = inChild(new URL('./fixtures/native-sampling-misuse.js', import.meta.url));
    expect(result.errors).toEqual([
      'Error: The profiler is not running',
      'Error: The profiler is not running',
      'Error: The profiler is not running',
      'TypeError: takeSamples() expects no arguments',
      "TypeError: internCaller() expects one string: the own files' prefix",
      "TypeError: internCaller() expects one string: the own files' prefix",
      "TypeError: internCaller() expects one string: the own files' prefix",
      'TypeError: stopSampling() expects no arguments',
    ]);
    // The caller's frame was interned (and handed out with the next take); '' skips everything.
    expect(result.id as number).toBeGreaterThanOrEqual(0);
    expect(result.none).toBe(-1);
    expect(result.frames as number).toBeGreaterThan(result.id as number);
  });
});
