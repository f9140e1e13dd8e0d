// Fuzzing the agent (issue 10): near-valid desired documents (and bytes, JSON, other topics) delivered through the
// agent's broker link into the real running agent (startAgent) with the sim driver and its on-disk fencing mark.
// Nothing may throw or stop the agent, and every message the agent drops must leave its containers and its fencing
// mark exactly as they were. A document the agent accepts (still valid after mutation) may change things; the base
// document is then delivered again, at the mark, to put them back.
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../agent/agent';
import { SimDriver } from '../../agent/drivers/sim/driver';
import { FenceStore } from '../../agent/fence';
import { canonicalJson } from '../../agent/reconciler/diff';
import type { AgentLink, LinkEvents } from '../../agent/link';
import { systemClock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import { exampleContainer, exampleContainerV6, exampleDesired } from '../../shared/protocol/examples';
import type { DesiredState } from '../../shared/protocol/messages';
import { topics } from '../../shared/protocol/topics';
import { fuzzRuns } from './dump';
import { mutated } from './mutate';

const HOST = 'host0';

/** The agent's link with the broker taken out: the test delivers messages and watches what the agent publishes. */
class StubLink implements AgentLink {
  private readonly events = new EventEmitter();
  published = 0;
  async publish(): Promise<void> { this.published++; }
  async subscribe(): Promise<void> {}
  ping(): void { this.events.emit('packet'); }
  setWill(): void {}
  drop(): void {}
  async end(): Promise<void> {}
  on<E extends keyof LinkEvents>(event: E, listener: (...args: LinkEvents[E]) => void): void { this.events.on(event, listener as never); }
  emit<E extends keyof LinkEvents>(event: E, ...args: LinkEvents[E]): void { this.events.emit(event, ...args); }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('agent fuzzing (desired documents through the link handler)', () => {
  let dir: string;
  let link: StubLink;
  let driver: SimDriver;
  let fence: FenceStore;
  let agent: RunningAgent;
  const errors: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (o, msg) => { warnings.push(`${msg} ${JSON.stringify(o)}`); }, error: (_o, msg) => { errors.push(msg ?? ''); } };
  const base: DesiredState = exampleDesired(HOST, { epoch: 3, generation: 7, containers: [exampleContainer(1), exampleContainerV6(2)] });
  /** What a dropped message must not change: the containers (ids and specs) and the fencing mark. */
  const snapshot = async () => canonicalJson({ containers: (await driver.list()).map((c) => [c.id, c.spec]), mark: fence.current() });
  const deliver = (payload: string | Uint8Array, topic = topics.desired(HOST)) => link.emit('message', topic, Buffer.from(payload));
  const droppedTotal = () => Object.values(agent.dropped).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-agent-fuzz-'));
    link = new StubLink();
    driver = await SimDriver.open();
    fence = await FenceStore.open(dir);
    agent = await startAgent(
      { hostId: HOST, mqttUrl: 'mqtt://stub', token: 'unused', containerLimit: -1, enforceContainerLimit: false, heartbeatMs: 100, selfFenceMs: 600_000, healthIntervalMs: 20 },
      { driver, fence, logger, clock: systemClock, connect: () => link },
    );
    link.emit('connect');
    deliver(JSON.stringify(base));
    await until('the base document to run', async () => (await driver.list()).filter((c) => c.status === 'RUNNING').length === 2);
  });
  afterAll(async () => {
    await agent?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const payload = fc.oneof(
    { weight: 6, arbitrary: mutated(base).map((v) => JSON.stringify(v) ?? '') },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"v":1}', JSON.stringify({ ...base, hostId: 'host1' }), JSON.stringify({ ...base, generation: 6 })) },
  );
  const topic = fc.oneof({ weight: 8, arbitrary: fc.constant(topics.desired(HOST)) }, { weight: 1, arbitrary: fc.constantFrom(topics.desired('host1'), topics.status(HOST), 'berth/v1/events', '') });

  it('never crashes, and a dropped document changes nothing', async () => {
    const runs = fuzzRuns(300);
    let cases = 0;
    let dropped = 0;
    let accepted = 0;
    const before0 = await snapshot();
    await fc.assert(fc.asyncProperty(topic, payload, async (tp, p) => {
      cases++;
      const before = await snapshot();
      const droppedBefore = droppedTotal();
      deliver(p, tp);
      await sleep(2); // the inbox handles it in order; a reconcile pass runs every 20 ms and on every acceptance
      if (droppedTotal() > droppedBefore) {
        dropped++;
        await sleep(25); // one full reconcile pass: a dropped document must not have reached it
        expect(await snapshot(), `${tp}: a dropped message changed the host`).toBe(before);
        return;
      }
      accepted++;
      // Still valid after mutation: put the base document back at the (possibly advanced) mark.
      const mark = fence.current()!;
      deliver(JSON.stringify({ ...base, epoch: mark.epoch, generation: mark.generation, ...(mark.database ? { database: mark.database } : {}) }));
      const want = canonicalJson(base.containers.map((c) => [c.id, c]));
      await until('the base containers back', async () => {
        const now = await driver.list();
        return canonicalJson(now.map((c) => [c.id, c.spec])) === want && now.every((c) => c.status === 'RUNNING');
      }).catch(async (e: Error) => {
        const now = await driver.list();
        throw new Error(`${e.message}: mark ${JSON.stringify(fence.current())}, dropped ${JSON.stringify(agent.dropped)}, last warnings ${JSON.stringify(warnings.filter((w) => !w.startsWith('dropped')).slice(-3))}, errors ${JSON.stringify(errors)}, `
          + `containers ${JSON.stringify(now.map((c) => [c.id, c.status, c.message, canonicalJson(c.spec) === canonicalJson(base.containers.find((b) => b.id === c.id))]))}`);
      });
    }), { numRuns: runs, seed: Number(process.env.BERTH_FUZZ_SEED ?? 20261205), endOnFailure: true });

    console.log(`agent fuzz: ${cases} cases, ${dropped} dropped, ${accepted} accepted; drops ${JSON.stringify(agent.dropped)}`);
    expect(cases).toBe(runs);
    expect(dropped).toBeGreaterThan(runs / 2); // near-valid documents mostly fail validation: the property is exercised
    expect(errors, 'the agent logged errors').toEqual([]);
    // Still alive: it keeps publishing (heartbeats, status) and still runs a valid document.
    const published = link.published;
    await until('more publishes', () => link.published > published, 2000);
    expect(JSON.parse(before0).containers.map((c: [string]) => c[0])).toEqual((await driver.list()).map((c) => c.id));
  }, 300_000);
});
