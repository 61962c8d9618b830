// Where a function is defined (its file, line and column), asked of V8 through an in-process
// inspector session only when a stitched trace needs it. What a spawn records is then a
// reference to the spawned function, at no cost, rather than a stack capture.
//
// V8 knows each function's position without walking any stack: the inspector reports it as the
// function's [[FunctionLocation]] (a script id, a line and a column). Script ids become file
// names through the scripts the Debugger domain lists when it is enabled, which is done once and
// again only when a function comes from a script loaded since; the Debugger is disabled at once.
// The session is connected for one batch of look-ups and disconnected after it.
import inspector from 'node:inspector';
import { fileURLToPath } from 'node:url';

/** Any function (the one a fiber runs). */
export type AnyFunction = (...args: never[]) => unknown;

/** A function's position: 1-based line and column (of its parameter list), as in stack frames. */
export interface FunctionLocation {
  /** A path for a CommonJS script, a URL for an ES module; '' for code without a name. */
  file: string;
  line: number;
  column: number;
}

/** Found positions (or null: V8 has none, a builtin), per function object. */
const located = new WeakMap<AnyFunction, FunctionLocation | null>();
/** The file of each script id seen so far (the Debugger's list of scripts). */
const scriptFiles = new Map<string, string>();
/** Script ids that were still unknown after the list was read again: not looked for again. */
const unknownScripts = new Set<string>();
/** Where the function being looked at is put for the session's evaluation to find it. */
const SLOT = Symbol.for('fiberscope.functionLocation');
const SLOT_EXPRESSION = "globalThis[Symbol.for('fiberscope.functionLocation')]";
/** Bound functions are followed to their target, this many times at most. */
const MAX_BOUND = 8;

/** Set when the inspector turned out unusable here (no synchronous answers): never tried again. */
let unavailable = false;
/** Guards against re-entry (an error stitched while a look-up runs). */
let busy = false;

interface RemoteObject {
  objectId?: string;
}
interface InternalProperty {
  name: string;
  value?: {
    value?: { scriptId?: string; lineNumber?: number; columnNumber?: number };
  } & RemoteObject;
}

/** session.post, which answers synchronously for an in-process session. */
function post<T>(session: inspector.Session, method: string, params: object): T {
  let answered = false;
  let failure: Error | null = null;
  let answer: unknown;
  session.post(method, params, (error, result) => {
    answered = true;
    failure = error;
    answer = result;
  });
  if (!answered) {
    unavailable = true;
    throw new Error(`the inspector did not answer ${method} synchronously`);
  }
  if (failure !== null) throw failure;
  return answer as T;
}

/** The position of `fn`'s definition, when V8 knows it (not for builtins). */
export function functionLocation(fn: AnyFunction): FunctionLocation | undefined {
  let known = located.get(fn);
  if (known === undefined) {
    locateFunctions([fn]);
    known = located.get(fn);
  }
  return known ?? undefined;
}

/** Looks up the functions not looked up yet, in one session. Never throws. */
export function locateFunctions(fns: AnyFunction[]): void {
  const wanted = fns.filter((fn) => !located.has(fn));
  if (wanted.length === 0 || unavailable || busy) return;
  busy = true;
  let session: inspector.Session | undefined;
  try {
    try {
      session = new inspector.Session();
      session.connect();
    } catch (error) {
      unavailable = true; // no inspector session to be had here
      throw error;
    }
    for (const fn of wanted) {
      if (unavailable) break;
      if (located.has(fn)) continue;
      let place: FunctionLocation | null = null;
      try {
        place = locateOne(session, fn);
      } catch {
        // This function has no position to be had (a global that cannot be set...): shown
        // without one, and not looked up again.
      }
      located.set(fn, place);
    }
  } catch {
    // What was not found stays unknown: its line names the function alone.
  } finally {
    try {
      session?.disconnect();
    } catch {}
    busy = false;
  }
}

function locateOne(session: inspector.Session, fn: AnyFunction): FunctionLocation | null {
  const global = globalThis as Record<symbol, unknown>;
  try {
    global[SLOT] = fn;
    const { result } = post<{ result: RemoteObject }>(session, 'Runtime.evaluate', {
      expression: SLOT_EXPRESSION,
      silent: true,
    });
    let objectId = result.objectId;
    for (let hops = 0; objectId !== undefined && hops <= MAX_BOUND; hops++) {
      const { internalProperties = [] } = post<{ internalProperties?: InternalProperty[] }>(
        session,
        'Runtime.getProperties',
        { objectId, ownProperties: true },
      );
      const place = internalProperties.find((p) => p.name === '[[FunctionLocation]]')?.value?.value;
      if (place?.scriptId !== undefined && place.lineNumber !== undefined) {
        return {
          file: scriptFile(session, place.scriptId),
          line: place.lineNumber + 1,
          column: (place.columnNumber ?? 0) + 1,
        };
      }
      // A bound function has no position of its own: its target has.
      objectId = internalProperties.find((p) => p.name === '[[TargetFunction]]')?.value?.objectId;
    }
    return null;
  } finally {
    // The remote objects go with the session, disconnected after the batch.
    delete global[SLOT];
  }
}

interface ScriptParsed {
  params: { scriptId: string; url: string; isModule?: boolean };
}

/** The file of a script id; reads the Debugger's list of scripts when the id is new. */
function scriptFile(session: inspector.Session, scriptId: string): string {
  let file = scriptFiles.get(scriptId);
  if (file === undefined && !unknownScripts.has(scriptId)) {
    const listen = ({ params }: ScriptParsed) => {
      scriptFiles.set(params.scriptId, fileOf(params.url, params.isModule === true));
    };
    session.on('Debugger.scriptParsed', listen);
    try {
      post(session, 'Debugger.enable', {});
      post(session, 'Debugger.disable', {});
    } finally {
      session.removeListener('Debugger.scriptParsed', listen);
    }
    file = scriptFiles.get(scriptId);
    if (file === undefined) unknownScripts.add(scriptId);
  }
  return file ?? '';
}

/**
 * The inspector names a script by URL; V8's stack frames name a CommonJS script by its path (the
 * inspector turned it into a file: URL) and an ES module by its URL.
 */
function fileOf(url: string, isModule: boolean): string {
  if (isModule || !url.startsWith('file://')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}
