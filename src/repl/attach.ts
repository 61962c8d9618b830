// `fiberscope repl --attach host:port`: a local REPL whose inputs run in another process,
// through its inspector. With the fiberscope runtime there, each input runs inside a fiber of
// the target (target.ts); without it, the inspector evaluates it on the target's main thread,
// its promise awaited.
import repl, { type REPLServer, Recoverable, type ReplOptions } from 'node:repl';
import { inspect } from 'node:util';
import { INTERRUPTED_MESSAGE } from '../fiber/interrupt-error';
import {
  connect,
  type InspectorClient,
  type InspectorTarget,
  RUNTIME_HOOK,
  watchTarget,
} from '../inspector/connect';
import { callRuntime } from '../inspector/runtime';
import { onReportedError } from './error-hook';
import { defaultHistoryFile } from './history';
import { LineGate } from './line-gate';
import { isIncomplete } from './syntax';
import { cookTerminal, usesColors } from './terminal';

export interface AttachOptions
  extends Pick<ReplOptions, 'input' | 'output' | 'terminal' | 'prompt' | 'useColors'> {
  host?: string;
  port?: number;
  /** The history file, for a terminal REPL; `false` for none. */
  historyFile?: string | false;
}

export interface AttachedREPLServer extends REPLServer {
  /** The inspector connection to the target. */
  readonly client: InspectorClient;
  /** Whether inputs run in fibers (the target has the fiberscope runtime). */
  readonly fibers: boolean;
  /** Whether the REPL closed because the target went away. */
  readonly targetGone: boolean;
}

const kRemoteText = Symbol('fiberscope.remoteText');

/** A value or error as the target printed it. */
interface RemoteText {
  [kRemoteText]: string;
}

const remoteValue = (text: string): RemoteText => ({ [kRemoteText]: text });

function remoteError(text: string): Error & RemoteText {
  const error = new Error(text.split('\n')[0]) as Error & RemoteText;
  error[kRemoteText] = text;
  error.stack = text;
  return error;
}

/** Connects to the inspector at host:port and starts a REPL whose inputs run there. */
export async function attach(
  options: AttachOptions & InspectorTarget,
): Promise<AttachedREPLServer> {
  const target: InspectorTarget = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 9229,
    pid: options.pid,
  };
  const output = (options.output ?? process.stdout) as NodeJS.WritableStream;
  const client = await connect(target);
  let detach = () => {};
  await watchTarget(client, () => detach());
  const probe = await client.Runtime.evaluate({
    expression: `typeof ${RUNTIME_HOOK}?.repl === 'function'`,
    returnByValue: true,
  });
  const fibers = probe.result.value === true;
  output.write(
    fibers
      ? `Attached to ${target.host}:${target.port}: each input runs in a fiber of the target.\n`
      : `Attached to ${target.host}:${target.port}. The target has no fiberscope runtime: inputs run on its main thread, promises awaited; wait() is not available.\n`,
  );

  let pending: ((error: Error) => void) | undefined;
  const server = repl.start({
    prompt: options.prompt ?? 'fiberscope (attached)> ',
    input: options.input,
    output: options.output,
    terminal: options.terminal,
    useColors: options.useColors,
    writer: (value: unknown) =>
      value !== null && typeof value === 'object' && kRemoteText in value
        ? (value as RemoteText)[kRemoteText]
        : inspect(value),
    eval: (code, _context, _file, finish) => {
      if (code.trim() === '') {
        (finish as (error: null) => void)(null); // nothing printed, as in Node's REPL
        return;
      }
      if (isIncomplete(code)) {
        finish(new Recoverable(new SyntaxError('Unexpected end of input')), undefined);
        return;
      }
      const colors = usesColors(server);
      const restoreTerminal = cookTerminal(server);
      gate.busy = true;
      let settled = false;
      const settle = (error: Error | null, value?: unknown) => {
        if (settled) return;
        settled = true;
        pending = undefined;
        // The terminal first: no Ctrl-C then finds the process without a listener, cooked.
        restoreTerminal();
        process.off('SIGINT', onSigint);
        finish(error, value);
        gate.busy = false;
        gate.release();
      };
      const onSigint = () => {
        if (fibers) {
          client.Runtime.evaluate({ expression: `${RUNTIME_HOOK}.repl().interrupt()` }).catch(
            () => {},
          );
          return;
        }
        // Without the runtime: a busy input is terminated; a pending await is abandoned here.
        client.Runtime.terminateExecution().catch(() => {});
        settle(remoteError(`Error: ${INTERRUPTED_MESSAGE}`));
      };
      process.on('SIGINT', onSigint);
      pending = (error) => settle(error);
      evaluateRemotely(client, code, fibers, colors).then(
        ({ ok, text }) => settle(ok ? null : remoteError(text), ok ? remoteValue(text) : undefined),
        (error: Error) => settle(error),
      );
    },
  }) as AttachedREPLServer;
  // Lines typed while an input runs in the target wait for it, as in the local REPL.
  const gate = new LineGate(server);
  let targetGone = false;
  Object.defineProperties(server, {
    client: { value: client },
    fibers: { value: fibers },
    targetGone: { get: () => targetGone },
  });
  const print = (text: string) => server.output.write(`${text}\n`);
  let lastError: string | undefined;
  server.on('exit', () => {
    client.close().catch(() => {});
  });

  server.defineCommand('fibers', {
    help: "List the target's live fibers, and where each one is suspended",
    action() {
      this.clearBufferedCommand();
      if (!fibers) {
        print('The target has no fiberscope runtime: no fibers to list.');
        this.displayPrompt();
        return;
      }
      const colors = usesColors(server);
      // Lines after it (and the end of piped input) wait for the list, as they would for an input.
      gate.busy = true;
      const done = (text: string) => {
        print(text);
        gate.busy = false;
        this.displayPrompt();
        gate.release();
      };
      callRuntime(client, 'repl', 'fibers', { colors }).then(
        (text) => done(String(text)),
        (error: Error) => done(`Cannot list the fibers: ${error.message}`),
      );
    },
  });
  server.defineCommand('stack', {
    help: 'Print the stitched stack trace of the last error',
    action() {
      this.clearBufferedCommand();
      print(lastError ?? 'No error yet.');
      this.displayPrompt();
    },
  });
  // The REPL's own error handling sees each error first; `.stack` prints the last one again.
  onReportedError(server, (error: unknown) => {
    if (error !== null && typeof error === 'object' && kRemoteText in error) {
      lastError = (error as RemoteText)[kRemoteText];
    }
  });

  detach = () => {
    targetGone = true;
    pending?.(remoteError('Error: The target went away'));
    print('\nThe target went away: detaching.');
    server.close();
  };

  if (server.terminal && options.historyFile !== false) {
    const file = options.historyFile ?? defaultHistoryFile();
    server.setupHistory(file, (error) => {
      if (error) print(`Cannot use the history file ${file}: ${error.message}`);
    });
  }
  return server;
}

