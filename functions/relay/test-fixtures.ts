// Test-only rows for the pure relay parts (build.ts, unsent.ts): one container per n on host0, a connection with a
// given decrypted PSK (undefined: it could not be decrypted); and a publisher that records what the relay sends.
// Imported only by *.test.ts files.
import { zDesiredState, type DesiredState } from '../../shared/protocol/messages';
import type { Publisher } from '../deps';
import type { ConnectionInput, ContainerInput } from './build';

export const now = 1_700_000_000_000;

export function input(n: number, over: Partial<ContainerInput> = {}): ContainerInput {
  const id = `c-${n}`;
  const portId = `00000000-0000-4000-8000-00000000000${n}`;
  return {
    container: {
      id, groupId: 'g', portId, serviceType: 'IPSEC', configurationId: `r-${n}`, hostId: 'host0', placementGeneration: 3,
      schedulerState: 'SCHEDULED', status: null, statusMessage: '', namespace: null, interfaceName: `vpn-0000000${n}`,
      reportedHostId: null, reportedAt: null, scheduledAt: now, retries: 0, nextAttemptAt: null, createdAt: now, updatedAt: now,
    },
    port: {
      id: portId, tenantId: 't', routerId: `r-${n}`, kind: 'service', subnetId: null, address: `169.254.0.${4 * n + 1}`, prefixLen: 30,
      mac: 'fa:16:3e:00:00:01', interfaceName: `vpn-0000000${n}`, hostId: 'host0', serviceContainerId: id, createdAt: now,
    },
    router: { id: `r-${n}`, gatewayFixedIps: [{ subnet_id: 's', ip_address: '1.0.0.2' }] },
    routes: [],
    rules: [],
    connections: [],
    services: [],
    ...over,
  };
}

export const connection = (psk: string | undefined): ConnectionInput => ({
  row: {
    id: 'conn-1', tenantId: 't', name: 'to-venus', description: '', vpnServiceId: 'v', ikePolicyId: 'i', ipsecPolicyId: 'p',
    peerAddress: '1.0.0.3', peerId: '1.0.0.3', localId: '', peerCidrs: ['192.168.2.0/24'], localEpGroupId: null, peerEpGroupId: null,
    pskCiphertext: 'v1:x:y', mtu: 1500, initiator: 'bi-directional', dpdAction: 'hold', dpdInterval: 30, dpdTimeout: 120,
    adminStateUp: true, status: 'PENDING_CREATE', routeMode: 'static', authMode: 'psk', tunnel: null, sendError: null, createdAt: now, updatedAt: now,
  },
  serviceAdminStateUp: false,
  localCidrs: ['192.168.1.0/24'],
  peerCidrs: ['192.168.2.0/24'],
  ike: { id: 'i', tenantId: 't', name: '', description: '', authAlgorithm: 'sha256', encryptionAlgorithm: 'aes-128', phase1NegotiationMode: 'main', lifetimeUnits: 'kilobytes', lifetimeValue: 50, ikeVersion: 'v2', pfs: 'group14', createdAt: now, updatedAt: now },
  ipsec: { id: 'p', tenantId: 't', name: '', description: '', transformProtocol: 'esp', authAlgorithm: 'sha256', encryptionAlgorithm: 'aes-128', encapsulationMode: 'tunnel', lifetimeUnits: 'seconds', lifetimeValue: 7200, pfs: 'group14', createdAt: now, updatedAt: now },
  psk,
});

interface Sent { topic: string; payload: string; opts: { qos: 0 | 1; retain: boolean } }

/** Records publishes; `fail` makes the next ones reject, `during` runs inside publish (a write racing the relay). */
export class RecordingPublisher implements Publisher {
  sent: Sent[] = [];
  fail = false;
  during: (() => Promise<void>) | null = null;
  async publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }) {
    if (this.during) await this.during();
    if (this.fail) throw new Error('broker refused');
    this.sent.push({ topic, payload, opts });
  }
  docs(): DesiredState[] {
    return this.sent.map((s) => zDesiredState.parse(JSON.parse(s.payload)));
  }
}
