// Lines typed (or pasted, or piped) while an input runs wait for it to end, then reach the REPL
// one by one, as if typed after it: a multi-line input typed ahead is joined, commands run in
// order. Node's REPL would otherwise evaluate each line as it arrives.
import type { REPLServer } from 'node:repl';

export class LineGate {
  #held: string[] = [];
  #forward: (line: string) => void;
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

  /** Whether lines are waiting. */
  get holding(): boolean {
    return this.#held.length > 0;
  }

  /** Passes held lines on until one of them makes the gate busy again. */
  release(): void {
    while (!this.busy && !this.#closed && this.#held.length > 0) {
      this.#forward(this.#held.shift() as string);
    }
    if (!this.busy && this.#held.length === 0) {
      for (const ended of this.#ended.splice(0)) ended();
    }
  }
}
