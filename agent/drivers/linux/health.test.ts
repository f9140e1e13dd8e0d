// strongSwan SA state → tunnel reports: 'up' only with every needed CHILD_SA installed.
import { describe, expect, it } from 'vitest';
import { exampleConnection, exampleContainer } from '../../../shared/protocol/examples';
import type { IpsecConnection } from '../../../shared/protocol/messages';
import { connectionCounters, parseSas, tunnelReports, type IkeSa } from './health';
import { connName } from './names';
import type { ViciMessage } from './vici';

const conn = exampleConnection();
const name = connName(conn);
const cfg = (c: IpsecConnection = conn) => ({ ...exampleContainer(1).config, connections: [c] });
const ike = (state: string, children: [string, string][] = [], establishedS: number | null = 30): IkeSa =>
  ({ name, uniqueId: '1', state, establishedS, children: children.map(([n, s]) => ({ name: n, uniqueId: '2', state: s, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 })) });

describe('tunnel reports', () => {
  it.each([
    { what: 'no IKE_SA', sas: [], state: 'down', message: 'no IKE_SA' },
    { what: 'IKE_SA connecting', sas: [ike('CONNECTING', [], null)], state: 'connecting' },
    { what: 'established, CHILD_SA installed', sas: [ike('ESTABLISHED', [[name, 'INSTALLED']])], state: 'up' },
    { what: 'established, CHILD_SA rekeying', sas: [ike('ESTABLISHED', [[name, 'REKEYING']])], state: 'up' },
    { what: 'IKE_SA rekeying with its CHILD_SA', sas: [ike('REKEYING', [[name, 'INSTALLED']])], state: 'up' },
    { what: 'established, CHILD_SA installing', sas: [ike('ESTABLISHED', [[name, 'INSTALLING']])], state: 'connecting' },
    { what: 'just established, no CHILD_SA yet', sas: [ike('ESTABLISHED', [], 1)], state: 'connecting' },
    { what: 'established long ago, no CHILD_SA', sas: [ike('ESTABLISHED', [], 60)], state: 'down', message: 'IKE_SA ESTABLISHED but no installed CHILD_SA' },
    { what: 'deleting', sas: [ike('DELETING', [[name, 'INSTALLED']], 60)], state: 'down' },
    { what: 'another connection up', sas: [{ ...ike('ESTABLISHED', [['c-other', 'INSTALLED']]), name: 'c-other' }], state: 'down' },
  ])('$what → $state', ({ sas, state, message }) => {
    const [t] = tunnelReports(cfg(), sas as IkeSa[]);
    expect(t.connectionId).toBe(conn.id);
    expect(t.state).toBe(state);
    if (message) expect(t.message).toContain(message);
  });

  it('says why a response-only connection has no SA', () => {
    const [t] = tunnelReports(cfg(exampleConnection({ initiator: 'response-only' })), []);
    expect(t).toMatchObject({ state: 'down', message: 'no IKE_SA: waiting for the peer to initiate' });
  });

  it('reports an admin-down connection down whatever runs', () => {
    const [t] = tunnelReports(cfg(exampleConnection({ adminStateUp: false })), [ike('ESTABLISHED', [[name, 'INSTALLED']])]);
    expect(t).toMatchObject({ state: 'down', message: 'admin state down' });
  });

  it('IKEv1 with two subnet pairs is up only when both CHILD_SAs are installed', () => {
    const v1 = exampleConnection({ peerCidrs: ['10.9.0.0/24', '10.8.0.0/24'], ike: { ...conn.ike, version: 'v1' } });
    expect(tunnelReports(cfg(v1), [ike('ESTABLISHED', [[`${name}-1`, 'INSTALLED']], 60)])[0].state).toBe('down');
    expect(tunnelReports(cfg(v1), [ike('ESTABLISHED', [[`${name}-1`, 'INSTALLED'], [`${name}-2`, 'INSTALLED']], 60)])[0].state).toBe('up');
  });
});

describe('list-sas parsing', () => {
  const events: ViciMessage[] = [{
    [name]: {
      uniqueid: '3', state: 'ESTABLISHED', established: '12', 'local-host': '1.0.0.2',
      'child-sas': {
        [`${name}-7`]: { name, uniqueid: '7', state: 'INSTALLED', 'bytes-in': '1500', 'packets-in': '10', 'bytes-out': '900', 'packets-out': '6' },
      },
    },
  }];

  it('reads IKE_SAs, CHILD_SAs and their counters', () => {
    const sas = parseSas(events);
    expect(sas).toEqual([{ name, uniqueId: '3', state: 'ESTABLISHED', establishedS: 12, localHost: '1.0.0.2', children: [{ name, uniqueId: '7', state: 'INSTALLED', bytesIn: 1500, bytesOut: 900, packetsIn: 10, packetsOut: 6 }] }]);
    expect(tunnelReports(cfg(), sas)[0].state).toBe('up');
    expect(connectionCounters(cfg(), sas)).toEqual([{ connectionId: conn.id, bytesIn: 1500, bytesOut: 900, packetsIn: 10, packetsOut: 6 }]);
  });

  it('adds telemetry with a clock: counters, establishment and the last rekey from charon\'s seconds-ago', () => {
    const rekeyed: ViciMessage[] = [{
      [name]: {
        uniqueid: '3', state: 'ESTABLISHED', established: '600',
        'child-sas': {
          [`${name}-7`]: { name, uniqueid: '7', state: 'INSTALLED', 'install-time': '90', 'bytes-in': '1500', 'packets-in': '10', 'bytes-out': '900', 'packets-out': '6' },
          [`${name}-5`]: { name, uniqueid: '5', state: 'REKEYED', 'install-time': '3590', 'bytes-in': '7', 'packets-in': '1', 'bytes-out': '0', 'packets-out': '0' },
        },
      },
    }];
    const now = 1_700_000_000_000;
    expect(tunnelReports(cfg(), parseSas(rekeyed), now)[0]).toEqual({
      connectionId: conn.id, state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED',
      bytesIn: 1507, bytesOut: 900, packetsIn: 11, packetsOut: 6, establishedAt: now - 600_000, lastRekeyAt: now - 90_000,
    });
    expect(tunnelReports(cfg(), [], now)[0]).toMatchObject({ state: 'down', bytesIn: 0, establishedAt: null, lastRekeyAt: null });
  });

  it('ignores malformed entries', () => {
    expect(parseSas([{ x: 'not a section' }, { [name]: { state: 'CONNECTING', 'child-sas': ['bad'] } }])).toEqual([{ name, uniqueId: '', state: 'CONNECTING', establishedS: null, children: [] }]);
  });
});

