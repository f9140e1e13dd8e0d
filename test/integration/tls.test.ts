// The embedded broker over TLS (issue 9), with real processes: BERTH_MQTT_TLS_CERT/KEY make BERTH_MQTT_PORT speak
// mqtts only; an agent started with --ca (a self-signed certificate made here with openssl) enrols, registers and
// runs the VPN container; plain MQTT on the same port gets nowhere. With BERTH_HOST_APPROVAL=manual the newly
// enrolled host takes no container until an operator uncordons it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedVpn } from '../../functions/node/seed-vpn';
import { Cluster, sleep, waitFor } from './cluster';

const certDir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
const cert = join(certDir, 'cert.pem');
const key = join(certDir, 'key.pem');

describe('mqtts on the embedded broker, manual approval', () => {
  const c = new Cluster('embedded', ['tls0']);
  let failed = false;
  const track = <T>(p: Promise<T>) => p.catch((e) => { failed = true; throw e; });

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=berth-test-broker', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    c.serveEnv = { BERTH_MQTT_TLS_CERT: cert, BERTH_MQTT_TLS_KEY: key, BERTH_HOST_APPROVAL: 'manual' };
    c.agentArgs = ['--ca', cert];
    await c.start();
    c.startAgent('tls0');
  }, 60_000);
  afterAll(async () => {
    await c.close(failed || !!process.env.BERTH_IT_KEEP);
    rmSync(certDir, { recursive: true, force: true });
  }, 30_000);

  it('an agent with --mqtt mqtts://… --ca cert.pem enrols and registers; manual approval keeps it cordoned', () => track((async () => {
    expect(c.mqttUrl).toMatch(/^mqtts:\/\//);
    const host = await waitFor('tls0 alive', async () => ((await c.host('tls0'))?.alive ? c.host('tls0') : undefined), 20_000);
    expect(host).toMatchObject({ alive: true, cordoned: true });
  })()), 40_000);

  it('the unapproved host takes no container; uncordoned, it runs the VPN over mqtts', () => track((async () => {
    await createSeedVpn(c.api, 'tls-psk-1');
    await sleep(1500);
    const waiting = (await c.containers())[0];
    expect(waiting).toMatchObject({ hostId: null, schedulerState: 'DOWN' });
    expect((await c.api('PATCH', '/v1/hosts/tls0', { cordoned: false })).status).toBe(200);
    const box = await waitFor('the VPN container RUNNING on tls0', async () => {
      const b = (await c.containers())[0];
      return b?.status === 'RUNNING' && b.hostId === 'tls0' ? b : undefined;
    }, 20_000);
    expect(box.schedulerState).toBe('UP');
  })()), 40_000);

  it('plain MQTT on the mqtts port is refused; mqtts without trusting the certificate too', () => track((async () => {
    const port = new URL(c.mqttUrl).port;
    // 'connected', or why not: an error message, or 'closed' (the TLS listener drops a client that speaks plain MQTT).
    const attempt = (url: string) => new Promise<string>((resolve) => {
      const m = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000, username: 'berth-control', password: 'x', clientId: 'berth-control-probe' });
      const done = (why: string) => { clearTimeout(timer); m.end(true); resolve(why); };
      const timer = setTimeout(() => done('no answer'), 5000);
      m.once('connect', () => done('connected'));
      m.once('error', (e) => done(e.message));
      m.once('close', () => done('closed'));
    });
    expect(await attempt(`mqtt://127.0.0.1:${port}`)).not.toBe('connected');
    expect(await attempt(`mqtts://127.0.0.1:${port}`)).toMatch(/self[- ]signed|certificate/i);
    expect((await c.host('tls0')).alive).toBe(true);
  })()), 20_000);
});
