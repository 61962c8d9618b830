// The sampler sees every thread of the isolate and says which fiber each sample ran on.
import { FiberProfile, type Profile } from 'fiberscope/profiler';
import { describe, expect, it } from 'vitest';
import { inChild as profile } from '../helpers/profile';

describe('startProfiling()', () => {
  it('attributes CPU burned inside fibers to those fibers, by name', () => {
    const result = profile(`
      const profiler = startProfiling({ intervalUs: 500 });
      function inHeavy() { return burn(60); }
      function inLight() { return burn(20); }
      await Promise.all([
        spawn(() => { for (let i = 0; i < 3; i++) { inHeavy(); wait(tick()); } }, { name: 'heavy' }),
        spawn(() => { for (let i = 0; i < 3; i++) { inLight(); wait(tick()); } }, { name: 'light' }),
      ]);
      function onMain() { return burn(40); }
      onMain();
      const profile = profiler.stop();
      const byName = Object.fromEntries(profile.threads.map((t) => [t.name, t]));
      const leaves = {};
      for (const sample of profile.samples) {
        const thread = profile.threads.find((t) => t.id === sample.threadId).name;
        const stack = sample.stack.map((i) => profile.frames[i].functionName);
        for (const fn of ['inHeavy', 'inLight', 'onMain']) if (stack.includes(fn)) (leaves[fn] ??= new Set()).add(thread);
      }
      console.log(JSON.stringify({
        names: profile.threads.map((t) => t.name),
        kinds: profile.threads.map((t) => t.kind),
        heavyMs: byName.heavy.cpuMs, lightMs: byName.light.cpuMs,
        heavyWait: byName.heavy.waitMs, heavyWall: byName.heavy.wallMs,
        where: Object.fromEntries(Object.entries(leaves).map(([fn, set]) => [fn, [...set]])),
      }));
    `);
    expect(result.names).toEqual(['main', 'heavy', 'light']);
    expect(result.kinds).toEqual(['main', 'fiber', 'fiber']);
    // Each function's samples landed on its own logical thread only.
    expect(result.where).toEqual({ inHeavy: ['heavy'], inLight: ['light'], onMain: ['main'] });
    // 180 ms against 60 ms of CPU: the heavy fiber gets clearly more (the bench measures how
    // close to the truth; a test only checks the order, the machine being shared).
    expect(result.heavyMs as number).toBeGreaterThan(result.lightMs as number);
    expect(result.heavyWall as number).toBeGreaterThanOrEqual(result.heavyWait as number);
  });

  it('names fibers named before it started: running ones, and ones started later', () => {
    const result = profile(`
      let done = 0;
      const serving = new Fiber(() => { for (let i = 0; i < 4; i++) { burn(5); wait(sleep(5)); } done++; }, { name: 'GET /orders' });
      serving.run();
      const later = new Fiber(() => { burn(5); wait(sleep(5)); burn(5); done++; });
      later.name = 'renamed before';
      const quick = new Fiber(() => burn(3), { name: 'done before a chunk' });
      const profiler = startProfiling({ intervalUs: 500 });
      quick.run();
      later.run();
      const chunks = [];
      while (done < 2) { await sleep(2); chunks.push(profiler.takeChunk()); }
      chunks.push(profiler.stopChunk());
      const profile = assembleProfile(chunks);
      console.log(JSON.stringify(profile.threads.filter((t) => t.kind === 'fiber').map((t) => t.name).sort()));
    `);
    expect(result).toEqual(['GET /orders', 'done before a chunk', 'renamed before']);
  });

  it('records time without JavaScript as idle, and garbage collection as such', () => {
    const result = profile(`
      const profiler = startProfiling({ intervalUs: 1000 });
      await new Promise((resolve) => setTimeout(resolve, 80));
      globalThis.gc();
      burn(5);
      const profile = profiler.stop();
      let idleMs = 0, gcMs = 0;
      for (const sample of profile.samples) {
        const leaf = leafOf(profile, sample);
        if (leaf.special === 'idle') idleMs += sample.weightUs / 1000;
        if (leaf.special === 'gc') gcMs += sample.weightUs / 1000;
      }
      const totalMs = profile.samples.reduce((sum, s) => sum + s.weightUs, 0) / 1000;
      console.log(JSON.stringify({ idleMs, gcMs, totalMs, spanMs: (profile.endTimeUs - profile.startTimeUs) / 1000 }));
    `);
    expect(result.idleMs as number).toBeGreaterThan(50);
    expect(result.gcMs as number).toBeGreaterThan(0);
    // Weights are measured time: together they cover the profile's span.
    expect(Math.abs((result.totalMs as number) - (result.spanMs as number))).toBeLessThan(2);
  });

  it('maps frames of TypeScript compiled with source maps to the .ts file', () => {
    const result = profile(`
      const ts = require('typescript');
      const source = '// header\\n\\ninterface Unused { a: number }\\n\\nexport function burnTs(ms: number): number {\\n  const end = Date.now() + ms;\\n  let x = 0;\\n  while (Date.now() < end) x++;\\n  return x;\\n}\\n';
      const out = ts.transpileModule(source, { fileName: 'burn.ts', compilerOptions: { module: ts.ModuleKind.CommonJS, inlineSourceMap: true } });
      const file = require('node:path').join(require('node:os').tmpdir(), 'fiberscope-profile-' + process.pid + '.js');
      require('node:fs').writeFileSync(file, out.outputText);
      const { burnTs } = require(file);
      const profiler = startProfiling({ intervalUs: 500 });
      await spawn(() => burnTs(60), { name: 'ts' });
      const frames = profiler.stop().frames.filter((frame) => frame.functionName === 'burnTs');
      require('node:fs').unlinkSync(file);
      console.log(JSON.stringify(frames.map((frame) => [frame.url.endsWith('.ts'), frame.line])));
    `);
    // Samples inside burnTs sit in its loop (line 8 of the .ts source); one taken at its entry
    // or its return shows another line of the function (5 to 10), never one of the .js file.
    expect(result.length).toBeGreaterThan(0);
    const frames = result as unknown as Array<[boolean, number]>;
    for (const [isTs, line] of frames) {
      expect(isTs).toBe(true);
      expect(line).toBeGreaterThanOrEqual(5);
      expect(line).toBeLessThanOrEqual(10);
    }
    expect(frames.map(([, line]) => line)).toContain(8);
  });

  it('rejects bad options, a second profiler, and stop() twice', () => {
    const result = profile(`
      const errors = [];
      const attempt = (fn) => { try { fn(); } catch (error) { errors.push(error.constructor.name + ': ' + error.message); } };
      attempt(() => startProfiling({ intervalUs: 10 }));
      attempt(() => startProfiling({ interval: 1000 }));
      attempt(() => startProfiling({ maxDepth: 0 }));
      attempt(() => startProfiling(5));
      const profiler = startProfiling();
      attempt(() => startProfiling());
      profiler.stop();
      attempt(() => profiler.stop());
      console.log(JSON.stringify(errors));
    `);
    expect(result).toEqual([
      'RangeError: Expected the "intervalUs" option to be an integer from 50 to 1000000',
      'TypeError: Unknown option "interval"',
      'RangeError: Expected the "maxDepth" option to be an integer from 1 to 1024',
      'TypeError: Expected the options to be an object',
      'Error: The profiler is already running',
      'Error: The profiler was already stopped',
    ]);
  });
});

describe('new FiberProfile()', () => {
  it('rejects what is not a profile, by name', () => {
    expect(() => new FiberProfile(undefined as unknown as Profile)).toThrow(
      new TypeError('FiberProfile expects a Profile object'),
    );
    expect(() => new FiberProfile({ frames: [], samples: [] } as unknown as Profile)).toThrow(
      new TypeError('FiberProfile expects a Profile: "threads" is not an array'),
    );
  });
});
