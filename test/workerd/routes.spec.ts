// The Worker's HTTP surface in workerd, over a real libSQL database reached through @libsql/client/web (HTTP).
import { describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { call, ORIGIN, unique } from './kit';

describe('Worker routes (workerd)', () => {
  it('answers /healthz from the database', async () => {
    expect(await call('GET', '/healthz', undefined, null)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('serves the AsyncAPI document of the MQTT protocol without a token', async () => {
    const r = await call('GET', '/asyncapi.json', undefined, null);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ asyncapi: '3.0.0', channels: { tunnelTelemetry: { address: 'berth/v1/telemetry/tunnels/{connectionId}' } } });
  });

  it('keeps GET /metrics behind a token (issue 9): 401 without one; with the admin token, 404 (the Worker has no metrics)', async () => {
    expect((await call('GET', '/metrics', undefined, null)).status).toBe(401);
    expect((await call('GET', '/metrics')).status).toBe(404);
  });

  it('refuses the API without a token and serves it with the admin token', async () => {
    expect((await call('GET', '/v2.0/networks', undefined, null)).status).toBe(401);
    const name = unique('net');
    const created = await call('POST', '/v2.0/networks', { network: { name } });
    expect(created.status).toBe(201);
    const listed = await call('GET', '/v2.0/networks');
    expect(listed.body.networks.map((n: { name: string }) => n.name)).toContain(name);
  });

  it('says clearly what is wrong with a bad request and stores nothing', async () => {
    const r = await call('POST', '/v2.0/networks', undefined, undefined, '{"network": ');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/not valid JSON/);
  });

  it('says in a header how many database round trips the request took', async () => {
    const res = await SELF.fetch(`${ORIGIN}/v2.0/networks`, { headers: { authorization: `Bearer ${env.BERTH_ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    await res.text();
    expect(Number(res.headers.get('x-berth-db-round-trips'))).toBeGreaterThanOrEqual(1);
  });
});
