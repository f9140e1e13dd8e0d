// Address and CIDR validation and math (ipaddr.js), as zod schemas and small pure helpers.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

export type IpVersion = 4 | 6;

// ipaddr.parse/parseCIDR try IPv6 first and throw on every IPv4 string (costly on hot paths); an address
// without ':' can only be IPv4, so pick the family first. Same results, same errors.
const parseIp = (s: string) => (s.includes(':') ? ipaddr.IPv6.parse(s) : ipaddr.IPv4.parse(s));
const parseIpCidr = (s: string): [ipaddr.IPv4 | ipaddr.IPv6, number] => (s.includes(':') ? ipaddr.IPv6.parseCIDR(s) : ipaddr.IPv4.parseCIDR(s));

export const ipVersionOf = (addr: string): IpVersion | undefined => {
  if (!ipaddr.isValid(addr)) return undefined;
  return parseIp(addr).kind() === 'ipv4' ? 4 : 6;
};

/** Strict address check: IPv4 must be dotted-quad with four parts (ipaddr.isValid accepts "1" or "0x1"). */
export const isIpAddress = (s: string): boolean =>
  // A zone ("fe80::1%eth0") names an interface of one machine: meaningless to a peer, and it would bypass
  // uniqueness checks (the same address typed twice); ipaddr.js accepts it, berth does not (issue 10).
  !s.includes('%') && (ipaddr.IPv4.isValidFourPartDecimal(s) || (s.includes(':') && ipaddr.IPv6.isValid(s)));

/** A CIDR whose host bits are zero ("10.0.0.0/24", not "10.0.0.1/24"), as Neutron requires for subnets and peers. */
export function parseCidr(s: string): { address: string; prefix: number; version: IpVersion } | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m || !isIpAddress(m[1])) return undefined;
  try {
    const [addr, prefix] = parseIpCidr(s);
    const version: IpVersion = addr.kind() === 'ipv4' ? 4 : 6;
    const network = version === 4 ? ipaddr.IPv4.networkAddressFromCIDR(s) : ipaddr.IPv6.networkAddressFromCIDR(s);
    if (network.toString() !== addr.toString()) return undefined;
    return { address: addr.toString(), prefix, version };
  } catch {
    return undefined;
  }
}

export const cidrVersion = (s: string): IpVersion | undefined => parseCidr(s)?.version;

/** True when address lies inside cidr (same family). */
export function cidrContains(cidr: string, address: string): boolean {
  try {
    const [net, prefix] = parseIpCidr(cidr);
    const a = parseIp(address);
    return a.kind() === net.kind() && a.match(net, prefix);
  } catch {
    return false;
  }
}

/** True when two CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  try {
    const [na, pa] = parseIpCidr(a);
    const [nb, pb] = parseIpCidr(b);
    if (na.kind() !== nb.kind()) return false;
    return pa <= pb ? nb.match(na, pa) : na.match(nb, pb);
  } catch {
    return false;
  }
}

/** The first usable host address of a CIDR (Neutron's default gateway_ip). */
export function firstHost(cidr: string): string {
  const [net, prefix] = parseIpCidr(cidr);
  const bytes = net.toByteArray();
  const hostBits = (net.kind() === 'ipv4' ? 32 : 128) - prefix;
  if (hostBits < 1) return net.toString();
  bytes[bytes.length - 1] += 1;
  return ipaddr.fromByteArray(bytes).toString();
}

export const zIpAddress = z.string().refine(isIpAddress, { message: 'must be an IPv4 or IPv6 address' });
export const zCidr = z.string().refine((s) => parseCidr(s) !== undefined, {
  message: 'must be a CIDR with its host bits zero, e.g. 192.168.1.0/24',
});

const toBig = (addr: string): bigint => parseIp(addr).toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n);
const fromBig = (n: bigint, version: IpVersion): string => {
  const bytes = new Array<number>(version === 4 ? 4 : 16);
  for (let i = bytes.length - 1; i >= 0; i--, n >>= 8n) bytes[i] = Number(n & 0xffn);
  return ipaddr.fromByteArray(bytes).toString();
};

