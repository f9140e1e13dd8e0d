// Pure rendering of a container's strongSwan configuration: swanctl.conf (one connection per Neutron site
// connection) and the secrets file (PSKs, written 0600 and never logged). Same input → same bytes, so "did this
// connection change?" is a string comparison.
import { outerFamily, parseCidr } from '../../../shared/model/net';
import type { IpsecConfig, IpsecConnection } from '../../../shared/protocol/messages';
import { DriverError } from '../contract';
import { connName } from './names';
import { ahProposal, espProposal, ikeProposal } from './proposals';

export type IpsecBackend = 'kernel' | 'libipsec';

export interface RenderOptions {
  backend: IpsecBackend;
}

/** A settings string value, always double-quoted (ids are free text: spaces, '#', '{' must not break the file). */
export const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** CHILD_SA names of a connection: IKEv2 carries every subnet pair in one CHILD_SA, IKEv1 needs one per pair. */
export function childNames(c: IpsecConnection): string[] {
  const name = connName(c);
  if (c.ike.version === 'v2') return [name];
  const n = c.localCidrs.length * c.peerCidrs.length;
  return n === 1 ? [name] : Array.from({ length: n }, (_, i) => `${name}-${i + 1}`);
}

/** Which external address a connection uses: the family of the peer (a host name: IPv4 when there is one). */
export function localAddressFor(c: IpsecConnection, ext: IpsecConfig['externalIp']): string {
  const family = outerFamily(c.peerAddress, ext);
  const addr = family === 4 ? ext.v4 : ext.v6;
  if (!addr) throw new DriverError('FAILED', `connection ${c.id}: the VPN service has no external IPv${family} address for peer ${c.peerAddress}`);
  return addr;
}

const DPD_ACTION: Record<IpsecConnection['dpd']['action'], string> = {
  hold: 'trap', // keep the policy, re-establish on traffic
  clear: 'clear',
  disabled: 'clear', // (DPD itself is off: dpd_delay = 0)
  restart: 'restart',
  'restart-by-peer': 'restart', // strongSwan has no separate mode; restarting is the closest behaviour
};

function children(c: IpsecConnection, opts: RenderOptions): string[] {
  const lines: string[] = [];
  const names = childNames(c);
  const pairs = c.ike.version === 'v2' || names.length === 1
    ? [{ local: c.localCidrs, remote: c.peerCidrs }]
    : c.localCidrs.flatMap((l) => c.peerCidrs.map((r) => ({ local: [l], remote: [r] })));
  const p = c.ipsec;
  pairs.forEach((pair, i) => {
    lines.push(`      ${names[i]} {`);
    lines.push(`        local_ts = ${pair.local.join(',')}`);
    lines.push(`        remote_ts = ${pair.remote.join(',')}`);
    lines.push(`        mode = ${p.encapsulationMode}`);
    if (p.transformProtocol === 'esp' || p.transformProtocol === 'ah-esp') lines.push(`        esp_proposals = ${espProposal(p)}`);
    if (p.transformProtocol === 'ah' || p.transformProtocol === 'ah-esp') lines.push(`        ah_proposals = ${ahProposal(p)}`);
    lines.push(`        rekey_time = ${p.lifetimeSeconds}s`);
    lines.push(`        dpd_action = ${DPD_ACTION[c.dpd.action]}`);
    lines.push(`        start_action = ${c.initiator === 'bi-directional' ? 'start' : 'none'}`);
    lines.push('      }');
  });
  void opts;
  return lines;
}

