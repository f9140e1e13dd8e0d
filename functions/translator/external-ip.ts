// The VPN service's external addresses, derived from its router's gateway fixed IPs (first of each family).
import { ipVersionOf } from '../../shared/model/net';

export interface ExternalIps { v4: string | null; v6: string | null }

export function externalIpsOf(gatewayFixedIps: { ip_address: string }[]): ExternalIps {
  const v4 = gatewayFixedIps.find((f) => ipVersionOf(f.ip_address) === 4)?.ip_address ?? null;
  const v6 = gatewayFixedIps.find((f) => ipVersionOf(f.ip_address) === 6)?.ip_address ?? null;
  return { v4, v6 };
}
