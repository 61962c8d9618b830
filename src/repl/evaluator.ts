// The REPL's eval: every input runs inside a fiber of its own, through Node's default evaluator
// (so declarations persist and errors look as in Node), as the script input.ts makes of it (the
// core the attached REPL shares: top-level `await` rewritten as Node's REPL does, its async
// function waited for in the fiber). Inside the fiber, wait() and sync() functions block the
// input, not the event loop: the main thread goes back to the loop while the fiber waits, and no
// nested loop is ever run.
import domainModule from 'node:domain';
import { type REPLEval, type REPLServer, Recoverable } from 'node:repl';
import vm from 'node:vm';
import { Fiber } from '../fiber/fiber';
import { setEscapeHandler, setSwitchListener } from '../fiber/hooks';
import { isThenable, wait } from '../fiber/wait';
import { onReportedError } from './error-hook';
import { inputValue, type PreparedInput, prepareInput } from './input';
import { armInterrupt, interruptInput } from './interrupt';
import { LineGate } from './line-gate';
import { cookTerminal } from './terminal';

type Finish = (error: Error | null, result?: unknown) => void;
type Completer = (
  line: string,
  callback: (error: Error | null, result?: unknown) => void,
) => unknown;

interface Domain extends NodeJS.EventEmitter {
  enter(): void;
  exit(): void;
}

interface ActiveInput {
  fiber: Fiber;
  /** Ends the input; `reported` when the REPL has printed the error already. */
  complete(error: unknown, result?: unknown, reported?: boolean): void;
}

