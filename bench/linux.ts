// Linux driver benchmark: desired state → RUNNING (and back to nothing) for 1 and for 50 containers on one
// host (and 1 IPv6 container), through the agent's real reconciler and the linux driver, beside the raw shell commands for the same
// steps (namespace, veth, addresses, OVS port + ofport check, flows, charon answering, swanctl --load-all)
// measured in the same run on the same private Open vSwitch: the physical floor.
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { LinuxDriver } from '../agent/drivers/linux/driver';
import { execRunner } from '../agent/drivers/linux/exec';
import { containerFlows } from '../agent/drivers/linux/flows';
import { containerPaths, flowCookie, cookieHex } from '../agent/drivers/linux/names';
import { hostBatch, namespaceBatch } from '../agent/drivers/linux/netns';
import { renderStrongswanConf } from '../agent/drivers/linux/strongswan-conf';
import { renderSecrets, renderSwanctlConf } from '../agent/drivers/linux/swanctl-conf';
import { Reconciler } from '../agent/reconciler/reconcile';
import { StatusBoard } from '../agent/status-board';
import { systemClock } from '../shared/clock';
import { silentLogger } from '../shared/logger';
import { exampleContainer, exampleContainerV6 } from '../shared/protocol/examples';
import type { ContainerReport, DesiredContainer, DesiredState } from '../shared/protocol/messages';
import { hostLock, linuxSkipReason, purgeDriverState, purgeNames, startPrivateOvs, TEST_ROOT, type PrivateOvs } from '../test/linux/host';
import { fmt, pct, printTable, writeJson } from './lib';

const BRIDGE = 'br-bench';
const ROOT = `${TEST_ROOT}/bench`;
const HOST = 'bench-host';

/**
 * Container n of the benchmark: its own external IP and peer (nobody answers: tunnels stay connecting). IPv4
 * (prefix x: berth, r: raw) or the IPv6 twin (y: berth, s: raw), which also gets its /127, ND flows and a ::/0
 * route: IPv6 outside and inside.
 */
function container(n: number, prefix: 'x' | 'r' | 'y' | 's'): DesiredContainer {
  const v6 = prefix === 'y' || prefix === 's';
  const c = v6 ? exampleContainerV6(n) : exampleContainer(n);
  const ext = v6 ? `2001:db8:40:${n.toString(16)}::2` : `10.${64 + (n >> 8)}.${n & 255}.2`;
  c.interfaceName = `vpn-${prefix}${c.interfaceName.slice(5)}`;
  c.config.externalIp = v6 ? { v4: null, v6: ext } : { v4: ext, v6: null };
  c.config.redirects = c.config.redirects.map((r) => ({ ...r, nwDstIp: ext }));
  return c;
}

/** The same steps as the driver's build, as a shell script a person would write. */
function rawUp(c: DesiredContainer, ovs: PrivateOvs, dir: string): string {
  const p = containerPaths(dir, c.interfaceName);
  const ns = c.interfaceName;
  const flows = containerFlows({ cookie: flowCookie(1, c.id), config: c.config, ofport: 9999, uplinkOfport: null }).join('\n').replace(/9999/g, '$OFPORT');
  return `set -e
mkdir -p ${p.swanctlDir}
cat > ${p.strongswanConf} <<'EOF'
${renderStrongswanConf(c.id, p, 'libipsec')}EOF
cat > ${p.swanctlConf} <<'EOF'
${renderSwanctlConf(c.id, c.config, { backend: 'libipsec' })}EOF
cat > ${p.secrets} <<'EOF'
${renderSecrets(c.config)}EOF
ip -batch - <<'EOF'
${hostBatch(c).join('\n')}
EOF
ip -n ${ns} -batch - <<'EOF'
${namespaceBatch(c).join('\n')}
EOF
STRONGSWAN_CONF=${p.strongswanConf} setsid ip netns exec ${ns} sh -ec 'sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0; sysctl -qw net.ipv6.conf.all.forwarding=1; ethtool -K ${ns}-ns tx off >/dev/null; exec charon-systemd' </dev/null >${p.dir}/charon.out 2>&1 &
ovs-vsctl --db=${ovs.db} add-port ${BRIDGE} ${ns} -- set Interface ${ns} external_ids:iface-id=${c.portId}
OFPORT=$(ovs-vsctl --db=${ovs.db} get Interface ${ns} ofport)
[ "$(ovs-vsctl --db=${ovs.db} get Interface ${ns} error)" = '[]' ] && [ "$OFPORT" -gt 0 ]
ovs-ofctl add-flows unix:${ovs.rundir}/${BRIDGE}.mgmt - <<EOF
${flows}
EOF
until [ -S ${p.vici} ]; do sleep 0.002; done
SWANCTL_DIR=${p.swanctlDir} STRONGSWAN_CONF=${p.strongswanConf} swanctl --load-all --noprompt --uri unix://${p.vici} >/dev/null 2>&1
`;
}

