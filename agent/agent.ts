// The running agent: one MQTT connection (Last Will, retained presence, heartbeats, status), the desired-state
// inbox with fencing, self-fencing when cut off from the broker, and the reconcile loop over a driver.
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, zDesiredState, type ContainerReport, type StatusMessage } from '../shared/protocol/messages';
import { topics, TOPIC_QOS } from '../shared/protocol/topics';
import type { Driver } from './drivers/contract';
import type { Mark, FenceVerdict } from './fence';
import type { AgentLink, ConnectLink } from './link';
import { connectMqttLink } from './link-mqtt';
import { buildHeartbeat, buildPresence, hostLoad } from './heartbeat';
import { ReconcileLoop } from './reconciler/loop';
import { Reconciler } from './reconciler/reconcile';
import { StatusBoard } from './status-board';

export interface AgentConfig {
  hostId: string;
  mqttUrl: string;
  token: string | (() => string);
  /** Called on every accepted CONNECT (an enrolment is then complete: agent/enrol.ts). */
  onAccepted?: () => void;
  /** Called when the broker refuses the CONNECT (agent/enrol.ts may re-enrol). */
  onRefused?: () => boolean;
  /** CA for an mqtts broker (--ca). */
  ca?: Buffer;
  /** -1 = none. */
  containerLimit: number;
  enforceContainerLimit: boolean;
  heartbeatMs: number;
  selfFenceMs: number;
  /** Full status report at least this often (besides one on every change). */
  statusIntervalMs?: number;
  /** Periodic reconcile pass with health checks. */
  healthIntervalMs?: number;
  healthTimeoutMs?: number;
  opTimeoutMs?: number;
}

/** The fencing mark's store (agent/fence.ts's FenceStore on disk; the simulation keeps one in memory). */
export interface Fence {
  current(): Mark | null;
  judge(doc: Mark): FenceVerdict;
  advance(doc: Mark): Promise<void>;
}

export interface AgentDeps {
  driver: Driver;
  fence: Fence;
  logger: Logger;
  clock: Clock;
  /** How to reach the broker (default: MQTT, agent/link-mqtt.ts). */
  connect?: ConnectLink;
  /** The load figure heartbeats carry (default: the OS load average; the simulation's is fixed). */
  hostLoad?: () => number;
}

export interface RunningAgent {
  readonly bootId: string;
  /** Dropped inbound messages by reason (invalid_json, invalid_schema, wrong_host, stale, ...). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Leave the containers running, say offline, disconnect. */
  stop(): Promise<void>;
  /** Die as kill -9 would (the simulation's agent crash): timers stop, the connection breaks (the broker sends the Will). */
  kill(): void;
}

const timeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);

