// The writes of relay/unsent.ts's changes, as steps of the relay's claiming trip (functions/db/batch.ts): one
// statement per table however many objects changed (the changes as ONE JSON parameter), none when nothing did.
import { sql } from 'drizzle-orm';
import type { Step } from '../db/batch';
import type { Db } from '../db/client';
import { containerEvents, ipsecSiteConnections, vpnServices } from '../db/schema';
import { bareColumn } from '../db/sql-names';
import type { UnsentChanges } from './unsent';

export function unsentSteps(tx: Db, u: UnsentChanges, now: number): Step[] {
  const steps: Step[] = [];
  if (u.services.length > 0) {
    const rows = JSON.stringify(u.services.map((s) => [s.id, s.sendError, s.status]));
    steps.push(tx.run(sql`UPDATE ${vpnServices} SET ${bareColumn(vpnServices.sendError)} = j.value ->> 1, ${bareColumn(vpnServices.status)} = j.value ->> 2
      FROM json_each(${rows}) AS j WHERE ${vpnServices.id} = j.value ->> 0`));
  }
  if (u.connections.length > 0) {
    const t = ipsecSiteConnections;
    const rows = JSON.stringify(u.connections.map((c) => [c.id, c.sendError, c.status, c.clearTunnel ? 1 : 0]));
    steps.push(tx.run(sql`UPDATE ${t} SET ${bareColumn(t.sendError)} = j.value ->> 1, ${bareColumn(t.status)} = j.value ->> 2,
      ${bareColumn(t.tunnel)} = CASE WHEN j.value ->> 3 = 1 THEN NULL ELSE ${t.tunnel} END
      FROM json_each(${rows}) AS j WHERE ${t.id} = j.value ->> 0`));
  }
  if (u.events.length > 0) {
    const e = containerEvents;
    const rows = JSON.stringify(u.events.map((v) => [v.containerId, v.hostId, v.type, v.reason, v.detail]));
    const cols = sql.join([e.containerId, e.at, e.hostId, e.type, e.reason, e.detail].map(bareColumn), sql`, `);
    steps.push(tx.run(sql`INSERT INTO ${e} (${cols})
      SELECT j.value ->> 0, ${now}, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value -> 4 FROM json_each(${rows}) AS j`));
  }
  return steps;
}
