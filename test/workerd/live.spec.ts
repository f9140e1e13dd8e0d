// The Worker serves the dashboard at / and the fleet-wide event feed (GET /v1/events), JSON and server-sent events,
// from the database alone (no isolate state): an event written straight into the database is in both.
import { describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { call, ORIGIN, openDb, unique } from './kit';

describe('dashboard and events on Workers (workerd)', () => {
  it('serves the dashboard page and its assets with a strict CSP, no token needed', async () => {
    const page = await SELF.fetch(`${ORIGIN}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('/dashboard/app.js');
    const js = await SELF.fetch(`${ORIGIN}/dashboard/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('/v1/events');
  });

  it('GET /v1/events lists events after ?since= and streams them as server-sent events', async () => {
    const before = (await call('GET', '/v1/events?limit=1')).body.events;
    const since = before.length ? before[0].id : 0;
    const containerId = unique('c');
    const db = await openDb();
    try {
      await db.client.execute({ sql: 'INSERT INTO container_events (container_id, at, type, host_id, reason) VALUES (?, ?, ?, ?, ?)', args: [containerId, Date.UTC(2026, 0, 1), 'scheduled', 'host9', 'workerd spec'] });
    } finally {
      db.close();
    }
    const listed = await call('GET', `/v1/events?since=${since}`);
    expect(listed.status).toBe(200);
    const mine = listed.body.events.filter((e: any) => e.containerId === containerId);
    expect(mine).toEqual([{ id: expect.any(Number), at: '2026-01-01T00:00:00.000Z', type: 'scheduled', containerId, hostId: 'host9', reason: 'workerd spec' }]);
    expect((await call('GET', '/v1/events?since=x')).status).toBe(400);

    const res = await SELF.fetch(`${ORIGIN}/v1/events`, {
      headers: { authorization: `Bearer ${env.BERTH_ADMIN_TOKEN}`, accept: 'text/event-stream', 'last-event-id': String(mine[0].id - 1) },
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(containerId)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toContain(`id: ${mine[0].id}\n`);
    expect(text).toContain(containerId);
  });
});
