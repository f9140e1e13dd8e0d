// Where one agent message's cost goes inside the control plane (issue 12): a fleet of H hosts on the embedded
// libSQL file database, and their heartbeats fed through each ingest stage on its own — MQTT topic parse, UTF-8
// decode + JSON.parse, zod validation (decode + validate = classify), the batcher's grouping, and the SQL of a
// batch (applyHostMessages: one read of the batch's host rows + one UPDATE … FROM json_each) at batch sizes a
// 10,000-agent fleet produces. Figures are CPU microseconds per message (process.cpuUsage: the process's own CPU
// time, far less sensitive to other load on a shared machine than wall time); the broker's own cost is measured by
// the fleet suite (`--broker mosquitto`: its CPU % per level). From the per-message cost the suite prints what a
// core holds at each heartbeat period — the figure behind the liveness decision in docs/decisions.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeDatabase } from '../functions/node/database';
import { applyMigrations } from '../functions/node/migrate';
import { hosts } from '../functions/db/schema';
import { classify } from '../functions/ingest/classify';
import { applyHostMessages, type HostMessage } from '../functions/ingest/hosts';
import { buildHeartbeat } from '../agent/heartbeat';
import { decodeMessage, encodeMessage, zHeartbeat } from '../shared/protocol/messages';
import { parseHostTopic, topics } from '../shared/protocol/topics';
import { printTable, writeJson } from './lib';

const chunks = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const cpuUs = () => { const u = process.cpuUsage(); return u.user + u.system; };

/** CPU µs per item of `fn` over `items` (repeated until at least ~200 ms of CPU has been spent). */
function perItem<T>(items: readonly T[], fn: (x: T) => unknown): number {
  let spent = 0;
  let done = 0;
  while (spent < 200_000) {
    const t0 = cpuUs();
    for (const x of items) fn(x);
    spent += cpuUs() - t0;
    done += items.length;
  }
  return spent / done;
}

export async function benchIngest(opts: { quick?: boolean } = {}) {
  const hostCount = opts.quick ? 2000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-ingest-'));
  const database = await openNodeDatabase({ url: `file:${join(dir, 'berth.db')}` });
  const load = [loadavg()[0]];
  try {
    await applyMigrations(database);
    const now = Date.now();
    const ids = Array.from({ length: hostCount }, (_, i) => `sim-${i}`);
    const bootIds = ids.map(() => crypto.randomUUID());
    await database.write(async (tx) => {
      for (const c of chunks(ids, 500)) await tx.insert(hosts).values(c.map((id, i) => ({ id, name: id, alive: true, bootId: bootIds[ids.indexOf(c[0]) + i], lastSeenAt: now, createdAt: now, updatedAt: now })));
    });
    const wire = ids.map((hostId, i) => ({
      topic: topics.heartbeat(hostId),
      payload: Buffer.from(encodeMessage(buildHeartbeat({ hostId, bootId: bootIds[i], seq: 7, at: now, observedGeneration: 0, count: 0, containerLimit: -1, load: 12 }))),
    }));

    const topicUs = perItem(wire, (m) => parseHostTopic(m.topic));
    const jsonUs = perItem(wire, (m) => JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(m.payload)));
    const decodeUs = perItem(wire, (m) => decodeMessage(zHeartbeat, m.payload));
    const classifyUs = perItem(wire, (m) => classify(m.topic, m.payload));
    const validateUs = Math.max(0, decodeUs - jsonUs);
    const classified = wire.map((m) => classify(m.topic, m.payload)).map((c) => (c.ok ? c.msg : null)).filter((m) => m !== null);
    const groupUs = perItem(chunks(classified, 500), (batch) => {
      const byHost = new Map<string, HostMessage[]>();
      for (const m of batch) (byHost.get(m.hostId) ?? byHost.set(m.hostId, []).get(m.hostId)!).push(m as HostMessage);
      return byHost;
    }) / 500;

    // SQL per message at the batch sizes the batcher forms (20 ms of a 10,000-agent fleet at 500 ms ≈ 400).
    const sql: { batch: number; us: number }[] = [];
    for (const size of [50, 400, 2000]) {
      const batches = chunks(classified, size).map((b) => new Map(b.map((m) => [m.hostId, [m as HostMessage]])));
      let spent = 0;
      let n = 0;
      const deadline = performance.now() + (opts.quick ? 1500 : 4000);
      while (performance.now() < deadline) {
        for (const b of batches) {
          const t0 = cpuUs();
          await database.write((tx) => applyHostMessages(tx, b, Date.now()));
          spent += cpuUs() - t0;
          n += b.size;
        }
      }
      sql.push({ batch: size, us: spent / n });
    }
    load.push(loadavg()[0]);

    const sql400 = sql.find((s) => s.batch === 400)!.us;
    const perMessage = classifyUs + groupUs + sql400;
    const rows: [string, string][] = [
      ['topic parse', topicUs.toFixed(2)],
      ['UTF-8 decode + JSON.parse', jsonUs.toFixed(2)],
      ['zod validation', validateUs.toFixed(2)],
      ['classify (all of the above)', classifyUs.toFixed(2)],
      ['batch grouping', groupUs.toFixed(2)],
      ...sql.map((s): [string, string] => [`SQL, batches of ${s.batch}`, s.us.toFixed(2)]),
      ['total (batches of 400)', perMessage.toFixed(2)],
    ];
    printTable(`ingest: CPU µs per heartbeat inside berth (${hostCount} hosts, libSQL file; load ${load.map((l) => l.toFixed(2)).join(' → ')})`, ['stage', 'CPU µs / message'], rows);
    const periods = [500, 1000, 2000, 5000];
    const perCore = periods.map((p) => ({ heartbeatMs: p, agentsPerCore: Math.floor(1e6 / perMessage * (p / 1000)) }));
    printTable('what one core holds in ingest alone (no MQTT client, no controller) at each heartbeat period', ['heartbeat period', 'agents per core'], perCore.map((x) => [`${x.heartbeatMs} ms`, x.agentsPerCore]));
    writeJson('ingest', { hosts: hostCount, loadAverage: load, cpuUsPerMessage: { topicUs, jsonUs, validateUs, classifyUs, groupUs, sql, total400: perMessage }, agentsPerCore: perCore });
    return { perMessage, sql };
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
