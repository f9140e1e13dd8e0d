// The real OpenStack command-line client (Debian's python3-openstackclient + python3-neutronclient) pointed at a
// berth serve: admin_token auth straight to the endpoint (no Keystone), the token in the environment, not argv.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const OPENSTACK = ['/usr/bin/openstack', '/usr/local/bin/openstack'].find(existsSync);

/** The `openstack vpn ...` commands come from python-neutronclient's OSC plugin. */
const VPN_PLUGIN = ['/usr/lib/python3/dist-packages/neutronclient/osc/v2/vpnaas'].find(existsSync);

/** Why the real-client test cannot run here, or undefined when it can. */
export const skipReason = !OPENSTACK
  ? 'the openstack command is not installed (Debian: apt-get install python3-openstackclient python3-neutronclient)'
  : !VPN_PLUGIN
    ? "python-neutronclient's VPNaaS commands are not installed (Debian: apt-get install python3-neutronclient)"
    : undefined;

export interface OpenStack {
  /** Runs `openstack <args>`; rejects with the client's own output when it exits non-zero. */
  run(...args: string[]): Promise<string>;
  /** Runs `openstack <args> -f json` and parses the answer. */
  json(...args: string[]): Promise<any>;
  /** Every command run so far, for the failure message. */
  log: string[];
}

export function openstackClient(url: string, token: string, home: string): OpenStack {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8',
    OS_AUTH_TYPE: 'admin_token', OS_TOKEN: token, OS_ENDPOINT: url, OS_NETWORK_API_VERSION: '2',
  };
  const log: string[] = [];
  const run = (...args: string[]) => new Promise<string>((resolve, reject) => {
    log.push(`openstack ${args.join(' ')}`);
    execFile(OPENSTACK!, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`openstack ${args.join(' ')} failed (exit ${err.code}):\n${stderr || stdout}`));
      else resolve(stdout);
    });
  });
  return { log, run, json: async (...args) => JSON.parse(await run(...args, '-f', 'json')) };
}
