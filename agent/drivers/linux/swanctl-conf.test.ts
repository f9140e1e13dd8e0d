// The strongSwan configuration rendered from a container's connections: proposals, ids, subnets, lifetimes,
// DPD, initiator mode, backend-specific settings, and PSKs only ever in the secrets file.
import { describe, expect, it } from 'vitest';
import { exampleConnection, exampleContainer, exampleContainerV6 } from '../../../shared/protocol/examples';
import type { IpsecConfig, IpsecConnection } from '../../../shared/protocol/messages';
import { isDriverError } from '../contract';
import { ahProposal, espProposal, ikeProposal } from './proposals';
import { renderStrongswanConf } from './strongswan-conf';
import { childNames, localAnchors, quote, renderSecrets, renderSwanctlConf } from './swanctl-conf';

const cfgWith = (...conns: IpsecConnection[]): IpsecConfig => ({ ...exampleContainer(1).config, connections: conns });
const render = (cfg: IpsecConfig, backend: 'kernel' | 'libipsec' = 'libipsec') => renderSwanctlConf('a1', cfg, { backend });
/** The lines of one `key = value` setting anywhere in the text. */
const settings = (text: string, key: string) => text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(`${key} = `)).map((l) => l.slice(key.length + 3));

describe('proposals from Neutron algorithm names', () => {
  it.each([
    { enc: 'aes-128', auth: 'sha256', pfs: 'group14', ike: 'aes128-sha256-prfsha256-modp2048', esp: 'aes128-sha256-modp2048' },
    { enc: 'aes-256', auth: 'sha512', pfs: 'group21', ike: 'aes256-sha512-prfsha512-ecp521', esp: 'aes256-sha512-ecp521' },
    { enc: 'aes-192', auth: 'sha384', pfs: 'group5', ike: 'aes192-sha384-prfsha384-modp1536', esp: 'aes192-sha384-modp1536' },
    { enc: '3des', auth: 'sha1', pfs: 'group2', ike: '3des-sha1-prfsha1-modp1024', esp: '3des-sha1-modp1024' },
    { enc: 'aes-128-gcm-16', auth: 'sha256', pfs: 'group19', ike: 'aes128gcm16-prfsha256-ecp256', esp: 'aes128gcm16-ecp256' },
    { enc: 'aes-256-ccm-8', auth: 'sha256', pfs: 'group31', ike: 'aes256ccm8-prfsha256-curve25519', esp: 'aes256ccm8-curve25519' },
    { enc: 'aes-128-ctr', auth: 'aes-xcbc', pfs: 'group15', ike: 'aes128ctr-aesxcbc-prfaesxcbc-modp3072', esp: 'aes128ctr-aesxcbc-modp3072' },
  ])('$enc / $auth / $pfs', ({ enc, auth, pfs, ike, esp }) => {
    const p = { encryptionAlgorithm: enc, authAlgorithm: auth, pfs };
    expect(ikeProposal(p)).toBe(ike);
    expect(espProposal(p)).toBe(esp);
  });

  it.each([
    { p: { encryptionAlgorithm: 'aes-100', authAlgorithm: 'sha256', pfs: 'group14' }, what: 'encryption algorithm', prefix: 'IKE ' },
    { p: { encryptionAlgorithm: 'aes-128', authAlgorithm: 'sha3', pfs: 'group14' }, what: 'auth algorithm', prefix: 'IKE ' },
    { p: { encryptionAlgorithm: 'aes-128', authAlgorithm: 'sha256', pfs: 'group99' }, what: 'PFS group', prefix: '' },
    { p: { encryptionAlgorithm: 'aes-128', authAlgorithm: 'constructor', pfs: 'group14' }, what: 'auth algorithm', prefix: 'IKE ' },
  ])('refuses an unknown $what', ({ p, what, prefix }) => {
    let err: unknown;
    try { ikeProposal(p); } catch (e) { err = e; }
    expect(isDriverError(err) && err.code).toBe('FAILED');
    expect((err as Error).message).toContain(`unsupported ${prefix}${what}`);
  });

  it('renders AH and AH+ESP transforms', () => {
    expect(ahProposal({ authAlgorithm: 'sha256', pfs: 'group14' })).toBe('sha256-modp2048');
    const conn = exampleConnection({ ipsec: { ...exampleConnection().ipsec, transformProtocol: 'ah-esp' } });
    const text = render(cfgWith(conn));
    expect(settings(text, 'esp_proposals')).toEqual(['aes128-sha256-modp2048']);
    expect(settings(text, 'ah_proposals')).toEqual(['sha256-modp2048']);
  });
});

