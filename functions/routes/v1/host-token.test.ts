// POST /v1/hosts/{id}/token: the host's own secret, shown once; only a salted hash is stored; again = rotate;
// DELETE /v1/hosts/{id} revokes. And a chunked request body over the limit is refused as it streams (issue 9).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { hostCredentials } from '../../db/schema';
import { verifySecret } from '../../crypto';

let t: TestApp;
beforeEach(async () => { t = await createTestApp(); });
afterEach(() => t.close());
const stored = async () => t.deps.database.db.select().from(hostCredentials);

it('issues a secret once, creating the host; stores only a hash; rotates; delete revokes', async () => {
  const first = await t.req('POST', '/v1/hosts/edge-1/token');
  expect(first.status).toBe(201);
  expect(first.body).toEqual({ token: { hostId: 'edge-1', token: expect.stringMatching(/^.{32,}$/) } });
  expect((await t.req('GET', '/v1/hosts/edge-1')).body.host).toMatchObject({ id: 'edge-1', alive: false, cordoned: false });
  const [row] = await stored();
  expect(row.secretHash).toMatch(/^\$7\$1000\$/);
  expect(JSON.stringify(await stored())).not.toContain(first.body.token.token);
  expect(await verifySecret(first.body.token.token, row.secretHash)).toBe(true);

  const second = await t.req('POST', '/v1/hosts/edge-1/token');
  const [rotated] = await stored();
  expect(second.body.token.token).not.toBe(first.body.token.token);
  expect(await verifySecret(first.body.token.token, rotated.secretHash)).toBe(false);
  expect(await verifySecret(second.body.token.token, rotated.secretHash)).toBe(true);

  expect((await t.req('DELETE', '/v1/hosts/edge-1')).status).toBe(204);
  expect(await stored()).toEqual([]);
});

it('refuses a host id that cannot be an MQTT username, and changes nothing', async () => {
  expect((await t.req('POST', '/v1/hosts/bad%20id/token')).status).toBe(400);
  expect(await stored()).toEqual([]);
});

it('a chunked body (no Content-Length) over the limit gets 413', async () => {
  const limit = t.deps.config.maxBodyBytes;
  const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (sent > limit * 4) return ctrl.close();
      sent += chunk.byteLength;
      ctrl.enqueue(chunk);
    },
  });
  const res = await t.app.request('/v1/host-groups', {
    method: 'POST', body, headers: { authorization: 'Bearer admin-token-for-tests-0123456789', 'content-type': 'application/json' }, duplex: 'half',
  } as RequestInit);
  expect(res.status).toBe(413);
  expect(sent).toBeLessThan(limit * 2);
});
