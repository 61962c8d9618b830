'use strict';
// Checks that src/ layers import one way (run by `npm run lint`): the runtime (src/fiber) imports
// nothing above it; the stitcher, the profiler, diagnostics, the REPL and the CLI import only the layers
// below them; the entry points (src/entry, what the package exports) may import any layer, and
// no layer imports them but the CLI. Relative imports, require() and import() calls are read.
// Exit code 1 and one line per offending import when a layer reaches up or sideways.
const fs = require('node:fs');
const path = require('node:path');

/** Which layers each layer may import (its own always). `util` holds leaf helpers that belong
 *  to no layer (colours, own-file detection, JSON shapes): any layer may import it. */
const ALLOWED = {
  util: [],
  fiber: ['util'],
  inspector: ['util'],
  stitch: ['util', 'fiber'],
  otel: ['util', 'fiber'],
  profiler: ['util', 'fiber', 'stitch'],
  diagnostics: ['util', 'fiber', 'stitch', 'profiler'],
  repl: ['util', 'fiber', 'stitch', 'profiler', 'diagnostics', 'inspector'],
  cli: ['util', 'fiber', 'stitch', 'profiler', 'diagnostics', 'inspector', 'repl', 'entry'],
  entry: ['util', 'fiber', 'stitch', 'otel', 'profiler', 'diagnostics', 'inspector', 'repl'],
  types: [],
};

const SPECIFIER =
  /(?:\bfrom\s+|\bimport\s+|\brequire\(\s*|\bimport\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function sourceFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) files.push(full);
  }
  return files;
}

/** The layer of a path inside `srcDir` (a file, or a folder imported as its index): its first
 *  folder; undefined outside src/. */
function layerOf(srcDir, file) {
  const relative = path.relative(srcDir, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep)[0];
}

/** Every import in `srcDir` that breaks ALLOWED, as "file:line: layer imports layer (spec)". */
function checkLayers(srcDir) {
  const problems = [];
  for (const file of sourceFiles(srcDir)) {
    const from = layerOf(srcDir, file);
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const target = layerOf(srcDir, path.resolve(path.dirname(file), match[1]));
      if (from === undefined || target === undefined || target === from) continue;
      const allowed = ALLOWED[from];
      if (allowed?.includes(target)) continue;
      const line = text.slice(0, match.index).split('\n').length;
      const why = allowed === undefined ? `${from} is no known layer` : `${from} imports ${target}`;
      problems.push(`${path.relative(process.cwd(), file)}:${line}: ${why} ('${match[1]}')`);
    }
  }
  return problems;
}

module.exports = { ALLOWED, checkLayers };

if (require.main === module) {
  const srcDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'src'));
  const problems = checkLayers(srcDir);
  if (problems.length > 0) {
    console.error(`check-layers: ${problems.length} import(s) against the layers:`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exitCode = 1;
  } else {
    console.log('check-layers: every import in src/ points down the layers');
  }
}
