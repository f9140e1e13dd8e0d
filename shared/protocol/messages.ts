// MQTT protocol v1 payloads (zod schemas + types): desired, presence, heartbeat, status, events — and one
// decoder that turns raw bytes into a validated message or a reason to drop it. Runtime-neutral.
//
// Forward compatibility: `v` is the protocol version; a breaking change bumps it (readers reject other
// versions). Within v1 a newer sender may ADD optional fields, so readers tolerate (and strip) unknown keys
// exactly where new features naturally attach: the message envelopes, each desired container, its IpsecConfig,
// each connection, each container report and each tunnel report. The small fixed-shape values inside them
// (port, externalIp, route, redirect, dpd, ike, ipsec) are strict: an unknown key there is garbage.
import { z } from 'zod';
import { isHostAddress, isIpAddress, ipVersionOf, zCidr, zIpAddress } from '../model/net';
import { zHostId } from './topics';
import { zConfigText, zMtu, zPeerAddress } from './fields';

export const PROTOCOL_VERSION = 1 as const;
const zV = z.literal(PROTOCOL_VERSION);

/** Identifiers from the control plane (uuids in practice; any non-empty printable token is accepted). */
export const zId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { message: 'must be an id token' });
/** Free text that ends up in configuration files: printable, no control characters (shared with the API). */
const zText = zConfigText;
/** Algorithm and group names ("aes-128", "sha256", "group14"): lower-case tokens, never free text. */
const zAlgo = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: 'must be an algorithm name' });
const zInt = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
/** Milliseconds since the Unix epoch (integers: cheap to compare, no time-zone parsing). */
const zTimeMs = zInt(0);
/** A traffic counter (bytes or packets): a non-negative integer JavaScript represents exactly. */
const zCount = zInt(0);
const zMac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, { message: 'must be a lower-case MAC address aa:bb:cc:dd:ee:ff' });
const zIPv4 = zIpAddress.refine((s) => ipVersionOf(s) === 4, { message: 'must be an IPv4 address' });
const zIPv6 = zIpAddress.refine((s) => ipVersionOf(s) === 6, { message: 'must be an IPv6 address' });
/** Linux IFNAMSIZ is 16 (15 usable); drivers append "-ns" for the inner veth end, so at most 12 here. */
export const zInterfaceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,11}$/, { message: 'must be an interface name of at most 12 characters' });

function unique<T>(key: (t: T) => string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    for (const [i, it] of items.entries()) {
      const k = key(it);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', message: `duplicate ${what} ${k}`, path: [i] });
      seen.add(k);
    }
  };
}

// ---------- desired: control plane → agent (retained, QoS 1): the WHOLE desired state of one host ----------

/** The container's router port: link-local /30, container side (.2) and router side (.1). */
export const zContainerPort = z.strictObject({
  mac: zMac,
  address: zIPv4,
  prefixLen: zInt(1, 32),
  routerAddress: zIPv4,
  routerMac: zMac,
}).superRefine((p, ctx) => {
  const net = `${p.address}/${p.prefixLen}`;
  if (!isHostAddress(net, p.address) || !isHostAddress(net, p.routerAddress) || p.address === p.routerAddress) {
    ctx.addIssue({ code: 'custom', message: 'address and routerAddress must be two different host addresses of one prefix' });
  }
});

/**
 * The IPv6 side of the container's link (a /127 of berth's unique-local prefix), present when a connection of
 * the router carries IPv6 inside or outside. Same veth and MACs as the IPv4 port.
 */
export const zContainerPortV6 = z.strictObject({
  address: zIPv6,
  prefixLen: zInt(64, 127),
  routerAddress: zIPv6,
}).superRefine((p, ctx) => {
  const net = `${p.address}/${p.prefixLen}`;
  if (!isHostAddress(net, p.address) || !isHostAddress(net, p.routerAddress) || p.address === p.routerAddress) {
    ctx.addIssue({ code: 'custom', message: 'address and routerAddress must be two different host addresses of one prefix' });
  }
});

