// A separate process for the shared-database test: writes N rows through Database.write, one transaction each,
// each a read-modify-write of a shared counter row (the worst case for lost updates).
import { eq, sql } from 'drizzle-orm';
import { openNodeDatabase } from '../../functions/node/database';
import { leases, networks } from '../../functions/db/schema';

const [url, who, countArg] = process.argv.slice(2);
const count = Number(countArg);
const database = await openNodeDatabase({ url });
for (let i = 0; i < count; i++) {
  await database.write(async (tx) => {
    const now = Date.now();
    await tx.insert(networks).values({ id: `${who}-${i}`, tenantId: who, name: `${who}-${i}`, createdAt: now, updatedAt: now });
    const [row] = await tx.select().from(leases).where(eq(leases.name, 'counter'));
    await tx.update(leases).set({ epoch: (row?.epoch ?? 0) + 1 }).where(eq(leases.name, 'counter'));
  });
}
await database.db.run(sql`SELECT 1`);
database.close();
console.log('done');
