import type KeyvSqlite from '@keyv/sqlite';
import { KeyedSerial } from './keyedSerial.ts';
import type { AtomicBackend } from './storeKeyv.ts';

/** One SQL statement on the store's connection. */
export type Query = (sql: string, ...params: unknown[]) => Promise<Array<Record<string, unknown>>>;

/**
 * The keyv SQLite adapter's one connection, with transactions.
 * @remarks A transaction is state of the whole connection, so while one is open no other statement of this
 * process may run on it (a plain `keyv.set` would join the transaction, and vanish with a rollback). The
 * adapter's `query` is therefore wrapped to wait its turn behind open transactions. `BEGIN IMMEDIATE` takes
 * the write lock before reading, so two processes never both read the old value; the loser waits up to
 * the busy timeout, then fails with `SQLITE_BUSY` (a store outage, answered as such).
 */
export class SqliteConnection {
  readonly #turns = new KeyedSerial();
  readonly #raw: Query;

  constructor(adapter: KeyvSqlite) {
    const raw: Query = adapter.query;
    this.#raw = raw;
    adapter.query = (sql: string, ...params: unknown[]) => this.#turns.run('connection', () => raw(sql, ...params));
  }

  /** A statement outside any transaction (it waits for an open one to end). */
  query: Query = (sql, ...params) => this.#turns.run('connection', () => this.#raw(sql, ...params));

  /** Runs `work` in one `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
    return this.#turns.run('connection', async () => {
      await this.#raw('BEGIN IMMEDIATE');
      try {
        const result = await work(this.#raw);
        await this.#raw('COMMIT');
        return result;
      } catch (error) {
        await this.#raw('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}

/** Keyv documents in the adapter's table (`<namespace>:<key>` → serialized value), each update one transaction. */
export function sqliteDocs(connection: SqliteConnection, table: string, namespace: string): AtomicBackend {
  const full = (key: string): string => `${namespace}:${key}`;
  return {
    update: (keys, change) =>
      connection.transaction(async (query) => {
        const stored: Array<string | undefined> = [];
        for (const key of keys) {
          const rows = await query(`SELECT value FROM ${table} WHERE key = ?`, full(key));
          const value = rows[0]?.value;
          stored.push(typeof value === 'string' ? value : undefined);
        }
        const { writes, result } = await change(stored);
        for (const [key, value] of writes) {
          if (value === undefined) await query(`DELETE FROM ${table} WHERE key = ?`, full(key));
          else
            await query(
              `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
              full(key),
              value,
            );
        }
        return result;
      }),
  };
}
