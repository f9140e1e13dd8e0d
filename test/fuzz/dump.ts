// A whole-database dump for the fuzz targets' "a rejection changes nothing" check: every table's rows in rowid
// order, as one string (equal dumps = equal databases).
import type { Database } from '../../functions/db/client';

export async function dumpDatabase(database: Database): Promise<string> {
  const tables = await database.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name");
  const parts: string[] = [];
  for (const t of tables.rows) {
    const name = String(t.name);
    const rows = await database.client.execute(`SELECT * FROM "${name}" ORDER BY rowid`);
    parts.push(`${name}:${JSON.stringify(rows.rows)}`);
  }
  return parts.join('\n');
}

/** Cases per property: BERTH_FUZZ_RUNS scales every target (CI default 1). */
export const fuzzRuns = (ci: number): number => Math.max(1, Math.round(ci * Number(process.env.BERTH_FUZZ_SCALE ?? 1)));
