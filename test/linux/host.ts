// Test fixtures for the linux driver on a real host: why a test must skip, the host-wide lock (one userspace
// OVS datapath per host: linux test files take turns), a private Open vSwitch, and cleanup of earlier runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execRunner } from '../../agent/drivers/linux/exec';
import { linuxPrerequisites, which } from '../../agent/drivers/linux/prereq';
import { LinuxDriver } from '../../agent/drivers/linux/driver';

/** Where linux tests keep their files (fixed paths: a crashed run's leftovers are found and removed next time). */
export const TEST_ROOT = '/tmp/berth-linux-tests';

/** null when the linux tests can run here; otherwise exactly why not. */
export function linuxSkipReason(): string | null {
  const problems = linuxPrerequisites({ datapathType: 'netdev' });
  for (const bin of ['ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'flock']) {
    if (!which(bin)) problems.push(`missing ${bin} (a private Open vSwitch for the tests needs it; see .ci/apt-linux.sh)`);
  }
  return problems.length ? problems.join('; ') : null;
}

export const sh = (cmd: string, args: string[], input?: string, timeoutMs = 10_000) => execRunner(cmd, args, { input, timeoutMs });
export const shOk = (cmd: string, args: string[]) => execRunner(cmd, args, { allowFail: true, timeoutMs: 10_000 });

/**
 * Holds /run/lock/berth-linux-tests.lock until release() (or until this process dies: the holder is a child
 * whose stdin we own). Only one ovs-vswitchd with a userspace datapath can run per host.
 */
export async function hostLock(timeoutMs = 600_000): Promise<{ release: () => Promise<void> }> {
  const dir = existsSync('/run/lock') ? '/run/lock' : '/tmp';
  const holder: ChildProcess = spawn('flock', ['-x', '-w', String(Math.ceil(timeoutMs / 1000)), join(dir, 'berth-linux-tests.lock'), 'sh', '-c', 'echo locked; exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`could not take the linux test lock (flock exit ${code})`)));
  });
  return {
    release: () => new Promise<void>((resolve) => {
      holder.once('exit', () => resolve());
      holder.stdin!.end();
    }),
  };
}

export interface PrivateOvs {
  rundir: string;
  /** --ovs-db value */
  db: string;
  vsctl: (...args: string[]) => Promise<string>;
  stop: () => Promise<void>;
}

async function killPidfile(path: string, signal: NodeJS.Signals | null = 'SIGTERM'): Promise<void> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (!pid) return;
  try { if (signal) process.kill(pid, signal); else process.kill(pid, 0); } catch { return; }
  for (let i = 0; i < 250; i++) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 20));
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/** ovsdb-server + ovs-vswitchd of our own in `rundir` (killed and recreated if an earlier run left them). */
export async function startPrivateOvs(rundir: string): Promise<PrivateOvs> {
  for (const d of ['ovs-vswitchd', 'ovsdb-server']) await killPidfile(join(rundir, `${d}.pid`));
  const hadTap = existsSync('/sys/class/net/ovs-netdev');
  await rm(rundir, { recursive: true, force: true });
  await mkdir(rundir, { recursive: true });
  const env = { OVS_RUNDIR: rundir, OVS_LOGDIR: rundir, OVS_DBDIR: rundir, OVS_SYSCONFDIR: rundir };
  const run = (cmd: string, args: string[]) => execRunner(cmd, args, { env, timeoutMs: 15_000 });
  const db = `unix:${join(rundir, 'db.sock')}`;
  await run('ovsdb-tool', ['create', join(rundir, 'conf.db'), '/usr/share/openvswitch/vswitch.ovsschema']);
  await run('ovsdb-server', [join(rundir, 'conf.db'), `--remote=punix:${join(rundir, 'db.sock')}`, `--pidfile=${join(rundir, 'ovsdb-server.pid')}`,
    `--unixctl=${join(rundir, 'ovsdb-server.ctl')}`, `--log-file=${join(rundir, 'ovsdb-server.log')}`, '--detach']);
  await run('ovs-vsctl', [`--db=${db}`, '--no-wait', 'init']);
  await run('ovs-vswitchd', [db, `--pidfile=${join(rundir, 'ovs-vswitchd.pid')}`, `--unixctl=${join(rundir, 'ovs-vswitchd.ctl')}`,
    `--log-file=${join(rundir, 'ovs-vswitchd.log')}`, '--detach']);
  return {
    rundir, db,
    vsctl: async (...args) => (await run('ovs-vsctl', [`--db=${db}`, '--timeout=10', ...args])).stdout.trim(),
    stop: async () => {
      // --cleanup removes the userspace datapath's tap devices (ovs-netdev, one per bridge), which outlive a kill.
      await execRunner('ovs-appctl', ['-t', join(rundir, 'ovs-vswitchd.ctl'), 'exit', '--cleanup'], { timeoutMs: 10_000, allowFail: true }).catch(() => undefined);
      await killPidfile(join(rundir, 'ovs-vswitchd.pid'), null); // let it finish its cleanup
      for (const d of ['ovs-vswitchd', 'ovsdb-server']) await killPidfile(join(rundir, `${d}.pid`));
      if (!hadTap && existsSync('/sys/class/net/ovs-netdev')) await execRunner('ip', ['link', 'del', 'ovs-netdev'], { allowFail: true });
    },
  };
}

/** Removes every container an earlier (crashed) run of a test left in `stateDir`, then the directory. */
export async function purgeDriverState(stateDir: string, ovs: PrivateOvs, bridge: string): Promise<void> {
  if (existsSync(stateDir)) {
    const d = await LinuxDriver.open({ stateDir, ovsDb: ovs.db, bridge, datapathType: 'netdev', ipsecBackend: 'libipsec' });
    for (const c of await d.list()) await d.delete(c.id);
    await d.close();
  }
  await rm(stateDir, { recursive: true, force: true });
}

/** Deletes namespaces (killing what runs in them) and links by exact name: leftovers of a crashed run. */
export async function purgeNames(names: string[]): Promise<void> {
  for (const n of names) {
    if (existsSync(`/run/netns/${n}`)) {
      const pids = (await shOk('ip', ['netns', 'pids', n])).stdout.split(/\s+/).filter(Boolean).map(Number);
      for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      await shOk('ip', ['netns', 'del', n]);
    }
    if (existsSync(`/sys/class/net/${n}`)) await shOk('ip', ['link', 'del', n]);
  }
}
