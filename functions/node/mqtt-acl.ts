// Who may connect to the MQTT broker and what each may publish and subscribe to (DESIGN section 5, issue 9), as
// pure rules the embedded broker enforces — and, from the same rule table, Mosquitto's acl_file (mosquitto.ts).
// Identity is the authenticated one: a host logs in as its id with its own secret; the fleet token only enrols.
import { sameSecret, sameSecretHashed, verifySecret } from '../crypto';
import { isHostId, parseHostTopic, TOPIC_PREFIX, type HostTopicKind } from '../../shared/protocol/topics';
import type { EnrolOutcome } from '../services/hosts/credentials';
import { judgeTelemetryConnect, TELEMETRY_USER, telemetryMaySubscribe } from './telemetry-acl';

/** The control plane's own MQTT user (relay, ingest); its password is derived from the admin token. */
export const CONTROL_USER = 'berth-control';
/** Client ids the control plane uses start with this; agents use `berth-agent-<host id>`. */
export const CONTROL_CLIENT_PREFIX = 'berth-control';
export const agentClientId = (hostId: string) => `berth-agent-${hostId}`;

/** An agent enrolling presents `berth-enrol:<fleet token>:<the secret it made for itself>` as its password once. */
export const ENROL_PREFIX = 'berth-enrol:';
export const enrolPassword = (fleetToken: string, secret: string) => `${ENROL_PREFIX}${fleetToken}:${secret}`;

/** secretHash: the credential the connection proved, so a rotation can find and close it. */
export type Identity = { kind: 'control' } | { kind: 'host'; hostId: string; secretHash: string } | { kind: 'telemetry' };
export type Role = Identity['kind'];

/** CONNACK return codes of MQTT 3.1.1 the broker refuses with. */
export const IDENTIFIER_REJECTED = 2;
export const BAD_USERNAME_OR_PASSWORD = 4;
export const NOT_AUTHORIZED = 5;

/** Where host credentials live (the database: services/hosts/credentials.ts). */
export interface HostCredentialStore {
  hashFor(hostId: string): Promise<string | undefined>;
  enrol(hostId: string, secret: string): Promise<EnrolOutcome>;
}

export interface Credentials {
  /** The fleet token: enrols a host id that has no credential yet, authenticates nobody. */
  agentToken: string;
  controlPassword: string;
  hosts: HostCredentialStore;
  /** The read-only telemetry consumer's secret (telemetry-acl.ts); unset: that user cannot log in. */
  telemetryToken?: string;
}

export interface ConnectRequest {
  username: string | undefined;
  password: string | undefined;
  clientId: string;
  will: { topic: string; retain?: boolean } | null | undefined;
}

export type ConnectVerdict = { ok: true; identity: Identity; enrolled?: boolean } | { ok: false; code: 2 | 4 | 5; reason: string };

export { sameSecret };

/**
 * The ACL as one table: role, access, topic pattern (%u = the authenticated host id, as in Mosquitto). Every check
 * of the embedded broker and every line of the Mosquitto acl_file comes from here; a new consumer is a new row.
 */
export interface AclRule { role: Role; access: 'read' | 'write' | 'readwrite'; pattern: string }
const hostTopicPattern = (kind: HostTopicKind) => `${TOPIC_PREFIX}/hosts/%u/${kind}`;
export const ACL_RULES: readonly AclRule[] = [
  { role: 'control', access: 'readwrite', pattern: `${TOPIC_PREFIX}/#` },
  { role: 'host', access: 'write', pattern: hostTopicPattern('presence') },
  { role: 'host', access: 'write', pattern: hostTopicPattern('heartbeat') },
  { role: 'host', access: 'write', pattern: hostTopicPattern('status') },
  { role: 'host', access: 'read', pattern: hostTopicPattern('desired') },
];

/** Only these may carry the retain flag; any other retained publish is dropped (a replayed heartbeat revives a dead host). */
export const RETAINABLE: readonly HostTopicKind[] = ['desired', 'presence'];

