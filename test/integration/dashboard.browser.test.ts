// The dashboard in a real browser (Debian's chromium driven by playwright-core) against a real cluster: `berth
// serve`, three sim agents, the seed VPN. The page loads with the token from the URL fragment (and drops it from
// the address bar), shows both views with the seed VPN, and — with no reload — shows a kill -9 of the hosting
// agent within 2 s: the host dead and its container on another host. No console errors. Screenshots are kept in
// test-artifacts/ (docs/dashboard.png is one of them).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedVpn, type SeedVpn } from '../../functions/node/seed-vpn';
import { Cluster, waitFor } from './cluster';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

if (!existsSync(CHROMIUM)) console.warn(`dashboard browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!existsSync(CHROMIUM))('dashboard in chromium', () => {
  const c = new Cluster('embedded', ['host0', 'host1', 'host2']);
  let browser: Browser;
  let page: Page;
  let seed: SeedVpn;
  const problems: string[] = [];
  let failed = false;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await c.start();
    for (const h of c.hostIds) c.startAgent(h);
    for (const h of c.hostIds) await waitFor(`${h} alive`, async () => ((await c.host(h))?.alive ? true : undefined), 20_000);
    seed = await createSeedVpn(c.api);
    await waitFor('the seed container RUNNING', async () => ((await c.containers()).find((b) => b.configurationId === seed.routerId)?.status === 'RUNNING' ? true : undefined), 20_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await c.close(failed);
  }, 30_000);

  const track = <T>(p: Promise<T>) => p.catch(async (e) => {
    failed = true;
    await page?.screenshot({ path: join(ARTIFACTS, 'dashboard-failure.png'), fullPage: true }).catch(() => undefined);
    throw e;
  });

  it('shows the seed VPN in both views, then a failover within 2 s of kill -9, without a reload', () => track((async () => {
    const box = (await c.containers()).find((b) => b.configurationId === seed.routerId);
    const home: string = box.hostId;
    await page.goto(`${c.httpUrl}/#token=${encodeURIComponent(c.adminToken)}`);
    // The token leaves the address bar at once and lives in this tab's session storage only.
    await page.waitForSelector(`[data-host="${home}"] [data-container="${box.id}"]`, { timeout: 10_000 });
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    const router = page.locator(`[data-router="${seed.routerId}"]`);
    const text = await router.innerText();
    for (const s of ['mercury-router', '1.0.0.2', '192.168.1.0/24', 'VPN mercury', 'to-venus', 'peer 1.0.0.3', '192.168.2.0/24', `on ${home}`]) expect(text).toContain(s);
    await page.waitForSelector('[data-router] .badge.ACTIVE');
    for (const h of c.hostIds) expect(await page.locator(`[data-host="${h}"][data-alive="true"]`).count()).toBe(1);
    expect(await page.locator('#live').innerText()).toBe('live');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-before.png'), fullPage: true });

    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const killed = Date.now();
    await c.killAgent(home, 'SIGKILL');
    const moved = await page.waitForFunction(([h, id]) => {
      const dead = document.querySelector('[data-host="' + h + '"][data-alive="false"]');
      const chip = document.querySelector('[data-container="' + id + '"]');
      const elsewhere = chip?.closest('[data-host]')?.getAttribute('data-host');
      return dead && elsewhere && elsewhere !== h ? elsewhere : null;
    }, [home, box.id] as const, { timeout: 5_000, polling: 50 });
    const elapsed = Date.now() - killed;
    const target = await moved.jsonValue() as string;
    expect(elapsed, `the page showed the failover ${elapsed} ms after the kill`).toBeLessThan(2_000);
    expect(navigations).toEqual([]);

    // The virtual view follows: the router's container runs on the new host, and the timeline tells why.
    await page.waitForSelector(`[data-router="${seed.routerId}"] [data-runs-on="${target}"] .badge.RUNNING`, { timeout: 10_000 });
    expect(await page.locator('#events li.rescheduled').count()).toBeGreaterThan(0);
    // /metrics saw the same failover: counted, and timed from the dead host's last word to RUNNING elsewhere.
    const metrics = await (await fetch(`${c.httpUrl}/metrics`, { headers: { authorization: `Bearer ${c.telemetryToken}` } })).text();
    expect(metrics).toMatch(/^berth_failovers_total 1$/m);
    expect(metrics).toMatch(/^berth_failover_duration_seconds_count 1$/m);
    expect(Number(/^berth_failover_duration_seconds_sum ([\d.e-]+)$/m.exec(metrics)?.[1])).toBeLessThan(10);
    await page.waitForTimeout(2100); // let the highlight fade for a clean picture
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-after-failover.png'), fullPage: true });
    expect(problems).toEqual([]);
  })()), 60_000);

  it('operator actions ask first: cancel changes nothing; a confirmed drain moves the container, shown live', () => track((async () => {
    const box = (await c.containers()).find((b) => b.configurationId === seed.routerId);
    const from: string = box.hostId;
    const spare = c.hostIds.find((h) => h !== from && h !== 'host0')!; // host0 was killed in the test before
    await page.click(`[data-host="${spare}"] .actions button:has-text("cordon")`);
    await page.waitForSelector('#confirm[open]');
    expect(await page.locator('#confirm-text').innerText()).toContain(`Cordon ${spare}?`);
    await page.click('#confirm button[value=cancel]');
    await page.waitForTimeout(300);
    expect((await c.host(spare)).cordoned).toBe(false);

    await page.click(`[data-host="${from}"] .actions button:has-text("drain")`);
    await page.waitForSelector('#confirm[open]');
    expect(await page.locator('#confirm-text').innerText()).toContain(`Drain ${from}?`);
    await page.click('#confirm-ok');
    await page.waitForSelector(`[data-host="${from}"].cordoned`, { timeout: 5_000 });
    await page.waitForSelector(`[data-host="${spare}"] [data-container="${box.id}"] .badge.RUNNING`, { timeout: 15_000 });
    expect((await c.host(from)).cordoned).toBe(true);
    expect(await page.locator('#events li.rescheduled, #events li.migrated').count()).toBeGreaterThan(1);
    expect(problems).toEqual([]);
  })()), 60_000);

  it('says why a connection is ERROR (its status reason), live, and the container\'s own status message', () => track((async () => {
    const conn = page.locator(`[data-connection="${seed.connectionId}"]`);
    await page.waitForSelector(`[data-router="${seed.routerId}"] .where .message:has-text("tunnels up")`, { timeout: 10_000 });
    expect(await conn.locator('.reason').count()).toBe(0);
    // A stored PSK that no longer decrypts (a damaged row): the relay cannot send the connection to its host.
    const db = createClient({ url: c.dbUrl });
    try {
      const { rows } = await db.execute({ sql: 'SELECT psk_ciphertext FROM ipsec_site_connections WHERE id = ?', args: [seed.connectionId] });
      const stored = String(rows[0].psk_ciphertext);
      await db.execute({ sql: 'UPDATE ipsec_site_connections SET psk_ciphertext = ? WHERE id = ?', args: [`${stored.slice(0, -4)}AAAA`, seed.connectionId] });
    } finally {
      db.close();
    }
    // Any change of the connection sends its host's document again (the PSK itself is not touched).
    const put = await c.api('PUT', `/v2.0/vpn/ipsec-site-connections/${seed.connectionId}`, { ipsec_site_connection: { description: 'touched' } });
    expect(put.status).toBe(200);
    await page.waitForSelector(`[data-connection="${seed.connectionId}"] .reason`, { timeout: 5_000 });
    const shown = await conn.locator('.reason').innerText();
    expect(shown).toMatch(/^cannot be sent to its host: its pre-shared key cannot be decrypted/);
    expect(await conn.locator('.badge.ERROR').count()).toBe(1);
    const neutron = await c.api('GET', `/v2.0/vpn/ipsec-site-connections/${seed.connectionId}`);
    expect(shown).toBe(neutron.body.ipsec_site_connection.status_reason);
    await page.waitForSelector('#events li.left-out', { timeout: 5_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-status-reason.png'), fullPage: true });
    expect(problems).toEqual([]);
  })()), 30_000);

  it('asks for a token when none is given, and says so when one is refused', () => track((async () => {
    const fresh = await browser.newPage();
    await fresh.goto(`${c.httpUrl}/`);
    await fresh.waitForSelector('#login:not([hidden])');
    await fresh.fill('#token', 'not-the-token');
    await fresh.click('#login button[type=submit]');
    await fresh.waitForSelector('#banner:not([hidden])');
    expect(await fresh.locator('#banner').innerText()).toMatch(/refused/);
    expect(await fresh.evaluate(() => sessionStorage.length)).toBe(0);
    await fresh.close();
  })()), 30_000);
});
