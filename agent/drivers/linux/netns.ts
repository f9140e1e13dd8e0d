// The container's network namespace and veth pair with iproute2: created in two `ip -batch` runs (the inner
// end is born inside the namespace: moving it later costs ~20 ms), torn down host end first so the name can
// be reused at once (`ip netns del` finishes in the background and lingering links would block a re-create).
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { ipVersionOf } from '../../../shared/model/net';
import { containerAddresses, usesIpv6 } from '../../../shared/protocol/addresses';
import type { ContainerSpec } from '../contract';
import type { Runner } from './exec';
import { hostVethOf, namespaceOf, nsVethOf } from './names';
import { localAnchors } from './swanctl-conf';
import type { DatapathType } from './ovs';

/** Commands that create the namespace and the veth pair (run with `ip -batch -`). */
export function hostBatch(spec: ContainerSpec): string[] {
  const ns = namespaceOf(spec);
  return [
    `netns add ${ns}`,
    `link add ${hostVethOf(spec)} type veth peer name ${nsVethOf(spec)} address ${spec.config.port.mac} netns ${ns}`,
    `link set ${hostVethOf(spec)} up`,
  ];
}

/** The modified EUI-64 link-local address of a MAC (RFC 4291 appendix A): fa:16:3e:00:01:01 → fe80::f816:3eff:fe00:101. */
export function linkLocalOf(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const words = [((b[0] ^ 0x02) << 8) | b[1], (b[2] << 8) | 0xff, 0xfe00 | b[3], (b[4] << 8) | b[5]];
  return `fe80::${words.map((w) => w.toString(16)).join(':')}`;
}

/** Commands run inside the namespace (`ip -n <ns> -batch -`): addresses, default route, subnet anchors. */
export function namespaceBatch(spec: ContainerSpec): string[] {
  const dev = nsVethOf(spec);
  const { port, portV6, externalIp } = spec.config;
  const lines = ['link set lo up'];
  // IPv6: every address without duplicate address detection (it would hold IPv6 back for a second after start;
  // berth chose them unique), the link-local one too: the kernel's own is made with DAD, so it is replaced by
  // the EUI-64 address of the port MAC. One is needed: forwarded packets solicit their next hop from it.
  const v6 = usesIpv6(spec.config);
  if (v6) lines.push(`link set ${dev} addrgenmode none`);
  lines.push(`link set ${dev} up`);
  if (v6) lines.push(`addr add ${linkLocalOf(port.mac)}/64 dev ${dev} nodad`);
  for (const a of containerAddresses(spec.config)) lines.push(`addr add ${a} dev ${dev}${a.includes(':') ? ' nodad' : ''}`);
  // Everything leaves through the router side of its family, sourced from the external IP of that family (what
  // peers know us by).
  lines.push(`route add default via ${port.routerAddress} dev ${dev}${externalIp.v4 ? ` src ${externalIp.v4}` : ''}`);
  if (portV6) lines.push(`route add ::/0 via ${portV6.routerAddress} dev ${dev}${externalIp.v6 ? ` src ${externalIp.v6}` : ''}`);
  for (const a of localAnchors(spec.config)) lines.push(`addr add ${a} dev lo`);
  return lines;
}

/**
 * Kernel settings inside the namespace: forward between the tunnel and the veth, no reverse-path filter (site
 * traffic arrives with sources the namespace does not route back the same way). On the userspace datapath the
 * inner veth must not leave checksums to offload, or OVS delivers UDP/TCP with bad checksums.
 */
const TUNE_SCRIPT = [
  'sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0',
  'sysctl -qw net.ipv6.conf.all.forwarding=1 2>/dev/null || true', // a kernel without IPv6 is fine
  'if [ -n "$1" ]; then ethtool -K "$1" tx off >/dev/null; fi',
].join('\n');

export class Netns {
  constructor(private readonly run: Runner, private readonly datapathType: DatapathType) {}

  static exists(ns: string): boolean {
    return existsSync(`/run/netns/${ns}`);
  }

  static linkExists(name: string): boolean {
    return existsSync(`/sys/class/net/${name}`);
  }

  /** The namespace and the veth pair (the host end is up and can join the bridge). */
  async createLinks(spec: ContainerSpec): Promise<void> {
    await this.run('ip', ['-batch', '-'], { input: `${hostBatch(spec).join('\n')}\n` });
  }

