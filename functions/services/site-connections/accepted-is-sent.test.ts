// "A 201 must mean: this will reach the agent" (issue 10). What the API accepts for a connection passes the
// desired-state schema (one shared set of field validators, shared/protocol/fields.ts): anything that would be
// left out of the document is refused with a 400 instead — names with control characters, an MTU below IPv4's
// minimum, an IPv6 address with a zone. Before, such a connection was accepted and then silently left out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertHost } from '../hosts/test-fixtures';
import { connectionBody, vpnWorld, type VpnWorld } from './test-kit';
import { zDesiredState, type DesiredState } from '../../../shared/protocol/messages';
import type { Publisher } from '../../deps';
import { Controller } from '../../controller/tick';
import { runRelay } from '../../relay/relay';

class Recorder implements Publisher {
  docs: DesiredState[] = [];
  async publish(_t: string, payload: string) { this.docs.push(zDesiredState.parse(JSON.parse(payload))); }
}

describe('a connection the API accepts reaches the agent', () => {
  let t: TestApp;
  let w: VpnWorld;
  const post = (o: Record<string, unknown>) => t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w, o), w.token);

  beforeEach(async () => {
    t = await createTestApp();
    w = await vpnWorld(t);
    await insertHost(t.deps.database.db, 'host0', { alive: true, lastSeenAt: Date.now() });
  });
  afterEach(() => t.close());

  it.each([
    ['a name with a newline', { name: 'vpn\nleft = 0.0.0.0' }, /name.*must not contain control characters/],
    ['a name with a NUL', { name: 'a\u0000b' }, /name.*must not contain control characters/],
    ['an MTU below IPv4\'s minimum (68)', { mtu: 67 }, /MTU.*68/i],
    ['an IPv6 peer address with a zone', { peer_address: '2001:db8::5%x' }, /peer_address.*must be an IPv4 or IPv6 address or a DNS name/],
    ['an IPv6 peer address with an empty zone', { peer_address: 'fe80::1%' }, /peer_address.*must be an IPv4 or IPv6 address or a DNS name/],
    ['a peer CIDR with a zone', { peer_cidrs: ['10.1.0.0%x/16'] }, /peer_cidrs/],
  ])('%s is refused with a 400 naming the field and why', async (_n, o, why) => {
    const r = await post(o);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(why);
  });

  it('an accepted connection with edge values is in the host\'s document, not left out', async () => {
    const r = await post({ name: 'tab-free name ü 名前', mtu: 68, peer_address: '10.9.9.9', peer_id: 'peer@example.org' });
    expect(r.status, r.text).toBe(201);
    await new Controller(t.deps, { holder: 't' }).tick();
    const pub = new Recorder();
    const out = await runRelay({ ...t.deps, publisher: pub });
    expect(out.failed).toEqual([]);
    const conns = pub.docs.flatMap((d) => d.containers.flatMap((c) => c.config.connections));
    expect(conns.map((c) => c.id)).toEqual([r.body.ipsec_site_connection.id]);
  });
});
