// Open vSwitch through its command-line tools: the bridge, container ports tagged with iface-id and the
// agent's owner tag, and the flows under each container's cookie. ovs-vsctl exits 0 even when a port failed,
// so every add-port is checked through the Interface's ofport and error columns.
import { dirname } from 'node:path';
import { DriverError } from '../contract';
import type { Runner } from './exec';
import { cookieHex, OWNER_MASK } from './names';

export type DatapathType = 'system' | 'netdev';

export interface OvsOptions {
  /** --ovs-db: `unix:<socket>` (or any ovs-vsctl --db target); undefined = the system's default. */
  db?: string;
  bridge: string;
  datapathType: DatapathType;
  run: Runner;
  timeoutMs?: number;
}

export interface OwnedInterface {
  name: string;
  ofport: number;
  error: string;
  containerId: string;
  ifaceId: string;
}

type OvsdbCell = unknown;
/** ovsdb JSON cells: scalars, ["set", [...]], ["map", [[k, v], ...]], ["uuid", "..."]. */
const scalar = (c: OvsdbCell): string | number | null =>
  Array.isArray(c) ? (c[0] === 'set' && Array.isArray(c[1]) && c[1].length === 1 ? (c[1][0] as string | number) : null) : (c as string | number);
const map = (c: OvsdbCell): Record<string, string> =>
  Array.isArray(c) && c[0] === 'map' && Array.isArray(c[1]) ? Object.fromEntries(c[1] as [string, string][]) : {};

export class Ovs {
  readonly bridge: string;
  private readonly timeoutMs: number;
  constructor(private readonly o: OvsOptions) {
    this.bridge = o.bridge;
    this.timeoutMs = o.timeoutMs ?? 5000;
  }

  /** ovs-ofctl's target: the bridge's management socket next to the database socket of a private OVS. */
  get ofctlTarget(): string {
    const db = this.o.db;
    return db?.startsWith('unix:') ? `unix:${dirname(db.slice(5))}/${this.bridge}.mgmt` : this.bridge;
  }

  vsctl(args: string[], allowFail = false) {
    const base = [...(this.o.db ? [`--db=${this.o.db}`] : []), `--timeout=${Math.ceil(this.timeoutMs / 1000)}`];
    return this.o.run('ovs-vsctl', [...base, ...args], { timeoutMs: this.timeoutMs + 1000, allowFail });
  }

  ofctl(args: string[], input?: string) {
    return this.o.run('ovs-ofctl', args, { input, timeoutMs: this.timeoutMs });
  }

  /** The bridge exists afterwards with the configured datapath type (created if missing, never changed). */
  async ensureBridge(): Promise<void> {
    const exists = await this.vsctl(['br-exists', this.bridge], true);
    if (exists.code === 2) {
      const type = this.o.datapathType === 'netdev' ? ['--', 'set', 'bridge', this.bridge, 'datapath_type=netdev'] : [];
      await this.vsctl(['--may-exist', 'add-br', this.bridge, ...type]);
    } else if (exists.code !== 0) {
      throw new DriverError('FAILED', `cannot reach Open vSwitch (ovs-vsctl br-exists ${this.bridge}: exit ${exists.code}): ${exists.stderr.trim()}`);
    }
    const got = (await this.vsctl(['get', 'bridge', this.bridge, 'datapath_type'])).stdout.trim().replace(/^"(.*)"$/, '$1');
    const actual = got === '' ? 'system' : got;
    if (actual !== this.o.datapathType) {
      throw new DriverError('FAILED', `bridge ${this.bridge} has datapath_type ${actual}, but the agent was started with --datapath-type ${this.o.datapathType}`);
    }
    // The database can hold a bridge that ovs-vswitchd failed to create (ovs-vsctl still exits 0): ask the switch.
    const show = await this.o.run('ovs-ofctl', ['show', this.ofctlTarget], { timeoutMs: this.timeoutMs, allowFail: true });
    if (show.code !== 0) {
      const hint = this.o.datapathType === 'netdev' ? ' (only one ovs-vswitchd per host can run a userspace datapath)' : '';
      throw new DriverError('FAILED', `bridge ${this.bridge} is in the Open vSwitch database but ovs-vswitchd does not run it: ${show.stderr.trim() || `exit ${show.code}`}; see the ovs-vswitchd log${hint}`);
    }
  }

