// The real `berth` CLI as a child process against the real app on a real port: output, exit codes, and the
// changes it makes as the next command (and the database) see them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ADMIN_TOKEN } from '../test/helpers/harness';
import { hostCredentials, hosts } from '../functions/db/schema';
import { verifySecret } from '../functions/crypto';
import { insertContainer, insertContainerEvent, insertContainerGroup, insertHost } from '../functions/services/hosts/test-fixtures';
import { berth, closedPort, emptyDir, rows, serveTestApp, type Served } from './testing';

let s: Served;
const db = () => s.t.deps.database.db;
const cli = (line: string, o: Parameters<typeof berth>[1] = {}) => berth(line.split(' '), { url: s.url, ...o });
const hostRow = async (id: string) => (await db().select().from(hosts).where(eq(hosts.id, id)))[0];

beforeAll(async () => {
  s = await serveTestApp();
  await insertHost(db(), 'host0', { alive: true });
  await insertHost(db(), 'host1', { alive: true, containerWeight: 2 });
  await insertContainerGroup(db(), { id: 'cg-a', policy: 'weighted' });
  await insertContainer(db(), { id: 'c-a', groupId: 'cg-a', hostId: 'host0', status: 'RUNNING', statusMessage: 'IPsec up: 1 tunnel' });
  await insertContainer(db(), { id: 'c-b', hostId: null });
  await insertContainerEvent(db(), 'c-a', { at: Date.UTC(2026, 0, 1), type: 'SCHEDULED', hostId: 'host0', reason: 'weighted pick' });
});
afterAll(async () => { await s?.close(); });

describe('berth (one-shot) against a live server', () => {
  it('host list prints a table of the fleet', async () => {
    const r = await cli('host list');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const t = rows(r.stdout);
    expect(t[0]).toEqual(['ID', 'ALIVE', 'WEIGHT', 'LIMIT', 'ENFORCED', 'CORDONED', 'CONTAINERS', 'LAST-HEARTBEAT']);
    expect(t.slice(1).map((c) => c.slice(0, 7))).toEqual([
      ['host0', 'true', '1', 'none', 'false', 'false', '1'],
      ['host1', 'true', '2', 'none', 'false', 'false', '0'],
    ]);
  });

  it('host <id> token prints the host\'s own MQTT secret once; again rotates it; only a hash is stored (issue 9)', async () => {
    const first = await cli('host host7 token');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const secret = first.stdout.trim();
    expect(secret).toMatch(/^\S{32,}$/);
    const stored = async () => (await db().select().from(hostCredentials).where(eq(hostCredentials.hostId, 'host7')))[0];
    const hash = (await stored()).secretHash;
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(hash).not.toContain(secret);
    const second = (await cli('host host7 token')).stdout.trim();
    expect(second).not.toBe(secret);
    const rotated = (await stored()).secretHash;
    expect([await verifySecret(secret, rotated), await verifySecret(second, rotated)]).toEqual([false, true]);
    expect(rows((await cli('host list')).stdout).map((c) => c[0])).toContain('host7');
    expect((await cli('host host7 delete')).code).toBe(0);
    expect(await stored()).toBeUndefined();
  });

  it('set container-weight 5 prints nothing and shows in the next list', async () => {
    expect(await cli('host host0 set container-weight 5')).toEqual({ code: 0, stdout: '', stderr: '' });
    const list = rows((await cli('host list')).stdout);
    expect(list.find((c) => c[0] === 'host0')?.[2]).toBe('5');
    expect((await hostRow('host0')).containerWeight).toBe(5);
  });

  it('set container-limit, enforce, then clear container-limit: the limit is gone, the rest stays', async () => {
    expect((await cli('host host1 set container-limit 3 enforce-container-limit true')).code).toBe(0);
    expect((await cli('host host1 show container-limit')).stdout).toBe('3\n');
    expect((await cli('host host1 clear container-limit')).code).toBe(0);
    const show = await cli('host host1 show');
    expect(show.stdout).toMatch(/^container-limit\s+-1$/m);
    expect(show.stdout).toMatch(/^enforce-container-limit\s+true$/m);
    expect(rows((await cli('host list')).stdout).find((c) => c[0] === 'host1')?.slice(3, 5)).toEqual(['none', 'true']);
  });

  it('a bad value exits 2 naming the value and the valid range, and changes nothing', async () => {
    const before = await hostRow('host1');
    const r = await cli('host host1 set container-weight five');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("bad value 'five'; expected an integer from 0 to 1000000");
    const bool = await cli('host host1 set cordoned maybe');
    expect(bool.code).toBe(2);
    expect(bool.stderr).toContain('true or false');
    expect(await hostRow('host1')).toEqual(before);
  });

  it('a bad word exits 2 with the choices; an unknown host exits 1 with the server message', async () => {
    const word = await cli('hots list');
    expect(word.code).toBe(2);
    expect(word.stderr).toContain("unknown command 'hots' (did you mean 'host'?)");
    const unknown = await cli('host nope set container-weight 1');
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr.trim()).toBe('berth: host nope not found');
    expect((await cli('host nope show')).code).toBe(1);
  });

  it('container list, show and a single field (scriptable: the bare value)', async () => {
    const [listed, message, host, noHost, all] = await Promise.all(
      ['container list', 'container c-a show status-message', 'container c-a show host', 'container c-b show host', 'container c-a show'].map((l) => cli(l)),
    );
    const list = rows(listed.stdout);
    expect(list[0]).toEqual(['ID', 'HOST', 'STATUS', 'SCHEDULER', 'GROUP', 'CONFIGURATION', 'MESSAGE']);
    expect(list.map((c) => c.slice(0, 2))).toEqual([['ID', 'HOST'], ['c-a', 'host0'], ['c-b', '-']]);
    expect(message).toEqual({ code: 0, stdout: 'IPsec up: 1 tunnel\n', stderr: '' });
    expect(host.stdout).toBe('host0\n');
    expect(noHost.stdout).toBe('\n');
    expect(all.stdout).toMatch(/^status\s+RUNNING$/m);
  });

  it('container events as a table', async () => {
    const r = await cli('container c-a events');
    expect(rows(r.stdout)).toEqual([['AT', 'TYPE', 'HOST', 'REASON'], ['2026-01-01T00:00:00.000Z', 'SCHEDULED', 'host0', 'weighted pick']]);
    expect((await cli('container nope events')).stderr).toContain('container nope not found');
  });

  it('events: the events of every container as a table, --since pages forward, --json as the server says', async () => {
    const r = await cli('events');
    expect(r.code).toBe(0);
    const t = rows(r.stdout);
    expect(t[0]).toEqual(['ID', 'AT', 'TYPE', 'CONTAINER', 'HOST', 'REASON']);
    const row = t.find((c) => c[3] === 'c-a')!;
    expect(row.slice(1)).toEqual(['2026-01-01T00:00:00.000Z', 'SCHEDULED', 'c-a', 'host0', 'weighted pick']);
    expect(rows((await cli(`events --since ${row[0]}`)).stdout).find((c) => c[3] === 'c-a')).toBeUndefined();
    expect(JSON.parse((await cli('events --json')).stdout).events.some((e: any) => e.containerId === 'c-a')).toBe(true);
    expect(await cli('events --since x')).toMatchObject({ code: 2, stderr: expect.stringContaining("bad value 'x'") });
  });

  it('container-group set policy least changes the policy', async () => {
    expect((await cli('container-group cg-a set policy least')).code).toBe(0);
    expect((await s.t.req('GET', '/v1/container-groups/cg-a')).body.containerGroup.policy).toBe('least');
    expect((await cli('container-group cg-a show policy')).stdout).toBe('least\n');
    expect((await cli('container-group cg-a set policy random')).code).toBe(2);
  });

  it('host groups: create prints the id; members by group name or id', async () => {
    const created = await cli('host-group create az1');
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).not.toBe('');
    expect((await cli('host-group az1 add host host0')).code).toBe(0);
    expect((await cli(`host-group ${id} add host host1`)).code).toBe(0);
    expect((await cli('host-group az1 show hosts')).stdout.split('\n').filter(Boolean).sort()).toEqual(['host0', 'host1']);
    expect((await cli('host-group az1 remove host host1')).code).toBe(0);
    expect(rows((await cli('host-group list')).stdout)[1]).toEqual([id, 'az1', 'host0']);
    const missing = await cli('host-group nope add host host0');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toContain('host group nope not found');
  });

  it('--json prints the server answer as is', async () => {
    const r = await cli('host list --json');
    expect(JSON.parse(r.stdout)).toEqual((await s.t.req('GET', '/v1/hosts')).body);
  });

  it('router southbound: an unknown router is the server message, exit 1', async () => {
    const r = await cli('router nope southbound');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope');
  });

  it('help everywhere: berth help (processes and operator commands), berth host help, --help after words', async () => {
    const [all, host, after] = await Promise.all([berth(['help']), cli('host help'), cli('container c-a explain --help')]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('serve');
    expect(all.stdout).toContain('berth container <id> set host <host>');
    expect(host.code).toBe(0);
    expect(host.stdout).toContain('berth host <id> set <setting> <value>');
    expect(host.stdout).not.toContain('container-group');
    expect(after.stdout).toContain('berth container <id> explain');
  });
});

