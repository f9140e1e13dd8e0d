// What an update must do (pure): which changes rebuild a container, which rewrite only flows, and which
// connections a connections-only change removes, changes or adds. Plus the ip batches a build runs.
import { describe, expect, it } from 'vitest';
import { exampleConnection, exampleContainer, exampleContainerV6 } from '../../../shared/protocol/examples';
import type { DesiredContainer } from '../../../shared/protocol/messages';
import { classifyChange, connectionDelta } from './build';
import { hostBatch, namespaceBatch } from './netns';

const base = exampleContainer(1);
const change = (f: (c: DesiredContainer) => void) => {
  const c = structuredClone(base);
  f(c);
  return c;
};

describe('classifyChange', () => {
  it.each([
    { what: 'nothing', next: change(() => {}), rebuild: false, flows: false, connections: false },
    { what: 'a connection peer CIDR', next: change((c) => { c.config.connections[0].peerCidrs = ['192.168.9.0/24']; }), rebuild: false, flows: false, connections: true },
    { what: 'a new connection', next: change((c) => { c.config.connections.push(exampleConnection({ id: 'k2' })); }), rebuild: false, flows: false, connections: true },
    { what: 'the routes', next: change((c) => { c.config.routes = []; }), rebuild: false, flows: true, connections: false },
    { what: 'the redirects', next: change((c) => { c.config.redirects = c.config.redirects.slice(1); }), rebuild: false, flows: true, connections: false },
    { what: 'the external IP', next: change((c) => { c.config.externalIp = { v4: '1.0.0.9', v6: null }; }), rebuild: true, flows: false, connections: false },
    { what: 'a new IPv6 link', next: change((c) => { c.config.portV6 = exampleContainerV6(1).config.portV6; }), rebuild: true, flows: false, connections: false },
    { what: 'the port MAC', next: change((c) => { c.config.port.mac = 'fa:16:3e:00:09:09'; }), rebuild: true, flows: false, connections: false },
    { what: 'the placement generation', next: change((c) => { c.placementGeneration = 7; }), rebuild: false, flows: false, connections: false },
  ])('$what', ({ next, rebuild, flows, connections }) => {
    expect(classifyChange(base, next)).toEqual({ rebuild, flows, connections });
  });
});

describe('connectionDelta', () => {
  const a = exampleConnection({ id: 'ka' });
  const b = exampleConnection({ id: 'kb', peerAddress: '1.0.0.4' });
  const withConns = (...conns: typeof a[]) => change((c) => { c.config.connections = conns; });
  const ids = (d: ReturnType<typeof connectionDelta>) => ({ removed: d.removed.map((c) => c.id), changed: d.changed.map((c) => c.id), added: d.added.map((c) => c.id) });

  it.each([
    { what: 'unchanged', prev: [a, b], next: [a, b], delta: { removed: [], changed: [], added: [] } },
    { what: 'one changed', prev: [a, b], next: [a, { ...b, peerCidrs: ['10.0.0.0/8'] }], delta: { removed: [], changed: ['kb'], added: [] } },
    { what: 'one removed', prev: [a, b], next: [a], delta: { removed: ['kb'], changed: [], added: [] } },
    { what: 'one added', prev: [a], next: [a, b], delta: { removed: [], changed: [], added: ['kb'] } },
    { what: 'one set admin down', prev: [a, b], next: [a, { ...b, adminStateUp: false }], delta: { removed: ['kb'], changed: [], added: [] } },
    { what: 'one set admin up', prev: [a, { ...b, adminStateUp: false }], next: [a, b], delta: { removed: [], changed: [], added: ['kb'] } },
    { what: 'a PSK changed', prev: [a], next: [{ ...a, psk: 'new-secret' }], delta: { removed: [], changed: ['ka'], added: [] } },
  ])('$what', ({ prev, next, delta }) => {
    expect(ids(connectionDelta(withConns(...prev), withConns(...next)))).toEqual(delta);
  });
});

describe('ip batches', () => {
  it('creates the inner veth end inside the namespace, with the port MAC', () => {
    expect(hostBatch(base)).toEqual([
      'netns add vpn-b0000001',
      'link add vpn-b0000001 type veth peer name vpn-b0000001-ns address fa:16:3e:00:01:01 netns vpn-b0000001',
      'link set vpn-b0000001 up',
    ]);
  });

  it('addresses the container .2/30 + external IP /32, routes via .1 from the external IP, anchors the local subnet', () => {
    expect(namespaceBatch(base)).toEqual([
      'link set lo up',
      'link set vpn-b0000001-ns up',
      'addr add 169.254.0.2/30 dev vpn-b0000001-ns',
      'addr add 1.0.0.2/32 dev vpn-b0000001-ns',
      'route add default via 169.254.0.1 dev vpn-b0000001-ns src 1.0.0.2',
      'addr add 192.168.1.0/32 dev lo',
    ]);
  });

  it('IPv6: the EUI-64 link-local, the /127 and the external /128 without DAD, a default route of each family', () => {
    const v6 = exampleContainerV6(1);
    expect(namespaceBatch(v6)).toEqual([
      'link set lo up',
      'link set vpn-b0000001-ns addrgenmode none',
      'link set vpn-b0000001-ns up',
      'addr add fe80::f816:3eff:fe00:101/64 dev vpn-b0000001-ns nodad',
      'addr add 169.254.0.2/30 dev vpn-b0000001-ns',
      'addr add fd62:6572:7468:4000:8000::3/127 dev vpn-b0000001-ns nodad',
      'addr add 2001:db8:1::2/128 dev vpn-b0000001-ns nodad',
      'route add default via 169.254.0.1 dev vpn-b0000001-ns',
      'route add ::/0 via fd62:6572:7468:4000:8000::2 dev vpn-b0000001-ns src 2001:db8:1::2',
      'addr add 2001:db8:a::/128 dev lo',
    ]);
    // IPv6 inside an IPv4 tunnel: the IPv6 default route has no IPv6 source to insist on.
    const inV4 = structuredClone(v6);
    inV4.config.externalIp = { v4: '1.0.0.2', v6: null };
    expect(namespaceBatch(inV4).filter((l) => l.startsWith('route'))).toEqual([
      'route add default via 169.254.0.1 dev vpn-b0000001-ns src 1.0.0.2',
      'route add ::/0 via fd62:6572:7468:4000:8000::2 dev vpn-b0000001-ns',
    ]);
  });
});
