// A container directory without a readable record (issue 10): the driver removes what its name says exists, through
// the exec layer — and never an interface that is not a veth of ours (a stray directory named "lo" or "eth0").
// test/linux/driver.test.ts does the same on a real host with a running charon, OVS port and namespace.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Builder } from './build';
import { Charon } from './charon';
import type { Runner } from './exec';
import { driverDir } from './names';
import { Netns } from './netns';
import { Ovs } from './ovs';
import { RecordStore } from './state';

describe('a container directory without a readable record', () => {
  let stateDir: string;
  let calls: string[];
  let builder: Builder;
  let store: RecordStore;
  /** `ip -j -d link show dev X` answers like iproute2 for the links this fake host has. */
  const links: Record<string, string | null> = { 'vpn-stray1': 'veth', lo: null, eth0: 'e1000-has-no-kind' };
  const run: Runner = async (cmd, args) => {
    calls.push([cmd, ...args].join(' '));
    const show = args.join(' ').match(/^-j -d link show dev (.+)$/);
    if (cmd === 'ip' && show) {
      if (!(show[1] in links)) return { code: 1, stdout: '', stderr: `Device "${show[1]}" does not exist.`, ms: 1 };
      const kind = links[show[1]];
      return { code: 0, stdout: JSON.stringify([{ ifname: show[1], ...(kind && kind !== 'e1000-has-no-kind' ? { linkinfo: { info_kind: kind } } : {}) }]), stderr: '', ms: 1 };
    }
    return { code: 0, stdout: '', stderr: '', ms: 1 };
  };

  beforeEach(async () => {
    calls = [];
    stateDir = await mkdtemp(join(tmpdir(), 'berth-orphan-'));
    store = new RecordStore(stateDir);
    const netns = new Netns(run, 'system');
    builder = new Builder({
      netns, ovs: new Ovs({ bridge: 'br-int', datapathType: 'system', run }), charon: new Charon({ run, netns, backend: 'kernel' }),
      store, standalone: true, uplinkOfport: () => null, ownerTag: 1,
    });
    for (const name of ['vpn-stray1', 'lo', 'eth0', 'not an interface name!']) {
      await mkdir(join(driverDir(stateDir), name), { recursive: true });
      await writeFile(join(driverDir(stateDir), name, 'container.json'), '{"v":1,"spec":{"id":"trunc');
    }
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  it('is found as a stray by the record store', async () => {
    expect((await store.readAll()).strays.sort()).toEqual(['eth0', 'lo', 'not an interface name!', 'vpn-stray1']);
  });

  it('removes the veth of its name and its directory', async () => {
    expect(await builder.teardownOrphan('vpn-stray1')).toEqual(['veth vpn-stray1']);
    expect(calls).toContain('ip link del vpn-stray1');
    expect(await readdir(driverDir(stateDir))).not.toContain('vpn-stray1');
  });

  it.each(['lo', 'eth0', 'not an interface name!'])('never removes a link that is not a veth (%s), only the directory', async (name) => {
    expect(await builder.teardownOrphan(name)).toEqual([]);
    expect(calls.filter((c) => / del /.test(c))).toEqual([]);
    expect(await readdir(driverDir(stateDir))).not.toContain(name);
  });
});
