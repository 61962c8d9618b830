// Source maps for stack traces: frames from TypeScript or bundled code show their original files
// and lines.
//
// Why source-map-support's `wrapCallSite` and not its `install()`:
//  - install() assigns its own `Error.prepareStackTrace`, replacing (not composing with) whatever
//    was there before, and formats frames with its own copy of an old V8 formatter that drops the
//    `async ` prefix and `Promise.all (index N)` frames.
//  - install() flips a module-wide "formatter installed" flag in the (usually deduplicated)
//    source-map-support instance; a user's own later `install()` would then silently install
//    nothing.
//  - install() by default patches `process.emit` for 'uncaughtException' and may pick the browser
//    code paths (XMLHttpRequest) when a DOM shim is present.
// wrapCallSite() is all we need: it reads inline (`data:` URL) and on-disk maps, caches per file
// (file contents and parsed SourceMapConsumer), and honours `retrieveSourceMap` handlers that
// others registered through install(). Files without a map are remembered here as well, so a
// frame from such a file costs one Map lookup and never touches the filesystem again.
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as sourceMapSupport from 'source-map-support';
import { isOwnFile } from '../util/own-files';

type CallSite = NodeJS.CallSite;
type PrepareStackTrace = (error: Error, sites: CallSite[]) => unknown;

let installed = false;
let hookInstalled = false;
/** The `Error.prepareStackTrace` found when fiberscope installed its hook, composed with. */
let previous: PrepareStackTrace | undefined;
/** Per file: does it have a source map? Filled once per file, so repeated frames are cheap. */
const hasMap = new Map<string, boolean>();
/** Guards against re-entry while mapping (an error raised while reading a map). */
let mapping = false;

/** Whether Node itself maps stack traces (`--enable-source-maps`, `process.setSourceMapsEnabled`). */
function nodeMapsSourceMaps(): boolean {
  const enabled = (process as { sourceMapsEnabled?: unknown }).sourceMapsEnabled;
  if (typeof enabled === 'boolean') return enabled;
  const flag = /(?:^|\s)--enable-source-maps(?:=true)?(?:\s|$)/;
  if (process.execArgv.some((arg) => arg === '--enable-source-maps')) return true;
  return flag.test(process.env.NODE_OPTIONS ?? '');
}

/** True when fiberscope installed its own source-mapping `Error.prepareStackTrace` (that is, Node
 *  does not map by itself). Stays true if the hook was later replaced by someone else. */
export function sourceMapsActive(): boolean {
  return hookInstalled;
}

/**
 * Installs source-mapped stack traces, once. Does nothing when Node already maps them. An
 * `Error.prepareStackTrace` present before is kept and called with the mapped call sites; one
 * installed after replaces fiberscope's and is left alone.
 */
export function installSourceMaps(): void {
  if (installed) return;
  installed = true;
  if (nodeMapsSourceMaps()) return;
  const existing = Error.prepareStackTrace;
  previous = typeof existing === 'function' ? (existing as PrepareStackTrace) : undefined;
  Error.prepareStackTrace = fiberscopePrepareStackTrace;
  hookInstalled = true;
}

function fiberscopePrepareStackTrace(this: unknown, error: Error, sites: CallSite[]): unknown {
  // Node may have been told to map after fiberscope installed: pass its frames through untouched.
  const mapped = mapping || process.sourceMapsEnabled === true ? sites : mapCallSites(sites);
  if (previous) return previous.call(this, error, mapped);
  return formatStack(error, mapped);
}

/** V8's (and Node's) default text: the error's header, then one `    at` line per frame. */
function formatStack(error: Error, sites: CallSite[]): string {
  const header = Error.prototype.toString.call(error);
  if (sites.length === 0) return header;
  return `${header}\n    at ${sites.join('\n    at ')}`;
}

/**
 * The call sites with source-mapped file, line, column (and function name when the map has
 * one). Frames from files without a map come back as they are. Mapped ones are source-map-
 * support's copies, whose `toString()` prints exactly like V8's.
 */
export function mapCallSites(sites: CallSite[]): CallSite[] {
  if (mapping) return sites;
  mapping = true;
  try {
    let changed = false;
    const result = sites.slice();
    // source-map-support takes a frame's function name from its caller's mapped position, so it
    // walks outermost first, carrying the position of the caller in `state`.
    const state: sourceMapSupport.State = { nextPosition: null, curPosition: null };
    for (let i = sites.length - 1; i >= 0; i--) {
      const site = sites[i] as CallSite;
      const wrapped = mapCallSite(site, state);
      if (wrapped !== site) {
        result[i] = wrapped;
        changed = true;
      } else {
        state.curPosition = null;
      }
      state.nextPosition = state.curPosition;
    }
    return changed ? result : sites;
  } finally {
    mapping = false;
  }
}