export const zIpsecConnection = z.object({
  id: zId,
  name: zText(255),
  adminStateUp: z.boolean(),
  peerAddress: zPeerAddress,
  peerId: zText(255).min(1),
  localId: zText(255),
  localCidrs: z.array(zCidr).min(1),
  peerCidrs: z.array(zCidr).min(1),
  /** Plain text on the wire (only this host may read its desired topic); never logged, never reported back. */
  psk: zText(1024).min(1),
  mtu: zMtu,
  initiator: z.enum(['bi-directional', 'response-only']),
  dpd: z.strictObject({
    action: z.enum(['hold', 'clear', 'disabled', 'restart', 'restart-by-peer']),
    interval: zInt(1),
    timeout: zInt(1),
  }),
  ike: z.strictObject({
    version: z.enum(['v1', 'v2']),
    authAlgorithm: zAlgo,
    encryptionAlgorithm: zAlgo,
    lifetimeSeconds: zInt(60),
    pfs: zAlgo,
    phase1NegotiationMode: z.enum(['main', 'aggressive']),
  }),
  ipsec: z.strictObject({
    transformProtocol: z.enum(['esp', 'ah', 'ah-esp']),
    authAlgorithm: zAlgo,
    encryptionAlgorithm: zAlgo,
    encapsulationMode: z.enum(['tunnel', 'transport']),
    lifetimeSeconds: zInt(60),
    pfs: zAlgo,
  }),
});

export const zIpsecConfig = z.object({
  /** The router this container serves (the container's configuration id). */
  routerId: zId,
  port: zContainerPort,
  /** Added in v1 for IPv6 VPNs (older agents strip it): absent when no connection needs IPv6. */
  portV6: zContainerPortV6.optional(),
  /** The router's gateway addresses: where peers reach the VPN. */
  externalIp: z.strictObject({ v4: zIPv4.nullable(), v6: zIPv6.nullable() }),
  /** Routes the translator wrote through the container (local CIDR → peer CIDR via .2). */
  routes: z.array(z.strictObject({ srcCidr: zCidr, dstCidr: zCidr, nextHopGateway: zIpAddress.nullable() })),
  /** REDIRECT rules to the container port: ESP (50), UDP 500, UDP 4500 to the external IP. */
  redirects: z.array(z.strictObject({ nwDstIp: zIpAddress, nwProto: zInt(0, 255), tpDst: zInt(1, 65535).nullable() })),
  connections: z.array(zIpsecConnection).superRefine(unique((c) => c.id, 'connection id')),
});

/**
 * Service types are pluggable (DESIGN section 7); only IPSEC exists in v1. A new type needs agents that know
 * it, so the control plane must not send it to older agents — an unknown type fails validation.
 */
