// What the relay could not send, made durable and visible (pure). A container or connection left out of its host's
// document (buildDesired's omissions) gets a reason on its Neutron object (send_error: the VPN services of the
// container's router, the connection) and the status ERROR; a document that includes it again clears both. Only
// transitions are written, each with an event for the operator (container_events), so a pass that changes nothing
// writes nothing. The reasons are the builder's: validation paths and messages, never values (never a PSK).
import { connectionStatus, vpnServiceStatus } from '../status/neutron';
import type { ContainerStatus } from '../../shared/protocol/messages';
import type { ContainerInput, Omission } from './build';

export interface SendErrorChange {
  id: string;
  /** The reason it cannot be sent; null: it is in the document again. */
  sendError: string | null;
  status: string;
}

export interface ConnectionChange extends SendErrorChange {
  /** Left out just now: the agent tears its tunnel down, so the last tunnel report no longer says anything. */
  clearTunnel: boolean;
}

export interface UnsentEvent {
  containerId: string;
  hostId: string | null;
  type: 'left-out' | 'left-out-cleared';
  reason: string;
  detail: { vpnServiceId: string } | { connectionId: string };
}

export interface UnsentChanges {
  services: SendErrorChange[];
  connections: ConnectionChange[];
  events: UnsentEvent[];
}

/** Long enough for the builder's five issues; bounded so a reason cannot grow a row without limit. */
const MAX_REASON = 1000;
const reason = (detail: string) => `cannot be sent to its host: ${detail}`.slice(0, MAX_REASON);

/** The status an object had before a reason was written is lost; once sent again it awaits the agent's report. */
const currentAfterClear = (status: string, was: string | null, want: string | null) =>
  was !== null && want === null && status === 'ERROR' ? 'PENDING_UPDATE' : status;

/**
 * The send_error and status changes of the objects of these containers (one host's, as the relay built them),
 * given what the builder left out of the document.
 */
export function unsentChanges(inputs: readonly ContainerInput[], omitted: readonly Omission[]): UnsentChanges {
  const out: UnsentChanges = { services: [], connections: [], events: [] };
  const whole = new Map(omitted.filter((o) => o.connectionId === undefined).map((o) => [o.containerId, o.detail]));
  const single = new Map(omitted.filter((o) => o.connectionId !== undefined).map((o) => [o.connectionId!, o.detail]));
  for (const i of inputs) {
    const c = i.container;
    const boxDetail = whole.get(c.id);
    const container = { status: c.status as ContainerStatus | null };
    for (const s of i.services) {
      const want = boxDetail === undefined ? null : reason(boxDetail);
      const status = vpnServiceStatus({ adminStateUp: s.adminStateUp, container, current: currentAfterClear(s.status, s.sendError, want), sendError: want });
      if (untouched(want, s.sendError, status, s.status)) continue;
      out.services.push({ id: s.id, sendError: want, status });
      if (want !== s.sendError) out.events.push(event(c, want, `vpnservice ${s.id}`, { vpnServiceId: s.id }));
    }
    for (const ci of i.connections) {
      const r = ci.row;
      const own = single.get(r.id);
      const detail = own ?? (boxDetail === undefined ? undefined : `its VPN service's container: ${boxDetail}`);
      const want = detail === undefined ? null : reason(detail);
      const clearTunnel = want !== null && r.sendError === null && r.tunnel !== null;
      const status = connectionStatus({
        adminStateUp: r.adminStateUp, serviceAdminStateUp: ci.serviceAdminStateUp, container,
        tunnel: clearTunnel ? null : r.tunnel, current: currentAfterClear(r.status, r.sendError, want), sendError: want,
      });
      if (untouched(want, r.sendError, status, r.status)) continue;
      out.connections.push({ id: r.id, sendError: want, status, clearTunnel });
      if (want !== r.sendError) out.events.push(event(c, want, `ipsec_site_connection ${r.id}`, { connectionId: r.id }));
    }
  }
  return out;
}

/** Only what has (or had) a reason is the relay's to write; every other status is ingest's and the controller's. */
const untouched = (want: string | null, was: string | null, status: string, current: string) =>
  want === was && (want === null || status === current);

function event(c: ContainerInput['container'], want: string | null, what: string, detail: UnsentEvent['detail']): UnsentEvent {
  const at = { containerId: c.id, hostId: c.hostId };
  return want === null
    ? { ...at, type: 'left-out-cleared', reason: `${what} is in its host's desired state again`, detail }
    : { ...at, type: 'left-out', reason: `${what} ${want}`, detail };
}
