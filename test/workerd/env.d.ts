// The Worker's bindings as the workerd tests see them (vitest.config.ts sets them).
declare namespace Cloudflare {
  interface Env {
    BERTH_DB_URL: string;
    BERTH_DB_AUTH_TOKEN: string;
    BERTH_MQTT_URL: string;
    BERTH_ADMIN_TOKEN: string;
    BERTH_AGENT_TOKEN: string;
    BERTH_SECRET_KEY: string;
    TEST_LISTENERS_URL: string;
  }
}

// Vite's ?raw imports (a file's text): the EMQX doc's request body is tested as written.
declare module '*.md?raw' {
  const text: string;
  export default text;
}