export const SERVICE_TYPES = ['IPSEC'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const zDesiredContainer = z.object({
  id: zId,
  type: z.literal('IPSEC'),
  portId: zId,
  interfaceName: zInterfaceName,
  /** Bumped by the control plane on every (re)placement; status reports echo it so stale ones are ignored. */
  placementGeneration: zInt(0),
  config: zIpsecConfig,
});

export const zDesiredState = z.object({
  v: zV,
  hostId: zHostId,
  /** The controller's lease epoch: a newer leader always publishes a higher one. */
  epoch: zInt(0),
  /** Per-host counter, bumped on every document built for the host. Order: epoch first, then generation. */
  generation: zInt(0),
  /**
   * Which control-plane database built this document (issue 10): agents keep it with their fencing mark and
   * report it, so a control plane tells its own documents (a restored backup) from another database's.
   */
  database: zId.optional(),
  containers: z.array(zDesiredContainer)
    .superRefine(unique((c) => c.id, 'container id'))
    .superRefine(unique((c) => c.interfaceName, 'interface name')),
});

// ---------- agent → control plane ----------

/** Retained, QoS 1; also the agent's Last Will with online:false (there `at` is when the session began). */
export const zPresence = z.object({
  v: zV,
  hostId: zHostId,
  /** Random per agent process start: a new bootId means the agent restarted. */
  bootId: zId,
  online: z.boolean(),
  at: zTimeMs,
});

/** QoS 0, every --heartbeat-ms (500 ms). */
export const zHeartbeat = z.object({
  v: zV,
  hostId: zHostId,
  bootId: zId,
  /** Counts up from 0 per bootId (gaps = lost heartbeats). */
  seq: zInt(0),
  at: zTimeMs,
  /** Generation of the desired document the agent's last finished reconcile worked from (0: none yet). */
  observedGeneration: zInt(0),
  /**
   * The agent's persisted fencing mark: it refuses any document older than this. Absent before the first
   * document. The control plane never adopts it as something it sent; it only publishes this host's own next
   * document above it (docs/decisions.md, issue 10).
   */
  fence: z.object({ database: zId.optional(), epoch: zInt(0), generation: zInt(0) }).optional(),
  /** Containers that exist on the host (whatever their status). */
  count: zInt(0),
  /** container limit − count (never below 0), or −1 when the host has no limit. */
  quota: zInt(-1),
  /** 1-minute load average per CPU, in percent (an integer; 100 = every core busy). */
  load: zInt(0),
});

export const CONTAINER_STATUSES = ['STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'ERROR'] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];
export const TUNNEL_STATES = ['up', 'connecting', 'down'] as const;
export type TunnelState = (typeof TUNNEL_STATES)[number];

/**
 * How an agent's status message starts when something is wrong ("CODE: detail"), so the control plane can
 * act on the code without parsing prose. LIMIT_EXCEEDED is the shared/errors.ts code of the same name.
 */
export const STATUS_MESSAGE_CODES = [
  'LIMIT_EXCEEDED', // ERROR: beyond the host's hard container limit; the agent did not build it
  'CREATE_FAILED', // ERROR: the driver could not build it (retried with backoff only if transient)
  'UPDATE_FAILED', // ERROR: an in-place change failed; the container may still run its previous config
  'DELETE_FAILED', // ERROR: could not remove it (retried)
  'HEALTH_TIMEOUT', // ERROR: the driver did not answer a health check in time
  'HEALTH_FAILED', // ERROR: the health check itself failed
  'CRASHED', // ERROR: the container died (the agent does not restart it; failover is the control plane's call)
  'SELF_FENCED', // STOPPING/STOPPED: the agent stopped it after losing the broker for longer than selfFenceAfter
] as const;
export type StatusMessageCode = (typeof STATUS_MESSAGE_CODES)[number];

export const zTunnelReport = z.object({
  connectionId: zId,
  state: z.enum(TUNNEL_STATES),
  /** Driver-specific detail, e.g. strongSwan's IKE_SA state "ESTABLISHED" and CHILD_SA state "INSTALLED". */
  ikeState: zText(64).optional(),
  childState: zText(64).optional(),
  message: zText(1024).optional(),
  /**
   * Added in v1 for tunnel telemetry (issue 11; older agents omit them): traffic through the connection's current
   * CHILD_SAs as the driver counts it (they restart from 0 when an SA is rekeyed or the container is rebuilt, as
   * Prometheus counters may), when its IKE_SA came up and when its current keys were installed (its last rekey,
   * or the first negotiation), in ms since the Unix epoch.
   */
  bytesIn: zCount.optional(),
  bytesOut: zCount.optional(),
  packetsIn: zCount.optional(),
  packetsOut: zCount.optional(),
  establishedAt: zTimeMs.nullable().optional(),
  lastRekeyAt: zTimeMs.nullable().optional(),
});

export const zContainerReport = z.object({
  id: zId,
  placementGeneration: zInt(0),
  status: z.enum(CONTAINER_STATUSES),
  /**
   * What is true of the container in a few words, for every status: "starting", "1/1 tunnels up", "0/1 tunnels
   * up: 1 connecting"; for ERROR (and SELF_FENCED) it starts with a code, e.g. "LIMIT_EXCEEDED: ...". Older
   * agents sent "" when all was well.
   */
  message: zText(2048),
  namespace: zText(64).nullable(),
  interfaceName: zText(64).nullable(),
  /** Added in v1 for IPv6: the addresses the container holds on its link (CIDR notation), as the driver sees them. */
  addresses: z.array(zText(64)).max(16).optional(),
  tunnels: z.array(zTunnelReport).optional(),
});

/**
 * QoS 1, on every change and at least every few seconds. The list is COMPLETE: a container the control plane
 * placed on this host that is missing here does not exist on the host.
 */
export const zStatus = z.object({
  v: zV,
  hostId: zHostId,
  bootId: zId,
  containers: z.array(zContainerReport).superRefine(unique((c) => c.id, 'container id')),
});

// ---------- control plane → telemetry (berth/v1/events, QoS 0) ----------

/** Scheduling and health events; `type` is open-ended (consumers show what they do not know as text). */
export const zEvent = z.object({
  v: zV,
  at: zTimeMs,
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/),
  containerId: zId.nullable().optional(),
  hostId: zHostId.nullable().optional(),
  reason: zText(2048),
});

// ---------- control plane → telemetry (berth/v1/telemetry/tunnels/{connectionId}, QoS 0) ----------

/**
 * One connection's tunnel as its agent last reported it, republished by the control plane (ingest) for telemetry
 * consumers once the report was accepted (from the host the container is placed on, for its current placement).
 * Never carries configuration or secrets.
 */
export const zTunnelTelemetry = zTunnelReport.extend({
  v: zV,
  /** When the control plane accepted the report. */
  at: zTimeMs,
  hostId: zHostId,
  containerId: zId,
});

export type TunnelTelemetry = z.infer<typeof zTunnelTelemetry>;
export type ContainerPort = z.infer<typeof zContainerPort>;
export type ContainerPortV6 = z.infer<typeof zContainerPortV6>;
export type IpsecConnection = z.infer<typeof zIpsecConnection>;
export type IpsecConfig = z.infer<typeof zIpsecConfig>;
export type DesiredContainer = z.infer<typeof zDesiredContainer>;
export type DesiredState = z.infer<typeof zDesiredState>;
export type Presence = z.infer<typeof zPresence>;
export type Heartbeat = z.infer<typeof zHeartbeat>;
export type TunnelReport = z.infer<typeof zTunnelReport>;
export type ContainerReport = z.infer<typeof zContainerReport>;
export type StatusMessage = z.infer<typeof zStatus>;
export type BerthEvent = z.infer<typeof zEvent>;

// ---------- decoding ----------

/** Upper bound for any payload (a desired document with hundreds of containers stays far below it). */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

export type DropReason = 'empty' | 'too_large' | 'invalid_json' | 'invalid_schema';
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: DropReason; detail: string };

