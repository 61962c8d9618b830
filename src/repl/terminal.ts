// While an input runs, the terminal is put back in cooked mode, as Node's REPL does with
// breakEvalOnSigint: Ctrl-C then reaches the process as SIGINT, which is how it can stop a fiber
// that never gives the main thread back. Input typed meanwhile waits in the terminal.
import type { REPLServer } from 'node:repl';

interface RawModeInput {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/** Switches `server`'s terminal to cooked mode and pauses reading; returns the undo. */
export function cookTerminal(server: REPLServer): () => void {
  const input = server.input as unknown as RawModeInput;
  const raw = server.terminal && input.isTTY === true && typeof input.setRawMode === 'function';
  const wasRaw = raw && input.isRaw === true;
  if (wasRaw) input.setRawMode?.(false);
  server.pause();
  return () => {
    // A REPL closed meanwhile keeps its input as closing left it.
    if ((server as { closed?: boolean }).closed === true) return;
    if (wasRaw) input.setRawMode?.(true);
    server.resume();
  };
}

/** Whether `server` prints in colour: its `useColors` (Node's default: when the output is a TTY). */
export function usesColors(server: REPLServer): boolean {
  return (server as { useColors?: boolean }).useColors === true;
}
