'use strict';
// One run of the HTTP load generator (http/load.js) against a server of this process: the
// generator's figures, with the server process's CPU from the generator's "go" (its node is up)
// to its exit.

const childProcess = require('node:child_process');
const path = require('node:path');
const { cpuMeter, round } = require('../../lib/measure');

const loadJs = path.join(__dirname, 'load.js');

// options: { connections, maxMs, clientNode, clientCpu (run it on that CPU only, or undefined) }
function drive(port, count, options) {
  return new Promise((resolve, reject) => {
    let stop = cpuMeter();
    const args = [loadJs, port, count, options.connections, options.maxMs].map(String);
    const stdio = ['ignore', 'pipe', 'inherit'];
    const child = options.clientCpu
      ? childProcess.spawn('taskset', ['-c', options.clientCpu, options.clientNode].concat(args), {
          stdio,
        })
      : childProcess.spawn(options.clientNode, args, { stdio });
    let out = '';
    child.stdout.on('data', (d) => {
      if (out === '' && String(d).startsWith('go\n')) stop = cpuMeter();
      out += d;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), options.maxMs + 10000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const server = stop();
      let result;
      try {
        result = JSON.parse(out.trim().split('\n').pop());
      } catch {
        return reject(new Error(`client failed (${signal || code}): ${out}`));
      }
      if (!result.ok) return reject(new Error(`client: ${result.error}`));
      delete result.ok;
      result.serverCpuPerWall = round(server.cpuPerWall);
      result.serverCpuUsPerReq = round((server.cpuMs * 1000) / Math.max(1, result.completed), 1);
      resolve(result);
    });
  });
}

module.exports = { drive };
