// The REPL's eval: every input runs inside a fiber of its own, through Node's default evaluator
// (so declarations persist, `await` works and errors look as in Node). Inside the fiber, wait()
// and sync() functions block the input, not the event loop: the main thread goes back to the
// loop while the fiber waits, and no nested loop is ever run.
import { type REPLEval, type REPLServer, Recoverable } from 'node:repl';
import { Fiber, kEscapeHandler } from '../fiber/fiber';
import { isThenable, wait } from '../fiber/wait';
import { armInterrupt, interruptError } from './interrupt';
import { cookTerminal } from './terminal';

type Finish = (error: Error | null, result?: unknown) => void;

interface ActiveInput {
  fiber: Fiber;
  /** Its evaluation left the fiber (top-level await): its outcome comes from a promise. */
  detached: boolean;
  /** Ends the input; `reported` when the REPL has printed the error already. */
  complete(error: unknown, result?: unknown, reported?: boolean): void;
}
type Completer = (
  line: string,
  callback: (error: Error | null, result?: unknown) => void,
) => unknown;

/** Runs inputs one after another, each in a fiber; remembers the last error for `.stack`. */
export class FiberEvaluator {
  /** The last error an input ended with. */
  lastError: unknown;
  #server: REPLServer;
  #defaultEval: REPLEval;
  #queue: Array<() => void> = [];
  #running = false;
  #completing = false;
  #active: ActiveInput | undefined;

  constructor(server: REPLServer) {
    this.#server = server;
    // Node's REPL looks both up on itself at each use.
    const mutable = server as unknown as { eval: REPLEval; completer: Completer };
    this.#defaultEval = mutable.eval;
    mutable.eval = this.eval as unknown as REPLEval;
    // Tab completion evaluates the expression before the dot: it does so at once, without a
    // fiber, as Node's REPL does.
    const completer = mutable.completer;
    mutable.completer = (line, callback) => {
      this.#completing = true;
      try {
        return completer.call(server, line, callback);
      } finally {
        this.#completing = false;
      }
    };
    // Node's default evaluator runs in the REPL's domain and reports an input's error there,
    // printing it, instead of calling back: such an error ends the input that raised it.
    const domain = (server as unknown as { _domain?: NodeJS.EventEmitter })._domain;
    domain?.on('error', (error: unknown) => {
      const active = this.#active;
      if (active !== undefined && (active.detached || Fiber.current === active.fiber)) {
        active.complete(error, undefined, true);
      }
    });
  }

  /** Whether an input is running. */
  get busy(): boolean {
    return this.#running;
  }

  /** Resolves once no input runs or waits to run (input that ended while one still waits). */
  async idle(): Promise<void> {
    while (this.#running || this.#queue.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  readonly eval = (code: string, context: object, file: string, finish: Finish): void => {
    if (this.#completing) {
      this.#defaultEval.call(this.#server, code, context, file, finish);
      return;
    }
    this.#queue.push(() => this.#run(code, context, file, finish));
    if (!this.#running) this.#next();
  };

  /** Runs `code` as an input of its own, as if typed, calling `finish` with its outcome. */
  run(code: string, finish: Finish): void {
    this.eval(code, this.#server.context, 'REPL', finish);
  }

  #next(): void {
    const job = this.#queue.shift();
    this.#running = job !== undefined;
    job?.();
  }

  #run(code: string, context: object, file: string, finish: Finish): void {
    let disarm = () => {};
    let restoreTerminal = () => {};
    const active: ActiveInput = {
      fiber: undefined as unknown as Fiber,
      detached: false,
      complete: (error, result, reported = false) => {
        if (this.#active !== active) return;
        this.#active = undefined;
        disarm();
        restoreTerminal();
        if (error !== null && error !== undefined && !(error instanceof Recoverable)) {
          this.lastError = error;
        }
        this.#running = false;
        try {
          if (!reported) finish(error as Error | null, result);
        } finally {
          // Inputs queued meanwhile start from the main thread, never inside this fiber.
          if (this.#queue.length > 0 && !this.#running) {
            if (Fiber.current === undefined) this.#next();
            else process.nextTick(() => this.#running || this.#next());
          }
        }
      },
    };
    const { complete } = active;
    const input: Fiber = new Fiber(
      () => {
        let calledBack = false;
        this.#defaultEval.call(this.#server, code, context, file, (error, result) => {
          calledBack = true;
          if (error === null && isThenable(result)) {
            // A promise the input returned is awaited, as top-level await would.
            if (Fiber.current === input) {
              try {
                result = wait(result);
              } catch (thrown) {
                error = thrown as Error;
              }
            } else {
              result.then(
                (value) => complete(null, value),
                (reason) => complete(reason ?? new Error(String(reason))),
              );
              return;
            }
          }
          // An input that never waited ends at once, as in Node's REPL: the next line typed
          // may continue it (multi-line input). One that waited ends from the main thread.
          if (Fiber.current === input && waited) process.nextTick(complete, error, result);
          else complete(error, result);
        });
        // Still running: top-level await moved the evaluation off the fiber.
        if (!calledBack && this.#active === active) active.detached = true;
      },
      { name: 'repl' },
    );
    active.fiber = input;
    this.#active = active;
    // What the fiber throws at whoever resumes it (an interrupted busy loop) ends the input.
    input[kEscapeHandler] = (error) => complete(error);
    restoreTerminal = cookTerminal(this.#server);
    disarm = armInterrupt(input, () => {
      // Suspended (the main thread runs this listener, so a started input is a suspended one):
      // the interrupt is thrown at its wait, so its finally blocks run. Finished, with an
      // awaited promise pending: the input is abandoned, as Node's REPL does.
      if (input.started) input.throwInto(interruptError());
      else complete(interruptError());
    });
    let waited = false;
    try {
      input.run();
    } catch (error) {
      complete(error);
    }
    waited = true;
  }
}
