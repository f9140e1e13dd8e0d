// Listing API tokens (without secrets).
import { asc } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { apiTokens } from '../../db/schema';
import { tokenView } from './view';

export async function listTokens(db: Db) {
  const rows = await db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
  return rows.map(tokenView);
}
