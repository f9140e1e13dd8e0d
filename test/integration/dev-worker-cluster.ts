// A Cluster (cluster.ts) whose control plane is `npm run dev:worker` instead of `berth serve`: the Worker under
// wrangler dev --local (workerd) with the stand-ins for the managed services. Same variables, same agents, same
// helpers, so a suite or a benchmark can run the very same steps against both.
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exited, stopProcess } from '../../functions/node/processes';
import { Cluster, waitFor } from './cluster';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEV_WORKER = join(ROOT, 'test', 'standins', 'dev-worker', 'main.ts');

export class DevWorkerCluster extends Cluster {
  private workerdGroup = 0;

  constructor(hostIds: string[], private readonly extraEnv: Record<string, string> = {}) {
    super('embedded', hostIds);
  }

  get logFile(): string {
    return join(this.dir, 'dev-worker.log');
  }

  override async startServe(): Promise<void> {
    const fd = openSync(this.logFile, 'a');
    try {
      this.serve = spawn(process.execPath, ['--import', 'tsx', DEV_WORKER], {
        cwd: ROOT,
        stdio: ['ignore', fd, fd],
        env: {
          ...process.env, BERTH_DB_URL: this.dbUrl, BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'info',
          BERTH_PORT: new URL(this.httpUrl).port, BERTH_MQTT_PORT: new URL(this.mqttUrl).port,
          BERTH_ADMIN_TOKEN: this.adminToken, BERTH_AGENT_TOKEN: this.agentToken, BERTH_SECRET_KEY: this.secretKey,
          ...this.extraEnv,
        },
      });
    } finally {
      closeSync(fd);
    }
    const proc = this.serve;
    // wrangler + workerd start slowly on a loaded machine (20 s seen at load 13).
    await waitFor('dev:worker to be ready', () => {
      if (proc.exitCode !== null) throw new Error(`dev:worker exited with ${proc.exitCode}: ${this.log().slice(-2000)}`);
      const ready = this.log().split('\n').find((l) => l.includes('"dev:worker ready"'));
      const worker = this.log().split('\n').find((l) => l.includes('runs under wrangler dev'));
      if (worker) this.workerdGroup = JSON.parse(worker).pid;
      return ready ? true : undefined;
    }, 180_000, 200);
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  override async close(keep = false): Promise<void> {
    const devWorker = this.serve;
    this.serve = null;
    await Promise.all([...this.agents.values()].map((p) => stopProcess(p)));
    if (devWorker) await stopProcess(devWorker, 10_000);
    // dev:worker stops wrangler's process group itself; if it could not (killed), do it here.
    if (this.workerdGroup) {
      try {
        process.kill(-this.workerdGroup, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (devWorker) await exited(devWorker);
    await super.close(keep);
  }
}

/** The command lines of every process descended from `root` (default: this process). */
export function descendantCommands(root = process.pid): string[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
    return { pid: Number(m[1]), ppid: Number(m[2]), args: m[3] };
  });
  const mine = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) if (!mine.has(r.pid) && mine.has(r.ppid)) { mine.add(r.pid); grew = true; }
  }
  return rows.filter((r) => r.pid !== root && mine.has(r.pid)).map((r) => r.args);
}