/** The canonical text of an address ("2001:DB8:0::1" → "2001:db8::1"), so stored addresses compare as strings. */
export const canonicalIp = (addr: string): string => parseIp(addr).toString();

/**
 * The usable host addresses of a CIDR, as Neutron allocates them: without the network address and, in IPv4,
 * the broadcast address. Point-to-point prefixes (/31, /32, /127, /128) keep every address.
 */
export function hostRange(cidr: string): { first: string; last: string } {
  const [net, prefix] = parseIpCidr(cidr);
  const version: IpVersion = net.kind() === 'ipv4' ? 4 : 6;
  const bits = version === 4 ? 32 : 128;
  const base = toBig(net.toString()) & ~((1n << BigInt(bits - prefix)) - 1n);
  const top = base + (1n << BigInt(bits - prefix)) - 1n;
  if (bits - prefix <= 1) return { first: fromBig(base, version), last: fromBig(top, version) };
  return { first: fromBig(base + 1n, version), last: fromBig(version === 4 ? top - 1n : top, version) };
}

/** True when addr is one of cidr's usable host addresses (see hostRange). */
export function isHostAddress(cidr: string, addr: string): boolean {
  if (!cidrContains(cidr, addr)) return false;
  const { first, last } = hostRange(cidr);
  const n = toBig(addr);
  return n >= toBig(first) && n <= toBig(last);
}

/** addr moved by delta (same family), or undefined when that leaves the address space. */
export function addressOffset(addr: string, delta: number): string | undefined {
  const version: IpVersion = parseIp(addr).kind() === 'ipv4' ? 4 : 6;
  const n = toBig(addr) + BigInt(delta);
  if (n < 0n || n >= 1n << BigInt(version === 4 ? 32 : 128)) return undefined;
  return fromBig(n, version);
}

/** The lowest usable host address of cidr that is not in used (canonical addresses), or undefined when full. */
export function firstFreeHost(cidr: string, used: ReadonlySet<string>): string | undefined {
  const { first, last } = hostRange(cidr);
  const version: IpVersion = cidrVersion(cidr) ?? 4;
  // At most used.size + 1 steps: the search ends at the first address not in the set.
  for (let n = toBig(first), end = toBig(last); n <= end; n++) {
    const a = fromBig(n, version);
    if (!used.has(a)) return a;
  }
  return undefined;
}

/** The network an address with a prefix length lies in, as a CIDR ("169.254.0.5", 30 → "169.254.0.4/30"). */
export function networkCidr(address: string, prefixLen: number): string {
  const version: IpVersion = parseIp(address).kind() === 'ipv4' ? 4 : 6;
  const bits = version === 4 ? 32 : 128;
  const base = toBig(address) & ~((1n << BigInt(bits - prefixLen)) - 1n);
  return `${fromBig(base, version)}/${prefixLen}`;
}

/** The first and last address of a CIDR as integers (host bits may be set), for range arithmetic. */
export function cidrSpan(cidr: string): { version: IpVersion; first: bigint; last: bigint } {
  const [net, prefix] = parseIpCidr(cidr);
  const version: IpVersion = net.kind() === 'ipv4' ? 4 : 6;
  const size = 1n << BigInt((version === 4 ? 32 : 128) - prefix);
  const first = toBig(net.toString()) & ~(size - 1n);
  return { version, first, last: first + size - 1n };
}

/**
 * The address family a connection's IKE and ESP travel over (its "outer" family): the family of the peer
 * address, or for a peer given by host name the family of the router's IPv4 gateway address when it has one
 * (IPv6 otherwise). The translator (REDIRECT rules, the IPv6 link) and the agent (strongSwan's local_addrs) agree.
 */
export function outerFamily(peerAddress: string, external: { v4: string | null; v6: string | null }): IpVersion {
  return isIpAddress(peerAddress) ? ipVersionOf(peerAddress)! : external.v4 ? 4 : 6;
}
