// Test harness: the real Hono app over a real libSQL file database in a fresh temp dir, migrations applied.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../shared/clock';
import { cryptoIds, type Ids } from '../../shared/ids';
import { silentLogger } from '../../shared/logger';
import { createApp } from '../../functions/app';
import { openNodeDatabase } from '../../functions/node/database';
import { applyMigrations } from '../../functions/node/migrate';
import { SecretBox, sha256Hex } from '../../functions/crypto';
import { apiTokens } from '../../functions/db/schema';
import { nullPublisher, type Deps, type Publisher } from '../../functions/deps';
import type { Config } from '../../functions/config';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
/** The read-only telemetry token: what a Prometheus scrape of GET /metrics carries. */
export const TELEMETRY_TOKEN = 'telemetry-token-for-tests-0123456789';
/** Request options for a scrape of GET /metrics: t.app.request('/metrics', SCRAPE). */
export const SCRAPE = { headers: { authorization: `Bearer ${TELEMETRY_TOKEN}` } };

export interface TestApp {
  deps: Deps;
  dir: string;
  app: ReturnType<typeof createApp>;
  /** JSON request as admin unless token is given; returns status and parsed body. */
  req(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; text: string }>;
  /** Creates a tenant token straight in the database. */
  tenantToken(tenantId: string): Promise<string>;
  close(): void;
}

export async function createTestApp(opts: { clock?: Clock; ids?: Ids; publisher?: Publisher; config?: Partial<Config> } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-test-'));
  const database = await openNodeDatabase({ url: `file:${join(dir, 'berth.db')}` });
  await applyMigrations(database);
  const config: Config = {
    port: 0, host: '127.0.0.1', dbUrl: `file:${join(dir, 'berth.db')}`, mqttPort: 0,
    adminToken: ADMIN_TOKEN, agentToken: 'agent-token-for-tests-0123456789', secretKey: 'secret-key-for-tests-0123456789',
    adminTenantId: 'admin', maxBodyBytes: 64 * 1024, telemetryToken: TELEMETRY_TOKEN, ...opts.config,
  };
  const deps: Deps = {
    database, clock: opts.clock ?? systemClock, ids: opts.ids ?? cryptoIds, logger: silentLogger, config,
    publisher: opts.publisher ?? nullPublisher, secrets: new SecretBox(config.secretKey),
  };
  const app = createApp(deps);
  let n = 0;
  return {
    deps, dir, app,
    async req(method, path, body, token = ADMIN_TOKEN) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      let payload: string | undefined;
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const res = await app.request(path, { method, headers, body: payload });
      const text = await res.text();
      let parsed: any = undefined;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
      return { status: res.status, body: parsed, text };
    },
    async tenantToken(tenantId) {
      const token = `tenant-${tenantId}-${++n}-token`;
      await database.db.insert(apiTokens).values({ id: cryptoIds.uuid(), tokenHash: await sha256Hex(token), role: 'tenant', tenantId, createdAt: Date.now() });
      return token;
    },
    close() {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
