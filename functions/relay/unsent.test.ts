// What the relay writes on the Neutron objects when a document leaves something out, and when it includes it again.
import { describe, expect, it } from 'vitest';
import { buildDesired, type ConnectionInput, type ContainerInput, type Omission } from './build';
import { connection, input, now } from './test-fixtures';
import { unsentChanges } from './unsent';

const service = (o: { status?: string; sendError?: string | null } = {}) => ({
  id: 'svc-1', tenantId: 't', name: '', description: '', routerId: 'r-1', subnetId: null, adminStateUp: true,
  status: o.status ?? 'PENDING_CREATE', externalV4Ip: '1.0.0.2', externalV6Ip: null, sendError: o.sendError ?? null, createdAt: now, updatedAt: now,
});

type Row = ConnectionInput['row'];
const conn = (row: Partial<Row> = {}) => {
  const c = connection('k');
  return { ...c, serviceAdminStateUp: true, row: { ...c.row, ...row } };
};

const box = (o: { status?: string | null; services?: ReturnType<typeof service>[]; connections?: ReturnType<typeof conn>[] } = {}): ContainerInput => {
  const i = input(1);
  return { ...i, container: { ...i.container, status: o.status ?? null }, services: o.services ?? [service()], connections: o.connections ?? [conn()] };
};

const PSK_DETAIL = 'its pre-shared key cannot be decrypted with this BERTH_SECRET_KEY';
const leftOutConn: Omission = { containerId: 'c-1', connectionId: 'conn-1', detail: PSK_DETAIL };
const leftOutBox: Omission = { containerId: 'c-1', detail: 'its port is missing' };
const pskReason = `cannot be sent to its host: ${PSK_DETAIL}`;
const boxReason = 'cannot be sent to its host: its port is missing';

describe('unsentChanges', () => {
  it.each<[string, ContainerInput, Omission[], object]>([
    ['all sent, nothing recorded: nothing written', box(), [], { services: [], connections: [], events: [] }],
    ['a connection left out: ERROR with the reason; its service untouched', box(), [leftOutConn], {
      services: [], connections: [{ id: 'conn-1', sendError: pskReason, status: 'ERROR', clearTunnel: false }],
      events: [{ containerId: 'c-1', hostId: 'host0', type: 'left-out', reason: `ipsec_site_connection conn-1 ${pskReason}`, detail: { connectionId: 'conn-1' } }],
    }],
    ['left out again, already recorded: nothing written, no event', box({ connections: [conn({ sendError: pskReason, status: 'ERROR' })] }), [leftOutConn],
      { services: [], connections: [], events: [] }],
    ['sent again: cleared, awaiting the agent (PENDING_UPDATE)', box({ connections: [conn({ sendError: pskReason, status: 'ERROR' })] }), [], {
      services: [], connections: [{ id: 'conn-1', sendError: null, status: 'PENDING_UPDATE', clearTunnel: false }],
      events: [expect.objectContaining({ type: 'left-out-cleared', reason: "ipsec_site_connection conn-1 is in its host's desired state again" })],
    }],
    ['sent again into a container in ERROR: cleared, still ERROR', box({ status: 'ERROR', connections: [conn({ sendError: pskReason, status: 'ERROR' })] }), [], {
      services: [], connections: [{ id: 'conn-1', sendError: null, status: 'ERROR', clearTunnel: false }], events: [expect.anything()],
    }],
    ['the API cleared it (PUT) and it is sent: nothing written', box({ connections: [conn({ status: 'PENDING_UPDATE' })] }), [],
      { services: [], connections: [], events: [] }],
    ['left out after it ran: the last tunnel report is dropped', box({ status: 'RUNNING', services: [service({ status: 'ACTIVE' })], connections: [conn({ status: 'ACTIVE', tunnel: { state: 'up' } })] }), [leftOutConn], {
      services: [], connections: [{ id: 'conn-1', sendError: pskReason, status: 'ERROR', clearTunnel: true }], events: [expect.anything()],
    }],
    ['a whole container left out: its services and connections are ERROR', box({ services: [service(), { ...service(), id: 'svc-2' }] }), [leftOutBox], {
      services: [{ id: 'svc-1', sendError: boxReason, status: 'ERROR' }, { id: 'svc-2', sendError: boxReason, status: 'ERROR' }],
      connections: [{ id: 'conn-1', sendError: "cannot be sent to its host: its VPN service's container: its port is missing", status: 'ERROR', clearTunnel: false }],
      events: [
        expect.objectContaining({ type: 'left-out', detail: { vpnServiceId: 'svc-1' } }), expect.objectContaining({ type: 'left-out', detail: { vpnServiceId: 'svc-2' } }),
        expect.objectContaining({ type: 'left-out', detail: { connectionId: 'conn-1' } }),
      ],
    }],
    ['a connection\'s own reason is shown before its container\'s', box(), [leftOutBox, leftOutConn], {
      services: [expect.objectContaining({ sendError: boxReason })], connections: [expect.objectContaining({ sendError: pskReason })], events: expect.any(Array),
    }],
    ['a container sent again: its services cleared', box({ services: [service({ status: 'ERROR', sendError: boxReason })] }), [], {
      services: [{ id: 'svc-1', sendError: null, status: 'PENDING_UPDATE' }], connections: [],
      events: [expect.objectContaining({ type: 'left-out-cleared', detail: { vpnServiceId: 'svc-1' } })],
    }],
  ])('%s', (_name, i, omitted, want) => {
    expect(unsentChanges([i], omitted)).toEqual(want);
  });

  it('bounds the reason', () => {
    const [c] = unsentChanges([box()], [{ ...leftOutConn, detail: 'x'.repeat(5000) }]).connections;
    expect(c.sendError!.length).toBe(1000);
  });

  it('a PSK the desired-state schema refuses: the reason names the field, never the value', () => {
    const secret = 'super-secret\npsk';
    const i = box({ connections: [{ ...conn(), psk: secret }] });
    const { omitted } = buildDesired('host0', 0, 1, [i]);
    const [c] = unsentChanges([i], omitted).connections;
    expect(c.sendError).toMatch(/^cannot be sent to its host: psk: /);
    for (const part of ['super-secret', 'psk\n', 'v1:x:y']) expect(c.sendError).not.toContain(part);
  });
});
