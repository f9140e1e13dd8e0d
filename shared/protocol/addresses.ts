// The addresses a container holds on its link (runtime-neutral): the link /30, the IPv6 /127 when present, and
// the router's external addresses (/32, /128) that peers reach it at. One list for the driver that assigns them
// and for the status a driver reports.
import type { IpsecConfig } from './messages';

export function containerAddresses(cfg: Pick<IpsecConfig, 'port' | 'portV6' | 'externalIp'>): string[] {
  const out = [`${cfg.port.address}/${cfg.port.prefixLen}`];
  if (cfg.portV6) out.push(`${cfg.portV6.address}/${cfg.portV6.prefixLen}`);
  if (cfg.externalIp.v4) out.push(`${cfg.externalIp.v4}/32`);
  if (cfg.externalIp.v6) out.push(`${cfg.externalIp.v6}/128`);
  return out;
}

/** True when the container speaks IPv6 on its link (an IPv6 link or an IPv6 external address). */
export const usesIpv6 = (cfg: Pick<IpsecConfig, 'portV6' | 'externalIp'>): boolean => cfg.portV6 !== undefined || cfg.externalIp.v6 !== null;