function rawDown(c: DesiredContainer, ovs: PrivateOvs, dir: string): string {
  const ns = c.interfaceName;
  return `PIDS=$(ip netns pids ${ns}); kill $PIDS; while [ -n "$(ip netns pids ${ns})" ]; do sleep 0.002; done
ovs-ofctl del-flows unix:${ovs.rundir}/${BRIDGE}.mgmt cookie=${cookieHex(flowCookie(1, c.id))}/-1
ovs-vsctl --db=${ovs.db} -- --if-exists del-port ${ns}
ip link del ${ns}; ip netns del ${ns}
rm -rf ${containerPaths(dir, c.interfaceName).dir}
`;
}

/** Runs a script file with bash (50 containers' worth is too long for an argument); resolves with its wall time. */
async function bash(script: string): Promise<number> {
  const file = `${ROOT}/raw.sh`;
  await writeFile(file, script);
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn('bash', [file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b) => { err += b; });
    p.on('exit', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`raw script failed (${code}): ${err.slice(-400)}`))));
  });
}

/** Desired state → the first status report in which every container is RUNNING (or the list is empty). */
async function berthRun(rec: { reconciler: Reconciler; waitFor: (pred: (r: ContainerReport[]) => boolean) => Promise<number> }, doc: DesiredState, n: number): Promise<number> {
  const t = performance.now();
  rec.reconciler.setDesired(doc);
  const done = rec.waitFor((r) => (n === 0 ? r.length === 0 : r.length === n && r.every((c) => c.status === 'RUNNING')));
  await rec.reconciler.run();
  return (await done) - t;
}

