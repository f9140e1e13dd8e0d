// The read-only telemetry consumer's MQTT rules (issue 11), kept apart from mqtt-acl.ts so they plug into whatever
// authentication the broker uses: one user, `telemetry`, with the secret BERTH_TELEMETRY_TOKEN (generated into
// .berth/telemetry-token when unset), that may SUBSCRIBE to berth/v1/events and berth/v1/telemetry/# only —
// never to a desired document (they carry pre-shared keys), never to agent topics — and may PUBLISH nothing
// (so it has no Last Will either). Pure; the embedded broker and `berth mqtt-acl` both use it.
import { sameSecretHashed } from '../crypto';
import { TOPIC_PREFIX, topics } from '../../shared/protocol/topics';

export const TELEMETRY_USER = 'telemetry';

const TELEMETRY_PREFIX = `${TOPIC_PREFIX}/telemetry/`;

export type TelemetryVerdict = { ok: true } | { ok: false; code: 4 | 5; reason: string };

/**
 * CONNECT as `telemetry`: the password must be the telemetry token (none configured: nobody gets in), and the
 * client id must not take a berth identity's session (`berth-...` other than `berth-telemetry...`).
 */
export async function judgeTelemetryConnect(password: string, clientId: string, token: string | undefined): Promise<TelemetryVerdict> {
  if (!token) return { ok: false, code: 5, reason: 'no telemetry token is configured (BERTH_TELEMETRY_TOKEN)' };
  // Hashed first: the comparison does not leak the token's length (issue 9).
  if (!(await sameSecretHashed(password, token))) return { ok: false, code: 4, reason: 'wrong telemetry token' };
  if (clientId.startsWith('berth-') && !clientId.startsWith('berth-telemetry')) {
    return { ok: false, code: 5, reason: 'telemetry client ids must not start with berth- (berth-telemetry... is allowed)' };
  }
  return { ok: true };
}

/** The telemetry consumer never publishes (its CONNECT's Last Will included). */
export const telemetryMayPublish = (_topic: string): boolean => false;

/**
 * berth/v1/events, or any filter inside berth/v1/telemetry/ (wildcards allowed there, e.g. berth/v1/telemetry/#
 * or berth/v1/telemetry/tunnels/+), also as a shared subscription ($share/<group>/...). Nothing that could match
 * another topic: no wildcard above berth/v1/telemetry/.
 */
export function telemetryMaySubscribe(filter: string): boolean {
  const shared = /^\$share\/[^/+#]+\/(.+)$/.exec(filter);
  const f = shared ? shared[1] : filter;
  if (f === topics.events) return true;
  if (!f.startsWith(TELEMETRY_PREFIX)) return false;
  const rest = f.slice(TELEMETRY_PREFIX.length);
  // MQTT filter syntax inside: '#' only as a whole last level, '+' only as a whole level.
  const levels = rest.split('/');
  return levels.every((l, i) => (l === '#' ? i === levels.length - 1 : !l.includes('#') && (l === '+' || !l.includes('+'))));
}

/**
 * The same rules for Mosquitto's acl_file. The `deny` lines come first in the user's own section: Mosquitto
 * checks a user's own lines before the `pattern` lines every user gets, so the agents' %u patterns (which would
 * read berth/v1/hosts/telemetry/desired) never apply to this user.
 */
export function mosquittoTelemetryAcl(): string[] {
  return [
    `# The read-only telemetry consumer (${TELEMETRY_USER}, password BERTH_TELEMETRY_TOKEN): events and telemetry, nothing else.`,
    `user ${TELEMETRY_USER}`,
    `topic deny ${TOPIC_PREFIX}/hosts/#`,
    `topic read ${topics.events}`,
    `topic read ${topics.telemetryAll}`,
  ];
}