describe('swanctl.conf', () => {
  it('renders the seed connection to-venus', () => {
    const text = render(cfgWith(exampleConnection()));
    const expected: [string, string[]][] = [
      ['version', ['2']], ['local_addrs', ['1.0.0.2']], ['remote_addrs', ['1.0.0.3']],
      ['proposals', ['aes128-sha256-prfsha256-modp2048']], ['esp_proposals', ['aes128-sha256-modp2048']],
      ['rekey_time', ['3600s', '3600s']], ['dpd_delay', ['30s']], ['dpd_action', ['trap']],
      ['start_action', ['start']], ['keyingtries', ['0']], ['mode', ['tunnel']],
      ['local_ts', ['192.168.1.0/24']], ['remote_ts', ['192.168.2.0/24']],
      ['id', ['"1.0.0.2"', '"1.0.0.3"']], ['encap', ['yes']], ['auth', ['psk', 'psk']], ['unique', ['replace']], ['mobike', ['no']],
    ];
    for (const [key, values] of expected) expect([key, settings(text, key)]).toEqual([key, values]);
    expect(text).toContain('include secrets.conf');
  });

  it('never writes a PSK into swanctl.conf, only (base64) into the secrets file', () => {
    const psk = 'p"s\\k with spaces # and {braces}';
    const cfg = cfgWith(exampleConnection({ psk }));
    expect(render(cfg)).not.toContain('p"s');
    const secrets = renderSecrets(cfg);
    expect(settings(secrets, 'secret')).toEqual([`0s${Buffer.from(psk).toString('base64')}`]);
    expect(secrets).not.toContain(psk);
  });

  it.each([
    { backend: 'libipsec' as const, encap: ['yes'] },
    { backend: 'kernel' as const, encap: [] },
  ])('forces UDP encapsulation only for the userspace ESP backend ($backend)', ({ backend, encap }) => {
    expect(settings(render(cfgWith(exampleConnection()), backend), 'encap')).toEqual(encap);
  });

  it.each([
    { over: { initiator: 'response-only' as const }, key: 'start_action', values: ['none'] },
    { over: { initiator: 'response-only' as const }, key: 'keyingtries', values: [] },
    { over: { dpd: { action: 'disabled' as const, interval: 30, timeout: 120 } }, key: 'dpd_delay', values: ['0s'] },
    { over: { dpd: { action: 'clear' as const, interval: 10, timeout: 40 } }, key: 'dpd_action', values: ['clear'] },
    { over: { dpd: { action: 'restart' as const, interval: 10, timeout: 40 } }, key: 'dpd_delay', values: ['10s'] },
    { over: { dpd: { action: 'restart-by-peer' as const, interval: 10, timeout: 40 } }, key: 'dpd_action', values: ['restart'] },
    { over: { localId: 'mercury.example.com' }, key: 'id', values: ['"mercury.example.com"', '"1.0.0.3"'] },
    { over: { peerId: '@venus' }, key: 'id', values: ['"1.0.0.2"', '"@venus"'] },
    { over: { peerAddress: 'venus.example.com' }, key: 'remote_addrs', values: ['venus.example.com'] },
    { over: { ipsec: { ...exampleConnection().ipsec, encapsulationMode: 'transport' as const, lifetimeSeconds: 1200 } }, key: 'rekey_time', values: ['3600s', '1200s'] },
    { over: { ipsec: { ...exampleConnection().ipsec, encapsulationMode: 'transport' as const } }, key: 'mode', values: ['transport'] },
    { over: { localCidrs: ['10.0.0.0/24', '10.0.1.0/24'], peerCidrs: ['10.9.0.0/16'] }, key: 'local_ts', values: ['10.0.0.0/24,10.0.1.0/24'] },
  ])('$key for $over', ({ over, key, values }) => {
    expect(settings(render(cfgWith(exampleConnection(over))), key)).toEqual(values);
  });

  it('IKEv1: one CHILD_SA per subnet pair, DPD timeout, aggressive mode', () => {
    const conn = exampleConnection({
      localCidrs: ['10.0.0.0/24', '10.0.1.0/24'], peerCidrs: ['10.9.0.0/24', '10.8.0.0/24'],
      ike: { ...exampleConnection().ike, version: 'v1', phase1NegotiationMode: 'aggressive' },
    });
    const text = render(cfgWith(conn));
    expect(settings(text, 'version')).toEqual(['1']);
    expect(settings(text, 'aggressive')).toEqual(['yes']);
    expect(settings(text, 'dpd_timeout')).toEqual(['120s']);
    expect(childNames(conn)).toHaveLength(4);
    expect(settings(text, 'local_ts')).toEqual(['10.0.0.0/24', '10.0.0.0/24', '10.0.1.0/24', '10.0.1.0/24']);
    expect(settings(text, 'remote_ts')).toEqual(['10.9.0.0/24', '10.8.0.0/24', '10.9.0.0/24', '10.8.0.0/24']);
  });

  it('leaves admin-down connections out of both files', () => {
    const cfg = cfgWith(exampleConnection(), exampleConnection({ id: 'k-down', adminStateUp: false, psk: 'down-secret' }));
    expect(render(cfg)).not.toContain('k-down');
    expect(renderSecrets(cfg)).not.toContain('k-down');
  });

  it('quotes free-text ids so no character can break the file', () => {
    expect(quote('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
  });

  it('names connections with dots or colons in their ids without ambiguity', () => {
    const text = render(cfgWith(exampleConnection({ id: 'conn.1:a' })));
    expect(text).toContain(`x-${Buffer.from('conn.1:a').toString('hex')} {`);
  });

  it.each([
    { what: 'v6 in v6', ext: { v4: null, v6: '2001:db8:1::2' }, peer: '2001:db8:1::3', local: ['2001:db8:a::/64'], remote: ['2001:db8:b::/64'], addr: '2001:db8:1::2' },
    { what: 'v6 in v4', ext: { v4: '1.0.0.2', v6: '2001:db8:1::2' }, peer: '1.0.0.3', local: ['2001:db8:a::/64'], remote: ['2001:db8:b::/64'], addr: '1.0.0.2' },
    { what: 'v4 in v6', ext: { v4: '1.0.0.2', v6: '2001:db8:1::2' }, peer: '2001:db8:1::3', local: ['192.168.1.0/24'], remote: ['192.168.2.0/24'], addr: '2001:db8:1::2' },
  ])('$what: IPv6 peers and traffic selectors, sourced from the external address of the peer\'s family', ({ ext, peer, local, remote, addr }) => {
    const cfg: IpsecConfig = { ...exampleContainerV6(1).config, externalIp: ext, connections: [exampleConnection({ peerAddress: peer, peerId: peer, localCidrs: local, peerCidrs: remote })] };
    const text = render(cfg);
    expect(settings(text, 'local_addrs')).toEqual([addr]);
    expect(settings(text, 'remote_addrs')).toEqual([peer]);
    expect(settings(text, 'local_ts')).toEqual(local);
    expect(settings(text, 'remote_ts')).toEqual(remote);
    expect(settings(text, 'id')).toEqual([`"${addr}"`, `"${peer}"`]);
    expect(settings(renderSecrets(cfg), 'id-local')).toEqual([`"${addr}"`]);
  });

  it('refuses an IPv6 peer when the VPN service has no external IPv6 address', () => {
    let err: unknown;
    try { render(cfgWith(exampleConnection({ peerAddress: '2001:db8::3' }))); } catch (e) { err = e; }
    expect((err as Error).message).toMatch(/no external IPv6 address/);
  });
});

describe('local subnet anchors', () => {
  it.each([
    { cidrs: ['192.168.1.0/24'], anchors: ['192.168.1.0/32'] },
    { cidrs: ['10.1.0.0/16', '192.168.1.0/24'], anchors: ['10.1.0.0/32', '192.168.1.0/32'] },
    { cidrs: ['10.1.2.3/32', '10.1.2.4/31'], anchors: [] },
    { cidrs: ['2001:db8:1::/64'], anchors: ['2001:db8:1::/128'] },
  ])('$cidrs → $anchors', ({ cidrs, anchors }) => {
    expect(localAnchors(cfgWith(exampleConnection({ localCidrs: cidrs })))).toEqual(anchors);
  });
});

describe('strongswan.conf', () => {
  it('gives charon its own vici socket and log, and loads the userspace backend before kernel-netlink', () => {
    const text = renderStrongswanConf('a1', { vici: '/s/vpn-x/charon.vici', log: '/s/vpn-x/charon.log' }, 'libipsec');
    expect(text).toContain('socket = unix:///s/vpn-x/charon.vici');
    expect(text).toContain('path = /s/vpn-x/charon.log');
    expect(text).toMatch(/load = .* kernel-libipsec kernel-netlink vici/);
    expect(text).toContain('reuse_ikesa = no');
    expect(renderStrongswanConf('a1', { vici: '/v', log: '/l' }, 'kernel')).not.toContain('kernel-libipsec');
  });
});
