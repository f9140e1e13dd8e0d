// The libSQL database handle: settings that let several processes share one file database without losing a
// write (busy timeout, WAL, reconnect on SQLITE_BUSY), and `write()`, the one way to run a write transaction.
import { createClient, type Client, type InStatement, type Transaction } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema';
import { AppError } from '../../shared/errors';
import { inOneTrip, type Step, type TripResults } from './batch';

export type Db = LibSQLDatabase<typeof schema>;

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  /** Busy timeout in ms for file databases (default 5000). */
  busyTimeoutMs?: number;
  /** How often a write transaction that met SQLITE_BUSY is retried (default 8), within busyBudgetMs. */
  busyRetries?: number;
  /**
   * The most a write waits on other processes' locks in all, retries included (default 1500 ms), before it
   * fails UNAVAILABLE (retryable). Below the lease TTL (2 s): a renewal gets an answer in time for the controller
   * to step down cleanly, and the single write queue (ingest, the relay) never stands still for long (issue 10).
   */
  busyBudgetMs?: number;
  /** The writer connection's own busy timeout per attempt (default 250 ms; readers keep busyTimeoutMs). */
  writerBusyTimeoutMs?: number;
  /**
   * The writer connection of a file database, when the runtime has a faster one than @libsql/client's
   * (Node: functions/node/database.ts); undefined from it means "use the stock client".
   */
  fileWriter?: (url: string, busyTimeoutMs: number) => Client | undefined;
  /** Count this database's HTTP requests into an existing counter (a Worker's isolate-wide one). */
  roundTrips?: RoundTrips;
}