function mapCallSite(site: CallSite, state: sourceMapSupport.State): CallSite {
  let file: string | null | undefined;
  try {
    file = site.getFileName() || site.getScriptNameOrSourceURL();
  } catch {
    return site;
  }
  if (!file) {
    // eval'd code without a sourceURL: only its eval origin can be mapped.
    if (!site.isEval()) return site;
  } else if (!fileHasMap(file)) {
    return site;
  }
  try {
    const wrapped = sourceMapSupport.wrapCallSite(
      site as unknown as sourceMapSupport.CallSite,
      state,
    ) as unknown as CallSite;
    if (wrapped === site) return site;
    (wrapped as { toString(): string }).toString = () => mappedToString(site, wrapped);
    return wrapped;
  } catch {
    // A malformed map: never try this file again.
    if (file) hasMap.set(file, false);
    return site;
  }
}

/**
 * V8's own text for the frame with its location swapped for the mapped one, so everything else
 * (async prefix, receiver type, `[as name]`, `new`) stays exactly V8's. Only when the map renamed
 * the function, or V8's text does not end with the location as expected, is it rebuilt by the
 * port of V8's formatter.
 */
function mappedToString(site: CallSite, mapped: CallSite): string {
  if (mapped.getFunctionName() === site.getFunctionName()) {
    const text = String(site);
    const generated = fileLocation(site);
    if (text.endsWith(`(${generated})`)) {
      return `${text.slice(0, text.length - generated.length - 1)}${fileLocation(mapped)})`;
    }
    if (text.endsWith(generated)) {
      return text.slice(0, text.length - generated.length) + fileLocation(mapped);
    }
  }
  return formatCallSite(mapped);
}

/**
 * The original position of a 1-based line and column of `file`, when the file has a source map
 * (fiberscope's own files excepted); undefined otherwise. For positions that are not call sites:
 * the profiler's frames.
 */
export function mapPosition(
  file: string,
  line: number,
  column: number,
): { file: string; line: number; column: number; name?: string } | undefined {
  if (!file || line < 1 || !fileHasMap(file)) return undefined;
  try {
    return originalPosition(file, line, column);
  } catch {
    return undefined;
  }
}

/**
 * The position a source map gives for a 1-based line and column of `file` (a path, or a URL
 * source-map-support reads), through source-map-support's caches of files and maps; undefined
 * when there is no map or it leaves the line where it is. The file comes back as the map names
 * it (a path or a `file:` URL). Throws on a map that does not parse.
 */
export function originalPosition(
  file: string,
  line: number,
  column: number,
): { file: string; line: number; column: number } | undefined {
  // source-map-support takes 1-based lines and 0-based columns, as V8's CallSite API has them.
  const mapped = sourceMapSupport.mapSourcePosition({ source: file, line, column: column - 1 });
  if (mapped.source === file && mapped.line === line) return undefined;
  return { file: mapped.source, line: mapped.line, column: mapped.column + 1 };
}

function fileHasMap(file: string): boolean {
  let known = hasMap.get(file);
  if (known === undefined) {
    // Node's own modules and V8's internal scripts never carry maps; fiberscope's own frames
    // (dist/, which ships maps to src/) are left as they are: nobody debugs them from a trace.
    if (file.startsWith('node:') || file.startsWith('wasm://') || isOwnFile(file)) {
      known = false;
    } else {
      try {
        // Reads the file (or a handler registered with source-map-support) once; the contents
        // and the parsed map stay in source-map-support's caches for the actual mapping.
        known = sourceMapSupport.retrieveSourceMap(file) !== null;
      } catch {
        known = false;
      }
    }
    hasMap.set(file, known);
  }
  return known;
}

/**
 * How V8 prints a call site in a stack trace: a port of SerializeJSStackFrame (V8's
 * call-site-info.cc) over the public CallSite API, for call sites that are not V8's own (mapped
 * copies). One difference is unavoidable: for a static method of a class in strict code V8 prints
 * the class name where the CallSite API only reports `Function`.
 */
export function formatCallSite(site: CallSite): string {
  let text = '';
  if (site.isAsync()) {
    text = 'async ';
    if (site.isPromiseAll()) return `${text}Promise.all (index ${site.getPromiseIndex()})`;
  }
  const functionName = site.getFunctionName();
  const isConstructor = site.isConstructor();
  if (!site.isToplevel() && !isConstructor) {
    text += methodCall(site, functionName);
  } else if (isConstructor) {
    text += `new ${functionName || '<anonymous>'}`;
  } else if (functionName) {
    text += functionName;
  } else {
    return text + fileLocation(site);
  }
  return `${text} (${fileLocation(site)})`;
}

const identifier = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

