// How fibers switch: in user space by default (no kernel context switch, no CPU pinning), by
// kernel hand-offs with FIBERSCOPE_SWITCH=kernel. Each case runs in a child process: the mode
// is chosen once per process.

import { describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';

/** A program of test/fiber/fixtures. */
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

const user = { FIBERSCOPE_SWITCH: 'user' };
const kernel = { FIBERSCOPE_SWITCH: 'kernel' };

describe('switch modes', () => {
  it('switches in user space by default, and in the kernel with FIBERSCOPE_SWITCH=kernel', () => {
    const byDefault = runFixture(fixture('switch-mode.js'), { env: { FIBERSCOPE_SWITCH: '' } });
    expect(byDefault.stderr).toBe('');
    expect(JSON.parse(byDefault.stdout)).toEqual(['user', '']);
    const asked = runFixture(fixture('switch-mode.js'), { env: kernel });
    expect(asked.stderr).toBe('');
    expect(JSON.parse(asked.stdout)).toEqual(['kernel', '']);
  });

  it('rejects an unknown FIBERSCOPE_SWITCH value with a clear error', () => {
    const child = runFixture(fixture('switch-mode.js'), { env: { FIBERSCOPE_SWITCH: 'fast' } });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain(
      'RangeError: FIBERSCOPE_SWITCH must be "user" or "kernel", not "fast"',
    );
  });

  it('makes no kernel context switch per round trip in user mode (100,000 round trips)', () => {
    const child = runFixture(fixture('round-trips.js'), { env: user });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.mode).toBe('user');
    // Preemption by the timer tick on a busy machine is all that is left: far below one a trip.
    expect(result.switches).toBeLessThan(2000);
  });

  it('switches through arch_prctl(ARCH_SET_FS) where wrfsbase is not used (FIBERSCOPE_FS=syscall)', () => {
    const child = runFixture(fixture('round-trips.js'), {
      env: { ...user, FIBERSCOPE_FS: 'syscall' },
    });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.mode).toBe('user');
    // The system call enters the kernel, but switches no thread.
    expect(result.switches).toBeLessThan(2000);
    expect(result.sums).toEqual([1, 3, 6, 10]);
  });

  it('makes one kernel context switch or more per round trip in kernel mode', () => {
    const child = runFixture(fixture('round-trips.js'), { env: kernel, timeoutMs: 60_000 });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.mode).toBe('kernel');
    expect(result.switches).toBeGreaterThan(50_000);
  });
});

describe('CPU placement in user mode', () => {
  it('pins nothing: every thread keeps the mask it was given, pinThreads or not', () => {
    const child = runFixture(fixture('masks-in-fibers.js'), { env: user });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.pinThreads).toBe(true);
    expect(result.inside).toEqual([result.before]);
    expect(result.all).toEqual([result.before]);
  });

  it('leaves four cluster workers running fibers on every CPU they were given', () => {
    const child = runFixture(fixture('cluster-masks.js'), {
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

// Hazards of running a fiber on another kernel thread than its own, each handled.
describe('user mode: threads beyond Fiber.poolSize', () => {
  it('linger for a burst that comes again soon, then end', () => {
    const child = runFixture(fixture('pool-burst.js'), {
      env: user,
      timeoutMs: 60_000,
    });
    expect(child.stderr).toBe('');
    const seen = JSON.parse(child.stdout);
    expect(seen.madeByFirst).toBeGreaterThanOrEqual(300);
    // The second burst found the first one's 300 threads parked, beyond the pool of 8 (but for
    // the few spares the maker may top up as the parked ones run out: without the linger, it
    // made about 290).
    expect(seen.madeBySecond).toBeLessThan(30);
    expect(seen.afterBursts).toBeGreaterThanOrEqual(seen.before + 300);
    // Then all but the pool and the spares ended.
    expect(seen.settled).toBeLessThanOrEqual(seen.before + 8 + 16);
  });
});

describe('user mode: calls that act on the current thread', () => {
  const isRoot = process.getuid?.() === 0;

  it.runIf(isRoot)(
    'process.setuid() and setgid() inside a fiber, with fibers suspended, change every thread and return',
    () => {
      const child = runFixture(fixture('setuid-in-fiber.js'), { env: user, timeoutMs: 20_000 });
      expect(child.signal).toBe(null);
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout)).toEqual({
        mode: 'user',
        before: ['0/0'],
        outcome: ['65534/65534'],
        after: ['65534/65534'],
      });
    },
  );

  it.runIf(isRoot)(
    'process.setgid() outside fibers, with fibers suspended, changes every thread',
    () => {
      const child = runFixture(fixture('setgid-outside-fibers.js'), { env: user });
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout)).toEqual(['0/65534']);
    },
  );

  if (!isRoot) {
    it('process.setuid() inside fibers (skipped: needs root)', (context) => {
      console.log('skipping the process.setuid() tests: they change credentials, which needs root');
      context.skip();
    });
  }

  it('process.setuid() inside a fiber keeps Node’s own errors', () => {
    const child = runFixture(fixture('setuid-errors-in-fiber.js'), { env: user });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([
      'ERR_UNKNOWN_CREDENTIAL',
      'ERR_OUT_OF_RANGE',
      'ERR_INVALID_ARG_TYPE',
    ]);
  });

  it('V8’s CPU profiler started inside a fiber (the inspector’s Profiler.start) samples it', () => {
    const child = runFixture(fixture('cpu-profile-in-fiber.js'), { env: user });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result.mode).toBe('user');
    // Its SIGPROF goes to the fiber's own (parked) thread, which passes it on: ~300 samples at
    // 1 ms; without the relay, 1 sample in 400 ms was measured. The fiber burns 300 ms of CPU
    // time, not of the clock: a busy machine that runs it less often makes the burn take longer,
    // not the samples fewer.
    expect(result.hits).toBeGreaterThan(50);
  });
});

describe('user mode: a profiler tick passed on late', () => {
  it('finds a handler that does nothing where SIGPROF had its default action (ending the process)', () => {
    const inUserMode = runFixture(fixture('sigprof-default.js'), { env: user });
    expect(inUserMode.stderr).toBe('');
    expect(inUserMode.stdout).toBe('user survived\n');
    // Kernel mode passes no signal on, and leaves SIGPROF as it found it.
    const inKernelMode = runFixture(fixture('sigprof-default.js'), { env: kernel });
    expect(inKernelMode.signal).toBe('SIGPROF');
  });
});

describe('user mode: worker threads share the pool', () => {
  it('fibers in three isolates run at once on the one shared pool', () => {
    const child = runFixture(fixture('isolates-share-pool.js'), { env: user, timeoutMs: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ mode: 'user', results: [200, 200, 200] });
  });
});