export async function startAgent(cfg: AgentConfig, deps: AgentDeps): Promise<RunningAgent> {
  const { hostId } = cfg;
  const { driver, fence, logger: log, clock } = deps;
  const bootId = crypto.randomUUID();
  const dropped: Record<string, number> = {};
  const desiredTopic = topics.desired(hostId);
  let connected = false;
  let lastHeardAt = clock.now();
  let seq = 0;
  let lastError = '';

  // Assigned below, once the Will can be built; publish() runs only while connected, i.e. after that.
  let link!: AgentLink;
  const publish = (topic: string, kind: keyof typeof TOPIC_QOS, msg: unknown) => {
    if (!connected) return; // a fresh full report follows every (re)connect; stale ones are not queued
    link.publish(topic, encodeMessage(msg), { qos: TOPIC_QOS[kind].qos, retain: TOPIC_QOS[kind].retain })
      .catch((err: Error) => log.warn({ topic, error: err.message }, 'publish failed'));
  };
  const publishStatus = (containers: ContainerReport[]) => {
    const msg: StatusMessage = { v: PROTOCOL_VERSION, hostId, bootId, containers };
    publish(topics.status(hostId), 'status', msg);
  };

  const board = new StatusBoard(publishStatus);
  const reconciler = new Reconciler({
    driver, board, clock, logger: log,
    hardLimit: cfg.enforceContainerLimit && cfg.containerLimit >= 0 ? cfg.containerLimit : null,
    healthTimeoutMs: cfg.healthTimeoutMs ?? 1000,
    opTimeoutMs: cfg.opTimeoutMs ?? 30_000,
  });
  const loop = new ReconcileLoop({
    run: () => reconciler.run(),
    intervalMs: cfg.healthIntervalMs ?? 1000,
    onError: (e, retryInMs) => log.warn({ error: (e as Error).message, retryInMs }, 'reconcile pass failed; backing off'),
  });

  const will = () => ({ topic: topics.presence(hostId), payload: encodeMessage(buildPresence(hostId, bootId, false, clock.now())), qos: 1 as const, retain: true });
  link = (deps.connect ?? connectMqttLink)({ hostId, url: cfg.mqttUrl, token: cfg.token, ca: cfg.ca, onRefused: cfg.onRefused, selfFenceMs: cfg.selfFenceMs, will: will() });

  link.on('packet', () => { lastHeardAt = clock.now(); });
  link.on('connect', () => {
    cfg.onAccepted?.();
    connected = true;
    lastError = '';
    lastHeardAt = clock.now();
    log.info({ url: cfg.mqttUrl, bootId }, 'connected to the broker');
    if (reconciler.fenced) {
      reconciler.unfence();
      log.warn({}, 'reconnected after self-fencing: reporting the truth, waiting for the desired state');
    }
    publish(topics.presence(hostId), 'presence', buildPresence(hostId, bootId, true, clock.now()));
    link.subscribe(desiredTopic, 1)
      .catch((err: Error) => log.error({ topic: desiredTopic, error: err.message }, 'cannot subscribe to the desired state'));
    publishStatus(board.list());
    loop.trigger();
  });
  link.on('close', () => {
    if (connected) log.warn({}, 'disconnected from the broker');
    connected = false;
    // The Will is sent at the next CONNECT: keep its time current.
    link.setWill(will());
  });
  link.on('error', (e) => {
    if (e.message !== lastError) log.error({ error: e.message }, 'broker connection error');
    lastError = e.message;
  });

  // Desired documents are handled one at a time, in arrival order (the fencing mark is written in between).
  let inbox: Promise<void> = Promise.resolve();
  const drop = (reason: string, detail: string) => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
    log.warn({ reason, detail, dropped: dropped[reason] }, 'dropped a desired-state message');
  };
  const onDesired = async (payload: Buffer) => {
    const d = decodeMessage(zDesiredState, payload);
    if (!d.ok) return drop(d.reason, d.detail);
    const doc = d.value;
    if (doc.hostId !== hostId) return drop('wrong_host', `document is for host '${doc.hostId}'`);
    const verdict = fence.judge(doc);
    if (!verdict.accept) return drop('stale', verdict.reason);
    await fence.advance(doc); // also records which database an equal-version document came from
    log.info({ epoch: doc.epoch, generation: doc.generation, containers: doc.containers.length }, 'desired state accepted');
    reconciler.setDesired(doc);
    loop.trigger();
  };
  link.on('message', (topic, payload) => {
    if (topic !== desiredTopic) return drop('unexpected_topic', topic);
    inbox = inbox.then(() => onDesired(payload)).catch((e) => log.error({ error: (e as Error).message }, 'could not apply a desired document'));
  });

  // Self-fencing: nothing heard from the broker for selfFenceMs (we ping it at least 3 times in that span) → we can no
  // longer be sure we still own our containers, and the control plane will soon place them elsewhere.
  const fenceTimer = setInterval(() => {
    const silentMs = clock.now() - lastHeardAt;
    if (reconciler.fenced || silentMs <= cfg.selfFenceMs) return;
    const reason = `cut off from the broker for ${silentMs} ms (limit ${cfg.selfFenceMs} ms)`;
    log.warn({ silentMs }, 'self-fencing: stopping all containers');
    reconciler.fence(reason);
    if (connected) link.drop(); // reconnect: the fence lifts only on a fresh session
    loop.trigger();
  }, Math.min(100, Math.floor(cfg.selfFenceMs / 5)));

  // Pings are what self-fencing listens to, so they follow the self-fence time, not the heartbeat: with
  // broker-led liveness (--heartbeat-ms 5000) the agent still hears the broker every selfFenceMs / 3.
  const pingTimer = setInterval(() => { if (connected) link.ping(); }, Math.min(cfg.heartbeatMs, Math.floor(cfg.selfFenceMs / 3)));
  const heartbeatTimer = setInterval(() => {
    if (!connected) return;
    publish(topics.heartbeat(hostId), 'heartbeat', buildHeartbeat({
      hostId, bootId, seq: seq++, at: clock.now(), observedGeneration: reconciler.observedGeneration, fence: fence.current(),
      count: reconciler.observedCount, containerLimit: cfg.containerLimit, load: (deps.hostLoad ?? hostLoad)(),
    }));
  }, cfg.heartbeatMs);

  const statusTimer = setInterval(() => publishStatus(board.list()), cfg.statusIntervalMs ?? 2000);

  loop.start();
  log.info({ driver: driver.name, url: cfg.mqttUrl, containerLimit: cfg.containerLimit, enforce: cfg.enforceContainerLimit }, 'agent started');

  return {
    bootId,
    dropped,
    kill() {
      clearInterval(fenceTimer);
      clearInterval(heartbeatTimer);
      clearInterval(pingTimer);
      clearInterval(statusTimer);
      void loop.stop();
      link.drop();
      void link.end().catch(() => undefined);
    },
    async stop() {
      clearInterval(fenceTimer);
      clearInterval(heartbeatTimer);
      clearInterval(pingTimer);
      clearInterval(statusTimer);
      await loop.stop();
      await inbox;
      if (connected) {
        // A clean disconnect sends no Will: say offline ourselves.
        const offline = buildPresence(hostId, bootId, false, clock.now());
        await timeout(link.publish(topics.presence(hostId), encodeMessage(offline), { qos: 1, retain: true }).catch(() => undefined), 1000);
      }
      await timeout(link.end().catch(() => undefined), 1000);
      await driver.close();
      log.info({}, 'agent stopped (containers left running)');
    },
  };
}
