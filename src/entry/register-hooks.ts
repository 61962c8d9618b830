// ESM resolve hook installed by register.ts through module.registerHooks(), or on Node 20 through
// module.register(), which runs it on Node's loader thread: so it imports nothing of fiberscope's
// runtime, only maps the `fibers` specifiers to the drop-ins beside it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}

type NextResolve = (specifier: string, context?: unknown) => ResolveResult | Promise<ResolveResult>;

const fibers = pathToFileURL(path.join(__dirname, 'fibers.js')).href;
const future = pathToFileURL(path.join(__dirname, 'future.js')).href;
const redirects = new Map<string, string>([
  ['fibers', fibers],
  ['fibers/fibers', fibers],
  ['fibers/future', future],
]);

export function resolve(
  specifier: string,
  context: unknown,
  nextResolve: NextResolve,
): ResolveResult | Promise<ResolveResult> {
  const url = redirects.get(specifier);
  if (url !== undefined) return { url, format: 'commonjs', shortCircuit: true };
  return nextResolve(specifier, context);
}
