// `berth serve` stops promptly while an event stream (a dashboard tab, `berth events --follow`) is open: the
// stream would otherwise hold the HTTP server open for its full lifetime (5 minutes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from './serve';

describe('berth serve with an open event stream', () => {
  it('closes within seconds, ending the stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-serve-'));
    const admin = 'admin-token-0123456789abcdef';
    const s = await startServer({
      BERTH_DB_URL: `file:${join(dir, 'berth.db')}`, BERTH_PORT: '0', BERTH_MQTT_PORT: '0', BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'silent',
      BERTH_ADMIN_TOKEN: admin, BERTH_AGENT_TOKEN: 'agent-token-0123456789abcdef', BERTH_SECRET_KEY: 'secret-key-0123456789abcdef',
    });
    try {
      const res = await fetch(`${s.url}/v1/events`, { headers: { authorization: `Bearer ${admin}`, accept: 'text/event-stream' } });
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain(': connected');
      const ended = (async () => { try { while (!(await reader.read()).done); } catch { /* cut */ } })();
      const start = Date.now();
      await s.close();
      await ended;
      expect(Date.now() - start).toBeLessThan(4000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
