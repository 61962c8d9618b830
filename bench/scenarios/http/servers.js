'use strict';
// The HTTP scenario's two servers: the same handler, in a fiber per request (node-fibers API) and
// as an async function. Each waits twice (an event-loop turn, then a resolved promise) and sends
// a small JSON body.

const http = require('node:http');
const { immediate } = require('../../lib/measure');
const { fiberHelpers } = require('../../lib/fibers');

function respond(req, res, a, b) {
  const body = JSON.stringify({
    url: req.url,
    method: req.method,
    a,
    b,
    items: [1, 2, 3],
    ok: true,
  });
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function fiberServer(Fiber) {
  const { waitFor } = fiberHelpers(Fiber);
  return http.createServer((req, res) => {
    Fiber(() => {
      const a = waitFor(immediate().then(() => 1));
      const b = waitFor(Promise.resolve(2));
      respond(req, res, a, b);
    }).run();
  });
}

function asyncServer() {
  return http.createServer(async (req, res) => {
    const a = await immediate().then(() => 1);
    const b = await Promise.resolve(2);
    respond(req, res, a, b);
  });
}

// Resolves with the port it listens on, on loopback.
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

module.exports = { asyncServer, fiberServer, listen };
