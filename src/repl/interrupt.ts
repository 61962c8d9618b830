// Ctrl-C for the input that is running. Two cases, told apart where they can be:
// - the input's fiber holds the isolate (a busy loop): the main thread cannot run JavaScript, so
//   the addon's signal watch terminates the fiber's JavaScript (native/repl/sigint_watch.h), and
//   the fiber ends with "Script execution was interrupted by `SIGINT`";
// - the fiber is suspended (it waits) or already gone: the event loop runs this file's SIGINT
//   listener, which hands the interrupt to `onInterrupt`.
// A signal is taken once, by whichever side sees it first.
import type { Fiber } from '../fiber/fiber';
import { interruptError } from '../fiber/interrupt-error';
import { binding } from '../fiber/native';

/**
 * Ctrl-C for an input's fiber, from the main thread (so a started fiber is a suspended one): an
 * interrupt error thrown at its wait, so its `finally` blocks run; or, when it has not started or
 * has finished (a top-level await pending), the input ended with that error.
 */
export function interruptInput(fiber: Fiber, end: (error: Error) => void): void {
  if (fiber.started) fiber.throwInto(interruptError());
  else end(interruptError());
}

/**
 * Arms Ctrl-C for `fiber` until the returned disarm function is called. Disarming says whether a
 * SIGINT came that neither side has taken: one that arrived as the input ended, which the event
 * loop had not yet handed to the listener (it never will: the listener goes).
 */
export function armInterrupt(fiber: Fiber, onInterrupt: () => void): () => boolean {
  let watching = false;
  const listener = () => {
    // Without a native watch (another one is armed), every signal is this listener's.
    if (!watching || binding.claimSigint()) onInterrupt();
  };
  // The listener first: the native handler chains to the one it finds, libuv's.
  process.on('SIGINT', listener);
  try {
    binding.watchSigint(fiber);
    watching = true;
  } catch {
    // Another REPL in this process watches already: waits can still be interrupted.
  }
  return () => {
    const untaken = watching && binding.claimSigint();
    if (watching) binding.unwatchSigint();
    process.off('SIGINT', listener);
    return untaken;
  };
}
