// Drives a fiber REPL through scripted streams: each input resolves with what the REPL printed
// until its next prompt.
import { PassThrough } from 'node:stream';
import { type FiberREPLServer, type FiberReplOptions, start } from 'fiberscope/repl';

export const PROMPT = '> ';

export interface Driver {
  server: FiberREPLServer;
  /** Types `line` and Enter; resolves with the output up to the next prompt. */
  type(line: string): Promise<string>;
  /** Everything printed so far. */
  output(): string;
  close(): void;
}

export function startDriver(options: FiberReplOptions = {}): Driver {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    printed += chunk;
  });
  const server = start({
    input,
    output,
    terminal: false,
    prompt: PROMPT,
    historyFile: false,
    ...options,
  });
  // Node 24's REPL continues an incomplete input with `| `, earlier ones with `... `.
  const CONTINUATION = /(?:\.\.\. |\| )$/;
  const nextPrompt = async (from: number): Promise<string> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const text = printed.slice(from);
      if (text.endsWith(PROMPT)) return text.slice(0, text.lastIndexOf(PROMPT));
      const continued = CONTINUATION.exec(text);
      if (continued) return text.slice(0, continued.index);
      if (Date.now() > deadline) throw new Error(`no prompt after ${JSON.stringify(text)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    server,
    async type(line) {
      const from = printed.length;
      input.write(`${line}\n`);
      return (await nextPrompt(from)).trim();
    },
    output: () => printed,
    close() {
      server.close();
    },
  };
}