const isBusy = (e: unknown): boolean => {
  const err = e as { code?: string; extendedCode?: string; message?: string; cause?: unknown } | undefined;
  if (!err) return false;
  if (err.code === 'SQLITE_BUSY' || err.extendedCode?.startsWith('SQLITE_BUSY')) return true;
  if (typeof err.message === 'string' && /SQLITE_BUSY|database is locked/.test(err.message)) return true;
  return err.cause ? isBusy(err.cause) : false;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WriteJob {
  fn: (tx: Db) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Round trips to a libSQL server over HTTP (Hrana), counted at the fetch each request goes out with — every
 * client.execute/batch, every statement of an interactive transaction (BEGIN rides on the first), its COMMIT, and
 * stream closes that travel alone. Stays 0 for a file database (no network).
 */
export class RoundTrips {
  total = 0;
  wrap(inner: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
    return ((input: RequestInfo | URL, init?: RequestInit) => {
      this.total++;
      return inner(input, init);
    }) as typeof fetch;
  }
}

export class Database {
  /** Drizzle over the read client: use for reads outside a transaction. */
  readonly db: Db;
  /** HTTP requests sent to the database so far (see RoundTrips). */
  readonly roundTrips: RoundTrips;
  private pending: WriteJob[] = [];
  private pumping = false;
  private writerReady = false;
  /** The open write transaction; txDb runs its statements there. */
  private current: Transaction | null = null;
  /**
   * One drizzle instance for every write transaction (statements go to the open one), so queries prepared on it
   * (functions/db/prepared.ts) are built once and reused by every later transaction.
   */
  private readonly txDb: Db;
  /** Drizzle whose batches are write transactions of their own (atomic()). */
  private readonly atomicDb: Db;

  /**
   * @param client shared client for reads (a pool of connections)
   * @param writer a client used only by write(): one connection, so per-connection settings stick to it
   */
  constructor(
    readonly client: Client,
    private readonly writer: Client = client,
    private readonly opts: { busyRetries?: number; busyBudgetMs?: number; maxBatch?: number; fileDb?: boolean; roundTrips?: RoundTrips } = {},
  ) {
    this.roundTrips = opts.roundTrips ?? new RoundTrips();
    this.db = drizzle(client, { schema });
    const open = () => {
      if (!this.current) throw new Error('no write transaction is open: a statement ran outside Database.write');
      return this.current;
    };
    // A libSQL Transaction speaks the execute/batch subset drizzle's session uses. No relational schema: the
    // write path does not use db.query, and building it is costly.
    const viaOpenTransaction = { execute: (stmt: InStatement) => open().execute(stmt), batch: (stmts: InStatement[]) => open().batch(stmts) };
    this.txDb = drizzle(viaOpenTransaction as unknown as Client) as unknown as Db;
    const asWriteBatch = { batch: (stmts: InStatement[]) => this.writer.batch(stmts, 'write') };
    this.atomicDb = drizzle(asWriteBatch as unknown as Client) as unknown as Db;
  }

  /**
   * Runs fn inside a BEGIN IMMEDIATE transaction and resolves with its result once committed. Writes are
   * serialised in-process (libSQL blocks the event loop when one process opens a second write transaction);
   * writes that queue up meanwhile share one transaction, each inside its own SAVEPOINT, so one commit serves
   * many requests and a failing one rolls back alone (group commit). On SQLITE_BUSY the batch is retried after
   * a reconnect, so fn must be safe to run again (it is: nothing it did was committed).
   */
  write<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.opts.maxBatch ?? 64);
        await this.runBatch(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async prepareWriter(): Promise<void> {
    if (this.writerReady || !this.opts.fileDb) return;
    // Safe in WAL mode against a crash of the process (fsync at checkpoints, not at every commit).
    await this.writer.execute('PRAGMA synchronous=NORMAL');
    this.writerReady = true;
  }

  private async runBatch(batch: WriteJob[]): Promise<void> {
    const retries = this.opts.busyRetries ?? 8;
    const budget = this.opts.busyBudgetMs ?? 1500;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let tx: Transaction | undefined;
      try {
        await this.prepareWriter();
        tx = await this.writer.transaction('write');
        this.current = tx;
        const outcomes: Outcome[] = [];
        for (const job of batch) outcomes.push(await runJob(tx, this.txDb, job, batch.length > 1));
        await tx.commit();
        batch.forEach((job, i) => {
          const o = outcomes[i];
          if (o.ok) job.resolve(o.value);
          else job.reject(o.error);
        });
        return;
      } catch (e) {
        if (tx && !tx.closed) await tx.rollback().catch(() => undefined);
        const backoff = 5 * 2 ** attempt + Math.random() * 10;
        if (isBusy(e) && attempt < retries && Date.now() - started + backoff < budget) {
          this.writer.reconnect();
          this.writerReady = false;
          await sleep(backoff);
          continue;
        }
        if (batch.length > 1 && !isBusy(e)) {
          // Something failed outside a job's savepoint: run each job alone so one cannot fail the others.
          for (const job of batch) await this.runBatch([job]);
          return;
        }
        const err = isBusy(e) ? new AppError('UNAVAILABLE', 'the database stayed busy; retry the request', { retryable: true }) : e;
        batch.forEach((job) => job.reject(err));
        return;
      } finally {
        this.current = null;
        tx?.close();
      }
    }
  }

  /** True for a libSQL server (HTTP, WebSocket): every request is a network round trip, and the server takes locks. */
  get remote(): boolean {
    return !this.opts.fileDb;
  }

  /**
   * The steps (functions/db/batch.ts) as ONE write transaction. On a libSQL server that is one request: BEGIN
   * IMMEDIATE, the steps, COMMIT (ROLLBACK if any fails) — the lock is held only while the server runs them, never
   * across a network round trip. On a file database it is Database.write running the steps in order.
   */
  async atomic<const S extends readonly Step[]>(build: (db: Db) => S): Promise<TripResults<S>> {
    if (!this.remote) return this.write((tx) => inOneTrip(tx, build(tx)));
    try {
      return await inOneTrip(this.atomicDb, build(this.atomicDb));
    } catch (e) {
      throw isBusy(e) ? new AppError('UNAVAILABLE', 'the database stayed busy; retry the request', { retryable: true }) : e;
    }
  }

  close(): void {
    this.client.close();
    if (this.writer !== this.client) this.writer.close();
  }
}

/** Runs one job; in a shared transaction its writes are undone alone if it fails. Busy errors abort the batch. */
async function runJob(tx: Transaction, db: Db, job: WriteJob, shared: boolean): Promise<Outcome> {
  if (!shared) return { ok: true, value: await job.fn(db) };
  await tx.execute('SAVEPOINT job');
  try {
    const value = await job.fn(db);
    await tx.execute('RELEASE job');
    return { ok: true, value };
  } catch (error) {
    if (isBusy(error)) throw error;
    await tx.execute('ROLLBACK TO job');
    await tx.execute('RELEASE job');
    return { ok: false, error };
  }
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url === ':memory:' || opts.url === 'file::memory:') {
    // libSQL's :memory: has one connection; a transaction would hand it away and later reads see an empty database.
    throw new AppError('BAD_REQUEST', 'BERTH_DB_URL=:memory: is not supported; use a file: URL (e.g. file:/tmp/berth.db)');
  }
  const timeout = opts.busyTimeoutMs ?? 5000;
  const fileDb = opts.url.startsWith('file:');
  const roundTrips = opts.roundTrips ?? new RoundTrips();
  // Only HTTP clients take a fetch (ws: and file: ignore it).
  const counted = /^(https?|libsql):/.test(opts.url) ? { fetch: roundTrips.wrap() } : {};
  const make = (t = timeout) => createClient({ url: opts.url, authToken: opts.authToken, timeout: t, ...counted });
  const client = make();
  if (fileDb) await client.execute('PRAGMA journal_mode=WAL');
  // A file database gets its own writer client (one connection that keeps synchronous=NORMAL); a remote
  // libSQL server has no such per-connection settings, so one client does both.
  const writerTimeout = Math.min(timeout, opts.writerBusyTimeoutMs ?? 250);
  const writer = fileDb ? (opts.fileWriter?.(opts.url, writerTimeout) ?? make(writerTimeout)) : client;
  return new Database(client, writer, { busyRetries: opts.busyRetries, busyBudgetMs: opts.busyBudgetMs, fileDb, roundTrips });
}
