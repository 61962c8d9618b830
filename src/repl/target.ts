// The side of `fiberscope repl --attach` that runs in the target process, reached through the
// runtime hook (globalThis[Symbol.for('fiberscope.runtime')].repl()): evaluates each input in a
// fiber, in the target's main context, as the local REPL does (input.ts: top-level `await`
// anywhere, declarations kept), and answers with text to print.

import { inspect } from 'node:util';
import vm from 'node:vm';
import { inspectorCaller } from '../diagnostics/remote';
import { Fiber } from '../fiber/fiber';
import { Future } from '../fiber/future';
import { hooks, setEscapeHandler } from '../fiber/hooks';
import { liveFibers } from '../fiber/live';
import { binding } from '../fiber/native';
import { spawn, sync, wait } from '../fiber/wait';
import { formatError } from './commands';
import { inputValue, prepareInput } from './input';
import { armInterrupt, interruptInput } from './interrupt';
import { formatFibers } from './report';

export interface RemoteOutcome {
  ok: boolean;
  /** The value inspected, or the stitched error. */
  text: string;
}

let counter = 0;
let apiProvided = false;
let running: { fiber: Fiber; interrupt(): void } | undefined;

/** Evaluates `code` inside a fiber; settles once the input has ended, its promise awaited. */
export function evaluate(code: string, options: { colors?: boolean } = {}): Promise<RemoteOutcome> {
  hooks.suspensionSites = true;
  provideFiberApi();
  const colors = options.colors === true;
  const filename = `REPL${++counter}`;
  return new Promise<RemoteOutcome>((resolve) => {
    let disarm = () => {};
    let done = false;
    const finish = (error: unknown, value?: unknown) => {
      if (done) return;
      done = true;
      disarm();
      binding.forwardInterrupts(false);
      if (running?.fiber === fiber) running = undefined;
      if (error !== undefined) resolve({ ok: false, text: formatError(error, colors) });
      else resolve({ ok: true, text: inspect(value, { colors }) });
    };
    const fiber: Fiber = new Fiber(
      () => {
        let value: unknown;
        try {
          const input = prepareInput(code);
          const script = new vm.Script(input.source, { filename });
          value = inputValue(input, script.runInThisContext({ displayErrors: false }));
        } catch (error) {
          process.nextTick(finish, error);
          return;
        }
        process.nextTick(finish, undefined, value);
      },
      { name: 'repl' },
    );
    setEscapeHandler(fiber, (error) => finish(error));
    const interrupt = () => {
      if (!done) interruptInput(fiber, finish);
    };
    running = { fiber, interrupt };
    disarm = armInterrupt(fiber, interrupt);
    // The inspector's own requests (the interrupt() that Ctrl-C sends) must reach a busy input.
    binding.forwardInterrupts(true);
    // Started from the event loop, not inside the inspector's evaluate: while an inspector
    // command runs, no other is dispatched, and interrupt() must reach a busy input.
    setImmediate(() => {
      if (done) return; // interrupted before it started
      try {
        fiber.run();
      } catch (error) {
        finish(error);
      }
    });
  });
}

/** The fiber API at the prompt: REPL-scope bindings of the target's main context, not
 *  properties of its global object; names the target defines already are left alone. */
function provideFiberApi(): void {
  if (apiProvided) return;
  apiProvided = true;
  const api: Record<string, unknown> = { Fiber, Future, wait, sync, spawn };
  // `typeof` sees the target's own global lexical declarations too (a script's `const wait`).
  const names = Object.keys(api).filter(
    (name) => !(name in globalThis) && vm.runInThisContext(`typeof ${name}`) === 'undefined',
  );
  if (names.length === 0) return;
  try {
    vm.runInThisContext(`let ${names.join(', ')};`);
    vm.runInThisContext(`(api) => { ({ ${names.join(', ')} } = api); }`)(api);
  } catch {
    // A name taken in a way typeof cannot see (a binding still in its dead zone): leave them all.
  }
}

/** Interrupts the input that runs (waits), as Ctrl-C does; false if none. */
export function interrupt(): boolean {
  if (running === undefined) return false;
  // The inspector may run this inside the input's fiber, busy in a loop: the watch then ends it
  // at its next interrupt check, once this returns.
  const watched = binding.raiseSigint();
  if (Fiber.current !== running.fiber && (!watched || binding.claimSigint())) running.interrupt();
  return true;
}

/** The target's live fibers, as `.fibers` prints them. */
export function fibers(options: { colors?: boolean } = {}): string {
  hooks.suspensionSites = true;
  const probe = !inspectorCaller(fibers).interrupting;
  return formatFibers(
    liveFibers({ probe }).filter((fiber) => fiber.fiber !== running?.fiber),
    options.colors === true,
  );
}
