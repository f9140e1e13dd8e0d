// `npm run bench [-- --quick] [-- api|scheduler|failover|fleet|linux|worker ...]`: runs the benchmarks, prints tables, writes bench/results/*.json.
import { benchApi } from './api';
import { benchScheduler } from './scheduler';
import { benchFailover } from './failover';
import { parseArgs } from 'node:util';

// Suite names are positionals; options take values (`fleet --agents 10000 --broker mosquitto --replicas 2`).
let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(2), allowPositionals: true, strict: true,
    options: { quick: { type: 'boolean' }, agents: { type: 'string' }, broker: { type: 'string' }, replicas: { type: 'string' }, failover: { type: 'string' }, liveness: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}
const USAGE = 'usage: npm run bench [-- --quick] [-- <suite> ...] [fleet options]\nsuites: api, scheduler, failover, ingest, controller-step, fleet, linux, chaos (only when named)\n';
try { parsed = parse(); } catch (e) {
  const { FLEET_USAGE } = await import('./fleet');
  console.error(`${(e as Error).message}\n\n${USAGE}${FLEET_USAGE}`);
  process.exit(2);
}
if (parsed.values.help) {
  const { FLEET_USAGE } = await import('./fleet');
  console.log(`${USAGE}${FLEET_USAGE}`);
  process.exit(0);
}
const quick = parsed.values.quick ?? false;
const only = parsed.positionals;
const int = (name: 'replicas' | 'failover'): number | undefined => {
  const v = parsed.values[name];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < (name === 'failover' ? 0 : 1)) { console.error(`--${name} must be a whole number${name === 'failover' ? '' : ' ≥ 1'}, got '${v}'`); process.exit(2); }
  return Number(v);
};
const broker = parsed.values.broker;
if (broker !== undefined && broker !== 'embedded' && broker !== 'mosquitto') { console.error(`--broker must be embedded or mosquitto, got '${broker}'`); process.exit(2); }
// --agents 2500,5000,10000: the levels to run, smallest first.
const agentsArg = parsed.values.agents;
if (agentsArg !== undefined && !/^\d+(,\d+)*$/.test(agentsArg)) { console.error(`--agents must be whole numbers separated by commas, got '${agentsArg}'`); process.exit(2); }
const agents = agentsArg?.split(',').map(Number);
if (agents?.some((n) => n < 1)) { console.error('--agents: every level must be ≥ 1'); process.exit(2); }
const liveness = parsed.values.liveness;
if (liveness !== undefined && liveness !== 'design' && liveness !== 'broker') { console.error(`--liveness must be design or broker, got '${liveness}'`); process.exit(2); }
const fleetOpts = { quick, agents, liveness: liveness as 'design' | 'broker' | undefined, broker: broker as 'embedded' | 'mosquitto' | undefined, replicas: int('replicas'), failover: int('failover') };
const suites: Record<string, () => Promise<unknown>> = {
  api: () => benchApi({ quick }),
  scheduler: () => benchScheduler({ quick }),
  failover: () => benchFailover({ quick }),
  // Per-message CPU cost of ingest, stage by stage (issue 12): what the liveness decision rests on.
  ingest: () => import('./ingest').then((m) => m.benchIngest({ quick })),
  // The controller's steady-state step at 2,500-10,000 hosts, stage by stage (issue 12).
  'controller-step': () => import('./controller-step').then((m) => m.benchControllerStep({ quick })),
  fleet: () => import('./fleet').then((m) => m.benchFleet(fleetOpts)),
  // Needs root, Open vSwitch and strongSwan (.ci/apt-linux.sh); says why and skips otherwise.
  linux: () => import('./linux').then((m) => m.benchLinux({ quick })),
  // The serverless control plane under npm run dev:worker beside npm start (issue 8).
  worker: () => import('./worker').then((m) => m.benchWorker({ quick })),
  // Chaos soak with real processes (issue 10): minutes; BERTH_CHAOS_SEED replays a schedule. Not in the default run.
  chaos: () => import('./chaos').then((m) => m.benchChaos({ quick })),
};

for (const name of only) if (!suites[name]) { console.error(`unknown benchmark '${name}'; known: ${Object.keys(suites).join(', ')}`); process.exit(2); }
for (const [name, run] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  if (!only.length && name === 'chaos') continue; // minutes of kill -9 and SIGSTOP: only when asked for
  console.log(`== bench ${name}${quick ? ' (quick)' : ''}`);
  await run();
}
