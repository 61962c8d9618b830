// The package loads both ways users load it, and the CPU pinning does what the docs say.
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/child';

describe('module formats', () => {
  it('import works, with named exports', () => {
    const child = runScript(
      `
      import { Fiber, Future, recordFiberEvents, spawn, sync, wait } from 'fiberscope';
      import FiberCompat from 'fiberscope/fibers';
      import FutureCompat from 'fiberscope/future';
      const value = await spawn(() => wait(Promise.resolve(20)) + 1);
      console.log(typeof Fiber, typeof Future, typeof recordFiberEvents, typeof sync, value,
        FiberCompat.prototype === Fiber.prototype, FutureCompat === Future);
      `,
      { nodeArgs: ['--input-type=module'] },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('function function function function 21 true true\n');
  });

  it('require works, and fiberscope/fibers is the constructor itself', () => {
    const child = runScript(`
      const { Fiber, Future, spawn, wait } = require('fiberscope');
      const FiberCompat = require('fiberscope/fibers');
      const FutureCompat = require('fiberscope/future');
      const fiber = FiberCompat(() => FiberCompat.yield(FiberCompat.current instanceof Fiber));
      console.log(fiber.run(), typeof FutureCompat.wrap, FutureCompat === Future, typeof spawn, typeof wait);
    `);
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('true function true function function\n');
  });
});

describe('CPU pinning (kernel mode)', () => {
  const readMasks = `
    const fs = require('node:fs');
    const mask = (task) => /Cpus_allowed_list:\\s+(.*)/.exec(fs.readFileSync('/proc/self/task/' + task + '/status', 'utf8'))[1];
  `;

  it('pins the main thread and its fiber threads to one CPU at the first fiber, and pinThreads = false undoes it', () => {
    const child = runScript(
      `${readMasks}
      const { Fiber } = require('fiberscope');
      const before = mask(process.pid);
      let fiberMask;
      new Fiber(() => { fiberMask = mask(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()); }).run();
      const pinned = mask(process.pid);
      Fiber.pinThreads = false;
      console.log(JSON.stringify({ before, pinned, fiberMask, after: mask(process.pid), flag: Fiber.pinThreads }));
    `,
      { env: { FIBERSCOPE_SWITCH: 'kernel' } },
    );
    expect(child.stderr).toBe('');
    const masks = JSON.parse(child.stdout);
    expect(masks.pinned).toMatch(/^\d+$/);
    expect(masks.fiberMask).toBe(masks.pinned);
    expect(masks.after).toBe(masks.before);
    expect(masks.flag).toBe(false);
  });

  it('FIBERSCOPE_PIN_THREADS=0 leaves the masks alone', () => {
    const child = runScript(
      `${readMasks}
      const { Fiber } = require('fiberscope');
      const before = mask(process.pid);
      new Fiber(() => {}).run();
      console.log(JSON.stringify({ same: before === mask(process.pid), flag: Fiber.pinThreads }));
    `,
      { env: { FIBERSCOPE_PIN_THREADS: '0', FIBERSCOPE_SWITCH: 'kernel' } },
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ same: true, flag: false });
  });

  it('rejects a non-boolean, and changes from inside a fiber', () => {
    const child = runScript(`
      const { Fiber } = require('fiberscope');
      const messages = [];
      try { Fiber.pinThreads = 'yes'; } catch (error) { messages.push(error.constructor.name + ': ' + error.message); }
      new Fiber(() => {
        try { Fiber.pinThreads = false; } catch (error) { messages.push(error.message); }
      }).run();
      console.log(JSON.stringify(messages));
    `);
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([
      'TypeError: pinThreads must be a boolean',
      'pinThreads can only be changed outside of fibers',
    ]);
  });
});
