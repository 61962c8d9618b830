'use strict';
// The scenarios: every bench/scenarios/<name>.js, in their `order`. Adding a scenario is adding
// such a file; it exports:
//
//   title     its heading in docs/benchmarks.md
//   about     Markdown: what it measures and why (docs/benchmarks.md)
//   order     its place in the run and in the tables
//   measure   (ctx) => result or a promise of it, run in a process of its own for each runtime
//             (bench/lib/child.js); ctx: { Fiber, lib, part }. Written for Node 14 too, where a
//             node-fibers column runs it. A scenario without `measure` runs nothing: its rows
//             derive from the others' figures.
//   rows      what it adds to a table: see below
//   limit     seconds one of its processes may take before it is killed (default 60)
//   parts     names: each part runs in a process of its own (ctx.part), their figures merged
//   variants  names from bench/lib/runtimes.js: the scenario runs once more in each
//   fibers    false: the process does not load the fiber library before `measure`
//   table     { title(result, raw), columns: { <runtime>: heading } }: rows of a table of its
//             own, on those runtimes only; without it, rows of the side-by-side table, on every
//             runtime
//
// A row of the side-by-side table:
//   { label, fiber(at, ctx), async(at, ctx)?, show(value), target?: { max } | { min, text },
//     summary?: true | 'label in the README' }
// where at(key, variant = 'main') is the scenario's figure `key` in the runtime of the column
// (the cell says FAILED or — when there is none), fiber gives the fiber figure in each runtime's
// column and async the async/await figure of the same process; the target is checked on user mode
// / node-fibers. A row of an own table:
//   { label, show(result) → text, target?: text, ok?(result) → boolean, summary? }
// with `ok` checked on user mode's result.

const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'scenarios');

function loadScenarios() {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .map((file) => {
      const name = file.slice(0, -3);
      const spec = require(path.join(dir, file));
      for (const field of ['title', 'about', 'order', 'rows']) {
        if (spec[field] === undefined) throw new Error(`bench/scenarios/${file}: no ${field}`);
      }
      return Object.assign({ name }, spec);
    })
    .sort((a, b) => a.order - b.order);
}

module.exports = { loadScenarios };
