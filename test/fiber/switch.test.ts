// How fibers switch: in user space by default (no kernel context switch, no CPU pinning), by
// kernel hand-offs with FIBERSCOPE_SWITCH=kernel. Each case runs in a child process: the mode
// is chosen once per process.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runScript } from '../helpers/child';

const clusterFixture = fileURLToPath(new URL('./fixtures/cluster-masks.js', import.meta.url));

const user = { FIBERSCOPE_SWITCH: 'user' };
const kernel = { FIBERSCOPE_SWITCH: 'kernel' };

// Context switches of the process's main kernel thread, as the kernel counts them.
const countSwitches = `
  const fs = require('node:fs');
  const switches = () => {
    const status = fs.readFileSync('/proc/' + process.pid + '/task/' + process.pid + '/status', 'utf8');
    return Number(/voluntary_ctxt_switches:\\s+(\\d+)/.exec(status)[1]) +
      Number(/nonvoluntary_ctxt_switches:\\s+(\\d+)/.exec(status)[1]);
  };
`;

const roundTrips = `${countSwitches}
  const { Fiber } = require('fiberscope');
  const fiber = new Fiber(() => { for (;;) Fiber.yield(); });
  fiber.run();
  const before = switches();
  for (let i = 0; i < 100000; i++) fiber.run();
  console.log(JSON.stringify({ mode: Fiber.switchMode, switches: switches() - before }));
`;

describe('switch modes', () => {
  it('switches in user space by default, and in the kernel with FIBERSCOPE_SWITCH=kernel', () => {
    const script = `
      const { Fiber } = require('fiberscope');
      console.log(JSON.stringify([Fiber.switchMode, Fiber.switchModeReason]));
    `;
    const byDefault = runScript(script, { env: { FIBERSCOPE_SWITCH: '' } });
    expect(byDefault.stderr).toBe('');
    expect(JSON.parse(byDefault.stdout)).toEqual(['user', '']);
    const asked = runScript(script, { env: kernel });
    expect(asked.stderr).toBe('');
    expect(JSON.parse(asked.stdout)).toEqual(['kernel', '']);
  });

  it('rejects an unknown FIBERSCOPE_SWITCH value with a clear error', () => {
    const child = runScript(`require('fiberscope')`, { env: { FIBERSCOPE_SWITCH: 'fast' } });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain(
      'RangeError: FIBERSCOPE_SWITCH must be "user" or "kernel", not "fast"',
    );
  });

  it('makes no kernel context switch per round trip in user mode (100,000 round trips)', () => {
    const child = runScript(roundTrips, { env: user });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.mode).toBe('user');
    // Preemption by the timer tick on a busy machine is all that is left: far below one a trip.
    expect(result.switches).toBeLessThan(2000);
  });

  it('makes one kernel context switch or more per round trip in kernel mode', () => {
    const child = runScript(roundTrips, { env: kernel, timeoutMs: 60_000 });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.mode).toBe('kernel');
    expect(result.switches).toBeGreaterThan(50_000);
  });
});

describe('CPU placement in user mode', () => {
  const masks = `
    const fs = require('node:fs');
    const mask = (task) => /Cpus_allowed_list:\\s+(.*)/.exec(fs.readFileSync('/proc/self/task/' + task + '/status', 'utf8'))[1];
    const allMasks = () => fs.readdirSync('/proc/self/task').map(mask);
  `;

  it('pins nothing: every thread keeps the mask it was given, pinThreads or not', () => {
    const child = runScript(
      `${masks}
      const { Fiber, wait } = require('fiberscope');
      const before = mask(process.pid);
      const fibers = [];
      for (let i = 0; i < 8; i++) {
        const fiber = new Fiber(() => { Fiber.yield(); return mask(process.pid); });
        fiber.run();
        fibers.push(fiber);
      }
      const inside = fibers.map((fiber) => fiber.run());
      console.log(JSON.stringify({ before, inside: [...new Set(inside)], all: [...new Set(allMasks())], pinThreads: Fiber.pinThreads }));
    `,
      { env: user },
    );
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.pinThreads).toBe(true);
    expect(result.inside).toEqual([result.before]);
    expect(result.all).toEqual([result.before]);
  });

  it('leaves four cluster workers running fibers on every CPU they were given', () => {
    const child = runScript(`require(${JSON.stringify(clusterFixture)})`, {
      env: user,
      timeoutMs: 60_000,
    });
    expect(child.stderr).toBe('');
    const { given, seen } = JSON.parse(child.stdout);
    expect(seen).toHaveLength(4);
    for (const worker of seen) {
      expect(worker).toEqual({ mode: 'user', inside: [given], all: [given] });
    }
  });
});
