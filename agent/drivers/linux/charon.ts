// One charon per container, confined to its namespace: config files, start (never a second one in a namespace:
// even a failing second charon deletes the first one's routing rule on exit), stop, liveness by pid + netns,
// and the swanctl/vici calls that load or re-key connections.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { readFile, stat, unlink } from 'node:fs/promises';
import type { ContainerSpec } from '../contract';
import { DriverError } from '../contract';
import type { Runner } from './exec';
import { MAX_SOCKET_PATH, namespaceOf, type ContainerPaths } from './names';
import type { Netns } from './netns';
import { renderStrongswanConf } from './strongswan-conf';
import { renderSecrets, renderSwanctlConf, type IpsecBackend } from './swanctl-conf';
import { checkSuccess, viciCommand } from './vici';

export const CHARON_BIN = 'charon-systemd';
/** Finding and stopping charon needs only the container's name (its namespace): also for a container without a record. */
type Named = Pick<ContainerSpec, 'interfaceName'>;
const CHARON_COMMS = new Set(['charon-systemd', 'charon']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CharonOptions {
  run: Runner;
  netns: Netns;
  backend: IpsecBackend;
  startTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** Same file in /proc/<pid>/ns/net and /run/netns/<ns>: the process lives in that namespace. */
async function inNamespace(pid: number, ns: string): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([stat(`/proc/${pid}/ns/net`), stat(`/run/netns/${ns}`)]);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

export class Charon {
  constructor(private readonly o: CharonOptions) {}

  /** strongswan.conf, swanctl.conf and the 0600 secrets file. Rendering errors surface before anything runs. */
  async writeConfig(spec: ContainerSpec, paths: ContainerPaths): Promise<void> {
    if (paths.vici.length > MAX_SOCKET_PATH) {
      throw new DriverError('FAILED', `the vici socket path ${paths.vici} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter --state-dir`);
    }
    const swanctl = renderSwanctlConf(spec.id, spec.config, { backend: this.o.backend });
    const secrets = renderSecrets(spec.config);
    // Three small files, written synchronously: through the thread pool they cost tens of ms on a busy host,
    // and charon's start waits for them.
    mkdirSync(paths.swanctlDir, { recursive: true, mode: 0o700 });
    writeFileSync(paths.strongswanConf, renderStrongswanConf(spec.id, paths, this.o.backend), { mode: 0o644 });
    writeFileSync(paths.swanctlConf, swanctl, { mode: 0o600 });
    writeFileSync(paths.secrets, secrets, { mode: 0o600 });
    chmodSync(paths.secrets, 0o600); // writeFile's mode applies only when it creates the file
  }

  /** charon processes in the container's namespace. */
  async find(spec: Named): Promise<number[]> {
    const procs = await this.o.netns.processes(namespaceOf(spec));
    return procs.filter((p) => CHARON_COMMS.has(p.comm)).map((p) => p.pid);
  }

  /** The pid is a charon inside this container's namespace. */
  async alive(pid: number | null, spec: Named): Promise<boolean> {
    if (pid === null) return false;
    // /proc/<pid>/stat is "pid (comm) state ...": a zombie (Z) has exited even if nobody reaped it yet.
    const st = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) (\S)/s.exec(st);
    if (!m || !CHARON_COMMS.has(m[1]) || m[2] === 'Z' || m[2] === 'X') return false;
    return inNamespace(pid, namespaceOf(spec));
  }

  /**
   * Tunes the namespace, starts charon in it and waits until it answers on vici. Refuses if a charon already
   * runs there (`fresh`: the caller just created the namespace, so nothing can run in it yet).
   */
  async start(spec: ContainerSpec, paths: ContainerPaths, fresh = false): Promise<number> {
    const ns = namespaceOf(spec);
    const running = fresh ? [] : await this.find(spec);
    if (running.length) throw new DriverError('FAILED', `a charon (pid ${running.join(', ')}) already runs in namespace ${ns}; refusing to start a second one`);
    await unlink(paths.vici).catch(() => {}); // a stale socket from a killed charon
    const out = openSync(`${paths.dir}/charon.out`, 'a', 0o600);
    let pid: number | undefined;
    let exited: string | null = null;
    try {
      const child = spawn('ip', this.o.netns.execTuned(spec, [CHARON_BIN]), {
        env: { ...process.env, STRONGSWAN_CONF: paths.strongswanConf },
        // Its own session: charon outlives the agent (a restarted agent adopts it).
        detached: true,
        stdio: ['ignore', out, out],
      });
      child.on('error', (e) => { exited = e.message; });
      child.on('exit', (code, signal) => { exited = signal ? `killed by ${signal}` : `exit ${code}`; });
      child.unref();
      pid = child.pid;
    } finally {
      closeSync(out);
    }
    if (pid === undefined) throw new DriverError('FAILED', `could not start ${CHARON_BIN} in ${ns}: ${exited ?? 'no pid'}`);
    const timeoutMs = this.o.startTimeoutMs ?? 5000;
    const deadline = Date.now() + timeoutMs;
    // Poll finely: charon answers some 20-40 ms after start, and every ms here is on the critical path.
    for (let tries = 0; ; tries++) {
      if (exited !== null) throw new DriverError('FAILED', `charon in ${ns} stopped at start (${exited}): ${await this.tail(paths)}`);
      try {
        await viciCommand(paths.vici, 'version', {}, { timeoutMs: 500 });
        return pid;
      } catch {
        if (Date.now() > deadline) {
          if (exited === null) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } // even if still the tuning shell
          await this.stop(pid, spec);
          throw new DriverError('UNAVAILABLE', `charon in ${ns} did not answer on ${paths.vici} within ${timeoutMs} ms: ${await this.tail(paths)}`);
        }
      }
      await sleep(tries < 100 ? 2 : 20);
    }
  }

  /** SIGTERM (charon says goodbye to its peers), SIGKILL after a grace period; also any other charon in the namespace. */
  async stop(pid: number | null, spec: Named, graceMs = 2000): Promise<void> {
    const pids = new Set(await this.find(spec));
    if (pid !== null && (await this.alive(pid, spec))) pids.add(pid);
    for (const p of pids) { try { process.kill(p, 'SIGTERM'); } catch { /* gone */ } }
    const deadline = Date.now() + graceMs;
    for (let tries = 0; pids.size; tries++) {
      for (const p of [...pids]) if (!(await this.alive(p, spec))) pids.delete(p);
      if (!pids.size) return;
      if (Date.now() > deadline) {
        for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
        await sleep(20);
        for (const p of [...pids]) if (!(await this.alive(p, spec))) pids.delete(p);
        if (pids.size) throw new DriverError('UNAVAILABLE', `charon (pid ${[...pids].join(', ')}) in ${namespaceOf(spec)} does not stop`);
        return;
      }
      await sleep(tries < 100 ? 2 : 20); // charon usually exits within 10-30 ms: poll finely
    }
  }

  /** swanctl --load-all: loads new and changed connections and secrets, unloads removed ones; unchanged tunnels stay. */
  async load(paths: ContainerPaths): Promise<void> {
    await this.o.run('swanctl', ['--load-all', '--noprompt', '--uri', `unix://${paths.vici}`], {
      env: { SWANCTL_DIR: paths.swanctlDir, STRONGSWAN_CONF: paths.strongswanConf },
      timeoutMs: this.o.commandTimeoutMs ?? 5000,
    });
  }

  /** Closes a connection's IKE_SA (and its CHILD_SAs) now, without waiting for the peer. */
  async terminate(paths: ContainerPaths, ikeName: string): Promise<void> {
    const { response } = await viciCommand(paths.vici, 'terminate', { ike: ikeName, force: 'yes', timeout: '-1' }, { timeoutMs: this.o.commandTimeoutMs ?? 5000 });
    if (typeof response.errmsg === 'string' && /no matching SAs/.test(response.errmsg)) return;
    checkSuccess('terminate', response);
  }

  /** Starts a CHILD_SA (and its IKE_SA) in the background. */
  async initiate(paths: ContainerPaths, childName: string): Promise<void> {
    const { response } = await viciCommand(paths.vici, 'initiate', { child: childName, timeout: '-1' }, { timeoutMs: this.o.commandTimeoutMs ?? 5000 });
    checkSuccess('initiate', response);
  }

  /** The last lines charon wrote (its own stderr, then its log): for error messages. */
  async tail(paths: ContainerPaths, lines = 4): Promise<string> {
    const read = (p: string) => readFile(p, 'utf8').then((s) => s, () => '');
    const text = `${await read(`${paths.dir}/charon.out`)}\n${await read(paths.log)}`;
    const useful = text.split('\n').filter((l) => l.trim() && !/^plugin '.*': failed to load/.test(l));
    return useful.slice(-lines).join(' | ') || 'no output';
  }
}
