// Calls into the fiberscope runtime of a process through its inspector: the REPL's `.fibers`
// and `fiberscope dump` ask it for its fibers this way.
import { type InspectorClient, RUNTIME_HOOK } from './connect';

/** What callRuntime() resolves with when the target has no fiberscope runtime (or one without
 *  what was called). */
export const NO_RUNTIME = Symbol('fiberscope.noRuntime');

/**
 * Calls `hook.<part>().<method>(options)` on the target's runtime hook (src/entry/setup.ts) and
 * resolves with what it returns, by value; NO_RUNTIME where the hook, the part or the method is
 * missing. Rejects with the target's exception, as it printed it.
 */
export async function callRuntime(
  client: InspectorClient,
  part: 'repl' | 'diagnostics',
  method: string,
  options: Record<string, unknown> = {},
): Promise<unknown> {
  const { result, exceptionDetails } = await client.Runtime.evaluate({
    expression: `${RUNTIME_HOOK}?.${part}?.()?.${method}?.(${JSON.stringify(options)})`,
    returnByValue: true,
  });
  if (exceptionDetails) {
    throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  }
  return result.type === 'undefined' ? NO_RUNTIME : result.value;
}