export async function judgeConnect(req: ConnectRequest, creds: Credentials): Promise<ConnectVerdict> {
  const { username, password = '' } = req;
  let verdict: ConnectVerdict;
  if (username === CONTROL_USER) {
    if (!(await sameSecretHashed(password, creds.controlPassword))) return { ok: false, code: BAD_USERNAME_OR_PASSWORD, reason: 'wrong control-plane password' };
    if (!req.clientId.startsWith(CONTROL_CLIENT_PREFIX)) return { ok: false, code: IDENTIFIER_REJECTED, reason: `control-plane client ids start with ${CONTROL_CLIENT_PREFIX}` };
    verdict = { ok: true, identity: { kind: 'control' } };
  } else if (username === TELEMETRY_USER) {
    // The read-only consumer publishes nothing (no rule grants it a write, its Will included).
    const v = await judgeTelemetryConnect(password, req.clientId, creds.telemetryToken);
    if (!v.ok) return v;
    verdict = { ok: true, identity: { kind: 'telemetry' } };
  } else {
    if (username === undefined || !isHostId(username)) return { ok: false, code: BAD_USERNAME_OR_PASSWORD, reason: 'the username must be a host id' };
    // A client id is a session: only host X may hold berth-agent-X, and X holds no other.
    if (req.clientId !== agentClientId(username)) return { ok: false, code: IDENTIFIER_REJECTED, reason: `host ${username} must use client id ${agentClientId(username)}` };
    verdict = await judgeHost(username, password, creds);
    if (!verdict.ok) return verdict;
  }
  // The Last Will is a publish made on the client's behalf later: it must be one the client may make now.
  if (req.will && publishVerdict(verdict.identity, req.will.topic, req.will.retain ?? false) !== 'ok') {
    return { ok: false, code: NOT_AUTHORIZED, reason: 'the Last Will topic is not one this client may publish' };
  }
  return verdict;
}

async function judgeHost(hostId: string, password: string, creds: Credentials): Promise<ConnectVerdict> {
  const refuse = (reason: string): ConnectVerdict => ({ ok: false, code: BAD_USERNAME_OR_PASSWORD, reason });
  if (password.startsWith(ENROL_PREFIX)) {
    const rest = password.slice(ENROL_PREFIX.length);
    const cut = rest.lastIndexOf(':');
    if (cut < 0 || !(await sameSecretHashed(rest.slice(0, cut), creds.agentToken))) return refuse('wrong fleet token');
    const outcome = await creds.hosts.enrol(hostId, rest.slice(cut + 1));
    if (outcome === 'taken') return refuse(`host ${hostId} is already enrolled: the fleet token cannot log in as it (use its own secret)`);
    const secretHash = await creds.hosts.hashFor(hostId);
    if (!secretHash) return refuse(`host ${hostId} was revoked while enrolling`);
    return { ok: true, identity: { kind: 'host', hostId, secretHash }, enrolled: outcome === 'enrolled' };
  }
  const secretHash = await creds.hosts.hashFor(hostId);
  if (secretHash === undefined) {
    return refuse(`host ${hostId} has no credential: enrol it (the agent does with the fleet token) or issue one (POST /v1/hosts/${hostId}/token)`);
  }
  if (!(await verifySecret(password, secretHash))) {
    return refuse((await sameSecretHashed(password, creds.agentToken)) ? 'the fleet token only enrols; it never authenticates an enrolled host' : 'wrong host secret');
  }
  return { ok: true, identity: { kind: 'host', hostId, secretHash } };
}

/** Does topic (a concrete name) or filter (with wildcards) match an ACL pattern expanded for this identity? */
function expand(rule: AclRule, id: Identity): string {
  return id.kind === 'host' ? rule.pattern.replace('%u', id.hostId) : rule.pattern;
}

function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

const grants = (rule: AclRule, id: Identity, access: 'read' | 'write') =>
  rule.role === id.kind && (rule.access === access || rule.access === 'readwrite');

export type PublishVerdict = 'ok' | 'denied' | 'retain';

/** 'retain': the topic is allowed but may not be retained (dropped and counted apart from ACL denials). */
export function publishVerdict(id: Identity, topic: string, retain: boolean): PublishVerdict {
  if (!ACL_RULES.some((r) => grants(r, id, 'write') && topicMatches(expand(r, id), topic))) return 'denied';
  if (!retain) return 'ok';
  const t = parseHostTopic(topic);
  return t !== null && RETAINABLE.includes(t.kind) ? 'ok' : 'retain';
}

export const mayPublish = (id: Identity, topic: string, retain = false): boolean => publishVerdict(id, topic, retain) === 'ok';

/**
 * Hosts subscribe to exactly their own topics, spelled out (no wildcards: a filter is allowed only when it equals an
 * expanded read pattern). The control plane subscribes to anything (it also uses $share/... filters).
 */
export function maySubscribe(id: Identity, filter: string): boolean {
  if (id.kind === 'control') return true;
  if (id.kind === 'telemetry') return telemetryMaySubscribe(filter);
  return ACL_RULES.some((r) => grants(r, id, 'read') && expand(r, id) === filter);
}
