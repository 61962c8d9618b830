'use strict';
// `npm run bench`: runs every scenario of bench/scenarios/ (see bench/lib/scenarios.js) and
// reports them. fiberscope on this Node in its two switch modes, user (the default) and kernel,
// next to node-fibers 5.0.3 on Node 14.21.3 (installed into bench/.cache by the bench itself),
// side by side: each scenario runs in a process of its own for each runtime (fresh heap), under
// a time limit; a process that crashes or hangs is killed and reported as failed, and the run
// goes on. Prints the tables, writes the raw results to bench/.cache/results.json and, when every
// scenario ran, docs/benchmarks.md and the README's summary table. Exit code is non-zero only
// when a fiberscope scenario fails (node-fibers missing or failing only blanks its columns).
//
//   BENCH_ONLY=roundtrip,http   only those scenarios (the report goes to bench/.cache/benchmarks.md)
//   BENCH_TIMEOUT_S=N           every process's time limit
//   BENCH_NO_BASELINE=1         no node-fibers column;  BENCH_NO_SPLIT=1: no split-CPU HTTP run
//   node bench/run.js --report [results.json]   the report again from saved raw results

const fs = require('node:fs');
const path = require('node:path');
const { ensureBaseline, VERSIONS } = require('./lib/baseline');
const report = require('./lib/report');
const { log, root, runParts } = require('./lib/runner');
const { runtimes, VARIANTS } = require('./lib/runtimes');
const { loadScenarios } = require('./lib/scenarios');

const cacheDir = path.join(__dirname, '.cache');
const resultsPath = path.join(cacheDir, 'results.json');
const docsPath = path.join(root, 'docs', 'benchmarks.md');
const readmePath = path.join(root, 'README.md');

// The variants a scenario runs in, 'main' first, leaving out those this machine cannot run.
function variantsOf(scenario, available) {
  return ['main'].concat((scenario.variants || []).filter((key) => available[key]));
}

async function measure(scenarios, only) {
  const started = Date.now();
  const baseline = ensureBaseline();
  if (!baseline.ok) {
    log(`bench: node-fibers baseline unavailable, its columns stay empty: ${baseline.why}`);
  }
  const runtimeList = runtimes(baseline.ok);
  const available = {};
  for (const [key, variant] of Object.entries(VARIANTS)) {
    available[key] = variant.available ? variant.available() : true;
  }
  const selected = scenarios.filter((s) => s.measure && (!only || only.includes(s.name)));
  const results = { main: {} };
  for (const key of Object.keys(VARIANTS)) if (available[key]) results[key] = {};
  for (const byRuntime of Object.values(results)) {
    for (const runtime of runtimeList) byRuntime[runtime.key] = {};
  }

  let fiberscopeFailed = false;
  // Scenario by scenario, runtimes next to each other, so that drift in the machine hits all.
  for (const scenario of selected) {
    const on = scenario.table ? Object.keys(scenario.table.columns) : null;
    for (const variantKey of variantsOf(scenario, available)) {
      const variant = VARIANTS[variantKey] || {};
      for (const runtime of runtimeList) {
        if (on && !on.includes(runtime.key)) continue;
        if (variant.runtimes && !variant.runtimes.includes(runtime.key)) continue;
        const job = {
          label: `${runtime.label}${variantKey === 'main' ? '' : ` (${variantKey})`}`,
          scenario: scenario.name,
          node: runtime.node,
          lib: runtime.lib,
          mode: runtime.mode,
          env: Object.assign({}, runtime.env, variant.env),
          wrap: variant.wrap,
          limitS: scenario.limit,
        };
        const result = await runParts(job, scenario.parts);
        results[variantKey][runtime.key][scenario.name] = result;
        if (!result.ok && runtime.lib === 'fiberscope') fiberscopeFailed = true;
      }
    }
  }

  // The whole-bench CPU adds up the runs every runtime makes.
  const cpuParts = [];
  for (const variantKey of ['main'].concat(Object.keys(VARIANTS))) {
    if (VARIANTS[variantKey]?.runtimes) continue;
    for (const s of selected) {
      if (!s.table && variantsOf(s, available).includes(variantKey)) {
        cpuParts.push([variantKey, s.name]);
      }
    }
  }
  const raw = {
    date: new Date().toISOString(),
    machine: report.machine(),
    node: process.version,
    baseline: baseline.ok ? VERSIONS : { unavailable: baseline.why },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    only,
    settings: Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => /^(BENCH_|FIBERSCOPE_)/.test(key) && key !== 'BENCH_ONLY',
      ),
    ),
    runtimes: runtimeList.map(({ key, label, lib, env }) => ({ key, label, lib, env })),
    cpuParts,
    results,
  };
  return { raw, fiberscopeFailed };
}

// Prints the tables and writes the reports: docs/benchmarks.md and the README's summary for a
// run of every scenario, bench/.cache/benchmarks.md for a part.
function publish(raw, scenarios) {
  const t = report.tables(raw, scenarios);
  console.log(report.terminalReport(raw, t));
  const docs = report.docsReport(raw, t, scenarios);
  if (raw.only) {
    const partial = path.join(cacheDir, 'benchmarks.md');
    fs.writeFileSync(partial, docs);
    console.log(`report of these scenarios: ${path.relative(process.cwd(), partial)}`);
  } else {
    fs.writeFileSync(docsPath, docs);
    console.log(`report: ${path.relative(process.cwd(), docsPath)}`);
    const readme = report.withSummary(
      fs.readFileSync(readmePath, 'utf8'),
      report.readmeSummary(raw, t, scenarios),
    );
    if (readme === null) log('bench: README.md has no bench-summary markers: summary not written');
    else fs.writeFileSync(readmePath, readme);
  }
  const failed = report.failures(raw);
  if (failed.length) console.log(`failed scenarios: ${failed.join(', ')}`);
}

async function main() {
  const scenarios = loadScenarios();
  if (process.argv[2] === '--report') {
    const raw = JSON.parse(fs.readFileSync(process.argv[3] || resultsPath, 'utf8'));
    publish(raw, scenarios);
    return;
  }
  if (!fs.existsSync(path.join(root, 'dist', 'entry', 'fibers.js'))) {
    log('bench: dist/ is missing: run `npm run build` first (or `npm run bench`)');
    process.exit(1);
  }
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
  const unknown = (only || []).filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length) log(`bench: BENCH_ONLY names no scenario ${unknown.join(', ')}`);
  fs.mkdirSync(cacheDir, { recursive: true });
  const { raw, fiberscopeFailed } = await measure(scenarios, only);
  fs.writeFileSync(resultsPath, `${JSON.stringify(raw, null, 2)}\n`);
  publish(raw, scenarios);
  console.log(
    `raw results: ${path.relative(process.cwd(), resultsPath)} (${raw.seconds} s in all)`,
  );
  if (fiberscopeFailed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
