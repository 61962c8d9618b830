// What the REPL needs to know of an input before it runs: whether it awaits at the top level
// (it compiles only inside an async function) and whether it is incomplete (more lines to come).
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

/** Whether a compile error says the code awaits at the top level. */
export function awaitsAtTopLevel(error: unknown): boolean {
  return error instanceof SyntaxError && /await is only valid/.test(error.message);
}

/** Whether `code` compiles only inside an async function: Node's REPL runs it so. */
export function usesTopLevelAwait(code: string): boolean {
  return code.includes('await') && awaitsAtTopLevel(syntaxErrorOf(code));
}

const INCOMPLETE =
  /^(?:Unexpected end of input|Unterminated template literal|missing \) after argument list|Unterminated regexp|Unterminated regular expression)/;

/** Whether `code` only needs more lines (the REPL then waits for them, showing `...`). */
export function isIncomplete(code: string): boolean {
  let error = syntaxErrorOf(code);
  // Top-level await compiles inside an async function.
  if (awaitsAtTopLevel(error)) error = syntaxErrorOf(`(async () => {\n${code}\n})`);
  return error !== undefined && INCOMPLETE.test(error.message);
}
