// `berth migrate` against a libSQL server over HTTP (the test-only stand-in for sqld/Turso), as an operator runs it
// before the first `npm run deploy`: a wrong token changes nothing and says why; the right one creates the schema;
// a rerun applies nothing; the token is never printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '@libsql/client';
import { startLibsqlHttpStandIn, type LibsqlHttpStandIn } from '../../test/standins/libsql-http/server';
import { runMigrateCli } from './migrate-cli';

const TOKEN = 'remote-db-token-0123456789';

describe('berth migrate (remote libSQL over HTTP)', () => {
  let dir: string;
  let server: LibsqlHttpStandIn;
  const lines: string[] = [];
  const out = { log: (s: string) => lines.push(s), error: (s: string) => lines.push(s) } as unknown as Console;
  const tables = async () => {
    const c = createClient({ url: `file:${join(dir, 'remote.db')}` });
    try {
      return (await c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((r) => String(r.name));
    } finally {
      c.close();
    }
  };

  beforeEach(async () => {
    lines.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'berth-migrate-'));
    server = await startLibsqlHttpStandIn({ path: join(dir, 'remote.db'), authToken: TOKEN });
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong token clearly and creates nothing', async () => {
    expect(await runMigrateCli([], { BERTH_DB_URL: server.url, BERTH_DB_AUTH_TOKEN: 'wrong-token-0123456789' }, out)).toBe(1);
    expect(lines.join('\n')).toMatch(/^berth migrate: cannot migrate http:\/\/127\.0\.0\.1:\d+: /);
    expect(await tables()).not.toContain('hosts');
  });

  it('applies every migration, then nothing on a rerun; never prints the token', async () => {
    const env = { BERTH_DB_URL: server.url, BERTH_DB_AUTH_TOKEN: TOKEN };
    expect(await runMigrateCli([], env, out)).toBe(0);
    expect(lines.at(-1)).toMatch(/: [1-9]\d* applied, (\d+) in all$/);
    const all = /(\d+) in all$/.exec(lines.at(-1)!)![1];
    expect(await tables()).toEqual(expect.arrayContaining(['hosts', 'containers', 'leases', 'ipsec_site_connections', 'dirty_hosts']));
    expect(await runMigrateCli([], env, out)).toBe(0);
    expect(lines.at(-1)).toMatch(new RegExp(`: 0 applied, ${all} in all$`));
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('takes no arguments (its input is BERTH_DB_URL and BERTH_DB_AUTH_TOKEN)', async () => {
    expect(await runMigrateCli(['libsql://x'], {}, out)).toBe(2);
    expect(lines.at(-1)).toMatch(/takes no arguments/);
  });
});
