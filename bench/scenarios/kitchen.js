'use strict';
const childProcess = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { procCpuMs } = require('../lib/proc');

const serveJs = path.join(__dirname, 'kitchen', 'serve.js');
const loadJs = path.join(__dirname, 'kitchen', 'load.js');

// Resolves with a process's first line of output, parsed.
function firstLine(child) {
  return new Promise((resolve, reject) => {
    readline
      .createInterface({ input: child.stdout })
      .once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`a benchmark process exited (${code})`)));
  });
}

// The load generator on `cpu` (or anywhere, -1); resolves with its results, and adds up the
// server's CPU time in each style's rounds (read from /proc as the generator announces them).
function load(url, watchUrl, cpu, serverPid) {
  const args = [loadJs, url, watchUrl];
  const stdio = ['ignore', 'pipe', 'inherit'];
  const client =
    cpu >= 0
      ? childProcess.spawn('taskset', ['-c', String(cpu), process.execPath, ...args], { stdio })
      : childProcess.spawn(process.execPath, args, { stdio });
  const cpuMs = { fiber: 0, async: 0, watched: 0 };
  const requests = { fiber: 0, async: 0, watched: 0 };
  let atStart = 0;
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: client.stdout }).on('line', (line) => {
      const message = JSON.parse(line);
      if (message.event === 'start') atStart = procCpuMs(serverPid);
      else if (message.event === 'end') {
        cpuMs[message.style] += procCpuMs(serverPid) - atStart;
        requests[message.style] += message.sent;
      } else if (message.error) reject(new Error(`the load generator: ${message.error}`));
      else {
        for (const style of ['fiber', 'async', 'watched']) {
          message[style].serverCpuUsPerRequest = Number(
            ((cpuMs[style] * 1000) / requests[style]).toFixed(0),
          );
        }
        resolve(message);
      }
    });
    client.once('exit', (code) => reject(new Error(`the load generator exited (${code})`)));
  });
}

const style = (s) => `${s.perSecond} req/s (p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms)`;
const where = (cpu) => (cpu < 0 ? 'any' : cpu);

module.exports = {
  title: 'The kitchen example',
  about: `The kitchen example's handlers (\`npm start\`), fiber style and async/await (the same SQL
statements), served by one app (embedded PGlite, its kitchen service, pino silenced) and loaded
side by side on loopback: 16 connections (BENCH_KITCHEN_CONCURRENCY), orders placed and read
back (three POSTs, then a GET) with one customer listening on the WebSocket, 6 rounds of 1,500
requests (BENCH_KITCHEN_ROUNDS, BENCH_KITCHEN_REQUESTS) after a warm-up, for each style and for
the fiber style once more with fiberscope's watchdog on (\`watchFibers()\`, waits over 5 s and
JavaScript running over 200 ms reported; switched on and off around those rounds), rotating the
order so that drift on a shared machine hits all three; the median round's throughput, latency
percentiles over all requests, and the server's CPU per request (from \`/proc\`); the watchdog's
share is the median over the rounds of the watched rate over the fiber rate of the same round.
This is a real service's mix of database, HTTP and WebSocket work rather than a loop of
switches, once in each fiberscope mode (node-fibers cannot run it). In user mode the server and the load generator go
wherever the scheduler puts them (nothing is pinned); kernel mode pins the server to one CPU and
puts the load generator on the other, as a real client would be, so that it does not take the
server's CPU away in the middle of a switch.`,
  order: 110,
  limit: 400,
  fibers: false,
  table: {
    title: (r, raw) =>
      `kitchen on loopback (Node ${raw.node}, PGlite, ${r.concurrency} connections)`,
    columns: { user: 'fiberscope user', kernel: 'fiberscope kernel' },
  },
  async measure() {
    const server = childProcess.spawn(process.execPath, [serveJs], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: Object.assign({}, process.env, { DATABASE_URL: '' }),
    });
    const killer = setTimeout(() => server.kill('SIGKILL'), 300_000);
    try {
      const { url, watchUrl, cpu, mode, error } = await firstLine(server);
      if (error) throw new Error(`the server: ${error}`);
      const cpus = os.availableParallelism();
      const clientCpu = cpu >= 0 && cpus > 1 ? (cpu + 1) % cpus : -1;
      const result = await load(url, watchUrl, clientCpu, server.pid);
      return Object.assign({ switchMode: mode, serverCpu: cpu, clientCpu }, result);
    } finally {
      clearTimeout(killer);
      server.stdin.end();
      server.kill();
    }
  },
  rows: [
    { label: 'async/await handlers', show: (r) => style(r.async) },
    { label: 'fiber handlers (same app, same run)', show: (r) => style(r.fiber) },
    {
      label: 'fiber throughput / async/await',
      show: (r) => `${r.fiberShare} %`,
      target: '≥ 95 %',
      ok: (r) => r.fiberShare >= 95,
      summary: 'kitchen example: fiber throughput / async/await',
    },
    {
      label: 'fiber handlers with the watchdog on (waits 5 s, running 200 ms)',
      show: (r) => style(r.watched),
    },
    {
      label: '  … throughput with the watchdog / without (median of the rounds, min–max)',
      show: (r) => `${r.watchedShare.median} % (${r.watchedShare.min}–${r.watchedShare.max})`,
      target: '≥ 99 %',
      ok: (r) => r.watchedShare.median >= 99,
      summary: 'kitchen example: fiber throughput with the watchdog on / off',
    },
    {
      label: '  … server CPU per request: fiber / async',
      show: (r) => `${r.fiber.serverCpuUsPerRequest} / ${r.async.serverCpuUsPerRequest} µs`,
    },
    {
      label: '  … rounds (req/s)',
      show: (r) =>
        `fiber ${r.fiber.rates.join('/')}, async ${r.async.rates.join('/')}, watched ${r.watched.rates.join('/')}`,
    },
    {
      label: '  … CPUs',
      show: (r) => `server ${where(r.serverCpu)}, load generator ${where(r.clientCpu)}`,
    },
  ],
};
