// Misuse of the addon functions behind the REPL's Ctrl-C and .fibers: clear errors, no crash.
import { describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';

describe('the SIGINT watch', () => {
  it('rejects what is not a fiber, a second watch, and is harmless when idle', () => {
    const result = runFixture(new URL('./fixtures/sigint-watch-misuse.js', import.meta.url));
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      'TypeError: watchSigint() expects a fiber',
      'TypeError: watchSigint() expects a fiber',
      'TypeError: watchSigint() expects a fiber',
      'false',
      'false',
      'no error',
      'no error',
      'Error: A Ctrl-C watch is already armed',
      'true',
      'true',
      'false',
      'no error',
      'no error',
    ]);
  });

  it('leaves the process to die of SIGINT once disarmed, as before', () => {
    const result = runFixture(new URL('./fixtures/sigint-after-unwatch.js', import.meta.url));
    expect(result.signal).toBe('SIGINT');
    expect(result.stdout).toBe('');
  });

  it('is disarmed when the environment goes away with a watch armed', () => {
    const result = runFixture(new URL('./fixtures/sigint-watch-at-exit.js', import.meta.url));
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('exiting');
  });
});

describe('forwardInterrupts', () => {
  it('takes booleans only, nests, and never goes below off', () => {
    const result = runFixture(new URL('./fixtures/forward-interrupts-misuse.js', import.meta.url));
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      'TypeError: forwardInterrupts() expects a boolean',
      'TypeError: forwardInterrupts() expects a boolean',
      'no error',
      'no error',
      'no error',
      'no error',
      'no error',
      'no error',
    ]);
  });
});

describe('liveFibers', () => {
  it('lists started fibers only, with their state', () => {
    const result = runFixture(new URL('./fixtures/live-fibers.js', import.meta.url));
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      inside: ['yielded:suspended', 'running:running'],
      before: ['yielded:suspended'],
      after: [],
    });
  });
});
