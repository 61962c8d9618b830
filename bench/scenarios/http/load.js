'use strict';
// The HTTP scenario's load generator, a process of its own (on this machine's Node whichever node
// serves): `connections` keep-alive connections to 127.0.0.1:<port>, `count` requests in all (or
// until maxMs), then it stops by itself. Prints "go" once its node is up, then one JSON line.
//
//   node bench/scenarios/http/load.js <port> <count> <connections> <maxMs>

const http = require('node:http');
const { cpuMeter, round } = require('../../lib/measure');

const [port, count, connections, maxMs] = process.argv.slice(2).map(Number);

function run() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  return new Promise((resolve) => {
    let sent = 0;
    let completed = 0;
    let errors = 0;
    let active = 0;
    let deadlineHit = false;
    process.stdout.write('go\n');
    const stop = cpuMeter();
    const deadline = setTimeout(() => {
      deadlineHit = true;
    }, maxMs);
    const finish = () => {
      clearTimeout(deadline);
      const c = stop();
      agent.destroy();
      resolve({
        completed,
        errors,
        deadlineHit,
        elapsedMs: round(c.wallMs, 1),
        reqPerSec: Math.round(completed / (c.wallMs / 1000)),
        clientCpuPerWall: round(c.cpuPerWall),
      });
    };
    // One request ends (as it may): the next one goes on its connection.
    const ended = (ok) => {
      active--;
      if (ok) completed++;
      else errors++;
      next();
    };
    const next = () => {
      if (sent >= count || deadlineHit) {
        if (active === 0) finish();
        return;
      }
      sent++;
      active++;
      const req = http.request(
        { host: '127.0.0.1', port, path: `/item/${sent}`, agent, method: 'GET' },
        (res) => {
          let bytes = 0;
          res.on('data', (d) => {
            bytes += d.length;
          });
          res.on('end', () => ended(res.statusCode === 200 && bytes > 0));
        },
      );
      req.on('error', () => ended(false));
      req.end();
    };
    for (let i = 0; i < connections; i++) next();
  });
}

run().then(
  (result) => {
    console.log(JSON.stringify(Object.assign({ ok: true }, result)));
  },
  (error) => {
    console.log(JSON.stringify({ ok: false, error: String(error?.stack || error) }));
    process.exitCode = 1;
  },
);
