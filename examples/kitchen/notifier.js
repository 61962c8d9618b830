// Customer notifications over websockets (ws): customers connect to /updates?customer=NAME; the
// handlers call notify(), which waits (inside a fiber) until each message is written.
const { WebSocketServer } = require('ws');
const { wait } = require('fiberscope');

function createNotifier(server) {
  const sockets = new Map();
  const wss = new WebSocketServer({ server, path: '/updates' });
  wss.on('connection', (socket, req) => {
    const customer = new URL(req.url, 'http://localhost').searchParams.get('customer') ?? '';
    if (!sockets.has(customer)) sockets.set(customer, new Set());
    sockets.get(customer).add(socket);
    socket.on('close', () => sockets.get(customer)?.delete(socket));
  });

  /** Sends `message` to every socket of `customer`, for async/await code; resolves with the count. */
  async function notifyAsync(customer, message) {
    const targets = [...(sockets.get(customer) ?? [])];
    const data = JSON.stringify(message);
    await Promise.all(
      targets.map(
        (socket) =>
          new Promise((resolve, reject) =>
            socket.send(data, (error) => (error ? reject(error) : resolve())),
          ),
      ),
    );
    return targets.length;
  }

  return {
    notifyAsync,
    /** Inside a fiber: sends `message` to `customer`'s sockets; returns how many got it. */
    notify: (customer, message) => wait(notifyAsync(customer, message)),
    close: () =>
      new Promise((resolve) => {
        for (const socket of wss.clients) socket.terminate();
        wss.close(resolve);
      }),
  };
}

module.exports = { createNotifier };
