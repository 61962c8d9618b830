// Lines typed (or pasted, or piped) while an input runs wait for it to end, then reach the REPL
// one by one, as if typed after it: a multi-line input typed ahead is joined, commands run in
// order. Node's REPL would otherwise evaluate each line as it arrives.
//
// On a terminal, what is held is keys: the terminal hands over what was typed during an input in
// one chunk once the input has ended, and readline goes through a chunk key by key, even after a
// line of it has started an input that waits. Those keys wait too, then go to readline as if typed
// then: shown after their prompt, as Node's REPL shows keys typed while it awaits.
import type { REPLServer } from 'node:repl';

type TtyWrite = (data: string | undefined, key: unknown) => void;

export class LineGate {
  #held: string[] = [];
  #keys: Array<[string | undefined, unknown]> = [];
  #forward: (line: string) => void;
  #ttyWrite: TtyWrite | undefined;
  #releasing = false;
  #closed = false;
  #ended: Array<() => void> = [];

  /** Whether lines are held: the caller sets it while an input runs. */
  busy = false;

  constructor(server: REPLServer) {
    const listeners = server.listeners('line') as Array<(line: string) => void>;
    server.removeAllListeners('line');
    this.#forward = (line) => {
      for (const listener of listeners) listener.call(server, line);
    };
    server.on('line', (line: string) => {
      if (this.busy || this.#held.length > 0) this.#held.push(line);
      else this.#forward(line);
    });
    // Readline looks `_ttyWrite` up on the REPL for each key (Node's REPL defines its own there).
    const keys = server as unknown as { _ttyWrite?: TtyWrite };
    const ttyWrite = keys._ttyWrite;
    if (server.terminal && typeof ttyWrite === 'function') {
      this.#ttyWrite = (data, key) => ttyWrite.call(server, data, key);
      keys._ttyWrite = (data, key) => {
        if (this.busy || (this.#keys.length > 0 && !this.#releasing)) this.#keys.push([data, key]);
        else ttyWrite.call(server, data, key);
      };
    }
    server.once('close', () => {
      this.#closed = true;
    });
    // The end of piped input closes the REPL: not before the lines held have run.
    const input = server.input as NodeJS.ReadableStream;
    for (const listener of input.listeners('end') as Array<(...args: unknown[]) => void>) {
      input.removeListener('end', listener);
      input.on('end', (...args: unknown[]) => {
        this.#ended.push(() => listener.apply(input, args));
        this.release();
      });
    }
  }

  /** Whether lines or keys are waiting. */
  get holding(): boolean {
    return this.#held.length > 0 || this.#keys.length > 0;
  }

  /** Passes held lines, then held keys, on until one of them makes the gate busy again. Called
   *  while it does so (an input that ends at once), it leaves the rest to the call under way. */
  release(): void {
    if (this.#releasing) return;
    this.#releasing = true;
    try {
      while (!this.busy && !this.#closed) {
        const line = this.#held.shift();
        if (line !== undefined) {
          this.#forward(line);
          continue;
        }
        const key = this.#keys.shift();
        if (key === undefined) break;
        this.#ttyWrite?.(...key);
      }
    } finally {
      this.#releasing = false;
    }
    if (!this.busy && !this.holding) {
      for (const ended of this.#ended.splice(0)) ended();
    }
  }
}
