// A bounded load generator for loopback: a fixed number of requests (and a time limit), a fixed
// concurrency, keep-alive connections. Used by `npm start` and by the benchmark.
const http = require('node:http');

/**
 * Sends `requests` requests to `baseUrl` (127.0.0.1 only), `concurrency` at a time, stopping at
 * `timeLimitMs` whatever is left. `next(i)` gives each one's { method, path, body }.
 * Resolves with { sent, statuses: { code: count }, latenciesMs (sorted), durationMs }.
 */
async function drive({ baseUrl, requests, concurrency = 8, timeLimitMs = 30_000, next }) {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1')
    throw new Error(`load goes to 127.0.0.1 only, not ${url.hostname}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = {};
  const latenciesMs = [];
  const started = process.hrtime.bigint();
  const deadline = Date.now() + timeLimitMs;
  let issued = 0;

  const one = ({ method, path, body }) =>
    new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const begin = process.hrtime.bigint();
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: url.port,
          method,
          path,
          headers:
            payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latenciesMs.push(Number(process.hrtime.bigint() - begin) / 1e6);
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        statuses[error.code ?? 'error'] = (statuses[error.code ?? 'error'] ?? 0) + 1;
        resolve();
      });
      req.end(payload);
    });

  const worker = async () => {
    while (issued < requests && Date.now() < deadline) {
      const i = issued++;
      await one(next(i));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  latenciesMs.sort((a, b) => a - b);
  return {
    sent:
      latenciesMs.length +
      Object.entries(statuses)
        .filter(([code]) => !/^\d+$/.test(code))
        .reduce((n, [, c]) => n + c, 0),
    statuses,
    latenciesMs,
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

/** The p-th percentile (0-100) of sorted values. */
function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

module.exports = { drive, percentile };
