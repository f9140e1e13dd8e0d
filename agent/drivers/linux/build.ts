// Building, changing and tearing down one container on the host. A build runs the namespace first, then the
// OVS port + flows and the charon in parallel; any failure tears down everything that step created. A change
// of connections only reloads those connections; a change of the port (either family) or external IP needs a rebuild.
import { canonicalJson } from '../../reconciler/diff';
import type { IpsecConnection } from '../../../shared/protocol/messages';
import { DriverError, isDriverError, type ContainerSpec } from '../contract';
import type { Charon } from './charon';
import { containerFlows } from './flows';
import { connName, hostVethOf, type ContainerPaths } from './names';
import type { Netns } from './netns';
import type { Ovs } from './ovs';
import { recordCookie, type ContainerRecord, type RecordStore } from './state';
import { activeConnections, childNames } from './swanctl-conf';

export interface BuilderDeps {
  netns: Netns;
  ovs: Ovs;
  charon: Charon;
  store: RecordStore;
  standalone: boolean;
  /** Current OpenFlow port of --uplink-port (null: normal switching). */
  uplinkOfport: () => number | null;
  ownerTag: number;
}

/** The container's port or external IP changed → it must be rebuilt; only flows or only connections → in place. */
export function classifyChange(prev: ContainerSpec, next: ContainerSpec): { rebuild: boolean; flows: boolean; connections: boolean } {
  const c = (v: unknown) => canonicalJson(v);
  return {
    rebuild: c(prev.config.port) !== c(next.config.port) || c(prev.config.portV6) !== c(next.config.portV6) || c(prev.config.externalIp) !== c(next.config.externalIp)
      || prev.interfaceName !== next.interfaceName || prev.portId !== next.portId,
    flows: c(prev.config.routes) !== c(next.config.routes) || c(prev.config.redirects) !== c(next.config.redirects),
    connections: c(prev.config.connections) !== c(next.config.connections),
  };
}

/** Which loaded connections an update removes, changes or adds (admin-down ones count as not loaded). */
export function connectionDelta(prev: ContainerSpec, next: ContainerSpec) {
  const before = new Map(activeConnections(prev.config).map((c) => [c.id, c]));
  const after = new Map(activeConnections(next.config).map((c) => [c.id, c]));
  const removed: IpsecConnection[] = [...before.values()].filter((c) => !after.has(c.id));
  const added: IpsecConnection[] = [...after.values()].filter((c) => !before.has(c.id));
  const changed: IpsecConnection[] = [...after.values()].filter((c) => before.has(c.id) && canonicalJson(c) !== canonicalJson(before.get(c.id)));
  return { removed, added, changed };
}

const asDriverError = (e: unknown) => (isDriverError(e) ? e : new DriverError('FAILED', (e as Error)?.message ?? String(e)));

export class Builder {
  constructor(private readonly d: BuilderDeps) {}

  paths(spec: ContainerSpec): ContainerPaths {
    return this.d.store.paths(spec.interfaceName);
  }

  flowsFor(rec: ContainerRecord, ofport: number): string[] {
    return containerFlows({ cookie: recordCookie(rec), config: rec.spec.config, ofport, uplinkOfport: this.d.uplinkOfport() });
  }

  /** Builds the container of a 'building' record; on failure removes whatever it made and throws. */
  async build(rec: ContainerRecord): Promise<ContainerRecord> {
    const { spec } = rec;
    const paths = this.paths(spec);
    let pid: number | null = null;
    // Configuration files do not need the namespace: write them while it is being made.
    const configured = this.d.charon.writeConfig(spec, paths);
    configured.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
    try {
      await this.d.netns.createLinks(spec);
      // The OVS port and the charon side need only the links: build both at once. Connections are loaded (and
      // initiate) only when the datapath delivers the answers: an IKE reply lost to a missing flow costs a 4 s
      // retransmission and, with both ends initiating, a duplicate tunnel.
      const plugged = (async () => {
        const ofport = await this.d.ovs.addPort(hostVethOf(spec), { ifaceId: spec.portId, owner: this.d.ownerTag, containerId: spec.id });
        if (this.d.standalone) await this.d.ovs.addFlows(this.flowsFor(rec, ofport));
        return ofport;
      })();
      plugged.catch(() => {});
      const [port, charon] = await Promise.allSettled([
        plugged,
        (async () => {
          // charon picks up addresses as they appear: start it while the namespace is being addressed.
          const addressed = this.d.netns.configure(spec);
          addressed.catch(() => {});
          await configured;
          pid = await this.d.charon.start(spec, paths, true);
          await addressed;
          await plugged;
          await this.d.charon.load(paths);
        })(),
      ]);
      if (port.status === 'rejected') throw port.reason;
      if (charon.status === 'rejected') throw charon.reason;
      return { ...rec, phase: 'ready', charonPid: pid, ofport: port.value, builtAt: Date.now() };
    } catch (e) {
      const err = asDriverError(e);
      await configured.catch(() => {}); // no file may be written after the teardown removed the directory
      try {
        await this.teardown({ ...rec, charonPid: pid });
      } catch (cleanup) {
        throw new DriverError(err.code, `${err.message}; and cleaning up failed: ${(cleanup as Error).message}`, err.retryable);
      }
      throw err;
    }
  }