export async function benchLinux(opts: { quick: boolean }) {
  const skip = linuxSkipReason();
  if (skip) {
    console.log(`linux benchmark skipped: ${skip}`);
    return { skipped: skip };
  }
  const lock = await hostLock();
  const ovs = await startPrivateOvs(`${ROOT}/ovs`);
  const rawDir = `${ROOT}/raw`;
  const stateDir = `${ROOT}/agent`;
  try {
    await ovs.vsctl('add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE, 'datapath_type=netdev');
    await purgeDriverState(stateDir, ovs, BRIDGE);
    const many = opts.quick ? 10 : 50;
    const rounds = opts.quick ? 3 : 7;
    await purgeNames(Array.from({ length: many }, (_, i) => (['x', 'r', 'y', 's'] as const).map((p) => container(i + 1, p).interfaceName)).flat());
    await rm(rawDir, { recursive: true, force: true });
    await mkdir(rawDir, { recursive: true });

    const driver = await LinuxDriver.open({ stateDir, ovsDb: ovs.db, bridge: BRIDGE, datapathType: 'netdev', ipsecBackend: 'libipsec' });
    const waiters: { pred: (r: ContainerReport[]) => boolean; resolve: (t: number) => void }[] = [];
    const board = new StatusBoard((reports) => {
      const now = performance.now();
      for (const w of [...waiters]) if (w.pred(reports)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(now); }
    });
    const reconciler = new Reconciler({ driver, board, clock: systemClock, logger: silentLogger, hardLimit: null, healthTimeoutMs: 2000, opTimeoutMs: 30_000 });
    const rec = { reconciler, waitFor: (pred: (r: ContainerReport[]) => boolean) => new Promise<number>((resolve) => waiters.push({ pred, resolve })) };
    let generation = 0;
    const doc = (containers: DesiredContainer[]): DesiredState => ({ v: 1, hostId: HOST, epoch: 1, generation: ++generation, containers });

    const results: Record<string, unknown>[] = [];
    const measure = async (n: number, r: number, family: 4 | 6 = 4) => {
      const bUp: number[] = []; const bDown: number[] = []; const rUp: number[] = []; const rDown: number[] = [];
      const bs = Array.from({ length: n }, (_, i) => container(i + 1, family === 6 ? 'y' : 'x'));
      const rs = Array.from({ length: n }, (_, i) => container(i + 1, family === 6 ? 's' : 'r'));
      for (let i = 0; i < r; i++) {
        // Alternate which goes first so neither gets a warmer machine.
        const berth = async () => { bUp.push(await berthRun(rec, doc(bs), n)); bDown.push(await berthRun(rec, doc([]), 0)); };
        const raw = async () => {
          rUp.push(await bash(rs.map((c) => rawUp(c, ovs, rawDir)).join('\n')));
          rDown.push(await bash(rs.map((c) => rawDown(c, ovs, rawDir)).join('\n')));
        };
        if (i % 2) { await raw(); await berth(); } else { await berth(); await raw(); }
      }
      const row = (what: string, b: number[], raw: number[]) => ({
        operation: `${what} ${n} ${family === 6 ? 'IPv6 ' : ''}container${n > 1 ? 's' : ''}`, n, family, rounds: r,
        berthP50: pct(b, 50), berthMax: Math.max(...b), rawP50: pct(raw, 50), rawMax: Math.max(...raw),
        perContainerBerth: pct(b, 50) / n, perContainerRaw: pct(raw, 50) / n, ratio: pct(b, 50) / pct(raw, 50),
      });
      results.push(row('desired → RUNNING,', bUp, rUp), row('desired → removed,', bDown, rDown));
    };
    await measure(1, 1); // warm-up, not recorded
    await measure(1, 1, 6);
    results.length = 0;
    await measure(1, rounds);
    await measure(1, rounds, 6); // IPv6 outside and inside: /127, link-local, ::/0, ND flows, IPv6 peer

    await measure(many, opts.quick ? 1 : 2);
    await driver.close();

    printTable('linux driver (private OVS, userspace datapath, strongSwan libipsec) vs raw shell commands', ['operation', 'rounds', 'berth p50 ms', 'raw p50 ms', 'per container berth / raw ms', 'berth ÷ raw'],
      results.map((r: any) => [r.operation, r.rounds, fmt(r.berthP50), fmt(r.rawP50), `${fmt(r.perContainerBerth)} / ${fmt(r.perContainerRaw)}`, `${r.ratio.toFixed(2)}×`]));
    const version = async (cmd: string) => {
      const r = await execRunner(cmd, ['--version'], { allowFail: true });
      return `${r.stdout}\n${r.stderr}`.split('\n').find((l) => /Open vSwitch|strongSwan/.test(l))?.trim() ?? 'unknown';
    };
    const software = { kernel: (await execRunner('uname', ['-r'])).stdout.trim(), ovs: await version('ovs-vsctl'), strongswan: await version('swanctl') };
    const out = {
      target: 'berth within 1.5× of the raw commands, up and teardown', command: 'npm run bench -- linux',
      setup: 'private OVS, bridge datapath_type=netdev, strongSwan kernel-libipsec; berth = the agent reconciler + linux driver in-process',
      software, results,
    };
    writeJson('linux', out);
    return out;
  } finally {
    await ovs.stop();
    await lock.release();
    await rm(ROOT, { recursive: true, force: true });
  }
}
