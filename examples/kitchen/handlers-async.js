// The same handlers written with async/await, for the benchmark's side-by-side comparison: the
// same queries (the statements models.js sends for orders.create() and order.save()), the same
// kitchen call, the same notification.
const db = require('./db');
const { request } = require('./http-client');
const { validOrder } = require('./validate');

const COLUMNS =
  'id, customer, dish, quantity, status, estimate_minutes AS "estimateMinutes", created_at AS "createdAt"';

async function queryAsync(sql, params) {
  const driver = await db.migrated();
  return (await driver.query(sql, params)).rows;
}

async function saveAsync(order) {
  const [row] = await queryAsync(
    `UPDATE orders SET customer = $1, dish = $2, quantity = $3, status = $4,
             estimate_minutes = $5 WHERE id = $6 RETURNING ${COLUMNS}`,
    [order.customer, order.dish, order.quantity, order.status, order.estimateMinutes, order.id],
  );
  if (row === undefined) throw new Error(`order ${order.id} no longer exists`);
  return row;
}

function createAsyncHandlers({ kitchenUrl, notifier }) {
  return {
    async placeOrder(body) {
      const fields = validOrder(body);
      const [order] = await queryAsync(
        `INSERT INTO orders (customer, dish, quantity, status, estimate_minutes)
             VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [fields.customer, fields.dish, fields.quantity, 'new', null],
      );
      let ticket;
      try {
        ticket = await request('POST', `${kitchenUrl}/tickets`, {
          orderId: order.id,
          dish: order.dish,
          quantity: order.quantity,
        });
      } catch (error) {
        await saveAsync({ ...order, status: 'rejected' });
        throw error;
      }
      const cooking = await saveAsync({
        ...order,
        status: 'cooking',
        estimateMinutes: ticket.estimateMinutes,
      });
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
