// TEST STAND-IN for sqld/Turso (never shipped, never imported from functions/): one Hrana stream = one SQLite
// connection of the embedded libSQL engine. A statement that meets a locked database waits for it without
// blocking the event loop (the connection's own busy timeout is 0 and the wait is an async retry), so two
// streams' BEGIN IMMEDIATE transactions queue behind each other as they do on sqld instead of deadlocking a
// single-threaded server. The engine leaves a statement that failed with SQLITE_BUSY "in progress" (a later COMMIT
// on that connection then fails with "SQL statements in progress"), so a stream outside a transaction retries on
// a fresh connection, and a connection that met a lock conflict is never reused.
import Sqlite from 'libsql';
import { bindingsOf, HranaError, protocolError, toHrana, type HranaStmt } from './values';

type Connection = InstanceType<typeof Sqlite>;

export interface StmtResult {
  cols: { name: string | null; decltype: string | null }[];
  rows: ReturnType<typeof toHrana>[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

type BatchCond =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: BatchCond }
  | { type: 'and' | 'or'; conds: BatchCond[] }
  | { type: 'is_autocommit' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The engine's error as Hrana's {message, code}; a lock conflict keeps SQLITE_BUSY so clients can retry. */
export function sqlError(e: unknown): HranaError {
  if (e instanceof HranaError) return e;
  const err = e as { message?: string; code?: string };
  return new HranaError(err?.message ?? String(e), typeof err?.code === 'string' ? err.code : 'SQLITE_ERROR');
}

const isBusy = (e: unknown) => /^SQLITE_BUSY/.test((e as { code?: string })?.code ?? '');

export class Stream {
  private readonly sqls = new Map<number, string>();
  /** When the stream was last used; the server closes streams idle for longer than its idle timeout. */
  lastUsed = Date.now();

  /** The connection met SQLITE_BUSY inside a transaction: close it rather than reuse it. */
  tainted = false;

  constructor(public conn: Connection, private readonly busyWaitMs: number, private readonly connect: () => Connection) {}

  get isAutocommit(): boolean {
    return !this.conn.inTransaction;
  }

  storeSql(id: unknown, sql: unknown): void {
    if (typeof id !== 'number' || typeof sql !== 'string') throw protocolError('store_sql needs a numeric sql_id and an sql string');
    if (this.sqls.has(id)) throw protocolError(`sql_id ${id} is already in use`);
    this.sqls.set(id, sql);
  }

  closeSql(id: unknown): void {
    if (typeof id !== 'number') throw protocolError('close_sql needs a numeric sql_id');
    this.sqls.delete(id);
  }

  /** The SQL text of a request that names it by `sql` or by a stored `sql_id` (exactly one). */
  sqlOf(r: { sql?: unknown; sql_id?: unknown }): string {
    const hasSql = r.sql !== undefined && r.sql !== null;
    const hasId = r.sql_id !== undefined && r.sql_id !== null;
    if (hasSql === hasId) throw protocolError('exactly one of sql and sql_id must be given');
    if (hasSql) {
      if (typeof r.sql !== 'string') throw protocolError('sql must be a string');
      return r.sql;
    }
    const text = this.sqls.get(r.sql_id as number);
    if (text === undefined) throw new HranaError(`sql_id ${String(r.sql_id)} is not stored on this stream`, 'SQL_NOT_FOUND');
    return text;
  }

  /** Runs fn, waiting (asynchronously) while another connection holds the lock it needs. */
  private async whenUnlocked<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + this.busyWaitMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
      try {
        return fn();
      } catch (e) {
        if (!isBusy(e)) throw sqlError(e);
        if (this.conn.inTransaction) {
          // A deferred transaction that cannot upgrade: the client must roll back (retrying cannot help).
          this.tainted = true;
          throw sqlError(e);
        }
        this.conn.close();
        this.conn = this.connect();
        if (Date.now() >= deadline) throw sqlError(e);
        await sleep(pause);
      }
    }
  }

  async execute(stmt: HranaStmt): Promise<StmtResult> {
    if (!stmt || typeof stmt !== 'object') throw protocolError('stmt must be an object');
    const text = this.sqlOf(stmt);
    const params = bindingsOf(stmt);
    return this.whenUnlocked(() => this.executeNow(text, params, stmt.want_rows !== false));
  }