function connection(c: IpsecConnection, cfg: IpsecConfig, opts: RenderOptions): string[] {
  const local = localAddressFor(c, cfg.externalIp);
  const name = connName(c);
  const lines = [
    `  # ${quote(c.name)} (${c.id})`,
    `  ${name} {`,
    `    version = ${c.ike.version === 'v1' ? 1 : 2}`,
  ];
  if (c.ike.version === 'v1' && c.ike.phase1NegotiationMode === 'aggressive') lines.push('    aggressive = yes');
  lines.push(
    `    local_addrs = ${local}`,
    `    remote_addrs = ${c.peerAddress}`,
    `    proposals = ${ikeProposal(c.ike)}`,
    `    rekey_time = ${c.ike.lifetimeSeconds}s`,
    `    dpd_delay = ${c.dpd.action === 'disabled' ? 0 : c.dpd.interval}s`,
  );
  if (c.ike.version === 'v1' && c.dpd.action !== 'disabled') lines.push(`    dpd_timeout = ${c.dpd.timeout}s`);
  // The userspace ESP backend only handles UDP-encapsulated ESP: force NAT-T encapsulation.
  if (opts.backend === 'libipsec') lines.push('    encap = yes');
  lines.push('    mobike = no');
  // Both ends may initiate (at start, or a late retransmission reaching a peer that came up meanwhile): the
  // newest IKE_SA replaces older ones with the same identities, and strongSwan tells the peer (DELETE), so both
  // ends keep the same single tunnel. (Two connections to one peer with the same ids are not supported anyway:
  // the responder could not tell them apart.)
  lines.push('    unique = replace');
  // An initiator retries forever (a peer that comes back later gets its tunnel); a responder waits.
  if (c.initiator === 'bi-directional') lines.push('    keyingtries = 0');
  lines.push(
    '    local {',
    '      auth = psk',
    `      id = ${quote(c.localId || local)}`,
    '    }',
    '    remote {',
    '      auth = psk',
    `      id = ${quote(c.peerId)}`,
    '    }',
    '    children {',
    ...children(c, opts),
    '    }',
    '  }',
  );
  return lines;
}

/** Connections that charon should run: admin-down ones are not loaded at all (their tunnels are down). */
export const activeConnections = (cfg: IpsecConfig) => cfg.connections.filter((c) => c.adminStateUp);

/** swanctl.conf: connections only (PSKs live in secrets.conf, included from here). */
export function renderSwanctlConf(containerId: string, cfg: IpsecConfig, opts: RenderOptions): string {
  const conns = activeConnections(cfg);
  return [
    `# swanctl.conf of berth container ${containerId}: rendered by the agent, rewritten on every change.`,
    'connections {',
    ...conns.flatMap((c) => connection(c, cfg, opts)),
    '}',
    'include secrets.conf',
    '',
  ].join('\n');
}

/** secrets.conf (mode 0600): one IKE PSK per connection, base64 ("0s…") so no PSK character needs escaping. */
export function renderSecrets(cfg: IpsecConfig): string {
  const conns = activeConnections(cfg);
  const lines = ['# PSKs of the connections above: written 0600 by the agent. Never copy this file into a log.', 'secrets {'];
  for (const c of conns) {
    lines.push(
      `  ike-${connName(c)} {`,
      `    id-local = ${quote(c.localId || localAddressFor(c, cfg.externalIp))}`,
      `    id-remote = ${quote(c.peerId)}`,
      `    secret = 0s${Buffer.from(c.psk, 'utf8').toString('base64')}`,
      '  }',
    );
  }
  lines.push('}', '');
  return lines.join('\n');
}

/**
 * Addresses the container holds on `lo`, one per local subnet: the subnet's network address (IPv6: the
 * subnet-router anycast address), which no site host uses. strongSwan's userspace ESP backend routes a CHILD_SA
 * only when the container owns an address inside the local traffic selector (it becomes the route's source).
 * /31, /32, /127 and /128 subnets get none: their every address may be a real host.
 */
export function localAnchors(cfg: IpsecConfig): string[] {
  const out = new Set<string>();
  for (const c of activeConnections(cfg)) {
    for (const cidr of c.localCidrs) {
      const p = parseCidr(cidr);
      if (!p || p.prefix >= (p.version === 4 ? 31 : 127)) continue;
      out.add(`${p.address}/${p.version === 4 ? 32 : 128}`);
    }
  }
  return [...out].sort();
}
