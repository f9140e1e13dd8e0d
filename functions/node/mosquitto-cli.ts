// `berth mqtt-acl` as a process: reads the admin token (for the control plane's user) and the stored host
// credentials from BERTH_DB_URL, prints what mosquitto.ts makes of them.
import { controlPassword } from '../crypto';
import { allCredentials } from '../services/hosts/credentials';
import { openNodeDatabase } from './database';
import { mqttAclCommand } from './mosquitto';
import { existsSync, readFileSync } from 'node:fs';
import { loadSecret, secretPaths, stateDirFor } from './secrets';

/** BERTH_TELEMETRY_TOKEN, else what `berth serve` generated into the state dir; none: no telemetry user. */
function readTelemetryToken(stateDir: string): string | undefined {
  if (process.env.BERTH_TELEMETRY_TOKEN) return process.env.BERTH_TELEMETRY_TOKEN;
  const file = secretPaths(stateDir).telemetryToken;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

export async function runMqttAclCli(argv: readonly string[]): Promise<number> {
  const dbUrl = process.env.BERTH_DB_URL || 'file:.berth/berth.db';
  const stateDir = stateDirFor(dbUrl);
  const r = await mqttAclCommand(argv, {
    stateDir,
    controlPassword: () => controlPassword(loadSecret(process.env.BERTH_ADMIN_TOKEN || undefined, secretPaths(stateDir).adminToken, 'BERTH_ADMIN_TOKEN').value),
    telemetryToken: () => readTelemetryToken(stateDir),
    credentials: async () => {
      const database = await openNodeDatabase({ url: dbUrl, authToken: process.env.BERTH_DB_AUTH_TOKEN || undefined });
      try {
        return await allCredentials(database.db);
      } catch (e) {
        throw new Error(`cannot read host credentials from ${dbUrl} (start berth serve once to create the database): ${(e as Error).message}`);
      } finally {
        database.close();
      }
    },
  });
  if (r.out) process.stdout.write(r.out.endsWith('\n') ? r.out : `${r.out}\n`);
  if (r.err) console.error(`berth mqtt-acl: ${r.err}`);
  return r.code;
}
