// What the linux driver needs from the host, checked up front so the agent (or a test that must skip) can say
// exactly what is missing instead of failing half-way through building a container.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian packages providing the tools (the install line lives in .ci/apt-linux.sh). */
export const REQUIRED_TOOLS: { bin: string; pkg: string; netdevOnly?: boolean }[] = [
  { bin: 'ip', pkg: 'iproute2' },
  { bin: 'ovs-vsctl', pkg: 'openvswitch-switch' },
  { bin: 'ovs-ofctl', pkg: 'openvswitch-switch' },
  { bin: 'swanctl', pkg: 'strongswan-swanctl' },
  { bin: 'charon-systemd', pkg: 'charon-systemd' },
  { bin: 'sysctl', pkg: 'procps' },
  { bin: 'ethtool', pkg: 'ethtool', netdevOnly: true },
];

/** The directories searched for tools: PATH plus the sbin directories a non-login root shell may lack. */
export function searchPath(env: Record<string, string | undefined> = process.env): string[] {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(d)) dirs.push(d);
  return dirs;
}

export function which(bin: string, env: Record<string, string | undefined> = process.env): string | null {
  for (const dir of searchPath(env)) {
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return null;
}

/** Problems that stop the linux driver on this host (empty = it can run). */
export function linuxPrerequisites(opts: { datapathType?: 'system' | 'netdev' } = {}): string[] {
  const problems: string[] = [];
  if (process.platform !== 'linux') return [`the linux driver needs Linux (this is ${process.platform})`];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) problems.push('the linux driver needs root (network namespaces, veth pairs, Open vSwitch, charon)');
  const missing = REQUIRED_TOOLS.filter((t) => (!t.netdevOnly || opts.datapathType !== 'system') && !which(t.bin));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((t) => t.pkg))];
    problems.push(`missing ${missing.map((t) => t.bin).join(', ')} (install: apt-get install -y ${pkgs.join(' ')}; see .ci/apt-linux.sh)`);
  }
  return problems;
}
