// Pure checks of an endpoint list: no duplicates, CIDRs valid and of one IP version.
import { badRequest } from '../../../shared/errors';
import { parseCidr } from '../../../shared/model/net';

/** Throws a 400 on the first duplicate; CIDRs compare in canonical form (2001:db8::/32 = 2001:DB8:0::/32). */
export function assertNoDuplicates(endpoints: string[], canonical: (e: string) => string = (e) => e): void {
  const seen = new Set<string>();
  for (const e of endpoints) {
    const key = canonical(e);
    if (seen.has(key)) throw badRequest(`Endpoint group has duplicate endpoint '${e}'.`, 'DuplicateEndpointInEndpointGroup');
    seen.add(key);
  }
}

/** Validates a cidr group's endpoints and returns their one IP version. */
export function checkCidrEndpoints(endpoints: string[]): 4 | 6 {
  const parsed = endpoints.map((e) => {
    const p = parseCidr(e);
    if (!p) throw badRequest(`Endpoint '${e}' is invalid for endpoint group type 'cidr': must be a CIDR with its host bits zero, e.g. 192.168.1.0/24.`, 'InvalidEndpointInEndpointGroup');
    return p;
  });
  assertNoDuplicates(endpoints, (e) => { const p = parseCidr(e)!; return `${p.address}/${p.prefix}`; });
  const versions = new Set(parsed.map((p) => p.version));
  if (versions.size > 1) throw badRequest('Endpoints in a cidr endpoint group must all be IPv4 or all IPv6, not a mix.', 'MixedIPVersionsForIPSecEndpoints');
  return parsed[0].version;
}
