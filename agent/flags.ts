// `berth agent` command-line flags: a pure parser (argv → options, help, or a usage error) and the help text.
import { isHostId } from '../shared/protocol/topics';
import { DRIVER_NAMES, type DriverName } from './drivers';
import { LINUX_FLAG_NAMES, LINUX_FLAGS_HELP, parseLinuxFlags, type LinuxFlags } from './drivers/linux/flags';
import { parseSimFaults, type SimFaults } from './drivers/sim/faults';

export interface AgentFlags {
  hostId: string;
  mqttUrl: string;
  /** From --token; main.ts falls back to BERTH_AGENT_TOKEN, then .berth/agent-token. */
  token?: string;
  /** A file holding this host's own MQTT secret (--secret-file). */
  secretFile?: string;
  /** PEM file of the CA that signed the broker's certificate (--ca; mqtts). */
  ca?: string;
  driver: DriverName;
  stateDir: string;
  /** -1 = no limit. */
  containerLimit: number;
  enforceContainerLimit: boolean;
  heartbeatMs: number;
  selfFenceMs: number;
  simFaults?: SimFaults;
  /** Set with --driver linux (defaults filled in). */
  linux?: LinuxFlags;
}

export type ParsedArgs = { kind: 'ok'; flags: AgentFlags } | { kind: 'help' } | { kind: 'error'; message: string };

export const AGENT_HELP = `usage: berth agent --host-id ID [flags]

Runs the agent of one compute host: connects to the MQTT broker, receives the host's desired state,
builds the containers through a driver and reports presence, heartbeats and container status.

  --host-id ID                 this host's name (letters, digits, . _ -); required
  --mqtt URL                   broker (default mqtt://127.0.0.1:1883)
  --secret-file FILE           this host's own MQTT secret (berth host <id> token); or env BERTH_HOST_SECRET;
                               else <state-dir>/host-secret, kept there after enrolling (mode 0600)
  --token T                    the fleet token, used once to enrol a host with no secret yet (default: env
                               BERTH_AGENT_TOKEN, else .berth/agent-token); prefer the environment (ps shows argv)
  --ca PEM                     verify an mqtts:// broker against this CA certificate
  --driver sim|linux           container driver (default sim)
  --state-dir DIR              where the agent keeps its fencing mark and driver state
                               (default .berth/agent-<host-id>)
  --container-limit N          containers this host may run (default -1: no limit)
  --enforce-container-limit    make the limit hard: containers beyond it get ERROR LIMIT_EXCEEDED
  --heartbeat-ms MS            heartbeat period (default 500; 5000 with broker-led liveness, README "Large fleets")
  --self-fence-ms MS           stop all containers when cut off from the broker this long (default 1500)
  --sim-faults JSON            sim driver faults, e.g. '{"failCreate":true,"slowStartMs":500,
                               "crash":["<container id>"],"hangHealth":true,"flakyCreate":2}'
${LINUX_FLAGS_HELP}
  --help                       this text`;

type Kind = 'string' | 'int' | 'bool';
const SPEC: Record<string, Kind> = {
  'host-id': 'string', mqtt: 'string', token: 'string', 'secret-file': 'string', ca: 'string', driver: 'string', 'state-dir': 'string',
  'container-limit': 'int', 'enforce-container-limit': 'bool', 'heartbeat-ms': 'int', 'self-fence-ms': 'int',
  'sim-faults': 'string',
  ...Object.fromEntries(LINUX_FLAG_NAMES.map((n) => [n, 'string' as Kind])),
};

const MQTT_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:'];

export function parseAgentArgs(argv: readonly string[]): ParsedArgs {
  const raw = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) return { kind: 'error', message: `unexpected argument '${arg}'` };
    const [, name, inline] = m;
    const kind = SPEC[name];
    if (!kind) return { kind: 'error', message: `unknown flag --${name}` };
    if (raw.has(name)) return { kind: 'error', message: `--${name} given twice` };
    if (kind === 'bool') {
      if (inline === undefined) raw.set(name, true);
      else if (inline === 'true' || inline === 'false') raw.set(name, inline);
      else return { kind: 'error', message: `--${name} takes no value (or =true/=false)` };
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) return { kind: 'error', message: `--${name} needs a value` };
    raw.set(name, value);
  }

  const str = (n: string) => raw.get(n) as string | undefined;
  const int = (n: string, def: number, min: number, max: number): number | string => {
    const v = str(n);
    if (v === undefined) return def;
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) return `--${n} must be an integer from ${min} to ${max}`;
    return Number(v);
  };

  const hostId = str('host-id');
  if (hostId === undefined) return { kind: 'error', message: '--host-id is required' };
  if (!isHostId(hostId)) return { kind: 'error', message: `--host-id '${hostId}' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit` };

  const mqttUrl = str('mqtt') ?? 'mqtt://127.0.0.1:1883';
  let url: URL;
  try {
    url = new URL(mqttUrl);
  } catch {
    return { kind: 'error', message: `--mqtt '${mqttUrl}' is not a URL (e.g. mqtt://127.0.0.1:1883)` };
  }
  if (!MQTT_PROTOCOLS.includes(url.protocol)) return { kind: 'error', message: `--mqtt must use one of ${MQTT_PROTOCOLS.map((p) => p.slice(0, -1)).join(', ')}` };

  const driver = str('driver') ?? 'sim';
  if (!(DRIVER_NAMES as readonly string[]).includes(driver)) return { kind: 'error', message: `--driver must be one of ${DRIVER_NAMES.join(', ')}` };

  const containerLimit = int('container-limit', -1, -1, 1_000_000);
  const heartbeatMs = int('heartbeat-ms', 500, 50, 60_000);
  const selfFenceMs = int('self-fence-ms', 1500, 100, 600_000);
  for (const v of [containerLimit, heartbeatMs, selfFenceMs]) if (typeof v === 'string') return { kind: 'error', message: v };

  const enforce = raw.get('enforce-container-limit');
  const enforceContainerLimit = enforce === true || enforce === 'true';
  if (enforceContainerLimit && containerLimit === -1) return { kind: 'error', message: '--enforce-container-limit needs --container-limit N' };

  let simFaults: SimFaults | undefined;
  const faults = str('sim-faults');
  if (faults !== undefined) {
    if (driver !== 'sim') return { kind: 'error', message: '--sim-faults applies only to --driver sim' };
    try {
      simFaults = parseSimFaults(faults);
    } catch (e) {
      return { kind: 'error', message: (e as Error).message };
    }
  }

  let linux: LinuxFlags | undefined;
  const linuxGiven = LINUX_FLAG_NAMES.filter((n) => raw.has(n));
  if (driver === 'linux') {
    const parsed = parseLinuxFlags((n) => str(n));
    if ('error' in parsed) return { kind: 'error', message: parsed.error };
    linux = parsed;
  } else if (linuxGiven.length) {
    return { kind: 'error', message: `--${linuxGiven[0]} applies only to --driver linux` };
  }

  return {
    kind: 'ok',
    flags: {
      hostId, mqttUrl, token: str('token'), secretFile: str('secret-file'), ca: str('ca'), driver: driver as DriverName,
      stateDir: str('state-dir') ?? `.berth/agent-${hostId}`,
      containerLimit: containerLimit as number, enforceContainerLimit,
      heartbeatMs: heartbeatMs as number, selfFenceMs: selfFenceMs as number, simFaults, linux,
    },
  };
}
