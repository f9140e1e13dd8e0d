// The driver conformance suite against the linux driver on a real host: a private OVS bridge (userspace
// datapath) and strongSwan's userspace ESP. The suite's example containers (external IP 1.0.0.2) connect to
// peers at 1.0.0.3 (venus) and 1.0.0.4 (mars): two responder containers built by a second, separate linux
// driver on the same bridge, so "up" means a real IKE_SA with an installed CHILD_SA.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Driver } from '../../agent/drivers/contract';
import { LinuxDriver } from '../../agent/drivers/linux/driver';
import { exampleConnection, exampleContainer } from '../../shared/protocol/examples';
import { hostLock, linuxSkipReason, purgeDriverState, purgeNames, startPrivateOvs, TEST_ROOT, type PrivateOvs } from '../linux/host';
import { gatewayContainer, type Gateway } from '../linux/specs';
import { driverConformance } from './driver-suite';

const skip = linuxSkipReason();
const ROOT = `${TEST_ROOT}/conformance`;
const BRIDGE = 'br-tconf';
const venus: Gateway = { n: 40, name: 'vpn-cvenus', externalIp: '1.0.0.3', localCidr: '192.168.2.0/24' };
const mars: Gateway = { n: 41, name: 'vpn-cmars', externalIp: '1.0.0.4', localCidr: '192.168.3.0/24' };
/** The suite's containers: exampleContainer(1) and (2). */
const SUITE_NAMES = [exampleContainer(1).interfaceName, exampleContainer(2).interfaceName];

/** A peer that answers the suite's example connection (same PSK and policies, it never initiates). */
function responder(self: Gateway) {
  const conn = exampleConnection({
    id: `c2000000-0000-4000-8000-0000000000${self.n}`, name: 'to-example', peerAddress: '1.0.0.2', peerId: '1.0.0.2',
    localCidrs: [self.localCidr], peerCidrs: ['192.168.1.0/24'], initiator: 'response-only',
  });
  return gatewayContainer(self, [], { connections: [conn] });
}

if (skip) {
  describe.skip(`driver conformance: linux — skipped: ${skip}`, () => { it('needs a Linux host with root and the packages', () => {}); });
} else {
  let lock: Awaited<ReturnType<typeof hostLock>>;
  let ovs: PrivateOvs;
  let peers: LinuxDriver;
  let n = 0;
  const open = (stateDir: string) => LinuxDriver.open({ stateDir, ovsDb: ovs.db, bridge: BRIDGE, datapathType: 'netdev', ipsecBackend: 'libipsec' });

  beforeAll(async () => {
    lock = await hostLock();
    ovs = await startPrivateOvs(`${ROOT}/ovs`);
    await ovs.vsctl('add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE, 'datapath_type=netdev');
    await rm(ROOT + '/agents', { recursive: true, force: true });
    await purgeDriverState(`${ROOT}/peers`, ovs, BRIDGE);
    await purgeNames([...SUITE_NAMES, venus.name, mars.name]);
    peers = await open(`${ROOT}/peers`);
    await peers.create(responder(venus));
    await peers.create(responder(mars));
  }, 600_000);

  afterAll(async () => {
    if (!ovs) return;
    try {
      for (const c of (await peers?.list()) ?? []) await peers.delete(c.id);
      await purgeNames(SUITE_NAMES);
    } finally {
      await ovs.stop();
      await lock?.release();
      await rm(ROOT, { recursive: true, force: true });
    }
  }, 60_000);

  driverConformance('linux', async () => {
    const stateDir = `${ROOT}/agents/${++n}`;
    let driver: Driver = await open(stateDir);
    return {
      get driver() { return driver; },
      reopen: async () => {
        await driver.close();
        driver = await open(stateDir);
        return driver;
      },
      cleanup: async () => {
        for (const c of await driver.list()) await driver.delete(c.id);
        await driver.close();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  }, { runningWithinMs: 20_000 });
}