/** Runs inputs one after another, each in a fiber; remembers the last error for `.stack`. */
export class FiberEvaluator {
  /** The last error an input ended with. */
  lastError: unknown;
  #server: REPLServer;
  #defaultEval: REPLEval;
  #domain: Domain | undefined;
  #queue: Array<() => void> = [];
  #lines: LineGate;
  #running = false;
  #completing = false;
  #active: ActiveInput | undefined;
  #idle: Array<() => void> = [];

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
    // Node's default evaluator reports an input's error itself (up to Node 24 through the REPL's
    // domain, which it runs in), printing it, instead of calling back: such an error ends the
    // input that raised it.
    this.#domain = (server as unknown as { _domain?: Domain })._domain;
    onReportedError(server, (error: unknown) => {
      const active = this.#active;
      if (active !== undefined && Fiber.current === active.fiber) {
        active.complete(error, undefined, true);
      }
    });
    this.#lines = new LineGate(server);
  }

  /** Whether an input is running. */
  get busy(): boolean {
    return this.#running;
  }

  /** Resolves once no input runs or waits to run. */
  idle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0 && !this.#lines.holding) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  readonly eval = (code: string, context: object, file: string, finish: Finish): void => {
    // An empty line prints nothing, as in Node's REPL: finish() with no result.
    if (code.trim() === '') {
      finish(null);
      return;
    }
    if (this.#completing) {
      this.#defaultEval.call(this.#server, code, context, file, finish);
      return;
    }
    this.#queue.push(() =>
      this.#start(finish, (input) => this.#evaluate(input, code, context, file)),
    );
    if (!this.#running) this.#next();
  };

  /**
   * Runs `code` as an input of its own (in a fiber, its promise awaited) and calls `finish` with
   * its outcome, error or not: nothing is printed. For `.profile` and modules loaded with `-r`.
   */
  run(code: string, finish: Finish): void {
    const context = this.#server.context;
    const global = (this.#server as { useGlobal?: boolean }).useGlobal === true;
    this.#queue.push(() =>
      this.#start(finish, (input) => {
        try {
          const value = global
            ? vm.runInThisContext(code, { filename: 'REPL' })
            : vm.runInContext(code, context, { filename: 'REPL' });
          input.settle(null, isThenable(value) ? wait(value) : value);
        } catch (error) {
          input.settle(error as Error);
        }
      }),
    );
    if (!this.#running) this.#next();
  }

  #next(): void {
    const job = this.#queue.shift();
    this.#running = job !== undefined;
    this.#lines.busy = this.#running;
    if (job !== undefined) {
      job();
      return;
    }
    // Lines typed meanwhile, until one of them starts an input.
    this.#lines.release();
    if (!this.#running && !this.#lines.holding) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /** Node's evaluator, inside the input's fiber, on the script the input runs as (input.ts). */
  #evaluate(input: InputFiber, code: string, context: object, file: string): void {
    let prepared: PreparedInput;
    try {
      prepared = prepareInput(code);
    } catch {
      // Node's evaluator says what is wrong with it, or continues it on the next line.
      prepared = { source: code, awaits: false };
    }
    this.#defaultEval.call(this.#server, prepared.source, context, file, (error, result) => {
      if (error === null && Fiber.current === input.active.fiber) {
        try {
          result = inputValue(prepared, result);
        } catch (thrown) {
          error = thrown as Error;
        }
      }
      input.settle(error, result);
    });
  }

  #start(finish: Finish, body: (input: InputFiber) => void): void {
    let disarm = () => false;
    let restoreTerminal = () => {};
    // Nothing else may keep the process alive while an input waits (the REPL stops reading).
    const keepAlive = setInterval(() => {}, 1 << 30);
    let clearHooks = () => {};
    const active: ActiveInput = {
      fiber: undefined as unknown as Fiber,
      complete: (error, result, reported = false) => {
        if (this.#active !== active) return;
        this.#active = undefined;
        let lateCtrlC = false;
        try {
          clearInterval(keepAlive);
          // The terminal first: from then on, Ctrl-C is a key that Node's REPL reads. A SIGINT
          // that came before, as the input ended, and that neither the signal watch nor the
          // listener took, is Ctrl-C at the prompt that follows.
          restoreTerminal();
          lateCtrlC = disarm();
          clearHooks();
          if (error !== null && error !== undefined && !(error instanceof Recoverable)) {
            this.lastError = error;
          }
          if (!reported) finish(error as Error | null, result);
        } finally {
          this.#running = false;
          this.#lines.busy = false;
          if (lateCtrlC) this.#server.emit('SIGINT');
          // The next input starts from the main thread, never inside this fiber.
          if (Fiber.current === undefined) this.#next();
          else process.nextTick(() => this.#running || this.#next());
        }
      },
    };
    const { complete } = active;
    let ranOnce = false;
    const input: InputFiber = {
      active,
      // An input that never waited ends at once, as in Node's REPL: the line typed next may
      // continue it (multi-line input). One that waited ends from the main thread.
      settle: (error, result) => {
        if (Fiber.current === active.fiber && ranOnce) process.nextTick(complete, error, result);
        else complete(error, result);
      },
    };
    const fiber: Fiber = new Fiber(() => body(input), { name: 'repl' });
    active.fiber = fiber;
    this.#active = active;
    // What the fiber throws at whoever resumes it (an interrupted busy loop) ends the input.
    setEscapeHandler(fiber, (error) => {
      // Stopped by Ctrl-C, the fiber ended without running the domain's exit: take it off.
      this.#leaveDomain();
      complete(error);
    });
    // The REPL's domain is entered while the input runs, never while the main thread does.
    const domain = this.#domain;
    if (domain !== undefined) {
      let entered = false;
      setSwitchListener(fiber, {
        suspending: () => {
          entered = domainStack().includes(domain);
          if (entered) domain.exit();
        },
        resumed: () => {
          if (entered) domain.enter();
        },
      });
      clearHooks = () => setSwitchListener(fiber, undefined);
    }
    restoreTerminal = cookTerminal(this.#server);
    disarm = armInterrupt(fiber, () => interruptInput(fiber, complete));
    try {
      fiber.run();
    } catch (error) {
      complete(error);
    } finally {
      ranOnce = true;
    }
  }

  #leaveDomain(): void {
    const domain = this.#domain;
    if (domain !== undefined && Fiber.current === undefined && domainStack().includes(domain)) {
      domain.exit();
    }
  }
}

interface InputFiber {
  active: ActiveInput;
  /** Ends the input with this outcome (from the fiber or the main thread). */
  settle(error: Error | null, result?: unknown): void;
}

// The domain module's stack of entered domains (an internal Node has kept since domains exist).
const domainStack = (): unknown[] => (domainModule as { _stack?: unknown[] })._stack ?? [];
