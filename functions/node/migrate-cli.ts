// `berth migrate` (`npm run db:migrate`): applies the committed migrations (migrations/) to BERTH_DB_URL with
// BERTH_DB_AUTH_TOKEN — the step a serverless deployment needs before its first `npm run deploy` and after each
// schema change, since a Worker never migrates (README, "Serverless"). The same migrator berth serve runs at start:
// idempotent, safe to rerun. Prints how many migrations the database holds, never the token.
import { openNodeDatabase } from './database';
import { applyMigrations } from './migrate';

export const MIGRATE_HELP = `usage: berth migrate   (npm run db:migrate)

Applies berth's database migrations to BERTH_DB_URL (default file:.berth/berth.db): a libSQL server
(libsql://... or https://..., Turso or sqld) with BERTH_DB_AUTH_TOKEN, or a file. Safe to rerun.`;

/** The URL as it may be printed: no credentials or query (a token can ride in either). */
const shown = (url: string) => url.replace(/\/\/[^@/]*@/, '//').replace(/\?.*$/, '');

async function applied(database: Awaited<ReturnType<typeof openNodeDatabase>>): Promise<number> {
  try {
    const r = await database.client.execute('SELECT count(*) AS n FROM __drizzle_migrations');
    return Number(r.rows[0].n);
  } catch {
    return 0; // a fresh database: no journal yet
  }
}

export async function runMigrateCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out = console): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    out.log(MIGRATE_HELP);
    return 0;
  }
  if (argv.length > 0) {
    out.error(`berth migrate: takes no arguments (got ${argv.join(' ')}); it reads BERTH_DB_URL and BERTH_DB_AUTH_TOKEN`);
    return 2;
  }
  const url = env.BERTH_DB_URL || 'file:.berth/berth.db';
  let database;
  try {
    database = await openNodeDatabase({ url, authToken: env.BERTH_DB_AUTH_TOKEN || undefined });
    const before = await applied(database);
    await applyMigrations(database);
    const after = await applied(database);
    out.log(`berth migrate: ${shown(url)}: ${after - before} applied, ${after} in all`);
    return 0;
  } catch (e) {
    out.error(`berth migrate: cannot migrate ${shown(url)}: ${(e as Error).message}`);
    return 1;
  } finally {
    database?.close();
  }
}
