// Desired containers for linux tests, built by hand: VPN gateways on one external network (1.0.0.0/24), each
// with a link-local /30 port, REDIRECTs for its external IP and connections to the others.
import { exampleConnection } from '../../shared/protocol/examples';
import type { DesiredContainer, IpsecConnection } from '../../shared/protocol/messages';

export interface Gateway {
  /** 1..63: picks the /30, MACs and ids. */
  n: number;
  /** Interface/namespace name (at most 12 characters). */
  name: string;
  externalIp: string;
  localCidr: string;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');
export const routerMacOf = (g: Pick<Gateway, 'n'>) => `fa:16:3e:00:02:${hex(g.n)}`;
export const containerIdOf = (g: Pick<Gateway, 'n'>) => `a1000000-0000-4000-8000-0000000000${hex(g.n)}`;
export const connectionIdOf = (from: Pick<Gateway, 'n'>, to: Pick<Gateway, 'n'>) => `c1000000-0000-4000-8000-0000000${hex(from.n)}0${hex(to.n)}`;

/** The connection from `self` to `peer` (PSK shared by both ends). */
export function connection(self: Gateway, peer: Gateway, over: Partial<IpsecConnection> = {}): IpsecConnection {
  return exampleConnection({
    id: connectionIdOf(self, peer), name: `to-${peer.name}`, peerAddress: peer.externalIp, peerId: peer.externalIp,
    localCidrs: [self.localCidr], peerCidrs: [peer.localCidr], psk: `psk-${Math.min(self.n, peer.n)}-${Math.max(self.n, peer.n)}`,
    dpd: { action: 'hold', interval: 5, timeout: 20 }, ...over,
  });
}

export function gatewayContainer(self: Gateway, peers: Gateway[], over: { connections?: IpsecConnection[] } = {}): DesiredContainer {
  const base = 4 * (self.n - 1);
  return {
    id: containerIdOf(self),
    type: 'IPSEC',
    portId: `b1000000-0000-4000-8000-0000000000${hex(self.n)}`,
    interfaceName: self.name,
    placementGeneration: 1,
    config: {
      routerId: `d1000000-0000-4000-8000-0000000000${hex(self.n)}`,
      port: { mac: `fa:16:3e:00:01:${hex(self.n)}`, address: `169.254.1.${base + 2}`, prefixLen: 30, routerAddress: `169.254.1.${base + 1}`, routerMac: routerMacOf(self) },
      externalIp: { v4: self.externalIp, v6: null },
      routes: peers.map((p) => ({ srcCidr: self.localCidr, dstCidr: p.localCidr, nextHopGateway: `169.254.1.${base + 2}` })),
      redirects: [
        { nwDstIp: self.externalIp, nwProto: 50, tpDst: null },
        { nwDstIp: self.externalIp, nwProto: 17, tpDst: 500 },
        { nwDstIp: self.externalIp, nwProto: 17, tpDst: 4500 },
      ],
      connections: over.connections ?? peers.map((p) => connection(self, p)),
    },
  };
}
