// Misuse of the addon functions behind the REPL's Ctrl-C and .fibers: clear errors, no crash.
import { describe, expect, it } from 'vitest';
import { runScript } from '../helpers/child';

describe('the SIGINT watch', () => {
  it('rejects what is not a fiber, a second watch, and is harmless when idle', () => {
    const result = runScript(`
      const { Fiber } = require('fiberscope');
      const { binding } = require('./dist/fiber/native.js');
      const out = [];
      const attempt = (fn) => { try { fn(); out.push('ok'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); } };
      attempt(() => binding.watchSigint());
      attempt(() => binding.watchSigint({}));
      attempt(() => binding.watchSigint(function () {}));
      out.push(String(binding.claimSigint()), String(binding.raiseSigint()));
      attempt(() => binding.unwatchSigint());
      const fiber = new Fiber(() => Fiber.yield());
      attempt(() => binding.watchSigint(fiber));
      attempt(() => binding.watchSigint(fiber));
      // Raised while the watched fiber is not running: nothing is terminated, the claim is there.
      out.push(String(binding.raiseSigint()), String(binding.claimSigint()), String(binding.claimSigint()));
      fiber.run();
      fiber.run();
      attempt(() => binding.unwatchSigint());
      attempt(() => binding.unwatchSigint());
      console.log(JSON.stringify(out));
    `);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      'TypeError: watchSigint() expects a fiber',
      'TypeError: watchSigint() expects a fiber',
      'TypeError: watchSigint() expects a fiber',
      'false',
      'false',
      'ok',
      'ok',
      'Error: A Ctrl-C watch is already armed',
      'true',
      'true',
      'false',
      'ok',
      'ok',
    ]);
  });

  it('leaves the process to die of SIGINT once disarmed, as before', () => {
    const result = runScript(`
      const { Fiber } = require('fiberscope');
      const { binding } = require('./dist/fiber/native.js');
      binding.watchSigint(new Fiber(() => {}));
      binding.unwatchSigint();
      process.kill(process.pid, 'SIGINT');
      setTimeout(() => console.log('survived'), 500);
    `);
    expect(result.signal).toBe('SIGINT');
    expect(result.stdout).toBe('');
  });

  it('is disarmed when the environment goes away with a watch armed', () => {
    const result = runScript(`
      const { Fiber } = require('fiberscope');
      const { binding } = require('./dist/fiber/native.js');
      binding.watchSigint(new Fiber(() => {}));
      console.log('exiting');
    `);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('exiting');
  });
});

describe('forwardInterrupts', () => {
  it('takes booleans only, nests, and never goes below off', () => {
    const result = runScript(`
      const { Fiber } = require('fiberscope');
      const { binding } = require('./dist/fiber/native.js');
      const out = [];
      const attempt = (fn) => { try { fn(); out.push('ok'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); } };
      attempt(() => binding.forwardInterrupts());
      attempt(() => binding.forwardInterrupts(1));
      attempt(() => binding.forwardInterrupts(false));
      attempt(() => binding.forwardInterrupts(true));
      attempt(() => binding.forwardInterrupts(true));
      // Switches while on: interrupts requested meanwhile still run.
      const fiber = new Fiber(() => { for (let i = 0; i < 1000; i++) Fiber.yield(); });
      for (let i = 0; i < 1001; i++) fiber.run();
      attempt(() => binding.forwardInterrupts(false));
      attempt(() => binding.forwardInterrupts(false));
      attempt(() => binding.forwardInterrupts(false));
      console.log(JSON.stringify(out));
    `);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      'TypeError: forwardInterrupts() expects a boolean',
      'TypeError: forwardInterrupts() expects a boolean',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
  });
});

describe('liveFibers', () => {
  it('lists started fibers only, with their state', () => {
    const result = runScript(`
      const { Fiber } = require('fiberscope');
      const { liveFibers } = require('./dist/fiber/live.js');
      const states = () => liveFibers().map((f) => f.name + ':' + f.state);
      const idle = new Fiber(() => {}, { name: 'idle' });
      const yielded = new Fiber(() => { Fiber.yield(); }, { name: 'yielded' });
      yielded.run();
      let inside;
      const running = new Fiber(() => { inside = states(); }, { name: 'running' });
      running.run();
      const before = states();
      yielded.run();
      console.log(JSON.stringify({ before, inside, after: states() }));
    `);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      inside: ['yielded:suspended', 'running:running'],
      before: ['yielded:suspended'],
      after: [],
    });
  });
});
