// berth/v1/events on Workers: an API invocation has no broker connection, so its event reaches telemetry
// consumers only from the record — the pipeline's relay pass, run by the lease holder after the API write —
// with the id GET /v1/events lists it under (real libSQL over HTTP, real broker).
import { sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { agentListener, call, heartbeat, ingest, openDb, presence, unique, until } from './kit';

describe('berth/v1/events from the Worker (workerd, real broker)', () => {
  it("an API call's event reaches a telemetry consumer on berth/v1/events, with its feed id", async () => {
    const host = unique('we');
    expect((await ingest([presence(host, true), heartbeat(host)])).body.accepted).toBe(2);
    // The lease holder's first relay pass starts the cursor (at the newest event: no history is replayed).
    await until('the events cursor', async () => {
      await call('PATCH', `/v1/hosts/${host}`, { containerWeight: 1 }); // an API write: the Worker runs a pass after it
      const db = await openDb();
      try {
        return (await db.db.all<{ c: number | null }>(sql`SELECT events_published_id AS c FROM leases WHERE name = 'controller'`))[0]?.c ?? undefined;
      } finally {
        db.close();
      }
    });
    const consumer = await agentListener('telemetry');
    onTestFinished(() => consumer.close());

    expect((await call('PATCH', `/v1/hosts/${host}`, { cordoned: true })).status).toBe(200);
    const heard = await until('the host-cordoned event at the consumer', async () => {
      const docs = await consumer.docs();
      return docs.find((d) => d.topic === 'berth/v1/events' && d.message.type === 'host-cordoned' && d.message.hostId === host);
    });
    const feed = (await call('GET', '/v1/events?limit=1000')).body.events as { id: number; type: string; hostId?: string }[];
    expect(feed.find((e) => e.id === heard.message.id)).toMatchObject({ type: 'host-cordoned', hostId: host });
    expect(heard.message).toMatchObject({ v: 1, reason: 'cordoned by an operator: no new containers' });
  });
});