describe.concurrent('berth failures: the server is old, absent or refuses the token', () => {
  it.each([
    ['host host0 drain --max-parallel 2', 'host drain'],
    ['container c-a set host host1', 'container set host'],
    ['container c-a clear host', 'container clear host'],
    ['container c-a explain', 'container explain'],
    ['rebalance --apply', 'rebalance'],
  ])('%s on a server without the route: "does not support", exit 1', async (line, feature) => {
    const r = await cli(line, { url: s.oldUrl });
    expect(r).toEqual({ code: 1, stdout: '', stderr: `berth: this server does not support ${feature} yet\n` });
  });

  it('connection refused names the URL and asks whether berth serve runs', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await berth(['host', 'list'], { url });
    expect(r).toEqual({ code: 1, stdout: '', stderr: `berth: cannot reach berth at ${url} (is \`berth serve\` running?)\n` });
  });

  it('a BERTH_URL that is not a URL is a usage error', async () => {
    const r = await berth(['host', 'list'], { url: 'localhost:8787' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("BERTH_URL 'localhost:8787' is not an http(s) URL");
  });

  it('without BERTH_TOKEN the token comes from .berth/admin-token; with neither, 401 says what to set', async () => {
    const d = emptyDir();
    try {
      const none = await cli('host list', { cwd: d.dir, env: { BERTH_TOKEN: '' } });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('missing token');
      expect(none.stderr).toContain('set BERTH_TOKEN');
      mkdirSync(join(d.dir, '.berth'));
      writeFileSync(join(d.dir, '.berth/admin-token'), `${ADMIN_TOKEN}\n`);
      expect((await cli('host list', { cwd: d.dir, env: { BERTH_TOKEN: '' } })).code).toBe(0);
      const wrong = await cli('host list', { cwd: d.dir, env: { BERTH_TOKEN: 'not-the-token' } });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('invalid token');
    } finally {
      d.remove();
    }
  });
});
