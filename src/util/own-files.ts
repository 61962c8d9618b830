// fiberscope's own files: the frames that stitched traces, the REPL's errors and profiles' wait
// sites leave out, and the files source mapping leaves alone. This file sits one folder below
// the directory of all of fiberscope's running code (dist/util/, or src/util/ when run from the
// TypeScript sources).
import path from 'node:path';

/** The directory of fiberscope's running code (dist/), with a trailing separator. */
export const OWN_DIR = path.resolve(__dirname, '..') + path.sep;

/** fiberscope's TypeScript sources: where its frames point once source-mapped (dist/'s maps
 *  lead to src/). */
const OWN_SOURCES = path.resolve(__dirname, '..', '..', 'src') + path.sep;

/** Whether the file at `file` (a path) is one of fiberscope's running files. */
export function isOwnFile(file: string): boolean {
  return file.startsWith(OWN_DIR);
}

/** Whether a stack line (or a path) names one of fiberscope's files: a running one, or the
 *  source a running one is mapped to. */
export function isOwnFrame(line: string): boolean {
  return line.includes(OWN_DIR) || line.includes(OWN_SOURCES);
}
