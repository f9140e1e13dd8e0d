// No silent loss of pre-shared keys (issue 10): `berth serve` over a database holding encrypted PSKs refuses to
// start with a missing, damaged or wrong secret key, naming the file (or variable) and what to do. Before, the
// key was regenerated silently and every connection fell out of the desired state.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { connectionBody, ok, vpnWorld } from '../services/site-connections/test-kit';
import { ipsecSiteConnections } from '../db/schema';
import { startServer } from './serve';

describe('berth serve and the secret key', () => {
  let t: TestApp;
  let before: string;
  const env = (o: Record<string, string | undefined>) => ({
    BERTH_DB_URL: `file:${join(t.dir, 'berth.db')}`, BERTH_PORT: '0', BERTH_MQTT_PORT: '0', BERTH_HOST: '127.0.0.1',
    BERTH_ADMIN_TOKEN: 'admin-token-0123456789abcdef', BERTH_AGENT_TOKEN: 'agent-token-0123456789abcdef', BERTH_LOG_LEVEL: 'silent', ...o,
  });
  const stored = async () => (await t.deps.database.db.select().from(ipsecSiteConnections)).map((c) => c.pskCiphertext);

  beforeEach(async () => {
    t = await createTestApp(); // its key: t.deps.config.secretKey
    const w = await vpnWorld(t);
    await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    before = JSON.stringify(await stored());
    expect(JSON.parse(before)).toHaveLength(1);
  });
  afterEach(() => t.close());

  it('a missing key file refuses to start, names the file, and leaves no new key behind', async () => {
    const file = join(t.dir, 'secret-key');
    await expect(startServer(env({ BERTH_SECRET_KEY: undefined }))).rejects.toThrow(new RegExp(`${file} was missing.*Put the original key back in ${file}`));
    expect(existsSync(file)).toBe(false);
    expect(JSON.stringify(await stored())).toBe(before);
  });

  it('a damaged (short) key file refuses to start and is not replaced', async () => {
    const file = join(t.dir, 'secret-key');
    writeFileSync(file, 'short\n');
    await expect(startServer(env({ BERTH_SECRET_KEY: undefined }))).rejects.toThrow(new RegExp(`${file} holds 5 characters.*Restore it from a backup`));
    expect(readFileSync(file, 'utf8')).toBe('short\n');
  });

  it('a wrong key refuses to start, naming where it came from', async () => {
    await expect(startServer(env({ BERTH_SECRET_KEY: 'another-key-0123456789abcdef' })))
      .rejects.toThrow(/the secret key from BERTH_SECRET_KEY cannot decrypt 1 of 1 stored pre-shared keys/);
    const file = join(t.dir, 'secret-key');
    writeFileSync(file, 'another-key-0123456789abcdef\n');
    await expect(startServer(env({ BERTH_SECRET_KEY: undefined }))).rejects.toThrow(new RegExp(`the secret key from ${file} cannot decrypt`));
  });

  it('the right key starts (from the variable and from the file)', async () => {
    const s = await startServer(env({ BERTH_SECRET_KEY: t.deps.config.secretKey }));
    await s.close();
    writeFileSync(join(t.dir, 'secret-key'), `${t.deps.config.secretKey}\n`);
    const s2 = await startServer(env({ BERTH_SECRET_KEY: undefined }));
    await s2.close();
  });
});
