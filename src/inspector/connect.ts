// Connects to a Node.js process's inspector (chrome-remote-interface), as `fiberscope profile`
// and `fiberscope repl --attach` do: at HOST:PORT, or by pid, the way `node inspect -p` does.
import CDP from 'chrome-remote-interface';
import { assertNodeProcess } from './node-process';

export type InspectorClient = Awaited<ReturnType<typeof CDP>>;

export interface InspectorTarget {
  host: string;
  port: number;
  /** Sent SIGUSR1 first, which opens its inspector on 127.0.0.1:9229; refused unless it is a
   *  Node.js process that handles SIGUSR1 (assertNodeProcess). */
  pid?: number;
}

/** The fiberscope runtime of a process, as an expression to evaluate there (src/fiber/fiber.ts
 *  registers it): undefined where the runtime is not loaded. */
export const RUNTIME_HOOK = "globalThis[Symbol.for('fiberscope.runtime')]";

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);

/** Connects; warns first on stderr when the host is not a loopback one. */
export async function connect(options: InspectorTarget): Promise<InspectorClient> {
  if (!isLoopback(options.host)) {
    process.stderr.write(
      `fiberscope: warning: ${options.host} is not a loopback address; the inspector gives full control of the target\n`,
    );
  }
  if (options.pid !== undefined) {
    assertNodeProcess(options.pid);
    try {
      // SIGUSR1 makes a Node.js process open its inspector on 127.0.0.1:9229.
      process.kill(options.pid, 'SIGUSR1');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ESRCH'
          ? `no process has pid ${options.pid}`
          : `cannot signal pid ${options.pid}: ${code}`,
      );
    }
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        return await CDP({ host: options.host, port: options.port });
      } catch {
        if (Date.now() > deadline) {
          throw new Error(
            `pid ${options.pid} did not open an inspector on 127.0.0.1:9229: is it a Node.js process?`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
  try {
    return await CDP({ host: options.host, port: options.port });
  } catch (error) {
    throw new Error(
      `cannot reach an inspector at ${options.host}:${options.port}: ${(error as Error).message}`,
    );
  }
}

/** Whether an inspector call failed because the target's context is gone: a process that ends
 *  while a debugger is attached does not close the connection, it destroys its context and waits
 *  for the debugger to disconnect, and every evaluation fails from then on. */
export function isContextGone(error: unknown): boolean {
  return /Cannot find context with specified id/.test(String((error as Error)?.message));
}

/**
 * Calls `onGone` once, when the target goes away: its inspector connection closes, or its main
 * context is destroyed (see isContextGone). Enables the Runtime domain, whose events tell; that
 * also sends every console call of the target here, which a profiler should not cause.
 */
export async function watchTarget(client: InspectorClient, onGone: () => void): Promise<void> {
  let mainContext: number | undefined;
  let gone = false;
  const goneOnce = () => {
    if (gone) return;
    gone = true;
    onGone();
  };
  client.on('disconnect', goneOnce);
  client.on('Runtime.executionContextCreated', ({ context }) => {
    if ((context.auxData as { isDefault?: boolean } | undefined)?.isDefault) {
      mainContext = context.id;
    }
  });
  client.on('Runtime.executionContextDestroyed', ({ executionContextId }) => {
    if (executionContextId === mainContext) goneOnce();
  });
  client.on('Runtime.executionContextsCleared', goneOnce);
  await client.Runtime.enable();
}
