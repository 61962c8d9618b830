// Orders, fiber style: plain synchronous-looking methods over db.query(). Also what
// `fiberscope repl -r ./examples/kitchen/models` loads, to look orders up and change them at the
// prompt.
const db = require('./db');

const COLUMNS = 'id, customer, dish, quantity, status, estimate_minutes, created_at';

class Order {
  constructor(fields) {
    this.id = fields.id;
    this.customer = fields.customer;
    this.dish = fields.dish;
    this.quantity = fields.quantity ?? 1;
    this.status = fields.status ?? 'new';
    this.estimateMinutes = fields.estimateMinutes ?? fields.estimate_minutes ?? null;
    this.createdAt = fields.createdAt ?? fields.created_at;
  }

  /** Inserts the order, or updates it once it has an id; returns it. */
  save() {
    const values = [this.customer, this.dish, this.quantity, this.status, this.estimateMinutes];
    const [row] =
      this.id === undefined
        ? db.query(
            `INSERT INTO orders (customer, dish, quantity, status, estimate_minutes)
             VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
            values,
          )
        : db.query(
            `UPDATE orders SET customer = $1, dish = $2, quantity = $3, status = $4,
             estimate_minutes = $5 WHERE id = $6 RETURNING ${COLUMNS}`,
            [...values, this.id],
          );
    if (row === undefined) throw new Error(`order ${this.id} no longer exists`);
    Object.assign(this, new Order(row));
    return this;
  }
}

const orders = {
  /** A new order, saved. */
  create(fields) {
    return new Order(fields).save();
  },
  /** The order with this id, or undefined. */
  find(id) {
    const [row] = db.query(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
    return row === undefined ? undefined : new Order(row);
  },
  /** The latest orders, newest first. */
  list({ limit = 20, status } = {}) {
    const rows =
      status === undefined
        ? db.query(`SELECT ${COLUMNS} FROM orders ORDER BY id DESC LIMIT $1`, [limit])
        : db.query(`SELECT ${COLUMNS} FROM orders WHERE status = $1 ORDER BY id DESC LIMIT $2`, [
            status,
            limit,
          ]);
    return rows.map((row) => new Order(row));
  },
  count() {
    return Number(db.query('SELECT count(*) AS n FROM orders')[0].n);
  },
};

module.exports = { Order, orders, db };
