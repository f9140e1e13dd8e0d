// Control-plane configuration, validated once from the environment (Node process.env or Worker bindings).
import { z } from 'zod';
import { AppError } from '../shared/errors';

const intFrom = (def: number) => z.coerce.number().int().nonnegative().default(def);

export const envSchema = z.object({
  BERTH_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  BERTH_HOST: z.string().min(1).default('127.0.0.1'),
  BERTH_DB_URL: z.string().min(1).default('file:.berth/berth.db'),
  BERTH_DB_AUTH_TOKEN: z.string().optional(),
  BERTH_MQTT_URL: z.string().optional(),
  BERTH_MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
  BERTH_ADMIN_TOKEN: z.string().min(16, 'BERTH_ADMIN_TOKEN must be at least 16 characters').optional(),
  BERTH_AGENT_TOKEN: z.string().min(16, 'BERTH_AGENT_TOKEN must be at least 16 characters').optional(),
  BERTH_SECRET_KEY: z.string().min(16, 'BERTH_SECRET_KEY must be at least 16 characters').optional(),
  /** The read-only MQTT telemetry consumer's password (user `telemetry`); generated into .berth/telemetry-token when unset. */
  BERTH_TELEMETRY_TOKEN: z.string().min(16, 'BERTH_TELEMETRY_TOKEN must be at least 16 characters').optional(),
  BERTH_MAX_BODY_BYTES: intFrom(1024 * 1024),
  /** Hosts the fleet token enrols: schedulable at once (auto) or cordoned until an operator uncordons them (manual). */
  BERTH_HOST_APPROVAL: z.enum(['auto', 'manual']).default('auto'),
  /**
   * A host silent this long is dead (DESIGN: 2 s with 500 ms heartbeats). Raise it with the agents' --heartbeat-ms
   * when liveness comes from the broker's keepalive and Last Will (docs/decisions.md, "Liveness at fleet scale").
   */
  BERTH_HOST_DEAD_AFTER_MS: z.coerce.number().int().min(500).max(600_000).default(2000),
  BERTH_MQTT_TLS_CERT: z.string().optional(),
  BERTH_MQTT_TLS_KEY: z.string().optional(),
});

export interface Config {
  port: number;
  host: string;
  dbUrl: string;
  dbAuthToken?: string;
  mqttUrl?: string;
  mqttPort: number;
  adminToken: string;
  agentToken: string;
  secretKey: string;
  /** Tenant id an admin acts as when a request names none. */
  adminTenantId: string;
  maxBodyBytes: number;
  hostApproval?: 'auto' | 'manual';
  /** Silence after which a host is dead (controller's hostDeadAfter); default 2 s. */
  hostDeadAfterMs?: number;
  /** PEM files: the embedded broker then speaks mqtts only. */
  mqttTls?: { certFile: string; keyFile: string };
  /**
   * The read-only telemetry consumer's secret (BERTH_TELEMETRY_TOKEN, or .berth/telemetry-token under berth serve):
   * MQTT user `telemetry`, and a bearer token for GET /metrics (a Prometheus scrape) — nothing else.
   */
  telemetryToken?: string;
}

export type Env = z.infer<typeof envSchema>;

/** Parses the environment; every problem is reported at once with the variable's name. */
export function parseEnv(raw: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([k, v]) => k.startsWith('BERTH_') && v !== ''));
  const r = envSchema.safeParse(cleaned);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new AppError('BAD_REQUEST', `invalid configuration: ${lines.join('; ')}`);
  }
  return r.data;
}

export function configFrom(env: Env, secrets: { adminToken: string; agentToken: string; secretKey: string; telemetryToken?: string }): Config {
  return {
    port: env.BERTH_PORT,
    host: env.BERTH_HOST,
    dbUrl: env.BERTH_DB_URL,
    dbAuthToken: env.BERTH_DB_AUTH_TOKEN,
    mqttUrl: env.BERTH_MQTT_URL,
    mqttPort: env.BERTH_MQTT_PORT,
    adminToken: secrets.adminToken,
    agentToken: secrets.agentToken,
    secretKey: secrets.secretKey,
    adminTenantId: 'admin',
    maxBodyBytes: env.BERTH_MAX_BODY_BYTES,
    hostApproval: env.BERTH_HOST_APPROVAL,
    hostDeadAfterMs: env.BERTH_HOST_DEAD_AFTER_MS,
    mqttTls: env.BERTH_MQTT_TLS_CERT && env.BERTH_MQTT_TLS_KEY ? { certFile: env.BERTH_MQTT_TLS_CERT, keyFile: env.BERTH_MQTT_TLS_KEY } : undefined,
    telemetryToken: secrets.telemetryToken ?? env.BERTH_TELEMETRY_TOKEN,
  };
}