/**
 * Bytes → validated message, never throwing: the caller drops and counts what fails (DESIGN section 5).
 * An empty payload is what a broker delivers when a retained message is cleared.
 */
export function decodeMessage<T>(schema: z.ZodType<T>, payload: Uint8Array | string, maxBytes = MAX_PAYLOAD_BYTES): Decoded<T> {
  const size = typeof payload === 'string' ? payload.length : payload.byteLength;
  if (size === 0) return { ok: false, reason: 'empty', detail: 'empty payload' };
  if (size > maxBytes) return { ok: false, reason: 'too_large', detail: `${size} bytes > ${maxBytes}` };
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(payload));
  } catch (e) {
    return { ok: false, reason: 'invalid_json', detail: (e as Error).message.slice(0, 200) };
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    // Paths and messages only: never echo values (a desired document carries PSKs).
    const detail = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { ok: false, reason: 'invalid_schema', detail };
  }
  return { ok: true, value: r.data };
}

export const encodeMessage = (msg: unknown): string => JSON.stringify(msg);

/** Order of desired documents: epoch first, then generation. Negative: a is older than b. */
export function compareVersions(a: { epoch: number; generation: number }, b: { epoch: number; generation: number }): number {
  return a.epoch !== b.epoch ? a.epoch - b.epoch : a.generation - b.generation;
}
