// Example protocol documents (valid v1 messages) for tests, docs and the relay/ingest authors: the seed's
// VPN `mercury` with its connection `to-venus` (DESIGN section 3), parameterised so tests can vary it.
import type { BerthEvent, DesiredContainer, DesiredState, Heartbeat, IpsecConnection, Presence, StatusMessage, TunnelReport, TunnelTelemetry } from './messages';

export function exampleConnection(over: Partial<IpsecConnection> = {}): IpsecConnection {
  return {
    id: 'c0000000-0000-4000-8000-000000000001',
    name: 'to-venus',
    adminStateUp: true,
    peerAddress: '1.0.0.3',
    peerId: '1.0.0.3',
    localId: '',
    localCidrs: ['192.168.1.0/24'],
    peerCidrs: ['192.168.2.0/24'],
    psk: 'example-secret-psk',
    mtu: 1500,
    initiator: 'bi-directional',
    dpd: { action: 'hold', interval: 30, timeout: 120 },
    ike: { version: 'v2', authAlgorithm: 'sha256', encryptionAlgorithm: 'aes-128', lifetimeSeconds: 3600, pfs: 'group14', phase1NegotiationMode: 'main' },
    ipsec: { transformProtocol: 'esp', authAlgorithm: 'sha256', encryptionAlgorithm: 'aes-128', encapsulationMode: 'tunnel', lifetimeSeconds: 3600, pfs: 'group14' },
    ...over,
  };
}

/** A container numbered n (1..254): distinct ids, interface names, ports and link-local /30s. */
export function exampleContainer(n = 1, over: Partial<DesiredContainer> = {}): DesiredContainer {
  const hex = n.toString(16).padStart(2, '0');
  const base = 4 * (n - 1);
  const third = Math.floor(base / 256);
  const fourth = base % 256;
  return {
    id: `a0000000-0000-4000-8000-0000000000${hex}`,
    type: 'IPSEC',
    portId: `b0000000-0000-4000-8000-0000000000${hex}`,
    interfaceName: `vpn-b00000${hex}`,
    placementGeneration: 1,
    config: {
      routerId: `d0000000-0000-4000-8000-0000000000${hex}`,
      port: {
        mac: `fa:16:3e:00:01:${hex}`,
        address: `169.254.${third}.${fourth + 2}`,
        prefixLen: 30,
        routerAddress: `169.254.${third}.${fourth + 1}`,
        routerMac: `fa:16:3e:00:02:${hex}`,
      },
      externalIp: { v4: '1.0.0.2', v6: null },
      routes: [{ srcCidr: '192.168.1.0/24', dstCidr: '192.168.2.0/24', nextHopGateway: `169.254.${third}.${fourth + 2}` }],
      redirects: [
        { nwDstIp: '1.0.0.2', nwProto: 50, tpDst: null },
        { nwDstIp: '1.0.0.2', nwProto: 17, tpDst: 500 },
        { nwDstIp: '1.0.0.2', nwProto: 17, tpDst: 4500 },
      ],
      connections: [exampleConnection()],
    },
    ...over,
  };
}

export function exampleDesired(hostId: string, over: Partial<DesiredState> = {}): DesiredState {
  return { v: 1, hostId, epoch: 1, generation: 1, containers: [exampleContainer(1)], ...over };
}

/**
 * The IPv6 twin of exampleContainer(n): IPv6 outside (gateway 2001:db8:1::2, peer 2001:db8:1::3) and inside
 * (2001:db8:a::/64 → 2001:db8:b::/64), with the IPv6 /127 of its link beside the IPv4 /30.
 */
export function exampleContainerV6(n = 1, over: Partial<DesiredContainer> = {}): DesiredContainer {
  const v4 = exampleContainer(n);
  const link = `fd62:6572:7468:4000:8000::${(2 * n).toString(16)}`;
  const container = `fd62:6572:7468:4000:8000::${(2 * n + 1).toString(16)}`;
  const ext = '2001:db8:1::2';
  return {
    ...v4,
    config: {
      ...v4.config,
      portV6: { address: container, prefixLen: 127, routerAddress: link },
      externalIp: { v4: null, v6: ext },
      routes: [{ srcCidr: '2001:db8:a::/64', dstCidr: '2001:db8:b::/64', nextHopGateway: container }],
      redirects: [
        { nwDstIp: ext, nwProto: 50, tpDst: null },
        { nwDstIp: ext, nwProto: 17, tpDst: 500 },
        { nwDstIp: ext, nwProto: 17, tpDst: 4500 },
      ],
      connections: [exampleConnection({ peerAddress: '2001:db8:1::3', peerId: '2001:db8:1::3', localCidrs: ['2001:db8:a::/64'], peerCidrs: ['2001:db8:b::/64'] })],
    },
    ...over,
  };
}

// ---------- agent → control plane, control plane → telemetry (one valid example of every payload) ----------

const AT = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const BOOT = 'e0000000-0000-4000-8000-000000000001';

export function examplePresence(hostId = 'host0', over: Partial<Presence> = {}): Presence {
  return { v: 1, hostId, bootId: BOOT, online: true, at: AT, ...over };
}

export function exampleHeartbeat(hostId = 'host0', over: Partial<Heartbeat> = {}): Heartbeat {
  return { v: 1, hostId, bootId: BOOT, seq: 42, at: AT + 21_000, observedGeneration: 1, fence: { epoch: 1, generation: 1 }, count: 1, quota: -1, load: 12, ...over };
}

/** The seed's tunnel up, with its telemetry (issue 11). */
export function exampleTunnelReport(over: Partial<TunnelReport> = {}): TunnelReport {
  return {
    connectionId: exampleConnection().id, state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED',
    bytesIn: 1_048_576, bytesOut: 786_432, packetsIn: 1024, packetsOut: 768, establishedAt: AT + 1_000, lastRekeyAt: AT + 1_000, ...over,
  };
}

export function exampleStatus(hostId = 'host0', over: Partial<StatusMessage> = {}): StatusMessage {
  const c = exampleContainer(1);
  return {
    v: 1, hostId, bootId: BOOT,
    containers: [{
      id: c.id, placementGeneration: c.placementGeneration, status: 'RUNNING', message: '1/1 tunnels up',
      namespace: c.interfaceName, interfaceName: c.interfaceName, addresses: ['169.254.0.2/30', '1.0.0.2/32'], tunnels: [exampleTunnelReport()],
    }],
    ...over,
  };
}

export function exampleEvent(over: Partial<BerthEvent> = {}): BerthEvent {
  return { v: 1, at: AT + 30_000, type: 'failover', containerId: exampleContainer(1).id, hostId: 'host1', reason: 'host host0 is dead: RESCHEDULED host0 → host1', ...over };
}

export function exampleTunnelTelemetry(hostId = 'host0', over: Partial<TunnelTelemetry> = {}): TunnelTelemetry {
  return { v: 1, at: AT + 21_000, hostId, containerId: exampleContainer(1).id, ...exampleTunnelReport(), ...over };
}