  /** Addresses, routes and anchors inside the namespace. */
  async configure(spec: ContainerSpec): Promise<void> {
    await this.run('ip', ['-n', namespaceOf(spec), '-batch', '-'], { input: `${namespaceBatch(spec).join('\n')}\n` });
  }

  /**
   * A command line that tunes the namespace's kernel and then execs `argv` in it (one `ip netns exec` for both:
   * charon's start carries the tuning, which saves a process on every build).
   */
  execTuned(spec: ContainerSpec, argv: string[]): string[] {
    return ['netns', 'exec', namespaceOf(spec), 'sh', '-ec', `${TUNE_SCRIPT}; shift; exec "$@"`, 'sh', this.datapathType === 'netdev' ? nsVethOf(spec) : '', ...argv];
  }

  /** Removes the veth pair and the namespace; missing pieces are fine (idempotent). */
  async destroy(spec: Pick<ContainerSpec, 'interfaceName'>): Promise<void> {
    const lines: string[] = [];
    if (Netns.linkExists(hostVethOf(spec))) lines.push(`link del ${hostVethOf(spec)}`);
    if (Netns.exists(namespaceOf(spec))) lines.push(`netns del ${namespaceOf(spec)}`);
    if (lines.length) await this.run('ip', ['-force', '-batch', '-'], { input: `${lines.join('\n')}\n`, allowFail: true });
    if (Netns.exists(namespaceOf(spec))) await this.run('ip', ['netns', 'del', namespaceOf(spec)]);
  }

  /**
   * What is left of a container known only by its name (its record is unreadable): the namespace of that name
   * (deleting it takes the veth pair along) and a host-side link of that name only if it is a veth — a stray
   * directory named like a real interface ("lo", "eth0") never removes that interface.
   */
  async destroyOrphan(name: string): Promise<string[]> {
    const removed: string[] = [];
    if (Netns.exists(name)) {
      await this.run('ip', ['netns', 'del', name]);
      removed.push(`namespace ${name}`);
    }
    const link = await this.run('ip', ['-j', '-d', 'link', 'show', 'dev', name], { allowFail: true });
    const kind = link.code === 0 ? (JSON.parse(link.stdout || '[]') as { linkinfo?: { info_kind?: string } }[])[0]?.linkinfo?.info_kind : undefined;
    if (kind === 'veth') {
      await this.run('ip', ['link', 'del', name], { allowFail: true });
      removed.push(`veth ${name}`);
    }
    return removed;
  }

  /** Brings the `lo` anchors in line with the connections (they follow local subnets on updates). */
  async syncAnchors(spec: ContainerSpec): Promise<void> {
    const ns = namespaceOf(spec);
    const r = await this.run('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', 'lo']);
    const have = new Set<string>();
    for (const iface of JSON.parse(r.stdout || '[]') as { addr_info?: { local: string; prefixlen: number }[] }[]) {
      for (const a of iface.addr_info ?? []) {
        const full = ipVersionOf(a.local) === 4 ? 32 : 128;
        if (a.prefixlen === full && a.local !== '127.0.0.1' && a.local !== '::1') have.add(`${a.local}/${a.prefixlen}`);
      }
    }
    const want = new Set(localAnchors(spec.config));
    const lines = [...[...have].filter((a) => !want.has(a)).map((a) => `addr del ${a} dev lo`), ...[...want].filter((a) => !have.has(a)).map((a) => `addr add ${a} dev lo`)];
    if (lines.length) await this.run('ip', ['-n', ns, '-batch', '-'], { input: `${lines.join('\n')}\n` });
  }

  /** Processes whose network namespace is this one, with their command names (a /proc scan, no process). */
  async processes(ns: string): Promise<{ pid: number; comm: string }[]> {
    let target;
    try {
      target = await stat(`/run/netns/${ns}`);
    } catch {
      return [];
    }
    const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
    const found = await Promise.all(pids.map(async (pid) => {
      try {
        const st = await stat(`/proc/${pid}/ns/net`);
        if (st.ino !== target.ino || st.dev !== target.dev) return null;
        const comm = (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
        return { pid: Number(pid), comm };
      } catch {
        return null; // exited meanwhile, or a kernel thread
      }
    }));
    return found.filter((p): p is { pid: number; comm: string } => p !== null);
  }
}
