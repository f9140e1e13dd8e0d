// Looking at the host from a test: charon processes (by namespace or by config directory), the agent's OVS
// ports and flows, and waiting until a driver's tunnels reach a state.
import { readdir, readFile } from 'node:fs/promises';
import type { ContainerHealth, Driver } from '../../agent/drivers/contract';
import { execRunner } from '../../agent/drivers/linux/exec';
import { parseFlowCookies } from '../../agent/drivers/linux/flows';
import { Netns } from '../../agent/drivers/linux/netns';
import { Ovs } from '../../agent/drivers/linux/ovs';
import type { TunnelReport } from '../../shared/protocol/messages';
import type { PrivateOvs } from './host';

/** Pids of charon processes in a namespace. */
export async function charonsIn(ns: string): Promise<number[]> {
  const procs = await new Netns(execRunner, 'netdev').processes(ns);
  return procs.filter((p) => p.comm === 'charon-systemd' || p.comm === 'charon').map((p) => p.pid).sort();
}

/** Pids of charons whose STRONGSWAN_CONF lies under `dir`, wherever they run (even in a deleted namespace). */
export async function charonsUsing(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() !== 'charon-systemd') continue;
    const env = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (env.split('\0').some((kv) => kv.startsWith(`STRONGSWAN_CONF=${dir}/`))) out.push(Number(pid));
  }
  return out;
}

/** The OVS ports an agent owns (by name) and its flow counts per cookie. */
export async function ovsState(ovs: PrivateOvs, bridge: string, owner: number) {
  const o = new Ovs({ db: ovs.db, bridge, datapathType: 'netdev', run: execRunner });
  const ports = new Map((await o.ownedInterfaces(owner)).map((p) => [p.name, p]));
  const flowsByCookie = parseFlowCookies(await o.dumpOwnedFlows(owner));
  return { ports, flowsByCookie };
}

/** Polls health() of `ids` until every tunnel satisfies `pred`; returns the last health reports. */
export async function untilTunnels(driver: Driver, ids: string[], pred: (t: TunnelReport) => boolean, withinMs: number): Promise<ContainerHealth[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const hs = await Promise.all(ids.map((id) => driver.health(id)));
    if (hs.every((h) => h.status === 'RUNNING' && h.tunnels.every(pred))) return hs;
    if (Date.now() > deadline) throw new Error(`tunnels not there in ${withinMs} ms: ${JSON.stringify(hs)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
