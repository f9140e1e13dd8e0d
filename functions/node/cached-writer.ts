// The writer connection of a file database on Node: the same libSQL engine @libsql/client uses for files, but
// each SQL text is prepared once and its statement reused. @libsql/client prepares (and asks the column list)
// on every execute — measured ~90 µs of a ~105 µs point SELECT — and every request's write transaction runs
// ~20 statements. Only what Database.write uses is implemented: execute, transaction('write'), reconnect, close.
import Database from 'libsql';
import type { Client, InStatement, InValue, ResultSet, Transaction, TransactionMode } from '@libsql/client';

type Row = Record<string, unknown>;
type Sqlite = Database.Database;
type Stmt = Database.Statement<unknown[]>;

interface Prepared {
  stmt: Stmt;
  /** null: the statement returns no rows (INSERT/UPDATE/DELETE without RETURNING, PRAGMA setters). */
  columns: string[] | null;
  columnTypes: string[];
  makeRow: (values: unknown[]) => Row;
}

/** Statements kept per connection; SQL texts beyond this are prepared per call (drizzle's SQL is a small set). */
const CACHE_LIMIT = 2000;

/** The error shape @libsql/client gives (code = base code, extendedCode), which Database.write's busy check reads. */
class CachedWriterError extends Error {
  constructor(override readonly cause: Error & { code?: string; rawCode?: number }, readonly code: string, readonly extendedCode: string | undefined) {
    super(cause.message);
    this.name = 'LibsqlError';
  }
}

const BASE_CODES: Record<number, string> = { 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED', 19: 'SQLITE_CONSTRAINT', 1: 'SQLITE_ERROR' };

function mapError(e: unknown): unknown {
  const err = e as Error & { code?: string; rawCode?: number };
  if (!(e instanceof Error) || typeof err.rawCode !== 'number') return e;
  const base = err.rawCode & 0xff;
  return new CachedWriterError(err, BASE_CODES[base] ?? `SQLITE_UNKNOWN_${base}`, err.code);
}

function toSql(v: InValue | undefined): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (v instanceof Date) return v.valueOf();
  if (v === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
  return v;
}

function fromSql(v: unknown): unknown {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    }
    return Number(v);
  }
  if (Buffer.isBuffer(v)) return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
  return v;
}

const VALUES = Symbol('values');

/**
 * Rows as @libsql/client builds them — enumerable named columns (the first of duplicate names wins), indexed
 * values and a length, not enumerable — so drizzle reads them either way (Object.keys for raw SQL, slice for
 * typed selects). The indexed side lives on a prototype made once per statement: building a row is a few
 * plain assignments instead of a defineProperty per value.
 */
function rowMaker(columns: string[]): (values: unknown[]) => Row {
  const proto: object = {};
  for (let i = 0; i < columns.length; i++) {
    Object.defineProperty(proto, i, { get(this: { [VALUES]: unknown[] }) { return this[VALUES][i]; } });
  }
  Object.defineProperty(proto, 'length', { value: columns.length });
  const named = columns.map((c, i) => [c, i] as const).filter(([c], i) => columns.indexOf(c) === i);
  return (raw) => {
    const values = raw.map(fromSql);
    const row = Object.create(proto) as Row & { [VALUES]: unknown[] };
    Object.defineProperty(row, VALUES, { value: values });
    for (const [c, i] of named) row[c] = values[i];
    return row;
  };
}

function resultSet(columns: string[], columnTypes: string[], rows: Row[], rowsAffected: number, lastInsertRowid: bigint | undefined): ResultSet {
  return {
    columns, columnTypes, rows: rows as ResultSet['rows'], rowsAffected, lastInsertRowid,
    toJSON: () => ({ columns, columnTypes, rows: rows.map((r) => Array.from(r as unknown as ArrayLike<unknown>)), rowsAffected, lastInsertRowid: lastInsertRowid?.toString() ?? null }),
  };
}

/** One connection with a statement cache; a transaction borrows it (there is only ever one: Database.write). */
class Connection {
  private db: Sqlite;
  private cache = new Map<string, Prepared>();

  constructor(private readonly path: string, private readonly timeoutMs: number) {
    this.db = this.open();
  }

