// The service: one HTTP server on loopback serving the orders API twice, fiber style under
// /orders (each request in a fiber named after its route) and async/await style under
// /async/orders, plus the customers' websockets under /updates.
const http = require('node:http');
const { spawn } = require('fiberscope');
const { createHandlers } = require('./handlers');
const { createAsyncHandlers } = require('./handlers-async');
const { createNotifier } = require('./notifier');

const ROUTE = /^\/(async\/)?orders(?:\/(\d+))?$/;
const MAX_BODY = 64 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
      if (text.length > MAX_BODY)
        reject(Object.assign(new Error('body too large'), { status: 413 }));
    });
    req.on('end', () => {
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch {
        reject(Object.assign(new Error('the body is not JSON'), { status: 400 }));
      }
    });
    req.on('error', reject);
  });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Logs a failed request (stitched, through fiberscope/pino) and answers it. */
function fail(res, logger, route, error) {
  const status =
    error.status === 400 || error.status === 413
      ? error.status
      : error.name === 'HttpError'
        ? 502
        : 500;
  if (status >= 500) logger.error({ err: error, route }, 'request failed');
  else logger.warn({ route, reason: error.message }, 'bad request');
  send(res, status, { error: error.message });
}

/** Starts the service on 127.0.0.1:`port`; resolves with { url, server, close }. */
function startApp({ kitchenUrl, logger, port = 0 }) {
  const server = http.createServer();
  const notifier = createNotifier(server);
  const fiberStyle = createHandlers({ kitchenUrl, notifier });
  const asyncStyle = createAsyncHandlers({ kitchenUrl, notifier });

  server.on('request', (req, res) => {
    const match = ROUTE.exec(new URL(req.url, 'http://localhost').pathname);
    const id = match?.[2] === undefined ? undefined : Number(match[2]);
    let action;
    if (match && req.method === 'POST' && id === undefined) action = 'placeOrder';
    else if (match && req.method === 'GET' && id !== undefined) action = 'showOrder';
    else return send(res, match ? 405 : 404, { error: `no route ${req.method} ${req.url}` });
    const prefix = match[1] === undefined ? '/' : '/async/';
    const route = `${req.method} ${prefix}orders${id === undefined ? '' : '/:id'}`;

    // The router reads the JSON body first (as body parsers do), then hands the request to
    // its handler: in a fiber named after the route, or to the async/await one.
    const body = action === 'placeOrder' ? readBody(req) : Promise.resolve(undefined);
    if (match[1] === undefined) {
      body.then(
        function dispatchToFiber(input) {
          spawn(
            function serveRequest() {
              try {
                const result = fiberStyle[action](input ?? id);
                send(res, result.status, result.body);
              } catch (error) {
                fail(res, logger, route, error);
              }
            },
            { name: route },
          );
        },
        (error) => fail(res, logger, route, error),
      );
    } else {
      body.then(
        async (input) => {
          try {
            const result = await asyncStyle[action](input ?? id);
            send(res, result.status, result.body);
          } catch (error) {
            fail(res, logger, route, error);
          }
        },
        (error) => fail(res, logger, route, error),
      );
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        server,
        close: async () => {
          await notifier.close();
          server.closeAllConnections?.();
          await new Promise((done) => server.close(done));
        },
      });
    });
  });
}

module.exports = { startApp };
