// The embedded MQTT broker of `berth serve` (aedes, MQTT 3.1.1) with berth's authentication and topic ACL:
// agents log in as their host id with the agent token, the control plane as berth-control; everything else is
// refused at CONNECT, and every publish, subscribe and Last Will is checked against mqtt-acl.ts.
import type { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Logger } from '../../shared/logger';
import { judgeConnect, mayPublish, maySubscribe, type Credentials, type Identity } from './mqtt-acl';

export interface BrokerStats {
  refusedConnects: number;
  deniedPublishes: number;
  deniedSubscribes: number;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  /** ws://host:port of the MQTT-over-WebSocket listener, when one was asked for (wsPort). */
  wsUrl?: string;
  stats(): BrokerStats;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: {
  host: string;
  port: number;
  credentials: Credentials;
  logger: Logger;
  /** Also serve MQTT over WebSocket on this port (0 = any free one): a Worker cannot speak mqtt:// (TCP). */
  wsPort?: number;
}): Promise<EmbeddedBroker> {
  const { logger } = opts;
  const who = new WeakMap<Client, Identity>();
  const stats: BrokerStats = { refusedConnects: 0, deniedPublishes: 0, deniedSubscribes: 0 };

  // The CONNECT packet's Last Will, seen before authentication (aedes hands authenticate only the credentials).
  const wills = new WeakMap<Client, { topic: string } | undefined>();

  const aedes = await Aedes.createBroker({
    // No limit on messages in flight inside aedes (its default is 100; 0 = none). With a limit, aedes queues the
    // rest in its emitter (mqemitter), and under a ~2,000-agent fleet that queue broke `berth serve` in two ways:
    // - a queued message starts inside the completion of the one before it, and a message nobody subscribes to
    //   completes synchronously, so a run of such messages unwinds as one recursion (mqemitter released → _do →
    //   fastparallel → released …). It forms when the control client falls behind (every delivery to it waits
    //   for its socket to drain, holding the 100 slots) and its subscriptions vanish when its connection drops:
    //   a few thousand queued heartbeats then overflow the stack ("Maximum call stack size exceeded").
    // - the queue is a plain array emptied with shift(), which costs O(length) once it is large: at 100,000+
    //   queued messages the broker handled ~500 a second while 4,000 arrived, and never caught up.
    // Without a limit nothing queues: a message's deliveries start at once, and a subscriber that does not read
    // holds only its own socket's buffer (aedes drops it after drainTimeout, 60 s), not every other client's
    // messages. Our hooks answering synchronously is not the cause: deferring authorizePublish's answer to the
    // next tick still overflowed (the queued messages are past the hooks).
    concurrency: 0,
    preConnect(client, packet, done) {
      wills.set(client, packet.will ?? undefined);
      done(null, true);
    },
    authenticate(client, username, password, done) {
      const verdict = judgeConnect(
        { username, password: password?.toString('utf8'), clientId: client.id, will: wills.get(client) },
        opts.credentials,
      );
      if (verdict.ok) {
        who.set(client, verdict.identity);
        return done(null, true);
      }
      stats.refusedConnects++;
      logger.warn({ clientId: client.id.slice(0, 100), username: username?.slice(0, 100), code: verdict.code, reason: verdict.reason }, 'mqtt connection refused');
      done(Object.assign(new Error(verdict.reason), { returnCode: verdict.code }), false);
    },
    authorizePublish(client, packet, done) {
      // client is null only for a will left over from an earlier broker: nobody can vouch for it.
      const id = client ? who.get(client) : undefined;
      if (id && mayPublish(id, packet.topic)) return done(null);
      stats.deniedPublishes++;
      logger.warn({ clientId: client?.id.slice(0, 100), topic: packet.topic.slice(0, 200) }, 'mqtt publish denied; disconnecting the client');
      // MQTT 3.1.1 cannot refuse a publish: the broker closes the connection (MQTT-3.3.5-2).
      done(new Error('not authorized to publish there'));
    },
    authorizeSubscribe(client, sub, done) {
      const id = who.get(client);
      if (id && maySubscribe(id, sub.topic)) return done(null, sub);
      stats.deniedSubscribes++;
      logger.warn({ clientId: client.id.slice(0, 100), filter: sub.topic.slice(0, 200) }, 'mqtt subscription denied');
      done(null, null); // SUBACK 0x80 for this filter; the connection stays
    },
  });

  // An 'error' event nobody listens to is thrown: aedes emits one when its persistence or will-clearing fails.
  (aedes as EventEmitter).on('error', (e: Error) => logger.error({ err: e.message, stack: e.stack }, 'embedded MQTT broker error'));

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'EADDRINUSE'
      ? `BERTH_MQTT_PORT ${opts.port} on ${opts.host} is in use (another broker or berth?); set BERTH_MQTT_PORT or BERTH_MQTT_URL`
      : `embedded MQTT broker cannot listen on ${opts.host}:${opts.port}: ${e.message}`)));
    server.listen(opts.port, opts.host, () => resolve((server.address() as { port: number }).port));
  });
  // Likewise for the listening socket (e.g. EMFILE on accept during a connection storm): log it, keep serving.
  server.on('error', (e: NodeJS.ErrnoException) => logger.error({ err: e.message, code: e.code }, 'embedded MQTT broker socket error'));
  logger.info({ host: opts.host, port }, 'embedded MQTT broker listening');
  const ws = opts.wsPort === undefined ? undefined : await listenWebSocket(opts.host, opts.wsPort, (socket) => aedes.handle(socket as never), logger);

  return {
    url: `mqtt://${opts.host}:${port}`,
    port,
    wsUrl: ws?.url,
    stats: () => ({ ...stats }),
    async close() {
      for (const s of sockets) s.destroy();
      await ws?.close();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

/** MQTT over WebSocket (subprotocol mqtt) through the `ws` package; each connection is handed to aedes as a stream. */
async function listenWebSocket(host: string, port: number, handle: (stream: NodeJS.ReadWriteStream) => void, logger: Logger) {
  const wss = new WebSocketServer({ host, port, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.values().next().value ?? false) });
  await new Promise<void>((resolve, reject) => {
    wss.once('error', (e) => reject(new Error(`embedded MQTT broker cannot listen for WebSocket on ${host}:${port}: ${e.message}`)));
    wss.once('listening', () => resolve());
  });
  wss.on('error', (e) => logger.error({ err: e.message }, 'embedded MQTT broker WebSocket error'));
  wss.on('connection', (socket) => {
    const stream = createWebSocketStream(socket);
    stream.on('error', () => socket.terminate());
    handle(stream);
  });
  const wsPort = (wss.address() as { port: number }).port;
  logger.info({ host, port: wsPort }, 'embedded MQTT broker listening for MQTT over WebSocket');
  return {
    url: `ws://${host}:${wsPort}`,
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
}
