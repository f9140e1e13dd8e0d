// `npm run bench [-- --quick] [-- api|scheduler|failover|fleet|linux|worker ...]`: runs the benchmarks, prints tables, writes bench/results/*.json.
import { benchApi } from './api';
import { benchScheduler } from './scheduler';
import { benchFailover } from './failover';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const suites: Record<string, () => Promise<unknown>> = {
  api: () => benchApi({ quick }),
  scheduler: () => benchScheduler({ quick }),
  failover: () => benchFailover({ quick }),
  fleet: () => import('./fleet').then((m) => m.benchFleet({ quick })),
  // Needs root, Open vSwitch and strongSwan (.ci/apt-linux.sh); says why and skips otherwise.
  linux: () => import('./linux').then((m) => m.benchLinux({ quick })),
  // The serverless control plane under npm run dev:worker beside npm start (issue 8).
  worker: () => import('./worker').then((m) => m.benchWorker({ quick })),
};

for (const name of only) if (!suites[name]) { console.error(`unknown benchmark '${name}'; known: ${Object.keys(suites).join(', ')}`); process.exit(2); }
for (const [name, run] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`== bench ${name}${quick ? ' (quick)' : ''}`);
  await run();
}
