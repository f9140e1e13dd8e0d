// One shard of the fleet benchmark's load generator: a child process (forked by bench/agent-pool.ts) holding a
// share of the simulated agents (bench/fake-agents.ts), driven over the IPC channel. One process holding all 10,000
// agents stalled past ~8,000 (BENCHMARKS.md, issue 12): every client then missed its 1 s keepalive together.
import { FakeAgent, nowMs, type FakeAgentOptions } from './fake-agents';
import type { ShardCommand, ShardEvent } from './agent-pool';

const agents = new Map<string, FakeAgent>();
const send = (e: ShardEvent) => process.send?.(e);

async function connectSome(ids: readonly string[], concurrency: number): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(ids.length, concurrency) }, async () => {
    while (next < ids.length) {
      const a = agents.get(ids[next++])!;
      await a.connect().catch((e: Error) => { failures.push(e.message); });
    }
  }));
  return failures;
}

// The benchmark process is gone (killed, crashed): its shards must not live on holding thousands of connections.
process.on('disconnect', () => process.exit(0));

let options: Omit<FakeAgentOptions, 'hostId' | 'token'> | null = null;

process.on('message', async (m: ShardCommand) => {
  switch (m.t) {
    case 'init':
      options = m.options;
      break;
    case 'connect': {
      for (const [hostId, token] of m.agents) {
        const a = new FakeAgent({ ...options!, hostId, token });
        a.onLost = () => send({ t: 'lost', hostId });
        agents.set(hostId, a);
      }
      const failures = await connectSome(m.agents.map(([h]) => h), m.concurrency);
      send({ t: 'connected', id: m.id, failures });
      break;
    }
    case 'record':
      if (m.on) for (const a of agents.values()) a.recorded = [];
      else {
        const sent: [string, number, number, number][] = [];
        for (const a of agents.values()) {
          for (const h of a.recorded ?? []) sent.push([a.hostId, h.seq, h.at, h.t]);
          a.recorded = null;
        }
        send({ t: 'recorded', id: m.id, sent });
      }
      break;
    case 'act': {
      const a = agents.get(m.hostId);
      const at = nowMs();
      if (a?.state === 'up') a[m.what]();
      send({ t: 'acted', id: m.id, at, ok: a?.state === (m.what === 'crash' ? 'crashed' : 'silent') });
      break;
    }
    case 'stop':
      for (const a of agents.values()) a.stop();
      // Let the DISCONNECTs go out, then leave (the IPC channel would keep us alive).
      setTimeout(() => process.exit(0), 200);
      break;
  }
});
