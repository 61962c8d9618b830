// `node -r fiberscope/register app.js`: makes `require('fibers')`, `require('fibers/future')` and
// `require('fibers/fibers')` (and the same `import`s from ES modules) load fiberscope's drop-ins,
// whether or not a real `fibers` package is installed.
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolve } from './register-hooks';

const fibers = path.join(__dirname, 'fibers.js');
const future = path.join(__dirname, 'future.js');
const redirects = new Map<string, string>([
  ['fibers', fibers],
  ['fibers/fibers', fibers],
  ['fibers/future', future],
]);

type ResolveFilename = (
  request: string,
  parent: unknown,
  isMain: boolean,
  options?: unknown,
) => string;

const cjs = Module as unknown as { _resolveFilename: ResolveFilename };
const resolveFilename = cjs._resolveFilename;
cjs._resolveFilename = function (this: unknown, request, parent, isMain, options) {
  const target = redirects.get(request);
  if (target !== undefined) return target;
  return resolveFilename.call(this, request, parent, isMain, options);
};

// `import` does not go through Module._resolveFilename: ES modules are resolved by the ESM
// loader, which only custom hooks can redirect. module.registerHooks() (Node >= 22.15) runs them
// in this thread. Where it is missing (Node 20), module.register() (Node >= 20.6; deprecated from
// Node 26 on, with a warning) runs them on the loader's own thread, loading them by URL, so the
// resolve hook is a module file of its own (register-hooks.ts, compiled beside this one), found
// from __dirname.
const { register, registerHooks } = Module as unknown as {
  register?: (specifier: string) => void;
  registerHooks?: (hooks: { resolve: typeof resolve }) => unknown;
};
if (typeof registerHooks === 'function') {
  registerHooks({ resolve });
} else if (typeof register === 'function') {
  register(pathToFileURL(path.join(__dirname, 'register-hooks.js')).href);
}
