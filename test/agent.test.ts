// A real `berth agent` process (sim driver) against an in-process aedes broker: presence and Last Will,
// heartbeats, desired state → container status, fencing, garbage, restart adoption, self-fencing, limits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIM_STATE_FILE } from '../agent/drivers/sim/driver';
import { exampleContainer, exampleDesired } from '../shared/protocol/examples';
import type { DesiredState, Heartbeat, Presence, StatusMessage } from '../shared/protocol/messages';
import { topics } from '../shared/protocol/topics';
import { recordTopics, startTestBroker, type Received, type TestBroker } from './helpers/broker';

const ROOT = resolve(import.meta.dirname, '..');
const TOKEN = 'agent-secret-token';
const PSK = exampleContainer(1).config.connections[0].psk;

interface AgentProc {
  proc: ChildProcess;
  stateDir: string;
  output: () => string;
  exited: Promise<number | null>;
}

const procs: AgentProc[] = [];
const dirs: string[] = [];

async function stateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'berth-agent-'));
  dirs.push(d);
  return d;
}

function runBerth(args: string[], env: Record<string, string> = {}): AgentProc & { stateDir: string } {
  // `node --import tsx bin/berth.ts …` with absolute paths, run from an empty directory so a developer's
  // .berth/agent-token in the checkout cannot leak into the test.
  const proc = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'bin/berth.ts'), ...args], {
    cwd: tmpdir(),
    env: { ...process.env, BERTH_AGENT_TOKEN: '', BERTH_HOST_SECRET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b) => { out += b; });
  proc.stderr!.on('data', (b) => { out += b; });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const p = { proc, stateDir: '', output: () => out, exited };
  procs.push(p);
  return p;
}

function startAgent(hostId: string, dir: string, url: string, extra: string[] = []): AgentProc {
  // The host's own secret, through the environment (issue 9: not argv); enrolment is tested with a real broker.
  const p = runBerth(['agent', '--host-id', hostId, '--mqtt', url, '--state-dir', dir, ...extra], { BERTH_HOST_SECRET: TOKEN });
  p.stateDir = dir;
  return p;
}

async function stopAgent(p: AgentProc, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill(signal);
  return p.exited;
}

const simState = async (dir: string) => JSON.parse(await readFile(join(dir, SIM_STATE_FILE), 'utf8'));

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const parse = <T>(m: Received) => JSON.parse(m.text) as T;
const isStatus = (hostId: string, pred: (s: StatusMessage) => boolean) => (m: Received) =>
  m.topic === topics.status(hostId) && pred(parse<StatusMessage>(m));
const containerIn = (s: StatusMessage, id: string) => s.containers.find((c) => c.id === id);

let broker: TestBroker;
beforeAll(async () => {
  // Agents must present username = host id, password = token; the tests' own observers connect anonymously.
  broker = await startTestBroker({ authenticate: (user, password, clientId) => user === undefined || (password === TOKEN && clientId === `berth-agent-${user}`) });
});
afterAll(async () => {
  await broker.close();
});
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => stopAgent(p, 'SIGKILL')));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function publishDesired(b: TestBroker, doc: DesiredState | string, retain = true): Promise<void> {
  const r = await recordTopics(b.url, []);
  await r.publish(topics.desired(typeof doc === 'string' ? 'h-garbage' : doc.hostId), typeof doc === 'string' ? doc : JSON.stringify(doc), { retain });
  await r.close();
}

