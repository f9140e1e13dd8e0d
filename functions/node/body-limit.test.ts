// The body-size limit over a real socket (issue 9): `berth serve` refuses a chunked body (no Content-Length) with
// 413 once it passes BERTH_MAX_BODY_BYTES — while it is still streaming, not after buffering all of it — and keeps
// serving.
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startServer } from './serve';

it('berth serve answers a chunked body over BERTH_MAX_BODY_BYTES with 413 before the client finished sending', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-body-'));
  const admin = 'admin-token-0123456789abcdef';
  const s = await startServer({
    BERTH_DB_URL: `file:${join(dir, 'berth.db')}`, BERTH_PORT: '0', BERTH_MQTT_PORT: '0', BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'silent',
    BERTH_ADMIN_TOKEN: admin, BERTH_AGENT_TOKEN: 'agent-token-0123456789abcdef', BERTH_SECRET_KEY: 'secret-key-0123456789abcdef', BERTH_MAX_BODY_BYTES: '4096',
  });
  try {
    const { status, sent } = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = request(`${s.url}/v1/host-groups`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' } });
      req.on('response', (res) => { answered = true; res.resume(); resolve({ status: res.statusCode ?? 0, sent }); });
      req.on('error', (e) => { if (!answered) reject(e); });
      // 1 KiB chunks, up to 1 MiB, until the server answers: no Content-Length, Transfer-Encoding: chunked.
      const pump = () => {
        if (answered || sent >= 1 << 20) return req.end();
        sent += 1024;
        req.write(' '.repeat(1024), () => setImmediate(pump));
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(64 * 1024);
    const ok = await fetch(`${s.url}/v1/host-groups`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'after' }) });
    expect(ok.status).toBe(201);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 20_000);
