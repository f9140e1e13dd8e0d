// Protocol v1: topic builders/parser and payload schemas accept the documented shapes and reject garbage.
import { describe, expect, it } from 'vitest';
import { exampleConnection, exampleContainer, exampleDesired } from './examples';
import { compareVersions, decodeMessage, zDesiredState, zHeartbeat, zPresence, zStatus } from './messages';
import { agentMessageFilters, parseHostTopic, topics } from './topics';

describe('topics', () => {
  it('builds the documented names', () => {
    expect(topics.desired('host0')).toBe('berth/v1/hosts/host0/desired');
    expect(topics.presence('host0')).toBe('berth/v1/hosts/host0/presence');
    expect(topics.heartbeat('host0')).toBe('berth/v1/hosts/host0/heartbeat');
    expect(topics.status('host0')).toBe('berth/v1/hosts/host0/status');
    expect(topics.events).toBe('berth/v1/events');
    expect(topics.allHosts('status')).toBe('berth/v1/hosts/+/status');
    expect(topics.sharedAllHosts('ingest', 'heartbeat')).toBe('$share/ingest/berth/v1/hosts/+/heartbeat');
  });

  it('builds the telemetry topics (issue 11) and refuses a connection id that is not one topic level', () => {
    expect(topics.tunnelTelemetry('c0000000-0000-4000-8000-000000000001')).toBe('berth/v1/telemetry/tunnels/c0000000-0000-4000-8000-000000000001');
    expect(topics.telemetryAll).toBe('berth/v1/telemetry/#');
    for (const id of ['', 'a/b', 'c+', 'c#', 'c 1']) expect(() => topics.tunnelTelemetry(id)).toThrow(/invalid id/);
  });

  it.each(['', 'a/b', 'h+', 'h#', 'h 1', '-lead', 'x'.repeat(65)])('refuses host id %j in a topic', (id) => {
    expect(() => topics.desired(id)).toThrow(/invalid host id/);
  });

  it.each([
    ['berth/v1/hosts/host0/status', { hostId: 'host0', kind: 'status' }],
    ['berth/v1/hosts/h-1.a_b/desired', { hostId: 'h-1.a_b', kind: 'desired' }],
    ['berth/v1/hosts/host0/other', null],
    ['berth/v1/hosts/+/status', null],
    ['berth/v2/hosts/host0/status', null],
    ['berth/v1/hosts/host0/status/x', null],
    ['berth/v1/events', null],
  ])('parses %s', (topic, want) => {
    expect(parseHostTopic(topic)).toEqual(want);
  });
});

const bytes = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe('agentMessageFilters (berth serve replicas and berth bridge)', () => {
  it('shares only status reports: every consumer hears every host\'s presence and heartbeats', () => {
    expect(agentMessageFilters('g', true)).toEqual(['berth/v1/hosts/+/presence', 'berth/v1/hosts/+/heartbeat', '$share/g/berth/v1/hosts/+/status']);
    expect(agentMessageFilters('g', false)).toEqual(['berth/v1/hosts/+/presence', 'berth/v1/hosts/+/heartbeat', 'berth/v1/hosts/+/status']);
  });
});

describe('desired document', () => {
  it('accepts the example and keeps every field', () => {
    const doc = exampleDesired('host0', { containers: [exampleContainer(1), exampleContainer(2)] });
    const r = decodeMessage(zDesiredState, bytes(doc));
    expect(r).toEqual({ ok: true, value: doc });
  });

  it('tolerates unknown keys on envelopes, containers and connections (forward compatibility), dropping them', () => {
    const doc = exampleDesired('host0') as any;
    doc.future = 1;
    doc.containers[0].future = 2;
    doc.containers[0].config.connections[0].future = 3;
    const r = decodeMessage(zDesiredState, bytes(doc));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value).not.toHaveProperty('future');
      expect(r.value.containers[0]).not.toHaveProperty('future');
    }
  });

  const bad: Array<[string, (d: any) => void]> = [
    ['wrong version', (d) => { d.v = 2; }],
    ['missing epoch', (d) => { delete d.epoch; }],
    ['fractional generation', (d) => { d.generation = 1.5; }],
    ['negative epoch', (d) => { d.epoch = -1; }],
    ['unknown service type', (d) => { d.containers[0].type = 'BGP'; }],
    ['interface name too long for IFNAMSIZ with -ns', (d) => { d.containers[0].interfaceName = 'vpn-123456789'; }],
    ['duplicate container id', (d) => { d.containers.push({ ...exampleContainer(2), id: d.containers[0].id }); }],
    ['duplicate interface name', (d) => { d.containers.push({ ...exampleContainer(2), interfaceName: d.containers[0].interfaceName }); }],
    ['router address outside the /30', (d) => { d.containers[0].config.port.routerAddress = '169.254.9.1'; }],
    ['same address on both sides', (d) => { d.containers[0].config.port.routerAddress = d.containers[0].config.port.address; }],
    ['unknown key in a strict value (port)', (d) => { d.containers[0].config.port.extra = 1; }],
    ['bad MAC', (d) => { d.containers[0].config.port.mac = 'zz:16:3e:00:01:01'; }],
    ['IPv6 in externalIp.v4', (d) => { d.containers[0].config.externalIp.v4 = '2001:db8::1'; }],
    ['CIDR with host bits', (d) => { d.containers[0].config.connections[0].peerCidrs = ['192.168.2.1/24']; }],
    ['no peer CIDRs', (d) => { d.containers[0].config.connections[0].peerCidrs = []; }],
    ['empty psk', (d) => { d.containers[0].config.connections[0].psk = ''; }],
    ['newline in psk (config injection)', (d) => { d.containers[0].config.connections[0].psk = 'a\nb'; }],
    ['algorithm with spaces', (d) => { d.containers[0].config.connections[0].ike.encryptionAlgorithm = 'aes 128'; }],
    ['MTU below 68', (d) => { d.containers[0].config.connections[0].mtu = 10; }],
    ['duplicate connection id', (d) => { d.containers[0].config.connections.push(exampleConnection()); }],
    ['port number out of range', (d) => { d.containers[0].config.redirects[0].tpDst = 70000; }],
    ['bad host id', (d) => { d.hostId = 'a/b'; }],
  ];
  it.each(bad)('rejects %s', (_name, mutate) => {
    const doc = structuredClone(exampleDesired('host0')) as any;
    mutate(doc);
    const r = decodeMessage(zDesiredState, bytes(doc));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('invalid_schema');
  });

  it('never echoes a PSK in a validation detail', () => {
    const doc = structuredClone(exampleDesired('host0')) as any;
    doc.containers[0].config.connections[0].psk = 'topsecret\u0001';
    const r = decodeMessage(zDesiredState, bytes(doc));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).not.toContain('topsecret');
  });
});

