// The simulation's database: a real libSQL file database (temp dir, migrations applied) seen through two thin
// shims that only the simulation needs — SQLite's own clock (unixepoch, used by the lease: the "database clock")
// reads the simulated clock instead of the host's, and the writer can be told to answer SQLITE_BUSY for a while.
// Everything else is the production Database (functions/db/client.ts): group commit, BUSY retries, savepoints.
// One stand-in for speed: reads go through a statement-caching connection (the production writer's,
// functions/node/cached-writer.ts) instead of @libsql/client's, which prepares every statement anew — the sim's
// periodic reads (fleet snapshot, relay, drains, the invariants') made that its largest single cost.
import type { Client, InStatement, Transaction } from '@libsql/client';
import { Database } from '../../functions/db/client';
import { createCachedWriter } from '../../functions/node/cached-writer';
import type { Clock } from '../../shared/clock';

export interface SimDbControl {
  /** The writer answers SQLITE_BUSY to the next n transactions. */
  busy: number;
  busyAnswered: number;
}

/** SQLite's unixepoch('subsec') → the simulated time, so lease expiry follows the simulated clock. */
function onSimClock(stmt: InStatement, clock: Clock): InStatement {
  const rewrite = (s: string) => (s.includes('unixepoch(') ? s.replaceAll("unixepoch('subsec')", `(${clock.now()} / 1000.0)`) : s);
  return typeof stmt === 'string' ? rewrite(stmt) : { ...stmt, sql: rewrite(stmt.sql) };
}

function busyError(): Error {
  return Object.assign(new Error('SQLITE_BUSY: database is locked (simulated)'), { code: 'SQLITE_BUSY' });
}

function wrapTx(tx: Transaction, clock: Clock): Transaction {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === 'execute') return (stmt: InStatement) => target.execute(onSimClock(stmt, clock));
      if (prop === 'batch') return (stmts: InStatement[]) => target.batch(stmts.map((s) => onSimClock(s, clock)));
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function wrapClient(client: Client, clock: Clock, control?: SimDbControl): Client {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'execute') return (stmt: InStatement, args?: unknown) => (args === undefined ? target.execute(onSimClock(stmt, clock)) : target.execute(onSimClock(stmt as string, clock) as string, args as never));
      if (prop === 'batch') return (stmts: InStatement[], mode?: never) => target.batch(stmts.map((s) => onSimClock(s, clock)), mode);
      if (prop === 'transaction') {
        return async (mode?: never) => {
          if (control && control.busy > 0) {
            control.busy--;
            control.busyAnswered++;
            throw busyError();
          }
          return wrapTx(await target.transaction(mode), clock);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Opens the file at `path` (WAL, as production) as the simulation's Database. */
export async function openSimDatabase(path: string, clock: Clock, control: SimDbControl): Promise<Database> {
  const reader = createCachedWriter(path, 5000);
  await reader.execute('PRAGMA journal_mode=WAL');
  // The production writer (statement cache, functions/node/cached-writer.ts), as functions/node/database.ts opens it.
  const writer = createCachedWriter(path, 5000);
  // Few retries: a simulated BUSY storm must not stall a pass for long (5 ms × 2^n backoff on simulated time).
  return new Database(wrapClient(reader, clock), wrapClient(writer, clock, control), { fileDb: true, busyRetries: 4 });
}
