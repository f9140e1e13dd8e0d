// The linux driver's command-line flags (DESIGN 8): validated values with their defaults, and the help lines.
// agent/flags.ts routes these names here; this file only judges their values.

export interface LinuxFlags {
  /** undefined = the system's Open vSwitch database. */
  ovsDb?: string;
  bridge: string;
  datapathType: 'system' | 'netdev';
  ipsecBackend: 'kernel' | 'libipsec';
  datapath: 'standalone' | 'external';
  uplinkPort?: string;
}

export const LINUX_FLAG_NAMES = ['ovs-db', 'ovs-bridge', 'datapath-type', 'ipsec-backend', 'datapath', 'uplink-port'] as const;

export const LINUX_FLAGS_HELP = `
 with --driver linux:
  --ovs-db unix:SOCKET         Open vSwitch database (default: the system's)
  --ovs-bridge NAME            integration bridge, created if missing (default br-int)
  --datapath-type TYPE         system, or netdev (userspace): the datapath of a bridge it creates (default system)
  --ipsec-backend B            kernel (XFRM), or libipsec (strongSwan's userspace ESP) (default kernel)
  --datapath MODE              standalone: the agent writes each container's flows (ARP, routes, REDIRECTs,
                               outbound); external: an SDN binds ports by iface-id (default standalone)
  --uplink-port PORT           where containers' outbound traffic leaves (default: normal switching)`;

const OVS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[], def: T): T | { error: string } {
  if (v === undefined) return def;
  return (allowed as readonly string[]).includes(v) ? (v as T) : { error: `--${flag} must be ${allowed.join(' or ')}` };
}

/** `get(name)` returns the raw value of a flag (undefined when absent). */
export function parseLinuxFlags(get: (name: (typeof LINUX_FLAG_NAMES)[number]) => string | undefined): LinuxFlags | { error: string } {
  const ovsDb = get('ovs-db');
  if (ovsDb !== undefined && !/^(unix:\/.+|tcp:.+|ssl:.+)$/.test(ovsDb)) return { error: `--ovs-db '${ovsDb}' must look like unix:/run/openvswitch/db.sock (or tcp:HOST:PORT)` };
  const bridge = get('ovs-bridge') ?? 'br-int';
  if (!OVS_NAME.test(bridge)) return { error: `--ovs-bridge '${bridge}' must be 1-15 letters, digits, '.', '_' or '-'` };
  const uplinkPort = get('uplink-port');
  if (uplinkPort !== undefined && !OVS_NAME.test(uplinkPort)) return { error: `--uplink-port '${uplinkPort}' must be 1-15 letters, digits, '.', '_' or '-'` };
  const datapathType = oneOf('datapath-type', get('datapath-type'), ['system', 'netdev'] as const, 'system');
  const ipsecBackend = oneOf('ipsec-backend', get('ipsec-backend'), ['kernel', 'libipsec'] as const, 'kernel');
  const datapath = oneOf('datapath', get('datapath'), ['standalone', 'external'] as const, 'standalone');
  for (const v of [datapathType, ipsecBackend, datapath]) if (typeof v === 'object') return v;
  if (uplinkPort !== undefined && datapath === 'external') return { error: '--uplink-port applies only to --datapath standalone (an external SDN forwards the traffic)' };
  return {
    ...(ovsDb ? { ovsDb } : {}), bridge, datapathType: datapathType as LinuxFlags['datapathType'], ipsecBackend: ipsecBackend as LinuxFlags['ipsecBackend'],
    datapath: datapath as LinuxFlags['datapath'], ...(uplinkPort ? { uplinkPort } : {}),
  };
}
