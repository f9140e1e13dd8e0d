// Applies the committed drizzle migrations (migrations/) at start-up; safe to rerun and to race with a replica.
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/libsql/migrator';
import type { Database } from '../db/client';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export async function applyMigrations(database: Database): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await migrate(database.db, { migrationsFolder: MIGRATIONS_DIR });
      return;
    } catch (e) {
      // Two replicas starting together: the loser's CREATE TABLE fails once the winner committed; rerun sees it.
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
}
