// POST /v1/agent-events in workerd: the contract berth bridge and EMQX's HTTP action rely on — auth by the control
// credential (or the admin token), three body shapes, per-reason drops, malformed bodies refused whole.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, controlCredential, heartbeat, ingest, ORIGIN, presence, unique } from './kit';
import emqxDoc from '../../docs/serverless-emqx.md?raw';

const hostShown = async (id: string) => (await call('GET', `/v1/hosts/${id}`)).status === 200;

describe('POST /v1/agent-events (workerd)', () => {
  it('applies a batch sent with the control credential: hosts register themselves', async () => {
    const a = unique('wh');
    const b = unique('wh');
    const r = await ingest([presence(a, true), heartbeat(a), heartbeat(b)]);
    expect(r).toEqual({ status: 200, body: { accepted: 3, dropped: {} } });
    const shown = await call('GET', `/v1/hosts/${a}`);
    expect(shown.body.host).toMatchObject({ id: a, alive: true });
    expect(await hostShown(b)).toBe(true);
  });

  it('accepts the admin token too, and refuses anything else (nothing applied)', async () => {
    const h = unique('wh');
    expect((await ingest([heartbeat(h)], 'not-the-credential')).status).toBe(401);
    expect((await call('POST', '/v1/agent-events', { messages: [heartbeat(h)] }, null)).status).toBe(401);
    expect((await call('POST', '/v1/agent-events', { messages: [heartbeat(h)] }, env.BERTH_AGENT_TOKEN)).status).toBe(401);
    expect(await hostShown(h)).toBe(false);
    expect((await ingest([heartbeat(h)], env.BERTH_ADMIN_TOKEN)).body.accepted).toBe(1);
    expect(await hostShown(h)).toBe(true);
  });

  it('counts what it drops by reason and applies the rest', async () => {
    const h = unique('wh');
    const other = unique('wh');
    const r = await ingest([
      heartbeat(h),
      { topic: 'berth/v1/hosts/x/unknown', payload: '{}' },
      { topic: `berth/v1/hosts/${h}/heartbeat`, payload: 'not json' },
      { topic: `berth/v1/hosts/${h}/heartbeat`, payload: JSON.stringify({ v: 1 }) },
      { topic: `berth/v1/hosts/${h}/heartbeat`, payload: heartbeat(other).payload },
      { topic: `berth/v1/hosts/${h}/desired`, payload: '{}' },
    ]);
    expect(r).toEqual({ status: 200, body: { accepted: 1, dropped: { bad_topic: 2, invalid_json: 1, invalid_schema: 1, host_mismatch: 1 } } });
    expect(await hostShown(other)).toBe(false);
  });

  it("accepts EMQX's HTTP action body (one message: the rule's topic and payload, extra fields ignored) and a bare array", async () => {
    const a = unique('wh');
    const b = unique('wh');
    const token = await controlCredential();
    const emqx = { ...heartbeat(a), qos: 0, clientid: `berth-agent-${a}`, timestamp: Date.now() };
    expect(await call('POST', '/v1/agent-events', emqx, token)).toEqual({ status: 200, body: { accepted: 1, dropped: {} } });
    // A template that decoded the payload (json_decode) sends it as an object.
    const decoded = { topic: heartbeat(b).topic, payload: JSON.parse(heartbeat(b).payload) };
    expect(await call('POST', '/v1/agent-events', [decoded], token)).toEqual({ status: 200, body: { accepted: 1, dropped: {} } });
    expect(await hostShown(a)).toBe(true);
    expect(await hostShown(b)).toBe(true);
  });

  it('the request body docs/serverless-emqx.md documents for EMQX (a Last Will) is accepted and takes the host offline', async () => {
    const body = /```json emqx-request-body\n(.+)\n```/.exec(emqxDoc)?.[1];
    expect(body, 'the doc has its emqx-request-body block').toBeTruthy();
    const h = unique('emqx');
    expect((await ingest([presence(h, true), heartbeat(h)])).body.accepted).toBe(2);
    expect((await call('GET', `/v1/hosts/${h}`)).body.host.alive).toBe(true);
    // Exactly the documented bytes, with this test's host in place of HOST, and the documented header.
    const r = await SELF.fetch(`${ORIGIN}/v1/agent-events`, {
      method: 'POST', body: body!.replaceAll('HOST', h),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await controlCredential()}` },
    });
    expect({ status: r.status, body: await r.json() }).toEqual({ status: 200, body: { accepted: 1, dropped: {} } });
    expect((await call('GET', `/v1/hosts/${h}`)).body.host.alive).toBe(false);
    // The documented rule selects the three topics ingest takes, and the doc's action posts to this path.
    expect(emqxDoc).toContain('FROM "berth/v1/hosts/+/presence", "berth/v1/hosts/+/heartbeat", "berth/v1/hosts/+/status"');
    expect(emqxDoc).toContain('path = "/v1/agent-events"');
  });

  it('refuses a malformed body whole with 400 and applies nothing', async () => {
    const h = unique('wh');
    const token = await controlCredential();
    const bad = [
      '{"messages": [',
      JSON.stringify({ messages: [heartbeat(h)], extra: 1 }),
      JSON.stringify({ messages: [heartbeat(h), { topic: 5, payload: 'x' }] }),
      JSON.stringify({ messages: Array.from({ length: 2001 }, () => heartbeat(h)) }),
      JSON.stringify('just a string'),
    ];
    for (const raw of bad) {
      const r = await call('POST', '/v1/agent-events', undefined, token, raw);
      expect(r.status, raw.slice(0, 60)).toBe(400);
    }
    expect(await hostShown(h)).toBe(false);
  });
});
