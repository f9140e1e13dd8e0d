// `berth agent` entry: flags → token → fencing store → driver → the running agent, stopped cleanly on
// SIGINT/SIGTERM (containers keep running; a restarted agent adopts them).
import { readFileSync } from 'node:fs';
import { systemClock } from '../shared/clock';
import { startAgent } from './agent';
import { openDriver } from './drivers';
import { FenceStore } from './fence';
import { AGENT_HELP, parseAgentArgs } from './flags';
import { resolveHostCredential } from './enrol';
import { createAgentLogger } from './logger';

export const AGENT_TOKEN_FILE = '.berth/agent-token';

/** --token, else BERTH_AGENT_TOKEN, else the embedded control plane's generated file. */
export function resolveToken(flag: string | undefined, env: Record<string, string | undefined>, file = AGENT_TOKEN_FILE): string | undefined {
  if (flag) return flag;
  if (env.BERTH_AGENT_TOKEN) return env.BERTH_AGENT_TOKEN;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Returns an exit code, or -1 while the agent runs (it exits by itself on a signal). */
export async function runAgentCli(argv: readonly string[]): Promise<number> {
  const parsed = parseAgentArgs(argv);
  if (parsed.kind === 'help') {
    console.log(AGENT_HELP);
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`berth agent: ${parsed.message}\n(see: berth agent --help)`);
    return 2;
  }
  const f = parsed.flags;
  const credential = resolveHostCredential({ stateDir: f.stateDir, secretFile: f.secretFile, env: process.env, fleetToken: () => resolveToken(f.token, process.env) });
  if ('error' in credential) {
    console.error(`berth agent: ${credential.error}`);
    return 2;
  }
  let ca: Buffer | undefined;
  try {
    ca = f.ca ? readFileSync(f.ca) : undefined;
  } catch (e) {
    console.error(`berth agent: --ca ${f.ca}: ${(e as Error).message}`);
    return 2;
  }

  const logger = createAgentLogger(f.hostId);
  if (credential.kind === 'enrol') logger.info({ stateDir: f.stateDir }, 'no host secret yet: enrolling with the fleet token');
  const fence = await FenceStore.open(f.stateDir);
  const driver = await openDriver(f.driver, { stateDir: f.stateDir, simFaults: f.simFaults, linux: f.linux, logger });
  if (f.driver === 'sim') logger.warn({ stateDir: f.stateDir }, 'driver sim: containers are simulated');
  const agent = await startAgent({
    hostId: f.hostId, mqttUrl: f.mqttUrl, token: credential.password, onAccepted: credential.accepted, onRefused: credential.refused, ca,
    containerLimit: f.containerLimit, enforceContainerLimit: f.enforceContainerLimit,
    heartbeatMs: f.heartbeatMs, selfFenceMs: f.selfFenceMs,
  }, { driver, fence, logger, clock: systemClock });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}
