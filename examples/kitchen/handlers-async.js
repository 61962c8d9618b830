// The same handlers written with async/await, for the benchmark's side-by-side comparison: the
// same queries, the same kitchen call, the same notification.
const db = require('./db');
const { request } = require('./http-client');
const { validOrder } = require('./validate');

const COLUMNS =
  'id, customer, dish, quantity, status, estimate_minutes AS "estimateMinutes", created_at AS "createdAt"';

async function queryAsync(sql, params) {
  const driver = await db.migrated();
  return (await driver.query(sql, params)).rows;
}

function createAsyncHandlers({ kitchenUrl, notifier }) {
  return {
    async placeOrder(body) {
      const fields = validOrder(body);
      const [order] = await queryAsync(
        `INSERT INTO orders (customer, dish, quantity) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
        [fields.customer, fields.dish, fields.quantity],
      );
      let ticket;
      try {
        ticket = await request('POST', `${kitchenUrl}/tickets`, {
          orderId: order.id,
          dish: order.dish,
          quantity: order.quantity,
        });
      } catch (error) {
        await queryAsync(`UPDATE orders SET status = 'rejected' WHERE id = $1`, [order.id]);
        throw error;
      }
      const [cooking] = await queryAsync(
        `UPDATE orders SET status = 'cooking', estimate_minutes = $1 WHERE id = $2 RETURNING ${COLUMNS}`,
        [ticket.estimateMinutes, order.id],
      );
      await notifier.notifyAsync(cooking.customer, {
        orderId: cooking.id,
        status: cooking.status,
        estimateMinutes: cooking.estimateMinutes,
      });
      return {
        status: 201,
        body: { id: cooking.id, status: cooking.status, estimateMinutes: cooking.estimateMinutes },
      };
    },

    async showOrder(id) {
      const [order] = await queryAsync(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
      return order === undefined
        ? { status: 404, body: { error: `no order ${id}` } }
        : { status: 200, body: order };
    },
  };
}

module.exports = { createAsyncHandlers };
