// Hand-written SQL names its columns from the drizzle schema (a rename breaks the build, not production).
import { sql } from 'drizzle-orm';

/**
 * A column's bare name, for an INSERT's column list, an UPDATE's SET list or an ON CONFLICT target (drizzle's
 * column in sql`` is table-qualified, which SQLite refuses there).
 */
export const bareColumn = (c: { name: string }) => sql.identifier(c.name);
