// drizzle-kit configuration: schema in functions/db/schema, SQL migrations committed in migrations/.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'turso',
  schema: './functions/db/schema/index.ts',
  out: './migrations',
  dbCredentials: { url: 'file:.berth/drizzle-kit.db' },
});