function methodCall(site: CallSite, functionName: string | null): string {
  const typeName = site.getTypeName();
  const methodName = site.getMethodName();
  let text = '';
  if (functionName) {
    if (typeName && functionName !== typeName && identifier.test(functionName)) {
      text += `${typeName}.`;
    }
    text += functionName;
    if (
      methodName &&
      functionName !== methodName &&
      !functionName.endsWith(`.${methodName}`) &&
      !functionName.endsWith(` ${methodName}`)
    ) {
      text += ` [as ${methodName}]`;
    }
    return text;
  }
  if (typeName) text += `${typeName}.`;
  return text + (methodName || '<anonymous>');
}

function fileLocation(site: CallSite): string {
  let text = '';
  const name = site.getScriptNameOrSourceURL();
  if (!name && site.isEval()) text = `${site.getEvalOrigin()}, `;
  text += name || '<anonymous>';
  const line = site.getLineNumber();
  if (line != null) {
    text += `:${line}`;
    const column = site.getColumnNumber();
    if (column != null) text += `:${column}`;
  }
  return text;
}

/**
 * A call site at a position no stack holds (where a function is defined), for formatting code
 * that expects V8's call sites. Its methods live on the prototype, as V8's do (source-map-support
 * clones a call site through its prototype's methods).
 */
class PositionCallSite {
  constructor(
    readonly name: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {}
  getThis(): undefined {
    return undefined;
  }
  getTypeName(): null {
    return null;
  }
  getFunction(): undefined {
    return undefined;
  }
  getFunctionName(): string | null {
    return this.name || null;
  }
  getMethodName(): null {
    return null;
  }
  getFileName(): string {
    return this.file;
  }
  getLineNumber(): number {
    return this.line;
  }
  getColumnNumber(): number {
    return this.column;
  }
  getEnclosingLineNumber(): number {
    return this.line;
  }
  getEnclosingColumnNumber(): number {
    return this.column;
  }
  getEvalOrigin(): undefined {
    return undefined;
  }
  getScriptNameOrSourceURL(): string {
    return this.file;
  }
  getScriptHash(): string {
    return '';
  }
  getPosition(): number {
    return 0;
  }
  getPromiseIndex(): null {
    return null;
  }
  isToplevel(): boolean {
    return true;
  }
  isEval(): boolean {
    return false;
  }
  isNative(): boolean {
    return false;
  }
  isConstructor(): boolean {
    return false;
  }
  isAsync(): boolean {
    return false;
  }
  isPromiseAll(): boolean {
    return false;
  }
  toString(): string {
    const location = `${this.file}:${this.line}:${this.column}`;
    return this.name ? `${this.name} (${location})` : location;
  }
}

/**
 * The `    at` line of a frame of function `name` at a 1-based line and column of `file`, as this
 * process prints stack traces: through the `Error.prepareStackTrace` in force when there is one
 * (fiberscope's, which maps it; or one that a test runner or a TypeScript loader installed,
 * which maps it its own way), else mapped as Node maps frames (`--enable-source-maps`), else as
 * it is. V8's shape: `    at name (file:line:col)`, `    at file:line:col` for an anonymous one.
 */
export function formatPositionFrame(
  name: string,
  file: string,
  line: number,
  column: number,
): string {
  const site = new PositionCallSite(name, file, line, column);
  const prepare = Error.prepareStackTrace;
  if (typeof prepare === 'function') {
    try {
      const text: unknown = prepare(Object.create(Error.prototype), [site as unknown as CallSite]);
      if (typeof text === 'string') {
        const last = text.slice(text.lastIndexOf('\n') + 1);
        if (/^\s*at \S/.test(last) && !last.includes('\n')) return `    ${last.trimStart()}`;
      }
    } catch {
      // A hook that fails on a call site of its own making: the line as Node would print it.
    }
  }
  if (nodeMapsSourceMaps() || process.sourceMapsEnabled === true) {
    const mapped = mapWithNode(file, line, column);
    if (mapped)
      return `    at ${new PositionCallSite(name, mapped.file, mapped.line, mapped.column)}`;
  }
  return `    at ${site}`;
}

/** A position mapped through the source map Node keeps for `file` (Node's own mapping). */
function mapWithNode(
  file: string,
  line: number,
  column: number,
): { file: string; line: number; column: number } | undefined {
  try {
    const entry = findSourceMap(file)?.findEntry(line - 1, column - 1) as
      | { originalSource?: string; originalLine?: number; originalColumn?: number }
      | undefined;
    if (entry?.originalSource === undefined || entry.originalLine === undefined) return undefined;
    const source = entry.originalSource.startsWith('file://')
      ? fileURLToPath(entry.originalSource)
      : entry.originalSource;
    return { file: source, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  } catch {
    return undefined;
  }
}
