// Where both REPLs keep their history (its own module: the attached REPL loads no fibers).
import os from 'node:os';
import path from 'node:path';

export function defaultHistoryFile(): string {
  return process.env.FIBERSCOPE_REPL_HISTORY || path.join(os.homedir(), '.fiberscope_repl_history');
}
