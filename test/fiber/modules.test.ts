// The package loads both ways users load it, and the CPU pinning does what the docs say.
import { describe, expect, it } from 'vitest';
import { runFixture } from '../helpers/child';

/** A program of test/fiber/fixtures. */
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('module formats', () => {
  it('import works, with named exports', () => {
    const child = runFixture(fixture('import-named-exports.mjs'));
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('function function function function 21 true true\n');
  });

  it('require works, and fiberscope/fibers is the constructor itself', () => {
    const child = runFixture(fixture('require-drop-ins.js'));
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('true function true function function\n');
  });
});

describe('CPU pinning (kernel mode)', () => {
  it('pins the main thread and its fiber threads to one CPU at the first fiber, and pinThreads = false undoes it', () => {
    const child = runFixture(fixture('kernel-pin-masks.js'), {
      env: { FIBERSCOPE_SWITCH: 'kernel' },
    });
    expect(child.stderr).toBe('');
    const masks = JSON.parse(child.stdout);
    expect(masks.pinned).toMatch(/^\d+$/);
    expect(masks.fiberMask).toBe(masks.pinned);
    expect(masks.after).toBe(masks.before);
    expect(masks.flag).toBe(false);
  });

  it('FIBERSCOPE_PIN_THREADS=0 leaves the masks alone', () => {
    const child = runFixture(fixture('kernel-pin-off.js'), {
      env: { FIBERSCOPE_PIN_THREADS: '0', FIBERSCOPE_SWITCH: 'kernel' },
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ same: true, flag: false });
  });

  it('rejects a non-boolean, and changes from inside a fiber', () => {
    const child = runFixture(fixture('pin-threads-errors.js'));
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([
      'TypeError: pinThreads must be a boolean',
      'pinThreads can only be changed outside of fibers',
    ]);
  });
});
