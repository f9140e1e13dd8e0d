// The agent's own MQTT credential (issue 9). A host logs in with its own secret, found in this order: --secret-file,
// BERTH_HOST_SECRET, or `host-secret` in its state dir (mode 0600). With none, the agent enrols once with the fleet
// token: it makes a secret for itself (like a kubelet's key), keeps it as `host-secret.pending`, presents
// `berth-enrol:<fleet token>:<secret>` at CONNECT, and after the first accepted CONNECT keeps the secret as
// `host-secret` and never uses the fleet token again. The broker accepts an enrolment only for a host id with no
// credential (or this very secret: a retry of an enrolment that went through before a crash).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HOST_SECRET_FILE = 'host-secret';
const PENDING = `${HOST_SECRET_FILE}.pending`;
/** Same spelling as functions/node/mqtt-acl.ts ENROL_PREFIX (the agent does not import functions/). */
export const ENROL_PREFIX = 'berth-enrol:';

export interface HostCredential {
  /** 'secret': the host's own; 'enrol': the fleet token, once, until the first accepted CONNECT. */
  kind: 'secret' | 'enrol';
  /** The MQTT password for the next CONNECT. */
  password(): string;
  /** Called on every accepted CONNECT: an enrolment is then complete (the secret is kept, the fleet token dropped). */
  accepted(): void;
  /**
   * Called when the broker refuses the secret. A control plane whose database lost this host's credential (a fresh
   * database, an older backup: docs/decisions.md issue 10) knows no secret for it: when a fleet token is at hand,
   * the next CONNECT re-enrols with the secret the host already has. The broker accepts that only for a host id
   * with no credential, so for an enrolled host it changes nothing.
   */
  refused(): boolean;
}

const readSecret = (file: string) => readFileSync(file, 'utf8').trim();

function writePrivate(file: string, text: string) {
  writeFileSync(file, text + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function resolveHostCredential(o: {
  stateDir: string;
  secretFile?: string;
  env: Record<string, string | undefined>;
  /** The fleet token, only asked for when the host has no secret of its own. */
  fleetToken: () => string | undefined;
}): HostCredential | { error: string } {
  if (o.secretFile) {
    if (!existsSync(o.secretFile)) return { error: `--secret-file ${o.secretFile} does not exist` };
    return fixed(readSecret(o.secretFile), o.fleetToken);
  }
  if (o.env.BERTH_HOST_SECRET) return fixed(o.env.BERTH_HOST_SECRET.trim(), o.fleetToken);
  const own = join(o.stateDir, HOST_SECRET_FILE);
  if (existsSync(own)) return fixed(readSecret(own), o.fleetToken);

  const fleet = o.fleetToken();
  if (!fleet) return { error: 'no credential: pass --secret-file or BERTH_HOST_SECRET (berth host <id> token), or give the fleet token to enrol (--token, BERTH_AGENT_TOKEN or .berth/agent-token)' };
  mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
  const pending = join(o.stateDir, PENDING);
  // The same proposed secret across restarts: an enrolment that went through before a crash is recognised.
  if (!existsSync(pending)) writePrivate(pending, randomBytes(24).toString('hex'));
  const secret = readSecret(pending);
  let enrolled = false;
  return {
    kind: 'enrol',
    password: () => (enrolled ? secret : `${ENROL_PREFIX}${fleet}:${secret}`),
    accepted: () => {
      if (enrolled) return;
      enrolled = true;
      renameSync(pending, own);
      chmodSync(own, 0o600);
    },
    refused: () => false,
  };
}

function fixed(secret: string, fleetToken: () => string | undefined): HostCredential {
  let reenrol = false;
  return {
    kind: 'secret',
    password: () => {
      const fleet = reenrol ? fleetToken() : undefined;
      return fleet ? `${ENROL_PREFIX}${fleet}:${secret}` : secret;
    },
    accepted: () => { reenrol = false; },
    // Alternate: the plain secret, then (soon) a re-enrolment with it; a refused re-enrolment waits the long backoff.
    refused: () => {
      reenrol = !reenrol && fleetToken() !== undefined;
      return reenrol;
    },
  };
}
