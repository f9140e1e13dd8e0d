// "Site" namespaces for linux tests: a host behind a VPN router's local subnet, plugged into the test OVS
// bridge, plus the one flow the router itself would provide (delivering its subnet's traffic to the site).
// And traffic checks run inside namespaces: ping, a UDP echo and a 1 MB TCP echo.
import { spawn } from 'node:child_process';
import { firstHost, networkCidr } from '../../shared/model/net';
import { sh, shOk } from './host';

export interface Site {
  name: string;
  address: string;
  mac: string;
  ofport: number;
}

export interface SiteOptions {
  db: string;
  bridge: string;
  /** Namespace (= veth host end) name, at most 12 characters. */
  name: string;
  mac: string;
  /** e.g. 192.168.1.10/24 or 2001:db8:a::10/64; the gateway is the subnet's first host (.1, ::1). */
  cidrAddress: string;
  /** The VPN router's MAC (the container port's routerMac): the site's gateway, whose routes the driver's flows realise. */
  routerMac: string;
}

const vsctl = (db: string, ...args: string[]) => sh('ovs-vsctl', [`--db=${db}`, '--timeout=10', ...args]);
const ofctlTarget = (db: string, bridge: string) => `unix:${db.slice(5).replace(/\/[^/]+$/, '')}/${bridge}.mgmt`;
export const SITE_COOKIE = '0x5173';

export async function addSite(o: SiteOptions): Promise<Site> {
  const [address, prefix] = o.cidrAddress.split('/');
  const v6 = address.includes(':');
  // The subnet's gateway is its first host (.1, or ::1 of an IPv6 /64 written as prefix::host).
  const subnet = networkCidr(address, Number(prefix));
  const gateway = firstHost(subnet);
  await sh('ip', ['-batch', '-'], `netns add ${o.name}\nlink add ${o.name} type veth peer name ${o.name}-ns address ${o.mac} netns ${o.name}\nlink set ${o.name} up\n`);
  await sh('ip', ['-n', o.name, '-batch', '-'], [
    'link set lo up', `link set ${o.name}-ns up`, `addr add ${o.cidrAddress} dev ${o.name}-ns${v6 ? ' nodad' : ''}`,
    `route add ${v6 ? '::/0' : 'default'} via ${gateway}`, `neigh add ${gateway} lladdr ${o.routerMac} dev ${o.name}-ns nud permanent`,
  ].join('\n') + '\n');
  // The userspace datapath would otherwise deliver UDP/TCP with bad checksums (notes/linux-datapath.md).
  await sh('ip', ['netns', 'exec', o.name, 'ethtool', '-K', `${o.name}-ns`, 'tx', 'off']);
  await vsctl(o.db, '--', '--may-exist', 'add-port', o.bridge, o.name);
  const ofport = Number((await vsctl(o.db, 'get', 'Interface', o.name, 'ofport')).stdout.trim());
  // The router's own interface on the site's subnet: traffic the router forwards to this subnet reaches the site.
  await sh('ovs-ofctl', ['add-flow', ofctlTarget(o.db, o.bridge),
    `cookie=${SITE_COOKIE},priority=240,${v6 ? `ipv6,dl_dst=${o.routerMac},ipv6_dst=${subnet}` : `ip,dl_dst=${o.routerMac},nw_dst=${subnet}`},actions=mod_dl_dst:${o.mac},output:${ofport}`]);
  return { name: o.name, address, mac: o.mac, ofport };
}

export async function removeSite(db: string, bridge: string, name: string): Promise<void> {
  await shOk('ovs-vsctl', [`--db=${db}`, '--timeout=10', '--', '--if-exists', 'del-port', name]);
  await shOk('ip', ['link', 'del', name]);
  await shOk('ip', ['netns', 'del', name]);
  void bridge;
}

/** ping from a namespace; resolves with the number of replies. */
export async function ping(ns: string, dst: string, count = 3): Promise<number> {
  const r = await shOk('ip', ['netns', 'exec', ns, 'ping', '-n', '-c', String(count), '-i', '0.2', '-W', '1', dst]);
  const m = /(\d+) received/.exec(r.stdout);
  return m ? Number(m[1]) : 0;
}

const ECHO_SERVER = `
const net = require('node:net'), dgram = require('node:dgram');
const port = Number(process.argv[1]);
net.createServer((s) => s.pipe(s)).listen(port, '0.0.0.0');
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send(m, r.port, r.address));
u.bind(port, '0.0.0.0', () => console.log('ready'));
`;

const ECHO_CLIENT = `
const net = require('node:net'), dgram = require('node:dgram'), crypto = require('node:crypto');
const [host, port] = [process.argv[1], Number(process.argv[2])];
const fail = (m) => { console.log('FAIL ' + m); process.exit(1); };
setTimeout(() => fail('timeout'), 15000).unref();
const u = dgram.createSocket('udp4');
const probe = crypto.randomBytes(200);
let tries = 0;
const send = () => { if (++tries > 10) fail('udp'); u.send(probe, port, host); };
const timer = setInterval(send, 300); send();
u.on('message', (m) => {
  if (!m.equals(probe)) return;
  clearInterval(timer); u.close();
  const data = crypto.randomBytes(1 << 20);
  const chunks = [];
  const s = net.connect(port, host, () => s.end(data));
  s.on('data', (c) => chunks.push(c));
  s.on('error', (e) => fail('tcp ' + e.message));
  s.on('close', () => { const got = Buffer.concat(chunks); got.equals(data) ? console.log('OK udp=200 tcp=' + got.length) : fail('tcp got ' + got.length); });
});
`;

/** UDP echo then 1 MB TCP echo from `fromNs` to `toAddr` (server in `toNs`). Resolves with the client's verdict. */
export async function udpTcpEcho(fromNs: string, toNs: string, toAddr: string, port = 7007): Promise<string> {
  const server = spawn('ip', ['netns', 'exec', toNs, process.execPath, '-e', ECHO_SERVER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.once('data', () => resolve());
      server.once('exit', (c) => reject(new Error(`echo server exited ${c}`)));
    });
    const r = await shOk('ip', ['netns', 'exec', fromNs, process.execPath, '-e', ECHO_CLIENT, toAddr, String(port)]);
    return (r.stdout.trim() || r.stderr.trim()).split('\n').pop() ?? '';
  } finally {
    server.kill('SIGKILL');
  }
}
