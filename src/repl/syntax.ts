// Whether an input is incomplete (more lines to come): the attached REPL asks before it sends an
// input to the target, as Node's evaluator tells the local one.
import vm from 'node:vm';

/** The SyntaxError `source` fails to compile with as a script, if any. */
function syntaxErrorOf(source: string): SyntaxError | undefined {
  try {
    new vm.Script(source);
    return undefined;
  } catch (error) {
    return error instanceof SyntaxError ? error : undefined;
  }
}

/** Whether `source` compiles as a script. */
export const compiles = (source: string): boolean => syntaxErrorOf(source) === undefined;

const INCOMPLETE =
  /^(?:Unexpected end of input|Unterminated template literal|missing \) after argument list|Unterminated regexp|Unterminated regular expression)/;

/** Whether `code` only needs more lines (the REPL then waits for them, showing `...`). */
export function isIncomplete(code: string): boolean {
  let error = syntaxErrorOf(code);
  // Top-level await (`await x`, `for await`) does not compile in a script: the input is tried
  // without its awaits, as Node's REPL does (an async function around it would close what the
  // input leaves open).
  if (error !== undefined && !INCOMPLETE.test(error.message) && /\bawait\b/.test(code)) {
    error = syntaxErrorOf(code.replace(/\bawait\b/g, ''));
  }
  return error !== undefined && INCOMPLETE.test(error.message);
}
