// The Worker's bindings as the workerd tests see them (vitest.config.ts sets them).
declare namespace Cloudflare {
  interface Env {
    BERTH_DB_URL: string;
    BERTH_DB_AUTH_TOKEN: string;
    BERTH_MQTT_URL: string;
    BERTH_ADMIN_TOKEN: string;
    BERTH_AGENT_TOKEN: string;
    BERTH_SECRET_KEY: string;
  }
}
