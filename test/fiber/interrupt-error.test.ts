// The interrupt error: one shape whether the REPL throws it at a wait or the addon at the resumer
// of a busy fiber that Ctrl-C stopped.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as InterruptError from '../../src/fiber/interrupt-error';
import { runFixture } from '../helpers/child';

const { INTERRUPTED_MESSAGE, interruptError } = createRequire(import.meta.url)(
  '../../dist/fiber/interrupt-error.js',
) as typeof InterruptError;

describe('interruptError()', () => {
  it("is an Error with Node's message and code (not enumerable), and no frames", () => {
    const error = interruptError() as Error & { code?: string };
    expect(INTERRUPTED_MESSAGE).toBe('Script execution was interrupted by `SIGINT`');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(INTERRUPTED_MESSAGE);
    expect(error.stack).toBe(`Error: ${INTERRUPTED_MESSAGE}`);
    expect(error.code).toBe('ERR_SCRIPT_EXECUTION_INTERRUPTED');
    expect(Object.keys(error)).toEqual([]);
    expect(interruptError()).not.toBe(interruptError());
  });

  it('keeps Error.stackTraceLimit as it was', () => {
    const limit = Error.stackTraceLimit;
    interruptError();
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it('is what the resumer of a busy fiber stopped by the Ctrl-C watch gets', () => {
    const result = runFixture(new URL('./fixtures/interrupt-busy-fiber.js', import.meta.url), {
      // Stitching would append the run and spawn segments to its stack, as to any error a run()
      // throws: left out, so that the stacks compare.
      env: { FIBERSCOPE_STITCH: '0' },
    });
    expect(result.stderr).toBe('');
    const { native, made, started } = JSON.parse(result.stdout);
    expect(native).toEqual(made);
    expect(native.message).toBe('Script execution was interrupted by `SIGINT`');
    expect(started).toBe(false);
  });
});