  /** Adds the container's host veth end as a port; resolves with its OpenFlow port number. */
  async addPort(name: string, ids: { ifaceId: string; owner: number; containerId: string }): Promise<number> {
    await this.vsctl([
      '--', '--may-exist', 'add-port', this.bridge, name,
      '--', 'set', 'Interface', name,
      `external_ids:iface-id=${ids.ifaceId}`, `external_ids:berth-owner=${ids.owner}`, `external_ids:berth-container=${ids.containerId}`,
    ]);
    // add-port waits for ovs-vswitchd, but the ofport can lag a moment; -1 or an error means it failed.
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const { ofport, error } = await this.interfaceState(name);
      if (error) throw new DriverError('FAILED', `Open vSwitch could not add port ${name} to ${this.bridge}: ${error}`);
      if (ofport === -1) throw new DriverError('FAILED', `Open vSwitch could not add port ${name} to ${this.bridge} (ofport -1)`);
      if (ofport !== null && ofport > 0) return ofport;
      if (Date.now() > deadline) throw new DriverError('UNAVAILABLE', `port ${name} got no OpenFlow port number within ${this.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async interfaceState(name: string): Promise<{ ofport: number | null; error: string }> {
    const r = await this.vsctl(['--format=json', '--', '--columns=ofport,error', 'list', 'Interface', name], true);
    if (r.code !== 0) return { ofport: null, error: r.stderr.trim() || `no interface ${name}` };
    const row = (JSON.parse(r.stdout) as { data: OvsdbCell[][] }).data[0] ?? [];
    const ofport = scalar(row[0]);
    const error = scalar(row[1]);
    return { ofport: typeof ofport === 'number' ? ofport : null, error: typeof error === 'string' ? error : '' };
  }

  async delPort(name: string): Promise<void> {
    // No bridge named: the port goes from whichever bridge holds it.
    await this.vsctl(['--', '--if-exists', 'del-port', name]);
  }

  /** Every Interface this agent (owner tag) created, on any bridge of this database. */
  async ownedInterfaces(owner: number): Promise<OwnedInterface[]> {
    const r = await this.vsctl(['--format=json', '--', '--columns=name,ofport,error,external_ids', 'find', 'Interface', `external_ids:berth-owner=${owner}`]);
    const data = (JSON.parse(r.stdout) as { data: OvsdbCell[][] }).data;
    return data.map((row) => {
      const ids = map(row[3]);
      const ofport = scalar(row[1]);
      const error = scalar(row[2]);
      return {
        name: String(scalar(row[0])), ofport: typeof ofport === 'number' ? ofport : -1, error: typeof error === 'string' ? error : '',
        containerId: ids['berth-container'] ?? '', ifaceId: ids['iface-id'] ?? '',
      };
    });
  }

  /** OpenFlow port number of a port that is not ours (the uplink), or null when it does not exist. */
  async ofportOf(name: string): Promise<number | null> {
    const { ofport } = await this.interfaceState(name);
    return ofport !== null && ofport > 0 ? ofport : null;
  }

  async addFlows(lines: string[]): Promise<void> {
    if (lines.length) await this.ofctl(['add-flows', this.ofctlTarget, '-'], `${lines.join('\n')}\n`);
  }

  async delFlows(cookie: bigint): Promise<void> {
    await this.ofctl(['del-flows', this.ofctlTarget, `cookie=${cookieHex(cookie)}/-1`]);
  }

  /** Replace one cookie's flows in one OpenFlow bundle (no moment without them). */
  async replaceFlows(cookie: bigint, lines: string[]): Promise<void> {
    const text = [`delete cookie=${cookieHex(cookie)}/-1`, ...lines.map((l) => `add ${l}`)].join('\n');
    await this.ofctl(['-O', 'OpenFlow14', '--bundle', 'add-flows', this.ofctlTarget, '-'], `${text}\n`);
  }

  /** dump-flows of every flow under this owner's cookies. */
  async dumpOwnedFlows(owner: number): Promise<string> {
    const r = await this.ofctl(['--no-stats', 'dump-flows', this.ofctlTarget, `cookie=${cookieHex(BigInt(owner) << 32n)}/${cookieHex(OWNER_MASK)}`]);
    return r.stdout;
  }
}
