// The evaluator core that the local REPL (evaluator.ts, through Node's evaluator) and the
// attached one (target.ts, in the target process) share: the script an input runs as, and, inside
// the input's fiber, the value it ends with. An input that awaits at the top level is rewritten
// as Node's REPL rewrites it (top-level-await.ts), so that `await` works anywhere in it and its
// declarations stay for later inputs; the async function it becomes is waited for in the fiber.
import { isThenable, wait } from '../fiber/wait';
import { compiles } from './syntax';
import { parsesWithAwait, rewriteTopLevelAwait } from './top-level-await';

export interface PreparedInput {
  /** The script to compile and run. */
  source: string;
  /** The script calls an async function (a top-level await): it evaluates to a promise of
   *  `{ value }`. */
  awaits: boolean;
}

function asScript(code: string): PreparedInput {
  const rewritten = code.includes('await') ? rewriteTopLevelAwait(code) : null;
  // A rewrite that V8 does not take (a syntax acorn and V8 disagree on) leaves the input as it
  // is, for V8 to say what is wrong.
  if (rewritten === null || !compiles(rewritten)) return { source: code, awaits: false };
  return { source: rewritten, awaits: true };
}

/** Whether `code` reads as an object literal (`{ a: 1 }`) that Node's REPL evaluates as one,
 *  rather than as a block: it starts with `{`, does not end with `;` and parses. */
function looksLikeObject(code: string): boolean {
  return /^\s*\{/.test(code) && !/;\s*$/.test(code) && parsesWithAwait(code);
}

/**
 * The script that runs `code` as an input. As in Node's REPL, `{ ... }` is tried as an object
 * literal first, and an input that awaits at the top level runs in an async function. Throws a
 * SyntaxError when such an input does not parse past its first `await`.
 */
export function prepareInput(code: string): PreparedInput {
  if (looksLikeObject(code)) {
    try {
      const literal = asScript(`(${code.trim()})\n`);
      if (literal.awaits || compiles(literal.source)) return literal;
    } catch {
      // Not an object after all: the input as it is.
    }
  }
  return asScript(code);
}

/**
 * Inside the input's fiber: the value an input ends with, from what its script evaluated to. The
 * async function of a top-level await is waited for; a promise the input evaluates to is awaited,
 * as every input's is.
 */
export function inputValue(input: PreparedInput, value: unknown): unknown {
  if (input.awaits) value = (wait(value) as { value?: unknown } | undefined)?.value;
  return isThenable(value) ? wait(value) : value;
}
