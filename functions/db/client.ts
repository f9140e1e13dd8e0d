// The libSQL database handle: settings that let several processes share one file database without losing a
// write (busy timeout, WAL, reconnect on SQLITE_BUSY), and `write()`, the one way to run a write transaction.
import { createClient, type Client, type Transaction } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema';
import { AppError } from '../../shared/errors';

export type Db = LibSQLDatabase<typeof schema>;

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  /** Busy timeout in ms for file databases (default 5000). */
  busyTimeoutMs?: number;
  /** How often a write transaction that met SQLITE_BUSY is retried (default 8). */
  busyRetries?: number;
}

const isBusy = (e: unknown): boolean => {
  const err = e as { code?: string; extendedCode?: string; message?: string; cause?: unknown } | undefined;
  if (!err) return false;
  if (err.code === 'SQLITE_BUSY' || err.extendedCode?.startsWith('SQLITE_BUSY')) return true;
  if (typeof err.message === 'string' && /SQLITE_BUSY|database is locked/.test(err.message)) return true;
  return err.cause ? isBusy(err.cause) : false;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Database {
  /** Drizzle over the shared client: use for reads outside a transaction. */
  readonly db: Db;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly client: Client, private readonly busyRetries = 8) {
    this.db = drizzle(client, { schema });
  }

  /**
   * Runs fn inside one BEGIN IMMEDIATE transaction. Writes are serialised in-process (libSQL blocks the event
   * loop when one process opens a second write transaction) and retried on SQLITE_BUSY after a reconnect.
   */
  write<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.runWrite(fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runWrite<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let tx: Transaction | undefined;
      try {
        tx = await this.client.transaction('write');
        // A libSQL Transaction speaks the execute/batch subset drizzle's session uses.
        const result = await fn(drizzle(tx as unknown as Client, { schema }));
        await tx.commit();
        return result;
      } catch (e) {
        if (tx && !tx.closed) await tx.rollback().catch(() => undefined);
        if (isBusy(e) && attempt < this.busyRetries) {
          this.client.reconnect();
          await sleep(5 * 2 ** attempt + Math.random() * 10);
          continue;
        }
        if (isBusy(e)) throw new AppError('UNAVAILABLE', 'the database stayed busy; retry the request', { retryable: true });
        throw e;
      } finally {
        tx?.close();
      }
    }
  }

  close(): void {
    this.client.close();
  }
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url === ':memory:' || opts.url === 'file::memory:') {
    // libSQL's :memory: has one connection; a transaction would hand it away and later reads see an empty database.
    throw new AppError('BAD_REQUEST', 'BERTH_DB_URL=:memory: is not supported; use a file: URL (e.g. file:/tmp/berth.db)');
  }
  const client = createClient({ url: opts.url, authToken: opts.authToken, timeout: opts.busyTimeoutMs ?? 5000 });
  if (opts.url.startsWith('file:')) {
    await client.execute('PRAGMA journal_mode=WAL');
  }
  return new Database(client, opts.busyRetries);
}
