// `berth bridge` command line: flags and environment → startBridge (functions/node/bridge.ts).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startBridge } from './bridge';
import { createNodeLogger } from './logger';
import { controlPassword } from './mqtt';
import { secretPaths, stateDirFor } from './secrets';

export const BRIDGE_HELP = `usage: berth bridge [flags]

Subscribes to the agents' topics (presence incl. Last Wills, heartbeat, status) as the control plane and
POSTs them in batches to the ingest endpoint of a control plane without a broker connection (berth on
Workers). Stateless; makes no decisions. For brokers without HTTP delivery (Mosquitto, the embedded aedes).

flags (environment in brackets):
  --mqtt URL            broker URL [BERTH_MQTT_URL] (default mqtt://127.0.0.1:$BERTH_MQTT_PORT, port 1883)
  --ingest-url URL      ingest endpoint [BERTH_INGEST_URL] (default $BERTH_URL/v1/agent-events,
                        BERTH_URL default http://127.0.0.1:8787)
  --control-password P  the control credential: broker password of berth-control and the ingest bearer
                        token [BERTH_CONTROL_PASSWORD] (default: derived from BERTH_ADMIN_TOKEN or the
                        embedded .berth/admin-token, as berth serve does)
  --no-shared           plain subscriptions (aedes); default: status reports through a shared
                        subscription $share/berth-bridge/... so several bridges split them (Mosquitto >= 2);
                        presence and heartbeats reach every bridge (a frozen one must not swallow them)
  --batch N             most messages per POST (default 500)
  --batch-ms MS         longest a message waits for its batch (default 20)
  --queue N             messages held at most; newer ones are dropped and counted (default 20000)
  --keepalive-ms MS     post an empty batch after MS without a post while subscribed, so the control
                        plane knows it hears the agents (default 500; 0 = never)
  --ca FILE             PEM CA to verify an mqtts:// or wss:// broker
  -h, --help            this text`;

type Parsed = { kind: 'help' } | { kind: 'error'; message: string } | { kind: 'run'; values: Record<string, string | boolean | undefined> };

export function parseBridgeArgs(argv: string[]): Parsed {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        mqtt: { type: 'string' }, 'ingest-url': { type: 'string' }, 'control-password': { type: 'string' },
        'no-shared': { type: 'boolean' }, batch: { type: 'string' }, 'batch-ms': { type: 'string' }, queue: { type: 'string' },
        'keepalive-ms': { type: 'string' }, ca: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return { kind: 'help' };
    return { kind: 'run', values };
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
}

function whole(name: string, v: string | boolean | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min || n > max) throw new Error(`--${name} must be a whole number in ${min}..${max}`);
  return n;
}

function validUrl(name: string, v: string, schemes: string[]): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`${name} is not a URL: ${JSON.stringify(v)}`);
  }
  if (!schemes.includes(u.protocol)) throw new Error(`${name} must use ${schemes.join(' or ')}`);
  return v;
}

async function passwordFrom(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (flag) return flag;
  if (env.BERTH_CONTROL_PASSWORD) return env.BERTH_CONTROL_PASSWORD;
  if (env.BERTH_ADMIN_TOKEN) return controlPassword(env.BERTH_ADMIN_TOKEN);
  const file = secretPaths(stateDirFor(env.BERTH_DB_URL || 'file:.berth/berth.db')).adminToken;
  if (!existsSync(file)) throw new Error(`no control credential: set BERTH_CONTROL_PASSWORD or BERTH_ADMIN_TOKEN (no ${file})`);
  return controlPassword(readFileSync(file, 'utf8').trim());
}

export async function runBridgeCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseBridgeArgs(argv);
  if (parsed.kind === 'help') {
    console.log(BRIDGE_HELP);
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`berth bridge: ${parsed.message}\n(see: berth bridge --help)`);
    return 2;
  }
  const v = parsed.values;
  let bridge;
  try {
    const mqttUrl = validUrl('--mqtt', (v.mqtt as string) ?? env.BERTH_MQTT_URL ?? `mqtt://127.0.0.1:${env.BERTH_MQTT_PORT || 1883}`, ['mqtt:', 'mqtts:', 'ws:', 'wss:']);
    const base = (env.BERTH_URL || 'http://127.0.0.1:8787').replace(/\/+$/, '');
    const ingestUrl = validUrl('--ingest-url', (v['ingest-url'] as string) ?? env.BERTH_INGEST_URL ?? `${base}/v1/agent-events`, ['http:', 'https:']);
    const opts = {
      maxBatch: whole('batch', v.batch, 1, 10_000),
      maxDelayMs: whole('batch-ms', v['batch-ms'], 0, 60_000),
      queueLimit: whole('queue', v.queue, 1, 10_000_000),
      keepaliveMs: whole('keepalive-ms', v['keepalive-ms'], 0, 3_600_000),
    };
    const ca = typeof v.ca === 'string' ? readFileSync(v.ca) : undefined;
    const password = await passwordFrom(v['control-password'] as string | undefined, env);
    const logger = createNodeLogger('berth-bridge');
    bridge = await startBridge({ mqttUrl, ingestUrl, controlPassword: password, shared: !v['no-shared'], ca, logger, ...opts });
    logger.info({ mqttUrl, ingestUrl }, 'bridge: started (stateless; forwards agent messages to the ingest endpoint)');
  } catch (e) {
    console.error(`berth bridge: ${(e as Error).message}`);
    return 2;
  }
  const stop = async () => {
    await bridge.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}