describe('berth agent (real process, sim driver)', () => {
  it('publishes retained presence, heartbeats every ~500 ms, and its Last Will on kill -9', async () => {
    const a = startAgent('h-presence', await stateDir(), broker.url);
    const online = await broker.waitFor((m) => m.topic === topics.presence('h-presence'), 'presence online', 15_000);
    const p = parse<Presence>(online);
    expect(p).toMatchObject({ v: 1, hostId: 'h-presence', online: true });
    expect(online.retain).toBe(true);

    // A late subscriber gets the retained presence.
    const late = await recordTopics(broker.url, [topics.presence('h-presence')]);
    await late.waitFor((m) => m.retain && parse<Presence>(m).online === true, 'retained presence');
    await late.close();

    const from = broker.published.length;
    await broker.waitFor((m) => m.topic === topics.heartbeat('h-presence') && parse<Heartbeat>(m).seq >= 5, 'six heartbeats', 10_000, from);
    const beats = broker.published.slice(from).filter((m) => m.topic === topics.heartbeat('h-presence'));
    const hb = beats.map((m) => parse<Heartbeat>(m));
    expect(hb[0]).toMatchObject({ v: 1, hostId: 'h-presence', bootId: p.bootId, count: 0, quota: -1, observedGeneration: 0 });
    expect(hb.map((h) => h.seq)).toEqual(hb.map((_h, i) => hb[0].seq + i));
    const gaps = beats.slice(1).map((m, i) => m.at - beats[i].at);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    expect(mean).toBeGreaterThan(400);
    expect(mean).toBeLessThan(650);

    const killedAt = Date.now();
    a.proc.kill('SIGKILL');
    const will = await broker.waitFor((m) => m.topic === topics.presence('h-presence') && parse<Presence>(m).online === false, 'Last Will');
    expect(will.at - killedAt).toBeLessThan(1000);
    expect(parse<Presence>(will)).toMatchObject({ bootId: p.bootId, online: false });
    const after = await recordTopics(broker.url, [topics.presence('h-presence')]);
    await after.waitFor((m) => m.retain && parse<Presence>(m).online === false, 'retained offline presence');
    await after.close();
  });

  it('runs a desired container (STARTING → RUNNING, tunnels up), removes it (STOPPING → gone), never logs the PSK', async () => {
    const a = startAgent('h-run', await stateDir(), broker.url);
    await broker.waitFor((m) => m.topic === topics.presence('h-run'), 'presence', 15_000);
    const c1 = exampleContainer(1);
    const from = broker.published.length;
    await publishDesired(broker, exampleDesired('h-run', { generation: 1, containers: [c1] }));
    const running = await broker.waitFor(isStatus('h-run', (s) => containerIn(s, c1.id)?.status === 'RUNNING' && !!containerIn(s, c1.id)?.tunnels), 'RUNNING', 10_000, from);
    const report = containerIn(parse<StatusMessage>(running), c1.id)!;
    // A healthy container says so (issue 11), and its tunnel carries telemetry that grows.
    expect(report).toMatchObject({ placementGeneration: 1, interfaceName: c1.interfaceName, namespace: c1.interfaceName, message: '1/1 tunnels up' });
    expect(report.tunnels).toEqual([expect.objectContaining({ connectionId: c1.config.connections[0].id, state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED' })]);
    const t0 = report.tunnels![0];
    expect(t0.lastRekeyAt).toEqual(expect.any(Number));
    const later = await broker.waitFor(isStatus('h-run', (s) => (containerIn(s, c1.id)?.tunnels?.[0].bytesIn ?? 0) > (t0.bytesIn ?? 0)), 'growing counters', 10_000, broker.published.indexOf(running) + 1);
    expect(containerIn(parse<StatusMessage>(later), c1.id)!.tunnels![0].bytesOut).toBeGreaterThanOrEqual(t0.bytesOut ?? 0);
    const seen = broker.published.slice(from).filter(isStatus('h-run', () => true)).map((m) => containerIn(parse<StatusMessage>(m), c1.id)).filter(Boolean);
    expect(seen[0]).toMatchObject({ status: 'STARTING', message: 'starting' });
    await broker.waitFor((m) => m.topic === topics.heartbeat('h-run') && parse<Heartbeat>(m).count === 1 && parse<Heartbeat>(m).observedGeneration === 1, 'heartbeat counting it');

    const from2 = broker.published.length;
    await publishDesired(broker, exampleDesired('h-run', { generation: 2, containers: [] }));
    await broker.waitFor(isStatus('h-run', (s) => containerIn(s, c1.id)?.status === 'STOPPING'), 'STOPPING', 10_000, from2);
    await broker.waitFor(isStatus('h-run', (s) => s.containers.length === 0), 'container gone', 10_000, from2);
    expect((await simState(a.stateDir)).containers).toEqual([]);

    expect(await stopAgent(a)).toBe(0);
    expect(a.output()).not.toContain(PSK);
    expect(a.output()).toContain('desired state accepted');
  });

  it('ignores older (epoch, generation) and garbage, stays alive, and keeps its fencing mark across a restart that adopts containers', async () => {
    const dir = await stateDir();
    const [c1, c2, c3] = [exampleContainer(1), exampleContainer(2), exampleContainer(3)];
    await publishDesired(broker, exampleDesired('h-fence', { epoch: 2, generation: 5, containers: [c1] }));
    let a = startAgent('h-fence', dir, broker.url);
    await broker.waitFor(isStatus('h-fence', (s) => containerIn(s, c1.id)?.status === 'RUNNING'), 'c1 RUNNING', 15_000);

    // Older documents: lower generation in the same epoch, and a higher generation in an older epoch.
    await publishDesired(broker, exampleDesired('h-fence', { epoch: 2, generation: 4, containers: [c2] }), false);
    await publishDesired(broker, exampleDesired('h-fence', { epoch: 1, generation: 99, containers: [c2] }), false);
    // Garbage of every kind, on the agent's own topic.
    const r = await recordTopics(broker.url, []);
    for (const g of ['{nope', '', 'null', '[]', JSON.stringify({ v: 1, hostId: 'h-fence' }), JSON.stringify(exampleDesired('other-host', { epoch: 9 }))]) {
      await r.publish(topics.desired('h-fence'), g, { retain: false });
    }
    await r.close();
    await eventually(async () => a.output(), (o) => (o.match(/dropped a desired-state message/g) ?? []).length >= 8, 'eight drops logged');
    for (const reason of ['stale', 'invalid_json', 'invalid_schema', 'empty', 'wrong_host']) expect(a.output()).toContain(`"reason":"${reason}"`);
    expect(a.output()).toMatch(/epoch 1 generation 99 is older than the applied epoch 2 generation 5/);
    // Alive, still heartbeating, and c2 was never created.
    const from = broker.published.length;
    await broker.waitFor((m) => m.topic === topics.heartbeat('h-fence'), 'a heartbeat after the garbage', 5000, from);
    expect(a.proc.exitCode).toBeNull();
    expect((await simState(dir)).containers.map((c: any) => c.spec.id)).toEqual([c1.id]);

    // A newer document applies.
    await publishDesired(broker, exampleDesired('h-fence', { epoch: 2, generation: 6, containers: [c1, c3] }));
    await broker.waitFor(isStatus('h-fence', (s) => containerIn(s, c3.id)?.status === 'RUNNING'), 'c3 RUNNING', 10_000, from);
    expect((await simState(dir)).createCount).toBe(2);

    // Restart: the containers are adopted (no create), the retained document (equal mark) is accepted…
    expect(await stopAgent(a)).toBe(0);
    a = startAgent('h-fence', dir, broker.url);
    const from2 = broker.published.length;
    await broker.waitFor(isStatus('h-fence', (s) => s.containers.length === 2 && s.containers.every((c) => c.status === 'RUNNING')), 'both RUNNING after restart', 15_000, from2);
    await eventually(async () => a.output(), (o) => o.includes('desired state accepted'), 'retained document accepted');
    expect(await simState(dir)).toMatchObject({ createCount: 2, deleteCount: 0 });
    // …and the persisted mark still fences older documents.
    await publishDesired(broker, exampleDesired('h-fence', { epoch: 2, generation: 5, containers: [] }), false);
    await eventually(async () => a.output(), (o) => o.includes('"reason":"stale"'), 'stale drop after restart');
    expect((await simState(dir)).containers).toHaveLength(2);
  });

  it('says so when the broker refuses its token, and stays up retrying', async () => {
    const a = runBerth(['agent', '--host-id', 'h-badtoken', '--mqtt', broker.url, '--state-dir', await stateDir()], { BERTH_HOST_SECRET: 'wrong' });
    await eventually(async () => a.output(), (o) => o.includes('Connection refused: Bad username or password'), 'refusal logged', 15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.proc.exitCode).toBeNull();
    expect(broker.published.some((m) => m.topic.startsWith('berth/v1/hosts/h-badtoken/'))).toBe(false);
  });

  it('enforces a hard container limit with LIMIT_EXCEEDED and applies --sim-faults', async () => {
    const [c1, c2, c3] = [exampleContainer(1), exampleContainer(2), exampleContainer(3)];
    const a = startAgent('h-limit', await stateDir(), broker.url, ['--container-limit', '2', '--enforce-container-limit', '--sim-faults', JSON.stringify({ failCreate: [c2.id] })]);
    await broker.waitFor((m) => m.topic === topics.presence('h-limit'), 'presence', 15_000);
    await publishDesired(broker, exampleDesired('h-limit', { containers: [c1, c2, c3] }));
    const s = parse<StatusMessage>(await broker.waitFor(isStatus('h-limit', (st) =>
      containerIn(st, c1.id)?.status === 'RUNNING' && containerIn(st, c2.id)?.status === 'ERROR' && containerIn(st, c3.id)?.status === 'ERROR'), 'limit statuses'));
    expect(containerIn(s, c2.id)!.message).toMatch(/^CREATE_FAILED: simulated create failure/);
    expect(containerIn(s, c3.id)!.message).toMatch(/^LIMIT_EXCEEDED/);
    const hb = await broker.waitFor((m) => m.topic === topics.heartbeat('h-limit') && parse<Heartbeat>(m).count === 1, 'heartbeat with count 1');
    expect(parse<Heartbeat>(hb).quota).toBe(1);
    expect(a.proc.exitCode).toBeNull();
  });
});

describe('berth agent self-fencing', () => {
  let b: TestBroker;
  beforeAll(async () => { b = await startTestBroker(); });
  afterAll(async () => { await b.close(); });

  it('with broker-led liveness (--heartbeat-ms 5000) stays unfenced between heartbeats and still fences within 2.5 s of a cut', async () => {
    const dir = await stateDir();
    const c1 = exampleContainer(1);
    await publishDesired(b, exampleDesired('h-slow', { containers: [c1] }));
    const a = startAgent('h-slow', dir, b.url, ['--heartbeat-ms', '5000']);
    await b.waitFor(isStatus('h-slow', (s) => containerIn(s, c1.id)?.status === 'RUNNING'), 'RUNNING', 15_000);
    await new Promise((r) => setTimeout(r, 4000)); // longer than the 1.5 s self-fence, shorter than one heartbeat
    expect(a.output()).not.toContain('self-fencing');
    expect((await simState(dir)).containers).toHaveLength(1);

    const cutAt = Date.now();
    await b.pause();
    await eventually(() => simState(dir), (s) => s.containers.length === 0, 'containers stopped', 5000);
    expect(Date.now() - cutAt).toBeLessThan(2500);
    await b.resume();
  });

  it('stops its containers when cut off from the broker, reports the truth and recovers when it comes back', async () => {
    const dir = await stateDir();
    const c1 = exampleContainer(1);
    await publishDesired(b, exampleDesired('h-cut', { containers: [c1] }));
    const a = startAgent('h-cut', dir, b.url);
    await b.waitFor(isStatus('h-cut', (s) => containerIn(s, c1.id)?.status === 'RUNNING'), 'RUNNING', 15_000);

    const cutAt = Date.now();
    await b.pause();
    await eventually(() => simState(dir), (s) => s.containers.length === 0, 'containers stopped', 5000);
    const fencedAfter = Date.now() - cutAt;
    expect(fencedAfter).toBeGreaterThan(1000);
    expect(fencedAfter).toBeLessThan(2500);
    expect(a.output()).toContain('self-fencing: stopping all containers');

    const from = b.published.length;
    await b.resume();
    const truth = await b.waitFor(isStatus('h-cut', () => true), 'first status after reconnect', 10_000, from);
    expect(containerIn(parse<StatusMessage>(truth), c1.id)).toMatchObject({ status: 'STOPPED', message: expect.stringMatching(/^SELF_FENCED: cut off from the broker/) });
    await b.waitFor(isStatus('h-cut', (s) => containerIn(s, c1.id)?.status === 'RUNNING'), 'RUNNING again from the retained desired state', 10_000, from);
    expect(await simState(dir)).toMatchObject({ createCount: 2, deleteCount: 1 });
  });
});

describe('berth agent command line', () => {
  it('--help lists the flags and exits 0', async () => {
    const p = runBerth(['agent', '--help']);
    expect(await p.exited).toBe(0);
    for (const f of ['--host-id', '--mqtt', '--token', '--secret-file', '--ca', '--driver', '--state-dir', '--container-limit', '--enforce-container-limit', '--heartbeat-ms', '--self-fence-ms', '--sim-faults']) {
      expect(p.output()).toContain(f);
    }
  });

  it.each([
    [['agent', '--host-id', 'h', '--bogus'], /unknown flag --bogus/],
    [['agent'], /--host-id is required/],
    [['agent', '--host-id', 'h', '--state-dir', '/nonexistent-berth-test'], /no credential/],
    [['agent', '--host-id', 'h', '--secret-file', '/nonexistent-berth-secret'], /--secret-file \/nonexistent-berth-secret does not exist/],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const p = runBerth(args, { BERTH_AGENT_TOKEN: '' });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(message);
  });
});
