import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertContainerEvent } from '../../services/hosts/test-fixtures';
import { SseReader, type SseMessage } from '../../../shared/sse';
import { eventsResponse } from '../../../shared/model/events';

describe('GET /v1/events', () => {
  let t: TestApp;
  const db = () => t.deps.database.db;
  const at = Date.UTC(2026, 0, 1);
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('lists every container\'s events, newest last, each with an increasing id; ?since= gives what came after', async () => {
    expect((await t.req('GET', '/v1/events')).body).toEqual({ events: [] });
    await insertContainerEvent(db(), 'c-1', { at, type: 'scheduled', hostId: 'host0', reason: 'by policy least' });
    await insertContainerEvent(db(), 'c-2', { at: at + 1, type: 'down', reason: 'no eligible host' });
    await insertContainerEvent(db(), 'c-1', { at: at + 2, type: 'rescheduled', hostId: 'host1', reason: 'host0 dead' });
    const { status, body } = await t.req('GET', '/v1/events');
    expect(status).toBe(200);
    expect(eventsResponse.parse(body)).toEqual(body);
    expect(body.events.map((e: any) => e.type)).toEqual(['scheduled', 'down', 'rescheduled']);
    expect(body.events[0]).toEqual({ id: body.events[0].id, at: '2026-01-01T00:00:00.000Z', type: 'scheduled', containerId: 'c-1', hostId: 'host0', reason: 'by policy least' });
    expect(body.events[1]).not.toHaveProperty('hostId');
    const [a, b, c] = body.events.map((e: any) => e.id);
    expect(a < b && b < c).toBe(true);
    expect((await t.req('GET', `/v1/events?since=${a}`)).body.events.map((e: any) => e.id)).toEqual([b, c]);
    expect((await t.req('GET', `/v1/events?since=${c}`)).body.events).toEqual([]);
    // Without a cursor the newest page; with one the page right after it.
    expect((await t.req('GET', '/v1/events?limit=2')).body.events.map((e: any) => e.id)).toEqual([b, c]);
    expect((await t.req('GET', '/v1/events?since=0&limit=2')).body.events.map((e: any) => e.id)).toEqual([a, b]);
  });

  it('refuses a bad cursor or an unknown parameter with a clear 400, and tenants with 403', async () => {
    for (const q of ['since=-1', 'since=abc', 'limit=0', 'limit=5000', 'after=3']) {
      const r = await t.req('GET', `/v1/events?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.message).toMatch(/Invalid input: query/);
    }
    expect((await t.req('GET', '/v1/events', undefined, await t.tenantToken('t1'))).status).toBe(403);
    expect((await t.app.request('/v1/events')).status).toBe(401);
  });

  it('streams the same events as server-sent events, follows new ones, and resumes from Last-Event-ID', async () => {
    await insertContainerEvent(db(), 'c-1', { at, type: 'scheduled', hostId: 'host0' });
    const first = await read(t, {}, 1);
    expect(first[0]).toMatchObject({ event: 'message', data: expect.stringContaining('"type":"scheduled"') });
    const firstId = Number(first[0].id);

    const ac = new AbortController();
    const res = await t.app.request('/v1/events', { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/event-stream', 'last-event-id': String(firstId) }, signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const got = collect(res, 2);
    await new Promise((r) => setTimeout(r, 300));
    await insertContainerEvent(db(), 'c-1', { at: at + 5, type: 'rescheduled', hostId: 'host1', reason: 'host0 dead' });
    await insertContainerEvent(db(), 'c-1', { at: at + 6, type: 'status', hostId: 'host1', reason: 'RUNNING' });
    const followed = await got;
    ac.abort();
    expect(followed.map((m) => JSON.parse(m.data).type)).toEqual(['rescheduled', 'status']);
    expect(followed.map((m) => Number(m.id))).toEqual([firstId + 1, firstId + 2]);
    expect(JSON.parse(followed[0].data)).toMatchObject({ id: firstId + 1, containerId: 'c-1', hostId: 'host1', reason: 'host0 dead' });
  });

  it('refuses a malformed Last-Event-ID', async () => {
    const res = await t.app.request('/v1/events', { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/event-stream', 'last-event-id': 'x1' } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/Last-Event-ID/);
  });
});

async function read(t: TestApp, headers: Record<string, string>, n: number): Promise<SseMessage[]> {
  const ac = new AbortController();
  const res = await t.app.request('/v1/events', { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const out = await collect(res, n);
  ac.abort();
  return out;
}

/** Reads the stream until n messages arrived (or fails after 5 s). */
async function collect(res: Response, n: number): Promise<SseMessage[]> {
  const reader = res.body!.getReader();
  const sse = new SseReader();
  const out: SseMessage[] = [];
  const decoder = new TextDecoder();
  const deadline = Date.now() + 5000;
  while (out.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${out.length} of ${n} events arrived`);
    const { value, done } = await reader.read();
    if (done) break;
    out.push(...sse.push(decoder.decode(value, { stream: true })));
  }
  await reader.cancel().catch(() => undefined);
  return out;
}
