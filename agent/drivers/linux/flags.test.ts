// `berth agent --driver linux` flags: defaults, values, and refusals with a clear message.
import { describe, expect, it } from 'vitest';
import { parseAgentArgs } from '../../flags';

const parse = (...extra: string[]) => parseAgentArgs(['--host-id', 'h1', ...extra]);

describe('linux driver flags', () => {
  it('fills in the defaults of DESIGN section 8', () => {
    const r = parse('--driver', 'linux');
    expect(r.kind === 'ok' && r.flags.linux).toEqual({ bridge: 'br-int', datapathType: 'system', ipsecBackend: 'kernel', datapath: 'standalone' });
  });

  it('takes every flag', () => {
    const r = parse('--driver', 'linux', '--ovs-db', 'unix:/tmp/ovs/db.sock', '--ovs-bridge', 'br-vpn', '--datapath-type', 'netdev',
      '--ipsec-backend', 'libipsec', '--datapath', 'standalone', '--uplink-port', 'eth1', '--state-dir', '/var/lib/berth');
    expect(r.kind === 'ok' && r.flags).toMatchObject({
      stateDir: '/var/lib/berth',
      linux: { ovsDb: 'unix:/tmp/ovs/db.sock', bridge: 'br-vpn', datapathType: 'netdev', ipsecBackend: 'libipsec', datapath: 'standalone', uplinkPort: 'eth1' },
    });
  });

  it.each([
    { args: ['--datapath-type', 'dpdk'], message: '--datapath-type must be system or netdev' },
    { args: ['--ipsec-backend', 'xfrm'], message: '--ipsec-backend must be kernel or libipsec' },
    { args: ['--datapath', 'ovn'], message: '--datapath must be standalone or external' },
    { args: ['--ovs-db', '/run/openvswitch/db.sock'], message: "--ovs-db '/run/openvswitch/db.sock' must look like unix:/run/openvswitch/db.sock (or tcp:HOST:PORT)" },
    { args: ['--ovs-bridge', 'br int'], message: "--ovs-bridge 'br int' must be 1-15 letters, digits, '.', '_' or '-'" },
    { args: ['--uplink-port', 'a-very-long-port-name'], message: "--uplink-port 'a-very-long-port-name' must be 1-15 letters, digits, '.', '_' or '-'" },
    { args: ['--datapath', 'external', '--uplink-port', 'eth1'], message: '--uplink-port applies only to --datapath standalone (an external SDN forwards the traffic)' },
  ])('refuses $args', ({ args, message }) => {
    expect(parse('--driver', 'linux', ...args)).toEqual({ kind: 'error', message });
  });

  it('refuses linux flags with the sim driver', () => {
    expect(parse('--ovs-bridge', 'br-int')).toEqual({ kind: 'error', message: '--ovs-bridge applies only to --driver linux' });
  });
});
