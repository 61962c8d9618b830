// installDumpSignal(): a fiber dump each time the process receives a signal, like Go's SIGQUIT
// but without exiting.
import { appendFileSync } from 'node:fs';
import { dumpFibers } from './dump';
import { formatFiberDump } from './format';

export interface DumpSignalOptions {
  /** Where each dump goes: a stream, or a file path the dump is appended to. Default stderr. */
  to?: NodeJS.WritableStream | string;
  /** Write the dump as one line of JSON instead of text. */
  json?: boolean;
}

// SIGUSR1 opens the inspector; SIGKILL and SIGSTOP cannot be caught.
const REFUSED = new Set(['SIGUSR1', 'SIGKILL', 'SIGSTOP']);

/**
 * Writes a fiber dump each time `signal` arrives; returns a function that removes the handler.
 * The dump is taken when the event loop gets to the signal: a fiber that holds the thread delays
 * it until it yields (`fiberscope dump --pid` reaches a busy process through the inspector).
 */
export function installDumpSignal(
  signal: NodeJS.Signals = 'SIGUSR2',
  options: DumpSignalOptions = {},
): () => void {
  if (typeof signal !== 'string' || !signal.startsWith('SIG')) {
    throw new TypeError(`Expected a signal name like 'SIGUSR2', not ${String(signal)}`);
  }
  if (REFUSED.has(signal)) throw new RangeError(`${signal} cannot be used for fiber dumps`);
  const to = options.to ?? process.stderr;
  if (typeof to !== 'string' && typeof to?.write !== 'function') {
    throw new TypeError('Expected the "to" option to be a writable stream or a file path');
  }
  const handler = () => {
    const dump = dumpFibers();
    const text = options.json === true ? JSON.stringify(dump) : formatFiberDump(dump);
    try {
      if (typeof to === 'string') appendFileSync(to, `${text}\n`);
      else to.write(`${text}\n`);
    } catch (error) {
      process.emitWarning(`fiberscope: cannot write the fiber dump: ${(error as Error).message}`);
    }
  };
  process.on(signal, handler);
  return () => {
    process.off(signal, handler);
  };
}
