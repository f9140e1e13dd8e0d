// Pure naming rules of the linux driver: namespace and veth names, per-container file paths, OpenFlow cookies
// and strongSwan connection names. Everything the driver builds is findable again from these names.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ContainerSpec } from '../contract';
import type { IpsecConnection } from '../../../shared/protocol/messages';

/** The namespace is named after the interface (DESIGN 7: `vpn-xxxxxxxx`); the veth host end too. */
export const namespaceOf = (spec: Pick<ContainerSpec, 'interfaceName'>) => spec.interfaceName;
export const hostVethOf = (spec: Pick<ContainerSpec, 'interfaceName'>) => spec.interfaceName;
/** The inner end (interface names are at most 12 characters, so this fits Linux's 15). */
export const nsVethOf = (spec: Pick<ContainerSpec, 'interfaceName'>) => `${spec.interfaceName}-ns`;

/** Directory of the driver's own files inside --state-dir. */
export const driverDir = (stateDir: string) => join(resolve(stateDir), 'linux');

/** Per-container files: short paths on purpose (a unix socket path must fit in 108 bytes). */
export function containerPaths(stateDir: string, interfaceName: string) {
  const dir = join(driverDir(stateDir), interfaceName);
  return {
    dir,
    record: join(dir, 'container.json'),
    strongswanConf: join(dir, 'strongswan.conf'),
    vici: join(dir, 'charon.vici'),
    log: join(dir, 'charon.log'),
    swanctlDir: join(dir, 'swanctl'),
    swanctlConf: join(dir, 'swanctl', 'swanctl.conf'),
    secrets: join(dir, 'swanctl', 'secrets.conf'),
  };
}
export type ContainerPaths = ReturnType<typeof containerPaths>;

/** Longest unix socket path Linux accepts (sun_path is 108 bytes with the terminating NUL). */
export const MAX_SOCKET_PATH = 107;

const hash32 = (s: string) => createHash('sha256').update(s).digest().readUInt32BE(0);

/**
 * Who owns an OVS port or flow: a 32-bit tag derived from the absolute state directory, so two agents on one
 * host (or a test's peer driver) never adopt or sweep each other's objects. Never 0 (cookie 0 is OVS's default).
 */
export const ownerTag = (stateDir: string) => hash32(`berth-owner:${resolve(stateDir)}`) || 1;

/** Cookie of a container's flows: owner tag in the high 32 bits, a hash of the container id (+salt) below. */
export function flowCookie(owner: number, containerId: string, salt = 0): bigint {
  const low = hash32(`berth-container:${containerId}${salt ? `#${salt}` : ''}`) || 1;
  return (BigInt(owner) << 32n) | BigInt(low);
}

export const cookieHex = (c: bigint) => `0x${c.toString(16)}`;
/** The OpenFlow mask selecting every flow of one owner. */
export const OWNER_MASK = 0xffffffff00000000n;

/**
 * strongSwan section name of a connection (also its IKE_SA and CHILD_SA names). Settings section names cannot
 * hold '.', so ids with characters beyond [A-Za-z0-9_-] are hex-encoded (never ambiguous: 'x' + hex).
 */
export const connName = (c: Pick<IpsecConnection, 'id'>) =>
  /^[A-Za-z0-9_-]+$/.test(c.id) ? `c-${c.id}` : `x-${Buffer.from(c.id, 'utf8').toString('hex')}`;