  private executeNow(text: string, params: unknown[] | Record<string, unknown>, wantRows: boolean): StmtResult {
    const prepared = this.conn.prepare(text);
    prepared.safeIntegers(true);
    const run = (m: 'run' | 'all') => (Array.isArray(params) ? prepared[m](...params) : prepared[m](params));
    if (!prepared.reader) {
      const info = run('run') as { changes: number; lastInsertRowid: number | bigint };
      return { cols: [], rows: [], affected_row_count: Number(info.changes), last_insert_rowid: String(info.lastInsertRowid) };
    }
    const before = this.totalChanges();
    prepared.raw(true);
    const rows = run('all') as unknown[][];
    const cols = (prepared.columns() as { name: string; type: string | null }[]).map((c) => ({ name: c.name, decltype: c.type ?? null }));
    // Rows of UPDATE/INSERT ... RETURNING count as changes; a plain SELECT changes nothing.
    const affected = this.totalChanges() - before;
    const lastRowid = (this.conn.prepare('SELECT last_insert_rowid()').raw(true).all() as unknown[][])[0];
    return {
      cols,
      rows: wantRows ? rows.map((r) => r.map(toHrana)) : [],
      affected_row_count: affected,
      last_insert_rowid: String(lastRowid[0]),
    };
  }

  private totalChanges(): number {
    // all(), not get(): the engine leaves a get() statement in progress.
    return Number((this.conn.prepare('SELECT total_changes()').raw(true).all() as unknown[][])[0][0]);
  }

  async batch(batch: { steps?: { condition?: BatchCond | null; stmt: HranaStmt }[] }): Promise<{ step_results: (StmtResult | null)[]; step_errors: (ReturnType<HranaError['toProto']> | null)[] }> {
    if (!batch || !Array.isArray(batch.steps)) throw protocolError('batch.steps must be an array');
    const results: (StmtResult | null)[] = [];
    const errors: (ReturnType<HranaError['toProto']> | null)[] = [];
    for (const step of batch.steps) {
      if (step.condition && !this.holds(step.condition, results, errors)) {
        results.push(null);
        errors.push(null);
        continue;
      }
      try {
        results.push(await this.execute(step.stmt));
        errors.push(null);
      } catch (e) {
        if (e instanceof HranaError && e.status) throw e;
        results.push(null);
        errors.push(sqlError(e).toProto());
      }
    }
    return { step_results: results, step_errors: errors };
  }

  private holds(c: BatchCond, results: (StmtResult | null)[], errors: unknown[]): boolean {
    switch (c?.type) {
      case 'ok':
        return results[c.step] != null;
      case 'error':
        return errors[c.step] != null;
      case 'not':
        return !this.holds(c.cond, results, errors);
      case 'and':
        return c.conds.every((x) => this.holds(x, results, errors));
      case 'or':
        return c.conds.some((x) => this.holds(x, results, errors));
      case 'is_autocommit':
        return this.isAutocommit;
      default:
        throw protocolError(`unknown batch condition ${JSON.stringify((c as { type?: unknown })?.type)}`);
    }
  }

  async sequence(r: { sql?: unknown; sql_id?: unknown }): Promise<void> {
    const text = this.sqlOf(r);
    // Not retried on a lock conflict: statements before the one that met it have run, and must not run twice.
    try {
      this.conn.exec(text);
    } catch (e) {
      if (isBusy(e)) this.tainted = true;
      throw sqlError(e);
    }
  }

  describe(r: { sql?: unknown; sql_id?: unknown }) {
    const text = this.sqlOf(r);
    let prepared;
    try {
      prepared = this.conn.prepare(text);
    } catch (e) {
      throw sqlError(e);
    }
    const cols = prepared.reader ? (prepared.columns() as { name: string; type: string | null }[]).map((c) => ({ name: c.name, decltype: c.type ?? null })) : [];
    // The engine does not expose parameter names: they are read from the text (?NNN, :name, @name, $name, ?).
    const params = [...text.matchAll(/[:@$][A-Za-z_][A-Za-z0-9_]*|\?\d*/g)].map((m) => ({ name: m[0] === '?' ? null : m[0] }));
    const isExplain = /^\s*EXPLAIN\b/i.test(text);
    const isReadonly = /^\s*(SELECT|EXPLAIN|WITH\s+(?![\s\S]*\b(INSERT|UPDATE|DELETE)\b))/i.test(text);
    return { params, cols, is_explain: isExplain, is_readonly: isReadonly };
  }

  /** Ends the stream: an open transaction is rolled back, so an abandoned client never keeps the write lock. */
  reset(): void {
    this.sqls.clear();
    if (this.conn.inTransaction) {
      try {
        this.conn.exec('ROLLBACK');
      } catch {
        /* the connection is closed by the caller if it cannot be reused */
      }
    }
  }
}
