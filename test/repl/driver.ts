// Drives a fiber REPL, local or attached, through scripted streams: each input resolves with what
// the REPL printed until its next prompt.
import type { REPLServer } from 'node:repl';
import { PassThrough } from 'node:stream';
import {
  type AttachedREPLServer,
  attach,
  type FiberREPLServer,
  type FiberReplOptions,
  start,
} from 'fiberscope/repl';

export const PROMPT = '> ';

export interface Driver<Server extends REPLServer = FiberREPLServer> {
  server: Server;
  /** Types `line` and Enter; resolves with the output up to the next prompt. */
  type(line: string): Promise<string>;
  /** Resolves once the REPL has printed `text` (since it started). */
  printed(text: string): Promise<void>;
  /** Everything printed so far. */
  output(): string;
  close(): void;
}

/** A REPL on a pair of streams, made by `open`. */
function drive<Server extends REPLServer>(
  open: (input: PassThrough, output: PassThrough) => Server,
): Driver<Server> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    printed += chunk;
  });
  const server = open(input, output);
  // Node 24's REPL continues an incomplete input with `| `, earlier ones with `... `.
  const CONTINUATION = /(?:\.\.\. |\| )$/;
  const until = async (done: () => boolean, what: () => string) => {
    const deadline = Date.now() + 15_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(what());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const driver: Driver<Server> = {
    server,
    async type(line) {
      const from = printed.length;
      input.write(`${line}\n`);
      const prompted = () => {
        const text = printed.slice(from);
        return text.endsWith(PROMPT) || CONTINUATION.test(text);
      };
      await until(prompted, () => `no prompt after ${JSON.stringify(printed.slice(from))}`);
      const text = printed.slice(from);
      const continued = CONTINUATION.exec(text);
      const end = text.endsWith(PROMPT) ? text.lastIndexOf(PROMPT) : (continued?.index ?? 0);
      return text.slice(0, end).trim();
    },
    printed: (text) =>
      until(
        () => printed.includes(text),
        () => `never printed ${JSON.stringify(text)}: ${JSON.stringify(printed)}`,
      ),
    output: () => printed,
    close() {
      driver.server.close();
    },
  };
  return driver;
}

export function startDriver(options: FiberReplOptions = {}): Driver {
  return drive((input, output) =>
    start({
      input,
      output,
      terminal: false,
      prompt: PROMPT,
      historyFile: false,
      ...options,
    }),
  );
}

/** A REPL attached to the inspector at 127.0.0.1:`port`; resolves once it prompts. */
export async function attachDriver(port: number): Promise<Driver<AttachedREPLServer>> {
  let attaching: Promise<AttachedREPLServer> | undefined;
  const driver = drive((input, output) => {
    attaching = attach({
      port,
      input,
      output,
      terminal: false,
      prompt: PROMPT,
      historyFile: false,
    });
    // The server is there once attach() resolves: the driver's methods use it only after that.
    return undefined as unknown as AttachedREPLServer;
  });
  driver.server = await (attaching as Promise<AttachedREPLServer>);
  await driver.printed(PROMPT);
  return driver;
}