describe('decodeMessage', () => {
  it.each([
    ['empty', new Uint8Array(0), 'empty'],
    ['not JSON', new TextEncoder().encode('{nope'), 'invalid_json'],
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe, 0x7b]), 'invalid_json'],
    ['JSON of the wrong shape', new TextEncoder().encode('[1,2]'), 'invalid_schema'],
    ['null', new TextEncoder().encode('null'), 'invalid_schema'],
  ])('drops %s', (_n, payload, reason) => {
    const r = decodeMessage(zDesiredState, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it('drops oversize payloads before parsing', () => {
    const r = decodeMessage(zPresence, new Uint8Array(100), 10);
    expect(r).toMatchObject({ ok: false, reason: 'too_large' });
  });
});

describe('agent messages', () => {
  it.each([
    [zPresence, { v: 1, hostId: 'host0', bootId: 'b1', online: true, at: 1 }, true],
    [zPresence, { v: 1, hostId: 'host0', bootId: 'b1', online: 'yes', at: 1 }, false],
    [zHeartbeat, { v: 1, hostId: 'host0', bootId: 'b1', seq: 0, at: 1, observedGeneration: 0, count: 0, quota: -1, load: 12 }, true],
    [zHeartbeat, { v: 1, hostId: 'host0', bootId: 'b1', seq: 0, at: 1, observedGeneration: 0, count: 0, quota: -2, load: 12 }, false],
    [zHeartbeat, { v: 1, hostId: 'host0', bootId: 'b1', seq: -1, at: 1, observedGeneration: 0, count: 0, quota: 0, load: 0 }, false],
    [zStatus, { v: 1, hostId: 'host0', bootId: 'b1', containers: [] }, true],
    [zStatus, { v: 1, hostId: 'host0', bootId: 'b1', containers: [{ id: 'c1', placementGeneration: 1, status: 'RUNNING', message: '', namespace: 'vpn-1', interfaceName: 'vpn-1', tunnels: [{ connectionId: 'k1', state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED' }] }] }, true],
    [zStatus, { v: 1, hostId: 'host0', bootId: 'b1', containers: [{ id: 'c1', placementGeneration: 1, status: 'BROKEN', message: '', namespace: null, interfaceName: null }] }, false],
    [zStatus, { v: 1, hostId: 'host0', bootId: 'b1', containers: [{ id: 'c1', placementGeneration: 1, status: 'RUNNING', message: '', namespace: null, interfaceName: null, tunnels: [{ connectionId: 'k1', state: 'sideways' }] }] }, false],
  ] as const)('%#: validates', (schema, msg, ok) => {
    expect((schema as any).safeParse(msg).success).toBe(ok);
  });
});

describe('compareVersions', () => {
  it.each([
    [{ epoch: 1, generation: 5 }, { epoch: 2, generation: 1 }, -1],
    [{ epoch: 2, generation: 1 }, { epoch: 1, generation: 9 }, 1],
    [{ epoch: 2, generation: 3 }, { epoch: 2, generation: 4 }, -1],
    [{ epoch: 2, generation: 4 }, { epoch: 2, generation: 4 }, 0],
  ])('orders by epoch first, then generation (%o vs %o)', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});
