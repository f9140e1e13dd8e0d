// Broker authentication and topic ACL rules (what the embedded broker enforces), table-driven.
import { describe, expect, it } from 'vitest';
import { judgeConnect, mayPublish, maySubscribe, mosquittoAcl, mqttAclCommand, sameSecret, type Identity } from './mqtt-acl';

const creds = { agentToken: 'agent-token-0123456789', controlPassword: 'control-password-0123456789' };
const host0: Identity = { kind: 'host', hostId: 'host0' };
const control: Identity = { kind: 'control' };

describe('judgeConnect', () => {
  const agent = { username: 'host0', password: creds.agentToken, clientId: 'berth-agent-host0', will: { topic: 'berth/v1/hosts/host0/presence' } };
  it.each([
    ['an agent with the token, its client id and its own presence as will', agent, { ok: true, identity: host0 }],
    ['an agent with any client id outside berth-', { ...agent, clientId: 'probe-1', will: null }, { ok: true, identity: host0 }],
    ['the control plane', { username: 'berth-control', password: creds.controlPassword, clientId: 'berth-control-1a2b', will: null }, { ok: true, identity: control }],
    ['a wrong agent token', { ...agent, password: 'nope' }, { ok: false, code: 4 }],
    ['no password', { ...agent, password: undefined }, { ok: false, code: 4 }],
    ['no username', { ...agent, username: undefined }, { ok: false, code: 4 }],
    ['a username that is no host id', { ...agent, username: 'host/0' }, { ok: false, code: 4 }],
    ['a 65-character host id', { ...agent, username: 'h'.repeat(65) }, { ok: false, code: 4 }],
    ['the agent token as berth-control', { username: 'berth-control', password: creds.agentToken, clientId: 'berth-control-x', will: null }, { ok: false, code: 4 }],
    ['the control plane under another client id', { username: 'berth-control', password: creds.controlPassword, clientId: 'x', will: null }, { ok: false, code: 5 }],
    ["another host's client id (a session takeover)", { ...agent, clientId: 'berth-agent-host1' }, { ok: false, code: 5 }],
    ["the control plane's client id", { ...agent, clientId: 'berth-control-1a2b' }, { ok: false, code: 5 }],
    ["a Last Will on another host's presence", { ...agent, will: { topic: 'berth/v1/hosts/host1/presence' } }, { ok: false, code: 5 }],
    ['a Last Will on its own desired topic', { ...agent, will: { topic: 'berth/v1/hosts/host0/desired' } }, { ok: false, code: 5 }],
  ] as const)('%s', (_name, req, want) => {
    expect(judgeConnect(req, creds)).toMatchObject(want);
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
  ] as const)('%j may publish %s: %s', (id, topic, want) => {
    expect(mayPublish(id, topic)).toBe(want);
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
  it('prints pattern lines with %u for the agents and full access for berth-control', () => {
    const acl = mosquittoAcl();
    expect(acl).toContain('user berth-control\ntopic readwrite berth/v1/#');
    for (const line of ['pattern write berth/v1/hosts/%u/presence', 'pattern write berth/v1/hosts/%u/heartbeat', 'pattern write berth/v1/hosts/%u/status', 'pattern read berth/v1/hosts/%u/desired']) {
      expect(acl).toContain(line);
    }
    expect(mqttAclCommand([], '.berth')).toEqual({ code: 0, out: acl });
  });

  it('passwd prints a script that reads the secrets instead of printing them', () => {
    const r = mqttAclCommand(['passwd', '--host', 'host0', '--host', 'host1', '--file', '/tmp/p'], '/var/lib/berth');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`cat '/var/lib/berth/admin-token'`);
    expect(r.out).toContain(`mosquitto_passwd -b "$FILE" 'host1' "$AGENT_TOKEN"`);
    expect(r.out).toContain(`FILE=\${1:-'/tmp/p'}`);
  });

  it.each([[['bogus']], [['passwd', '--host']], [['passwd', '--host', 'a b']], [['passwd', '--nope', 'x']]])('refuses %j with usage', (argv) => {
    expect(mqttAclCommand(argv, '.berth').code).toBe(2);
  });
});
