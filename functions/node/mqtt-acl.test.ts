// Broker authentication and topic ACL rules (what the embedded broker enforces), table-driven, over an in-memory
// credential store with the real hashing: per-host secrets, the fleet token only enrolling, strict client ids.
import { beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../crypto';
import { memoryCredentialStore, testHostSecret } from './credential-store-memory';
import { enrolPassword, judgeConnect, mayPublish, maySubscribe, publishVerdict, sameSecret, type Identity } from './mqtt-acl';
import { mosquittoAcl, mosquittoConf, mosquittoPasswd, mqttAclCommand } from './mosquitto';

const hosts = memoryCredentialStore();
const creds = { agentToken: 'agent-token-0123456789', controlPassword: 'control-password-0123456789', hosts };
const host0: Identity = { kind: 'host', hostId: 'host0', secretHash: 'h' };
const control: Identity = { kind: 'control' };
const S0 = testHostSecret('host0');

beforeAll(async () => {
  await hosts.set('host0', S0);
  await hosts.set('host1', testHostSecret('host1'));
});

describe('judgeConnect', () => {
  const agent = { username: 'host0', password: S0, clientId: 'berth-agent-host0', will: { topic: 'berth/v1/hosts/host0/presence', retain: true } };
  it.each([
    ['a host with its own secret, its client id and its own presence as will', agent, { ok: true, identity: { kind: 'host', hostId: 'host0' } }],
    ['the control plane', { username: 'berth-control', password: creds.controlPassword, clientId: 'berth-control-1a2b', will: null }, { ok: true, identity: control }],
    ['the fleet token for an enrolled host', { ...agent, password: creds.agentToken }, { ok: false, code: 4, reason: 'the fleet token only enrols; it never authenticates an enrolled host' }],
    ['an enrolment of an enrolled host', { ...agent, password: enrolPassword(creds.agentToken, testHostSecret('other')) }, { ok: false, code: 4 }],
    ["host1's secret as host0", { ...agent, password: testHostSecret('host1') }, { ok: false, code: 4, reason: 'wrong host secret' }],
    ['a host with no credential', { ...agent, username: 'host9', clientId: 'berth-agent-host9', will: null }, { ok: false, code: 4 }],
    ['no password', { ...agent, password: undefined }, { ok: false, code: 4 }],
    ['no username', { ...agent, username: undefined }, { ok: false, code: 4 }],
    ['a username that is no host id', { ...agent, username: 'host/0' }, { ok: false, code: 4 }],
    ['a 65-character host id', { ...agent, username: 'h'.repeat(65) }, { ok: false, code: 4 }],
    ['the fleet token as berth-control', { username: 'berth-control', password: creds.agentToken, clientId: 'berth-control-x', will: null }, { ok: false, code: 4 }],
    ['the control plane under another client id', { username: 'berth-control', password: creds.controlPassword, clientId: 'x', will: null }, { ok: false, code: 2 }],
    ["another host's client id (a session takeover)", { ...agent, clientId: 'berth-agent-host1' }, { ok: false, code: 2 }],
    ['a client id outside berth-agent-<id>', { ...agent, clientId: 'probe-1' }, { ok: false, code: 2 }],
    ["the control plane's client id", { ...agent, clientId: 'berth-control-1a2b' }, { ok: false, code: 2 }],
    ["a Last Will on another host's presence", { ...agent, will: { topic: 'berth/v1/hosts/host1/presence' } }, { ok: false, code: 5 }],
    ['a Last Will on its own desired topic', { ...agent, will: { topic: 'berth/v1/hosts/host0/desired' } }, { ok: false, code: 5 }],
    ['a retained Last Will on its heartbeat', { ...agent, will: { topic: 'berth/v1/hosts/host0/heartbeat', retain: true } }, { ok: false, code: 5 }],
  ] as const)('%s', async (_name, req, want) => {
    expect(await judgeConnect(req, creds)).toMatchObject(want);
  });

  it('the fleet token enrols a new host id once, with the secret the agent made; a retry of the same secret is accepted', async () => {
    const store = memoryCredentialStore();
    const c = { ...creds, hosts: store };
    const req = (password: string) => ({ username: 'fresh', password, clientId: 'berth-agent-fresh', will: null });
    const secret = testHostSecret('fresh');
    expect(await judgeConnect(req(enrolPassword('wrong-fleet-token', secret)), c)).toMatchObject({ ok: false, code: 4, reason: 'wrong fleet token' });
    expect(await judgeConnect(req(enrolPassword(creds.agentToken, 'short')), c)).toMatchObject({ ok: false, code: 4 });
    expect(await judgeConnect(req(enrolPassword(creds.agentToken, secret)), c)).toMatchObject({ ok: true, enrolled: true });
    expect(await judgeConnect(req(enrolPassword(creds.agentToken, secret)), c)).toMatchObject({ ok: true, enrolled: false });
    expect(await judgeConnect(req(secret), c)).toMatchObject({ ok: true });
    expect(await judgeConnect(req(enrolPassword(creds.agentToken, testHostSecret('thief'))), c)).toMatchObject({ ok: false, code: 4 });
    expect(await judgeConnect(req(creds.agentToken), c)).toMatchObject({ ok: false, code: 4 });
  });
});

describe('topic ACL', () => {
  it.each([
    [host0, 'berth/v1/hosts/host0/presence', true],
    [host0, 'berth/v1/hosts/host0/heartbeat', true],
    [host0, 'berth/v1/hosts/host0/status', true],
    [host0, 'berth/v1/hosts/host0/desired', false],
    [host0, 'berth/v1/hosts/host1/heartbeat', false],
    [host0, 'berth/v1/events', false],
    [host0, 'berth/v1/hosts/host0/status/extra', false],
    [host0, '$SYS/anything', false],
    [control, 'berth/v1/hosts/host0/desired', true],
    [control, 'berth/v1/events', true],
    [control, 'elsewhere/x', false],
  ] as const)('%j may publish %s: %s', (id, topic, want) => {
    expect(mayPublish(id, topic)).toBe(want);
  });

  it.each([
    [host0, 'berth/v1/hosts/host0/presence', 'ok'],
    [host0, 'berth/v1/hosts/host0/heartbeat', 'retain'],
    [host0, 'berth/v1/hosts/host0/status', 'retain'],
    [host0, 'berth/v1/hosts/host1/presence', 'denied'],
    [control, 'berth/v1/hosts/host0/desired', 'ok'],
    [control, 'berth/v1/events', 'retain'],
    [control, 'berth/v1/hosts/host0/heartbeat', 'retain'],
  ] as const)('%j publishing %s retained: %s', (id, topic, want) => {
    expect(publishVerdict(id, topic, true)).toBe(want);
  });

  it.each([
    [host0, 'berth/v1/hosts/host0/desired', true],
    [host0, 'berth/v1/hosts/host1/desired', false],
    [host0, 'berth/v1/hosts/+/desired', false],
    [host0, 'berth/v1/hosts/host0/#', false],
    [host0, '#', false],
    [host0, 'berth/v1/hosts/host0/status', false],
    [control, 'berth/v1/hosts/+/heartbeat', true],
    [control, '$share/berth/berth/v1/hosts/+/status', true],
  ] as const)('%j may subscribe %s: %s', (id, filter, want) => {
    expect(maySubscribe(id, filter)).toBe(want);
  });
});

describe('sameSecret', () => {
  it.each([['abc', 'abc', true], ['abc', 'abd', false], ['abc', 'abcd', false], ['', '', true], ['', 'a', false]] as const)('%s vs %s', (a, b, want) => {
    expect(sameSecret(a, b)).toBe(want);
  });
});

describe('berth mqtt-acl', () => {
  const io = { stateDir: '.berth', controlPassword: async () => 'control-pw', credentials: async () => [{ hostId: 'host0', secretHash: await hashSecret('s0') }] };

  it('prints pattern lines with %u for the hosts and full access for berth-control', async () => {
    const acl = mosquittoAcl();
    expect(acl).toContain('user berth-control\ntopic readwrite berth/v1/#');
    for (const line of ['pattern write berth/v1/hosts/%u/presence', 'pattern write berth/v1/hosts/%u/heartbeat', 'pattern write berth/v1/hosts/%u/status', 'pattern read berth/v1/hosts/%u/desired']) {
      expect(acl).toContain(line);
    }
    expect(await mqttAclCommand([], io)).toEqual({ code: 0, out: acl });
  });

  it('passwd prints the stored hashes and a hash of the control password, never a secret', async () => {
    const r = await mqttAclCommand(['passwd'], io);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^berth-control:\$7\$1000\$[^$]+\$[^$]+\nhost0:\$7\$1000\$/);
    expect(r.out).not.toContain('control-pw');
    expect(await mosquittoPasswd('x', [])).toMatch(/^berth-control:\$7\$/);
  });

  it('conf: the agents listener pins client ids to usernames, the control plane has its own listener', async () => {
    const r = await mqttAclCommand(['conf', '--port', '8883', '--control-port', '1884', '--dir', '/etc/b', '--cert', 'c.pem', '--key', 'k.pem'], io);
    expect(r.out).toBe(mosquittoConf({ agentPort: 8883, controlPort: 1884, dir: '/etc/b', tls: { certFile: 'c.pem', keyFile: 'k.pem' } }));
    expect(r.out).toContain('listener 8883\nallow_anonymous false\npassword_file /etc/b/berth.passwd\nacl_file /etc/b/berth.acl\nuse_username_as_clientid true\ncertfile c.pem');
    expect(r.out).toContain('listener 1884 127.0.0.1');
    // Global: the control plane's connections carry every host's QoS 1 messages (issue 12's fleet benchmark).
    expect(r.out).toContain('max_inflight_messages 0\nmax_queued_messages 100000');
  });

  it.each([[['bogus']], [['passwd', '--host', 'x']], [['conf']], [['conf', '--port', '1', '--control-port', '2', '--cert', 'c']]])('refuses %j with usage', async (argv) => {
    expect((await mqttAclCommand(argv, io)).code).toBe(2);
  });
});
