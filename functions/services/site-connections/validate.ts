// Pure validation of an IPsec site connection (neutron-vpnaas's reference validator, in its order), judged on the
// merged old+new values and a snapshot of the topology it refers to. Each failure is a 400 with a Neutron type.
import { badRequest } from '../../../shared/errors';
import { cidrVersion, ipVersionOf, isIpAddress, type IpVersion } from '../../../shared/model/net';

/** The connection as it would be after the write (create: defaults filled in; update: old values overlaid). */
export interface CandidateConnection {
  peerAddress: string;
  peerCidrs: string[];
  localEpGroupId: string | null;
  peerEpGroupId: string | null;
  mtu: number;
  dpd: { action: string; interval: number; timeout: number };
}

export interface LocalSubnet { id: string; ipVersion: number; attached: boolean }

/** What the connection refers to, read in the same transaction. */
export interface ConnectionTopology {
  routerId: string;
  hasGateway: boolean;
  gatewayIps: string[];
  /** The VPN service's subnet (legacy mode), null in endpoint-group mode. */
  legacySubnet: LocalSubnet | null;
  localGroup: { id: string; type: string; endpoints: string[]; subnets: Map<string, LocalSubnet> } | null;
  peerGroup: { id: string; type: string; endpoints: string[] } | null;
}

const MIN_MTU: Record<IpVersion, number> = { 4: 68, 6: 1280 };

const listed = (names: string[]) => ({ which: names.join(' and '), s: names.length > 1 ? 's' : '' });

/** Legacy services take peer_cidrs and no groups; endpoint-group services take both groups and no peer_cidrs. */
function checkMode(c: CandidateConnection, legacy: boolean): void {
  if (legacy) {
    if (c.peerCidrs.length === 0) throw badRequest('Missing peer CIDRs for IPsec site-to-site connection: its VPN service has a subnet (legacy mode), so give peer_cidrs.', 'MissingPeerCidrs');
    const given = [c.localEpGroupId && 'local', c.peerEpGroupId && 'peer'].filter((x): x is string => !!x);
    if (given.length > 0) {
      const { which, s } = listed(given);
      throw badRequest(`Endpoint group${s} ${which} cannot be specified when the VPN service has a subnet specified (legacy mode); use peer_cidrs.`, 'InvalidEndpointGroup');
    }
    return;
  }
  if (c.peerCidrs.length > 0) throw badRequest('Peer CIDRs cannot be specified when using endpoint groups (the VPN service has no subnet); use peer_ep_group_id.', 'PeerCidrsInvalid');
  const missing = [!c.localEpGroupId && 'local', !c.peerEpGroupId && 'peer'].filter((x): x is string => !!x);
  if (missing.length > 0) {
    const { which, s } = listed(missing);
    throw badRequest(`Missing endpoint group${s} ${which} for IPsec site-to-site connection: set local_ep_group_id and peer_ep_group_id.`, 'MissingRequiredEndpointGroup');
  }
}

const wrongType = (g: { id: string; type: string }, expected: string) =>
  badRequest(`Endpoint group ${g.id} type is '${g.type}' and should be '${expected}'.`, 'WrongEndpointGroupType');

function oneVersion(versions: IpVersion[], error: () => Error): IpVersion {
  const set = new Set(versions);
  if (set.size !== 1) throw error();
  return versions[0];
}

/** The local subnets: all exist, all attached to the router, one IP version (returned). */
function localVersion(t: ConnectionTopology): IpVersion {
  const subnets: LocalSubnet[] = [];
  if (t.legacySubnet) subnets.push(t.legacySubnet);
  else if (t.localGroup) {
    const g = t.localGroup;
    if (g.type !== 'subnet') throw wrongType(g, 'subnet');
    for (const id of g.endpoints) {
      const s = g.subnets.get(id);
      if (!s) throw badRequest(`Subnet ${id} in endpoint group ${g.id} does not exist.`, 'NonExistingSubnetInEndpointGroup');
      subnets.push(s);
    }
  }
  for (const s of subnets) {
    if (!s.attached) throw badRequest(`Subnet ${s.id} is not connected to Router ${t.routerId}; add it as a router interface first.`, 'SubnetIsNotConnectedToRouter');
  }
  const group = t.localGroup?.id ?? 'local';
  return oneVersion(subnets.map((s) => s.ipVersion as IpVersion), () =>
    badRequest(`Endpoints in group ${group} do not have the same IP version, as required for IPsec site-to-site connection.`, 'MixedIPVersionsForIPSecEndpoints'));
}

/** The peer CIDRs (legacy peer_cidrs or a cidr group): one IP version (returned). */
function peerVersion(c: CandidateConnection, t: ConnectionTopology): IpVersion {
  if (t.legacySubnet) {
    return oneVersion(c.peerCidrs.map((p) => cidrVersion(p)!), () =>
      badRequest('Peer CIDRs do not have the same IP version, as required for IPsec site-to-site connection.', 'MixedIPVersionsForPeerCidrs'));
  }
  const g = t.peerGroup!;
  if (g.type !== 'cidr') throw wrongType(g, 'cidr');
  return oneVersion(g.endpoints.map((p) => cidrVersion(p)!), () =>
    badRequest(`Endpoints in group ${g.id} do not have the same IP version, as required for IPsec site-to-site connection.`, 'MixedIPVersionsForIPSecEndpoints'));
}

function assertGatewayHas(t: ConnectionTopology, version: IpVersion, why: string): void {
  if (t.gatewayIps.some((ip) => ipVersionOf(ip) === version)) return;
  throw badRequest(`Router ${t.routerId}'s external network has no IPv${version} subnet (${why}).`, 'ExternalNetworkHasNoSubnet');
}

/** Throws the first problem found; returns the connection's IP version when it is valid. */
export function validateConnection(c: CandidateConnection, t: ConnectionTopology): IpVersion {
  checkMode(c, t.legacySubnet !== null);
  if (!t.hasGateway) throw badRequest(`Router ${t.routerId} has no external network gateway set; set one before adding a VPN.`, 'RouterIsNotExternal');
  const local = localVersion(t);
  const peer = peerVersion(c, t);
  if (local !== peer) {
    throw badRequest(`IP versions are not compatible between peer and local endpoints (local IPv${local}, peer IPv${peer}).`, 'MixedIPVersionsForIPSecConnection');
  }
  // Inner and outer families are independent (IPv6 subnets over an IPv4 tunnel and the reverse): like
  // neutron-vpnaas, only the outer family is judged against the gateway. A peer given by name is resolved by the
  // agent; an address must be reachable from the gateway's family.
  const peerAddressVersion = isIpAddress(c.peerAddress) ? ipVersionOf(c.peerAddress) : undefined;
  if (peerAddressVersion) assertGatewayHas(t, peerAddressVersion, `peer_address ${c.peerAddress} is IPv${peerAddressVersion}`);
  if (c.dpd.timeout <= c.dpd.interval) {
    throw badRequest(`ipsec_site_connection dpd timeout (${c.dpd.timeout}) is equal to or less than dpd interval (${c.dpd.interval}); it must be greater.`, 'IPsecSiteConnectionDpdIntervalValueError');
  }
  if (c.mtu < MIN_MTU[local]) {
    throw badRequest(`ipsec_site_connection MTU ${c.mtu} is too small for IPv${local} (minimum ${MIN_MTU[local]}).`, 'IPsecSiteConnectionMtuError');
  }
  return local;
}