async function evaluateRemotely(
  client: InspectorClient,
  code: string,
  fibers: boolean,
  colors: boolean,
): Promise<{ ok: boolean; text: string }> {
  if (fibers) {
    const reply = await client.Runtime.evaluate({
      expression: `${RUNTIME_HOOK}.repl().evaluate(${JSON.stringify(code)}, { colors: ${colors} })`,
      awaitPromise: true,
      returnByValue: true,
    });
    if (reply.exceptionDetails) {
      return {
        ok: false,
        text: reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text,
      };
    }
    return reply.result.value as { ok: boolean; text: string };
  }
  const reply = await client.Runtime.evaluate({
    expression: code,
    replMode: true,
    awaitPromise: true,
    includeCommandLineAPI: true,
    objectGroup: 'fiberscope-repl',
  });
  if (reply.exceptionDetails) {
    const { exception, text } = reply.exceptionDetails;
    return { ok: false, text: exception?.description ?? `Uncaught ${exception?.value ?? text}` };
  }
  let { result } = reply;
  if (result.subtype === 'promise' && result.objectId !== undefined) {
    // A promise the input returned is awaited, as the local REPL does.
    const settled = await client.Runtime.awaitPromise({ promiseObjectId: result.objectId });
    if (settled.exceptionDetails) {
      const { exception, text } = settled.exceptionDetails;
      return { ok: false, text: exception?.description ?? `Uncaught ${exception?.value ?? text}` };
    }
    result = settled.result;
  }
  if (result.objectId === undefined) {
    if (result.unserializableValue !== undefined)
      return { ok: true, text: result.unserializableValue };
    return { ok: true, text: inspect(result.value, { colors }) };
  }
  const shown = await client.Runtime.callFunctionOn({
    objectId: result.objectId,
    functionDeclaration: `function () { const util = process.getBuiltinModule?.('node:util'); return util ? util.inspect(this, { colors: ${colors} }) : String(this); }`,
    returnByValue: true,
  });
  await client.Runtime.releaseObjectGroup({ objectGroup: 'fiberscope-repl' }).catch(() => {});
  return { ok: true, text: String(shown.result.value) };
}