  /** Removes everything a container owns on the host (idempotent); the record directory goes last. */
  async teardown(rec: ContainerRecord): Promise<void> {
    const { spec } = rec;
    const results = await Promise.allSettled([
      this.d.charon.stop(rec.charonPid, spec),
      (async () => {
        if (this.d.standalone) await this.d.ovs.delFlows(recordCookie(rec));
        await this.d.ovs.delPort(hostVethOf(spec));
      })(),
    ]);
    await this.d.netns.destroy(spec);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw asDriverError((failed as PromiseRejectedResult).reason);
    await this.d.store.remove(spec.interfaceName);
  }

  /**
   * A container the agent cannot describe (issue 10: its container.json is unreadable or corrupt): what its
   * directory's name says exists goes — the charons in the namespace of that name (its PSK must not keep running),
   * the namespace with its veth pair — then the directory, so the name can be built again. Its OVS port and flows
   * carry this agent's owner tag and no record claims them: the start-up sweep (audit.ts) removes those.
   * Returns what it found and removed.
   */
  async teardownOrphan(name: string): Promise<string[]> {
    const removed: string[] = [];
    // Directory names the driver never makes (interface names are 1-12 of [A-Za-z0-9_.-]) name nothing to stop.
    if (/^[A-Za-z0-9][A-Za-z0-9_.-]{0,11}$/.test(name)) {
      const named = { interfaceName: name };
      const charons = await this.d.charon.find(named);
      await this.d.charon.stop(null, named);
      if (charons.length) removed.push(`charon ${charons.join(', ')}`);
      removed.push(...await this.d.netns.destroyOrphan(name));
    }
    await this.d.store.remove(name);
    return removed;
  }

  /** Rewrites the flows of a container (routes/redirects changed, or its ofport / the uplink moved). */
  async rewriteFlows(rec: ContainerRecord, ofport: number): Promise<void> {
    if (this.d.standalone) await this.d.ovs.replaceFlows(recordCookie(rec), this.flowsFor(rec, ofport));
  }

  /**
   * In-place change of connections (and flows): re-renders the configuration, loads it with swanctl (unchanged
   * connections keep their SAs), closes removed ones, and re-keys changed ones. On failure the previous
   * configuration is put back (best effort) and the error says what failed.
   */
  async reconfigure(rec: ContainerRecord, next: ContainerSpec): Promise<ContainerRecord> {
    const prev = rec.spec;
    const paths = this.paths(next);
    const kind = classifyChange(prev, next);
    const updated: ContainerRecord = { ...rec, spec: next };
    if (kind.flows && rec.ofport !== null) await this.rewriteFlows(updated, rec.ofport);
    if (!kind.connections) return updated;
    const { removed, changed } = connectionDelta(prev, next);
    try {
      await this.d.charon.writeConfig(next, paths);
      await this.d.netns.syncAnchors(next);
      for (const c of removed) await this.d.charon.terminate(paths, connName(c));
      await this.d.charon.load(paths);
      for (const c of changed) {
        // The IKE_SA still runs the old configuration: close it and start again with the new one.
        await this.d.charon.terminate(paths, connName(c));
        if (c.initiator === 'bi-directional') for (const child of childNames(c)) await this.d.charon.initiate(paths, child);
      }
      return updated;
    } catch (e) {
      const err = asDriverError(e);
      try {
        await this.d.charon.writeConfig(prev, paths);
        await this.d.netns.syncAnchors(prev);
        await this.d.charon.load(paths);
      } catch { /* the error below already says the update failed */ }
      throw err;
    }
  }
}
