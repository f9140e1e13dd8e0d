// Node side of the workerd tests: the real pieces a deployed Worker talks to, started on free ports — a libSQL
// database behind the test-only Hrana-over-HTTP stand-in (sqld/Turso cannot be installed here), migrated, and the
// embedded aedes broker with its MQTT-over-WebSocket listener and berth's ACL (the telemetry consumer's user included). Their URLs and the tokens reach the
// Worker as bindings (vitest.config.ts) and the tests through inject().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { controlPassword } from '../../functions/crypto';
import { openDatabase } from '../../functions/db/client';
import { startEmbeddedBroker } from '../../functions/node/broker';
import { memoryCredentialStore } from '../../functions/node/credential-store-memory';
import { applyMigrations } from '../../functions/node/migrate';
import { silentLogger } from '../../shared/logger';
import { startLibsqlHttpStandIn } from '../standins/libsql-http/server';
import { TOKENS } from './tokens';
import { startAgentListeners } from './agent-listeners';


declare module 'vitest' {
  export interface ProvidedContext {
    dbUrl: string;
    mqttWsUrl: string;
    listenersUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-workerd-'));
  const standIn = await startLibsqlHttpStandIn({ path: join(dir, 'berth.db'), authToken: TOKENS.db, host: '127.0.0.1', port: 0 });
  const database = await openDatabase({ url: standIn.url, authToken: TOKENS.db });
  await applyMigrations(database);
  database.close();
  const broker = await startEmbeddedBroker({
    host: '127.0.0.1', port: 0, wsPort: 0, logger: silentLogger,
    credentials: { agentToken: TOKENS.agent, controlPassword: await controlPassword(TOKENS.admin), telemetryToken: TOKENS.telemetry, hosts: memoryCredentialStore() },
  });
  project.provide('dbUrl', standIn.url);
  project.provide('mqttWsUrl', broker.wsUrl!);
  const listeners = await startAgentListeners(broker.url, TOKENS.agent, TOKENS.telemetry);
  project.provide('listenersUrl', listeners.url);
  return async () => {
    await listeners.close();
    await broker.close();
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
