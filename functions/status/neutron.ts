// Neutron status of VPN services and IPsec site connections, derived from what agents report (pure).
// DESIGN section 3: a service is ACTIVE only while its router's container is RUNNING; a connection is ACTIVE only
// while the agent reports its tunnel up; both are ERROR on a container error and PENDING_* until a first report.
// Both are ERROR too while the relay cannot send them to their host (sendError, written by relay/unsent.ts).
import type { ContainerStatus } from '../../shared/protocol/messages';

export type NeutronStatus = 'ACTIVE' | 'DOWN' | 'BUILD' | 'ERROR' | 'PENDING_CREATE' | 'PENDING_UPDATE' | 'PENDING_DELETE';

const isPending = (s: string) => s.startsWith('PENDING_');

/**
 * What stays PENDING while nothing has been reported: a fresh object keeps PENDING_CREATE (or whatever PENDING_*
 * the API gave it); one that has been up before and lost its report (its container moved, its host died) is DOWN.
 */
const unreported = (current: string): NeutronStatus => (isPending(current) ? (current as NeutronStatus) : 'DOWN');

export interface ServiceInput {
  adminStateUp: boolean;
  /** The status of the router's container; null when it has none or no agent has reported on it yet. */
  container: { status: ContainerStatus | null } | null;
  current: string;
  /** Why the relay cannot send its container (null or absent: nothing stands in the way). */
  sendError?: string | null;
}

export function vpnServiceStatus(s: ServiceInput): NeutronStatus {
  const status = s.container?.status ?? null;
  if (status === 'ERROR' || s.sendError) return 'ERROR';
  if (!s.adminStateUp) return 'DOWN';
  switch (status) {
    case 'RUNNING':
      return 'ACTIVE';
    case 'STOPPED':
    case 'STOPPING':
      return 'DOWN';
    case 'STARTING':
      // Converging: a first start is still a create; a restart of something that ran is an update.
      return s.current === 'PENDING_CREATE' ? 'PENDING_CREATE' : 'PENDING_UPDATE';
    default:
      return unreported(s.current);
  }
}

export interface ConnectionInput {
  adminStateUp: boolean;
  /** The connection's VPN service's admin state (a disabled service takes its connections down). */
  serviceAdminStateUp: boolean;
  container: { status: ContainerStatus | null } | null;
  /** The last tunnel report for this connection (null: none yet for the current placement). */
  tunnel: { state: string } | null;
  current: string;
  /** Why the relay leaves it (or its container) out of the host's document: no agent will ever run it as it is. */
  sendError?: string | null;
}

export function connectionStatus(c: ConnectionInput): NeutronStatus {
  const status = c.container?.status ?? null;
  if (status === 'ERROR' || c.sendError) return 'ERROR';
  if (!c.adminStateUp || !c.serviceAdminStateUp) return 'DOWN';
  if (status === 'STOPPED' || status === 'STOPPING') return 'DOWN';
  // No word on this tunnel yet (a new connection, a container still starting or just moved): still converging.
  if (c.tunnel === null) return unreported(c.current);
  return status === 'RUNNING' && c.tunnel.state === 'up' ? 'ACTIVE' : 'DOWN';
}
