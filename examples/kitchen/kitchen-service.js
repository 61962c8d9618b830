// The kitchen: a second small HTTP service on loopback that takes tickets and answers with an
// estimate. It fails on purpose: a soufflé always collapses (503), and `setFailing(true)` makes
// it refuse every ticket. `onTicket(n)` is called as the n-th ticket arrives (1-based), while the
// order that sent it waits for the answer.
const http = require('node:http');

const MINUTES = { ramen: 12, gyoza: 8, curry: 15, soufflé: 25 };

function startKitchen({ port = 0, delayMs = 2, onTicket } = {}) {
  let failing = false;
  let tickets = 0;
  let received = 0;
  const server = http.createServer((req, res) => {
    const answer = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/tickets')
      return answer(404, { error: 'no such route' });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      let ticket;
      try {
        ticket = JSON.parse(text);
      } catch {
        return answer(400, { error: 'a ticket is JSON' });
      }
      onTicket?.(++received);
      setTimeout(() => {
        if (failing) return answer(503, { error: 'the kitchen is closed' });
        if (ticket.dish === 'soufflé') return answer(503, { error: 'the soufflé collapsed' });
        tickets++;
        const minutes = (MINUTES[ticket.dish] ?? 10) + Math.ceil((ticket.quantity ?? 1) / 2);
        answer(200, { ticket: tickets, estimateMinutes: minutes });
      }, delayMs);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        setFailing: (value) => {
          failing = value;
        },
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

module.exports = { startKitchen };
