'use strict';
// Runs one scenario (or one part of it) in a process of its own (bench/lib/child.js), under a
// time limit: a process that crashes or hangs is killed (its whole process group, so that what it
// started goes too) and reported as failed.

const childProcess = require('node:child_process');
const path = require('node:path');
const { procCpuMs } = require('./proc');

const root = path.resolve(__dirname, '..', '..');
const childJs = path.join(__dirname, 'child.js');

function log(message) {
  process.stderr.write(`${message}\n`);
}

// The last line of `stdout` that is a JSON object, or null.
function lastJsonLine(stdout) {
  const lines = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  if (lines.length === 0) return null;
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    return null;
  }
}

// job: { label, scenario, part, node, lib, mode, env, wrap, limitS }. Resolves with the child's
// result: { ok: true, ... } or { ok: false, error, stderr }, plus seconds and treeCpuMs.
function runChild(job) {
  return new Promise((resolve) => {
    const started = Date.now();
    const childrenCpu0 = procCpuMs('self', 'children');
    const args = ['--expose-gc', childJs, job.lib, job.scenario].concat(job.part ? [job.part] : []);
    const env = Object.assign({}, process.env, job.env);
    const cmd = job.wrap ? job.wrap[0] : job.node;
    const cmdArgs = job.wrap ? job.wrap.slice(1).concat([job.node], args) : args;
    // Own process group, so that a timeout also ends the load generators it started.
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
    const limitMs = (Number(process.env.BENCH_TIMEOUT_S) || job.limitS || 60) * 1000;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, limitMs);
    let finished = false;
    const done = (code, signal, spawnError) => {
      // A child that cannot start emits 'error' and then 'close': one report.
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      let result = lastJsonLine(stdout);
      let error = null;
      if (spawnError) error = `could not start: ${spawnError.message}`;
      else if (timedOut) error = `timed out after ${limitMs / 1000} s (killed)`;
      else if (result === null) error = `no result (exit ${signal || code})`;
      else if (!result.ok) error = result.error;
      else if (code !== 0) error = `exit ${signal || code} after printing a result`;
      else if (job.mode && result.switchMode !== job.mode) {
        error = `ran in ${result.switchMode} mode, not ${job.mode}: ${result.switchModeReason}`;
      }
      if (error !== null) {
        result = { ok: false, error, stderr: stderr.trim().split('\n').slice(-8).join('\n') };
      }
      result.seconds = Math.round((Date.now() - started) / 100) / 10;
      // The process's CPU with everything it started (a load generator), from its end.
      const childrenCpu1 = procCpuMs('self', 'children');
      if (childrenCpu1 !== undefined) result.treeCpuMs = childrenCpu1 - childrenCpu0;
      const status = error === null ? 'ok' : `FAILED: ${error.split('\n')[0]}`;
      const what = job.part ? `${job.scenario} (${job.part})` : job.scenario;
      log(`bench: ${job.label} / ${what}: ${status} (${result.seconds} s)`);
      if (error !== null && result.stderr) log(result.stderr.replace(/^/gm, '    '));
      resolve(result);
    };
    child.on('error', (e) => done(null, null, e));
    child.on('close', (code, signal) => done(code, signal, null));
  });
}

// The results of a scenario's parts, each run in a process of its own, as one result: the first
// failure, or all parts' figures together.
async function runParts(job, parts) {
  if (!parts) return runChild(job);
  const merged = { ok: true, seconds: 0, treeCpuMs: 0, processCpuMs: 0 };
  for (const part of parts) {
    const result = await runChild(Object.assign({}, job, { part }));
    if (!result.ok) return Object.assign(result, { error: `${part}: ${result.error}` });
    const sums = {
      seconds: merged.seconds + result.seconds,
      treeCpuMs: merged.treeCpuMs + (result.treeCpuMs || 0),
      processCpuMs: merged.processCpuMs + (result.processCpuMs || 0),
    };
    Object.assign(merged, result, sums);
  }
  return merged;
}

module.exports = { lastJsonLine, log, root, runChild, runParts };