  private open(): Sqlite {
    return new Database(this.path, { timeout: this.timeoutMs });
  }

  private prepare(sql: string): Prepared {
    const hit = this.cache.get(sql);
    if (hit) return hit;
    const stmt = this.db.prepare(sql);
    stmt.safeIntegers(true);
    let columns: string[] | null = null;
    let columnTypes: string[] = [];
    if (stmt.reader) {
      stmt.raw(true);
      const cols = stmt.columns();
      columns = cols.map((c) => c.name);
      columnTypes = cols.map((c) => c.type ?? '');
    }
    const p = { stmt, columns, columnTypes, makeRow: rowMaker(columns ?? []) };
    if (this.cache.size < CACHE_LIMIT) this.cache.set(sql, p);
    return p;
  }

  execute(stmt: InStatement | string, maybeArgs?: unknown): ResultSet {
    const sql = typeof stmt === 'string' ? stmt : stmt.sql;
    const rawArgs = typeof stmt === 'string' ? (maybeArgs ?? []) : (stmt.args ?? []);
    try {
      const p = this.prepare(sql);
      const args = Array.isArray(rawArgs)
        ? rawArgs.map(toSql)
        : Object.fromEntries(Object.entries(rawArgs as Record<string, InValue>).map(([k, v]) => [/^[@$:]/.test(k) ? k.slice(1) : k, toSql(v)]));
      if (p.columns) {
        const rows = (p.stmt.all(args) as unknown[][]).map(p.makeRow);
        return resultSet(p.columns, p.columnTypes, rows, 0, undefined);
      }
      const info = p.stmt.run(args);
      return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
    } catch (e) {
      throw mapError(e);
    }
  }

  get inTransaction(): boolean {
    return this.db.open && this.db.inTransaction;
  }

  reconnect(): void {
    this.close();
    this.db = this.open();
  }

  close(): void {
    this.cache.clear();
    if (this.db.open) this.db.close();
  }
}

class CachedTransaction {
  private done = false;

  constructor(private readonly conn: Connection) {}

  get closed(): boolean {
    return this.done || !this.conn.inTransaction;
  }

  private check(): void {
    if (this.closed) throw Object.assign(new Error('The transaction is closed'), { code: 'TRANSACTION_CLOSED' });
  }

  async execute(stmt: InStatement | string, args?: unknown): Promise<ResultSet> {
    this.check();
    return this.conn.execute(stmt, args);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    this.check();
    return stmts.map((s) => this.conn.execute(s));
  }

  async executeMultiple(): Promise<void> {
    throw new Error('executeMultiple is not supported by the cached writer');
  }

  async commit(): Promise<void> {
    this.check();
    this.conn.execute('COMMIT');
    this.done = true;
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.conn.inTransaction) this.conn.execute('ROLLBACK');
  }

  close(): void {
    if (!this.done && this.conn.inTransaction) {
      try { this.conn.execute('ROLLBACK'); } catch { /* the connection may be gone */ }
    }
    this.done = true;
  }
}

const BEGIN: Record<TransactionMode, string> = { write: 'BEGIN IMMEDIATE', read: 'BEGIN TRANSACTION READONLY', deferred: 'BEGIN DEFERRED' };

/** The file path of a `file:` URL as @libsql/client reads it, or undefined for anything else (use the stock client). */
export function filePathOf(url: string): string | undefined {
  const m = /^file:(?:\/\/(?:localhost)?(?=\/))?([^?#]+)$/.exec(url);
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** A writer Client for Database (functions/db/client.ts): execute, transaction, reconnect and close only. */
export function createCachedWriter(path: string, timeoutMs: number): Client {
  const conn = new Connection(path, timeoutMs);
  const client = {
    closed: false,
    protocol: 'file',
    async execute(stmt: InStatement | string, args?: unknown) {
      return conn.execute(stmt, args);
    },
    async transaction(mode: TransactionMode = 'deferred') {
      try {
        conn.execute(BEGIN[mode]);
      } catch (e) {
        throw mapError(e);
      }
      return new CachedTransaction(conn) as unknown as Transaction;
    },
    reconnect() {
      conn.reconnect();
    },
    close() {
      client.closed = true;
      conn.close();
    },
  };
  return client as unknown as Client;
}
