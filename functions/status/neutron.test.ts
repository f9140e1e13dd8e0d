// Neutron status from container status and tunnel reports: the table a tenant sees through GET on the VPN API.
import { describe, expect, it } from 'vitest';
import { connectionStatus, vpnServiceStatus } from './neutron';
import type { ContainerStatus } from '../../shared/protocol/messages';

const box = (status: ContainerStatus | null) => ({ status });

describe('vpnServiceStatus', () => {
  it.each([
    ['no container yet, never reported', null, 'PENDING_CREATE', true, 'PENDING_CREATE'],
    ['placed, no report yet', box(null), 'PENDING_CREATE', true, 'PENDING_CREATE'],
    ['starting for the first time', box('STARTING'), 'PENDING_CREATE', true, 'PENDING_CREATE'],
    ['running', box('RUNNING'), 'PENDING_CREATE', true, 'ACTIVE'],
    ['restarting after it ran', box('STARTING'), 'ACTIVE', true, 'PENDING_UPDATE'],
    ['stopped', box('STOPPED'), 'ACTIVE', true, 'DOWN'],
    ['stopping', box('STOPPING'), 'ACTIVE', true, 'DOWN'],
    ['container error', box('ERROR'), 'ACTIVE', true, 'ERROR'],
    ['container error while admin down', box('ERROR'), 'ACTIVE', false, 'ERROR'],
    ['moved: no report from the new host', box(null), 'ACTIVE', true, 'DOWN'],
    ['container gone after it ran', null, 'ACTIVE', true, 'DOWN'],
    ['running but admin down', box('RUNNING'), 'ACTIVE', false, 'DOWN'],
  ] as const)('%s → %s', (_name, container, current, adminStateUp, want) => {
    expect(vpnServiceStatus({ adminStateUp, container, current })).toBe(want);
  });
});

describe('connectionStatus', () => {
  const up = { state: 'up' };
  const connecting = { state: 'connecting' };
  const down = { state: 'down' };
  it.each([
    ['created, nothing placed', null, null, 'PENDING_CREATE', 'PENDING_CREATE'],
    ['container running, tunnel not reported yet', box('RUNNING'), null, 'PENDING_CREATE', 'PENDING_CREATE'],
    ['tunnel up', box('RUNNING'), up, 'PENDING_CREATE', 'ACTIVE'],
    ['tunnel connecting', box('RUNNING'), connecting, 'PENDING_CREATE', 'DOWN'],
    ['tunnel down', box('RUNNING'), down, 'ACTIVE', 'DOWN'],
    ['tunnel up but container starting', box('STARTING'), up, 'ACTIVE', 'DOWN'],
    ['container stopped', box('STOPPED'), null, 'ACTIVE', 'DOWN'],
    ['container error', box('ERROR'), up, 'ACTIVE', 'ERROR'],
    ['moved: no report from the new host', box(null), null, 'ACTIVE', 'DOWN'],
    ['updated via the API, awaiting a report', box('RUNNING'), null, 'PENDING_UPDATE', 'PENDING_UPDATE'],
  ] as const)('%s → %s', (_name, container, tunnel, current, want) => {
    expect(connectionStatus({ adminStateUp: true, serviceAdminStateUp: true, container, tunnel, current })).toBe(want);
  });

  it('is DOWN when the connection or its service is administratively down, even with the tunnel up', () => {
    const base = { container: box('RUNNING'), tunnel: up, current: 'ACTIVE' };
    expect(connectionStatus({ ...base, adminStateUp: false, serviceAdminStateUp: true })).toBe('DOWN');
    expect(connectionStatus({ ...base, adminStateUp: true, serviceAdminStateUp: false })).toBe('DOWN');
  });
});

describe('a reason the relay cannot send it (sendError)', () => {
  const why = 'cannot be sent to its host: its port is missing';
  it.each([
    ['never reported', null, 'PENDING_CREATE'],
    ['running before', box('RUNNING'), 'ACTIVE'],
    ['stopped', box('STOPPED'), 'ACTIVE'],
  ] as const)('makes a service ERROR (%s), even administratively down', (_n, container, current) => {
    expect(vpnServiceStatus({ adminStateUp: true, container, current, sendError: why })).toBe('ERROR');
    expect(vpnServiceStatus({ adminStateUp: false, container, current, sendError: why })).toBe('ERROR');
    expect(vpnServiceStatus({ adminStateUp: true, container, current, sendError: null })).not.toBe('ERROR');
  });

  it('makes a connection ERROR whatever its tunnel last said', () => {
    for (const tunnel of [null, { state: 'up' }, { state: 'down' }]) {
      const c = { adminStateUp: true, serviceAdminStateUp: true, container: box('RUNNING'), tunnel, current: 'PENDING_CREATE' };
      expect(connectionStatus({ ...c, sendError: why })).toBe('ERROR');
      expect(connectionStatus({ ...c, sendError: null })).not.toBe('ERROR');
    }
  });
});
