// Fibers in a whole process: garbage collection of suspended fibers, exit, worker threads.
// Each case runs in a child process so that it owns its heap, threads and exit code.
import { describe, expect, it } from 'vitest';
import { type ChildResult, runFixture } from '../helpers/child';

/** A program of test/fiber/fixtures. */
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('a suspended fiber that becomes unreachable', () => {
  it('is unwound when collected: finally blocks run and its thread goes back to the pool', () => {
    const child = runFixture(fixture('abandoned-fibers-unwound.js'), { nodeArgs: ['--expose-gc'] });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n')).toEqual([
      '["finally 0","finally 1","finally 2"]',
      '{"newThreads":0}',
    ]);
  });

  it('reports an exception thrown while it is unwound as uncaught', () => {
    const child = runFixture(fixture('throw-while-unwound.js'), { nodeArgs: ['--expose-gc'] });
    // Its finally queued a line for the next turn of the loop: the error ended the process first.
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('Error: thrown from finally');
    expect(child.stdout).toBe('');
  });

  // Left to itself, V8 lets ~1,000 abandoned fibers pile up before it collects them (each is
  // charged to the heap as external memory), more than the pool keeps: most cycles then pay for a
  // new thread, and each collection walks a thousand suspended stacks (170-600 us a cycle here,
  // minutes for a million). So most cycles collect every 100 fibers, young ones, on threads the
  // pool keeps; shorter runs cover V8 collecting on its own, and threads that exit.
  it('keeps RSS flat over a million spawn/abandon cycles', () => {
    const child = runFixture(fixture('million-abandoned-fibers.js'), {
      nodeArgs: ['--expose-gc'],
      timeoutMs: 240_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout);
    expect(result.unwound).toBe(1_000_000);
    expect(result.live).toBe(0);
    // Unwound fibers hand their threads back: 875,000 fibers ran on threads the warm-up made.
    expect(result.newThreadsWhilePooled).toBeLessThan(1_000);
    // Without gc() calls V8 still collects abandoned fibers (15,000 would pile up otherwise).
    expect(result.peakLiveUncollected).toBeLessThan(5_000);
    expect(result.threadsMadeAndExited).toBe(10_000);
    // 900,000 cycles after warm-up, on pooled threads, on a thousand new threads at once, and on
    // threads that exit, may not grow RSS by more than a few MB of heap noise.
    expect(result.growthMb).toBeLessThan(16);
  }, 250_000);
});

describe('a fiber whose function refers to the fiber', () => {
  it('is collected once unreachable: finished, never started, and spawn()ed', () => {
    const child = runFixture(fixture('self-referencing-fibers.js'), { nodeArgs: ['--expose-gc'] });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ finished: 0, idle: 0, spawned: 0 });
  });
});

describe('process.exit()', () => {
  const exitFixture = fixture('exit-with-suspended-fibers.js');

  it('outside a fiber exits at once with suspended fibers around', () => {
    const child = runFixture(exitFixture, { args: ['outside'] });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('exit event 3\n');
    expect(child.status).toBe(3);
  });

  it('inside a fiber exits at once with suspended fibers around', () => {
    const child = runFixture(exitFixture, { args: ['inside'] });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('exit event 4\n');
    expect(child.status).toBe(4);
  });

  it('a process whose loop ends with suspended fibers exits normally', () => {
    const child = runFixture(exitFixture, { args: ['loop-end'] });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('main done\nexit event 0\n');
    expect(child.status).toBe(0);
  });

  it('an uncaught exception inside a fiber ends the process with the error', () => {
    const child = runFixture(fixture('uncaught-in-fiber.js'));
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('Error: escaped the fiber');
  });
});

/** The child exited by itself with code 0, printed `stdout` and nothing on stderr. */
function expectCleanExit(child: ChildResult, stdout: string): void {
  const { status, signal, stderr } = child;
  expect({ status, signal, stderr, stdout: child.stdout }).toEqual({
    status: 0,
    signal: null,
    stderr: '',
    stdout,
  });
}

describe('worker_threads', () => {
  it('loads in workers, runs fibers there, and stops workers that have suspended fibers', () => {
    const child = runFixture(fixture('workers-with-suspended-fibers.js'));
    expectCleanExit(child, '[42,42,42,42,42,42]\n');
  });

  // Terminate() resumes each suspended fiber to end it; V8 acts on the termination at its next
  // interrupt check, and a call into the addon has none: a fiber calling the raw yield in a loop
  // suspended again, and the worker freed it under its parked thread (a segfault on Node 24).
  it('terminates workers whose fibers yield through the raw binding in a loop', () => {
    const child = runFixture(fixture('workers-raw-yield.js'));
    expectCleanExit(child, `${JSON.stringify(Array(10).fill(1))}\n`);
  });

  // The first fiber of a process starts libuv's thread pool with a request on its loop; with the
  // pool busy, that request is still queued when such a worker ends, and Node aborted closing
  // its loop ("uv_loop_close() while having open handles").
  it('ends a worker right after its first fiber while the libuv pool is busy', () => {
    const child = runFixture(fixture('worker-exit-busy-libuv-pool.js'), {
      // Exiting waits for the four hashes, ~20 s under AddressSanitizer.
      timeoutMs: 90_000,
    });
    expectCleanExit(child, 'worker exit 7\n');
  }, 100_000);
});

describe('when the system has no thread left', () => {
  it('fibers, the sampler and the Ctrl-C watch say so with an error, and the process goes on', (context) => {
    const child = runFixture(
      fixture('no-thread-left.js'),
      // Each fiber's thread reserves its stack: ~1,500-5,000 fibers fit in 4 GB. Spare threads
      // made ahead (user mode) could take the last of it from V8's heap, which then ends the
      // process (out of memory), a moment before a fiber would have been refused its thread.
      {
        addressSpaceKb: 4_000_000,
        timeoutMs: 60_000,
        env: { FIBERSCOPE_SPARE_THREADS: '0' },
      },
    );
    if (!child.stdout.startsWith('started\n')) {
      // A Node build that reserves more than 4 GB up front (a V8 sandbox) cannot start here.
      console.warn(
        `skipping the thread exhaustion test: node does not start under ulimit -v 4 GB (${child.stderr.split('\n')[0]})`,
      );
      context.skip();
    }
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout.slice('started\n'.length));
    expect(result.some).toBe(true);
    expect(result.failure).toMatch(/^could not create a thread for the fiber: /);
    expect(result.sampler).toMatch(/^could not start the sampler thread: /);
    expect(result.watch).toMatch(/^could not start the Ctrl-C watch thread: /);
  }, 70_000);
});
