// Profiler#takeChunk() hands out what was recorded so far; assembleProfile() builds the profile
// from the chunks, the same way stop() builds it from its one chunk.
import path from 'node:path';
import { assembleProfile, type ProfileChunk } from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/child';
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
    const result = inChild(`
      const profiler = startProfiling({ intervalUs: 500 });
      const chunks = [];
      const taker = setInterval(() => chunks.push(JSON.parse(JSON.stringify(profiler.takeChunk()))), 15);
      function burnInFiber() { return burn(4); }
      await Promise.all([1, 2, 3].map((i) => spawn(() => {
        for (let j = 0; j < 8; j++) { burnInFiber(); wait(sleep(3)); }
      }, { name: 'worker ' + i })));
      burn(10);
      clearInterval(taker);
      chunks.push(profiler.stopChunk());
      // One chunk holding everything, as a single stop() would have handed it out.
      const last = chunks[chunks.length - 1];
      const one = { ...chunks[0], endTimeUs: last.endTimeUs,
        dropped: chunks.reduce((sum, c) => sum + c.dropped, 0) };
      for (const key of ['frames', 'stacks', 'samples', 'events', 'marks', 'names']) one[key] = chunks.flatMap((c) => c[key]);
      const chunked = assembleProfile(chunks);
      const whole = assembleProfile([one]);
      const positions = chunked.frames.filter((f) => !f.special).map((f) => [f.functionName, f.url, f.line, f.column].join(':'));
      const burnThreads = new Set();
      for (const sample of chunked.samples) {
        if (sample.stack.some((i) => chunked.frames[i].functionName === 'burnInFiber')) {
          burnThreads.add(chunked.threads.find((t) => t.id === sample.threadId).name);
        }
      }
      console.log(JSON.stringify({
        chunks: chunks.length,
        same: JSON.stringify(chunked) === JSON.stringify(whole),
        samples: [chunked.samples.length, whole.samples.length],
        weightsMs: chunked.samples.reduce((sum, s) => sum + s.weightUs, 0) / 1000,
        spanMs: (chunked.endTimeUs - chunked.startTimeUs) / 1000,
        duplicateFrames: positions.length - new Set(positions).size,
        stacks: chunks.reduce((sum, c) => sum + c.stacks.length, 0),
        duplicateStacks: (() => {
          const nodes = chunks.flatMap((c) => c.stacks.map((node) => node.join()));
          return nodes.length - new Set(nodes).size;
        })(),
        // Samples of one stack share its array: as many arrays as distinct JavaScript stacks.
        ...(() => {
          const js = chunked.samples.filter((s) => !chunked.frames[s.stack[0]].special);
          return {
            jsSamples: js.length,
            stackArrays: new Set(js.map((s) => s.stack)).size,
            distinctStacks: new Set(js.map((s) => s.stack.join())).size,
          };
        })(),
        burnThreads: [...burnThreads].sort(),
        names: chunked.threads.map((t) => t.name),
      }));
    `);
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
    const result = inChild(`
      const profiler = startProfiling();
      const chunks = [];
      const renamed = new Fiber(() => { Fiber.yield(); Fiber.yield(); }, { name: 'x' });
      const named = new Fiber(() => { Fiber.yield(); }, { name: 'kept' });
      const unnamed = new Fiber(() => { Fiber.yield(); });
      for (const fiber of [renamed, named, unnamed]) fiber.run();
      chunks.push(profiler.takeChunk());
      renamed.name = '';
      for (const fiber of [renamed, named, unnamed]) fiber.run();
      chunks.push(profiler.stopChunk());
      const profile = assembleProfile(chunks);
      const nameOf = (fiber) => profile.threads.find((t) => t.id === fiber.id)?.name;
      console.log(JSON.stringify({
        names: [nameOf(renamed), nameOf(named), nameOf(unnamed)],
        listed: chunks.map((c) => c.names.map(([, name]) => name)),
      }));
    `);
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
    const result = inChild(`
      const errors = [];
      const attempt = (fn) => { try { fn(); errors.push('no error'); } catch (error) { errors.push(error.constructor.name + ': ' + error.message); } };
      const profiler = startProfiling();
      profiler.takeChunk();
      attempt(() => profiler.stop());
      const last = profiler.stopChunk();
      attempt(() => profiler.takeChunk());
      attempt(() => profiler.stopChunk());
      attempt(() => profiler.stop());
      console.log(JSON.stringify({ errors, last: typeof last.endTimeUs }));
    `);
    expect(result.errors).toEqual([
      'Error: Chunks were taken from this profiler: end it with stopChunk() and pass every chunk to assembleProfile()',
      'Error: The profiler was already stopped',
      'Error: The profiler was already stopped',
      'Error: The profiler was already stopped',
    ]);
    expect(result.last).toBe('number');
  });

  it('the native takeSamples(), internCaller() and stopSampling() reject misuse without crashing', () => {
    const result = inChild(
      `
      const { binding } = require(process.argv[1]);
      const errors = [];
      const attempt = (fn) => { try { fn(); errors.push('no error'); } catch (error) { errors.push(error.constructor.name + ': ' + error.message); } };
      attempt(() => binding.takeSamples());
      attempt(() => binding.internCaller('/'));
      attempt(() => binding.stopSampling());
      const profiler = startProfiling();
      attempt(() => binding.takeSamples(1));
      attempt(() => binding.internCaller());
      attempt(() => binding.internCaller(42));
      attempt(() => binding.internCaller('a', 'b'));
      attempt(() => binding.stopSampling(true));
      const id = binding.internCaller('/nothing-starts-with-this/');
      const none = binding.internCaller('');
      const chunk = binding.takeSamples();
      profiler.stopChunk();
      console.log(JSON.stringify({ errors, id, none, frames: chunk.frames.length }));
    `,
      [path.join(repoRoot, 'dist', 'fiber', 'native.js')],
    );
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
