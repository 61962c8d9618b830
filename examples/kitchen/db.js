// The database, fiber style: query() waits for an async driver and returns the rows. The driver
// is embedded PGlite (PostgreSQL compiled to WebAssembly, no server) unless DATABASE_URL names a
// real PostgreSQL, reached through pg.
const { wait } = require('fiberscope');

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS orders (
    id serial PRIMARY KEY,
    customer text NOT NULL,
    dish text NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    status text NOT NULL DEFAULT 'new',
    estimate_minutes integer,
    created_at timestamptz NOT NULL DEFAULT now()
  )`;

let driver;
let ready;
let migratedOnce = false;

/** The async driver: { kind, query(sql, params) -> Promise<{ rows }>, close() -> Promise }. */
function connect(url = process.env.DATABASE_URL) {
  if (driver !== undefined) return driver;
  if (url) {
    const { Pool } = require('pg');
    const pool = new Pool({ connectionString: url, max: 8 });
    driver = {
      kind: 'postgresql',
      query: (sql, params) => pool.query(sql, params),
      close: () => pool.end(),
    };
  } else {
    const { PGlite } = require('@electric-sql/pglite');
    // In memory unless KITCHEN_DB_DIR names a folder to keep the data in.
    const db = new PGlite(process.env.KITCHEN_DB_DIR);
    driver = {
      kind: 'pglite',
      query: (sql, params) => db.query(sql, params),
      close: () => db.close(),
    };
  }
  // The schema is created once, before the first query runs.
  ready = driver.query(SCHEMA).then(() => {
    migratedOnce = true;
  });
  return driver;
}

/** Creates the schema (once) with the async driver; for async/await code. */
async function migrated() {
  connect();
  await ready;
  return driver;
}

/** Inside a fiber: runs `sql` and returns its rows, as if the driver were synchronous. */
function query(sql, params = []) {
  const db = migratedOnce ? driver : wait(migrated());
  return wait(db.query(sql, params)).rows;
}

/** Closes the driver (a promise); the next query connects again. */
function close() {
  const closing = driver?.close() ?? Promise.resolve();
  driver = undefined;
  ready = undefined;
  migratedOnce = false;
  return closing;
}

module.exports = { connect, migrated, query, close };
