// The embedded MQTT broker of `berth serve` (aedes, MQTT 3.1.1) with berth's authentication and topic ACL:
// hosts log in as their host id with their own secret (the fleet token only enrols a host id with none yet), the
// control plane as berth-control; everything else is refused at CONNECT, and every publish, subscribe and Last
// Will is checked against mqtt-acl.ts. One connection per host: a second one with a host's identity is refused
// while the first is connected. Incoming packets are size-limited from the first byte (mqtt-frame-meter.ts), and
// with a certificate and key the listener speaks mqtts only.
import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Logger } from '../../shared/logger';
import { IDENTIFIER_REJECTED, judgeConnect, maySubscribe, publishVerdict, type Credentials, type Identity } from './mqtt-acl';
import { MAX_CONTROL_PACKET, metered, type FrameMeter } from './mqtt-frame-meter';

export interface BrokerStats {
  refusedConnects: number;
  deniedPublishes: number;
  deniedSubscribes: number;
  /** Retained publishes on topics that may not be retained (heartbeat, status): dropped, the client disconnected. */
  droppedRetained: number;
  /** Connections ended for a packet over the size limit (before or after CONNECT). */
  oversizedPackets: number;
  /** Connections closed because their host's credential was rotated or revoked. */
  closedOnRotation: number;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  /** ws://host:port of the MQTT-over-WebSocket listener, when one was asked for (wsPort). */
  wsUrl?: string;
  stats(): BrokerStats;
  /** Closes connections whose host credential changed or is gone (hostId: only that host's). */
  recheck(hostId?: string): Promise<void>;
  close(): Promise<void>;
}

/** How often connected hosts are checked against the stored credentials (a rotation made by another replica). */
const RECHECK_MS = 2000;

export async function startEmbeddedBroker(opts: {
  host: string;
  port: number;
  credentials: Credentials;
  logger: Logger;
  /** Also serve MQTT over WebSocket on this port (0 = any free one): a Worker cannot speak mqtt:// (TCP). */
  wsPort?: number;
  /** PEM files: the TCP listener then speaks mqtts (TLS) only. */
  tls?: { certFile: string; keyFile: string };
  /** Every host credential (for the periodic re-check); absent: only recheck(hostId) calls re-check. */
  allCredentials?: () => Promise<{ hostId: string; secretHash: string }[]>;
}): Promise<EmbeddedBroker> {
  const { logger } = opts;
  const who = new WeakMap<Client, Identity>();
  const meters = new WeakMap<object, FrameMeter>();
  /** The one live connection of each host. */
  const hostClients = new Map<string, Client>();
  const stats: BrokerStats = { refusedConnects: 0, deniedPublishes: 0, deniedSubscribes: 0, droppedRetained: 0, oversizedPackets: 0, closedOnRotation: 0 };

  // The CONNECT packet's Last Will, seen before authentication (aedes hands authenticate only the credentials).
  const wills = new WeakMap<Client, { topic: string; retain?: boolean } | undefined>();

  const refuse = (client: Client, username: string | undefined, code: number, reason: string, done: (e: never, ok: false) => void) => {
    stats.refusedConnects++;
    logger.warn({ clientId: client.id.slice(0, 100), username: username?.slice(0, 100), code, reason }, 'mqtt connection refused');
    done(Object.assign(new Error(reason), { returnCode: code }) as never, false);
  };

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
      const req = { username, password: password?.toString('utf8'), clientId: client.id, will: wills.get(client) };
      judgeConnect(req, opts.credentials).then((verdict) => {
        if (!verdict.ok) return refuse(client, username, verdict.code, verdict.reason, done);
        const id = verdict.identity;
        if (id.kind === 'host') {
          // Refuse the newcomer, never the connected one: a copied secret cannot knock the real agent off.
          const current = hostClients.get(id.hostId);
          if (current && !current.closed && current !== client) {
            return refuse(client, username, IDENTIFIER_REJECTED, `host ${id.hostId} is already connected`, done);
          }
          hostClients.set(id.hostId, client);
          if (verdict.enrolled) logger.info({ hostId: id.hostId }, 'host enrolled with the fleet token');
        }
        const meter = meters.get(client.conn);
        if (meter && id.kind === 'control') meter.max = MAX_CONTROL_PACKET;
        who.set(client, id);
        done(null, true);
      }, (e: Error) => {
        logger.error({ err: e.message }, 'mqtt authentication failed');
        refuse(client, username, 3, 'server unavailable', done);
      });
    },
    authorizePublish(client, packet, done) {
      // client is null only for a will left over from an earlier broker: nobody can vouch for it.
      const id = client ? who.get(client) : undefined;
      const verdict = id ? publishVerdict(id, packet.topic, packet.retain) : 'denied';
      if (verdict === 'ok') return done(null);
      if (verdict === 'retain') stats.droppedRetained++;
      else stats.deniedPublishes++;
      logger.warn({ clientId: client?.id.slice(0, 100), topic: packet.topic.slice(0, 200), retain: packet.retain, verdict }, 'mqtt publish dropped; disconnecting the client');
      // MQTT 3.1.1 cannot refuse a publish: the broker closes the connection (MQTT-3.3.5-2).
      done(new Error(verdict === 'retain' ? 'this topic may not be retained' : 'not authorized to publish there'));
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

  aedes.on('clientDisconnect', (client: Client) => {
    const id = who.get(client);
    if (id?.kind === 'host' && hostClients.get(id.hostId) === client) hostClients.delete(id.hostId);
  });

  /** Every connection goes through the frame meter before aedes sees a byte. */
  const handle = (conn: Duplex) => {
    const { stream, meter } = metered(conn, (declared, limit) => {
      stats.oversizedPackets++;
      logger.warn({ declared, limit }, 'mqtt packet over the size limit; connection closed');
    });
    meters.set(stream, meter);
    aedes.handle(stream as never);
  };

  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    handle(socket);
  };
  const server: Server = opts.tls
    ? createTlsServer({ cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) }, onSocket)
    : createServer(onSocket);
  // A client that fails the TLS handshake (plain MQTT on the mqtts port) is dropped; count it as refused.
  server.on('tlsClientError', (e: Error, socket: Socket) => {
    stats.refusedConnects++;
    logger.warn({ err: e.message.slice(0, 200) }, 'mqtts handshake failed (plain MQTT on the TLS port?)');
    socket.destroy();
  });

  async function recheck(hostId?: string): Promise<void> {
    const connected = hostId ? [hostClients.get(hostId)].filter((c): c is Client => c !== undefined) : [...hostClients.values()];
    if (connected.length === 0) return;
    const current = new Map<string, string>();
    if (hostId || !opts.allCredentials) {
      for (const c of connected) {
        const id = who.get(c) as Extract<Identity, { kind: 'host' }>;
        const h = await opts.credentials.hosts.hashFor(id.hostId);
        if (h) current.set(id.hostId, h);
      }
    } else {
      for (const r of await opts.allCredentials()) current.set(r.hostId, r.secretHash);
    }
    for (const c of connected) {
      const id = who.get(c);
      if (id?.kind !== 'host' || current.get(id.hostId) === id.secretHash) continue;
      stats.closedOnRotation++;
      logger.warn({ hostId: id.hostId }, 'host credential rotated or revoked; closing its connection');
      c.close();
    }
  }
  const recheckTimer = setInterval(() => {
    recheck().catch((e) => logger.error({ err: (e as Error).message }, 'cannot re-check host credentials'));
  }, RECHECK_MS);
  recheckTimer.unref();

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'EADDRINUSE'
      ? `BERTH_MQTT_PORT ${opts.port} on ${opts.host} is in use (another broker or berth?); set BERTH_MQTT_PORT or BERTH_MQTT_URL`
      : `embedded MQTT broker cannot listen on ${opts.host}:${opts.port}: ${e.message}`)));
    server.listen(opts.port, opts.host, () => resolve((server.address() as { port: number }).port));
  });
  // Likewise for the listening socket (e.g. EMFILE on accept during a connection storm): log it, keep serving.
  server.on('error', (e: NodeJS.ErrnoException) => logger.error({ err: e.message, code: e.code }, 'embedded MQTT broker socket error'));
  logger.info({ host: opts.host, port, tls: Boolean(opts.tls) }, 'embedded MQTT broker listening');
  const ws = opts.wsPort === undefined ? undefined : await listenWebSocket(opts.host, opts.wsPort, (socket) => handle(socket as Duplex), logger);

  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://${opts.host}:${port}`,
    port,
    wsUrl: ws?.url,
    stats: () => ({ ...stats }),
    recheck,
    async close() {
      clearInterval(recheckTimer);
      for (const s of sockets) s.destroy();
      await ws?.close();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

/** MQTT over WebSocket (subprotocol mqtt) through the `ws` package; each connection is handed to aedes as a stream. */
async function listenWebSocket(host: string, port: number, handle: (stream: NodeJS.ReadWriteStream) => void, logger: Logger) {
  // One WebSocket frame is buffered whole before the frame meter sees it: no frame larger than the largest packet.
  const wss = new WebSocketServer({ host, port, maxPayload: MAX_CONTROL_PACKET + 5, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.values().next().value ?? false) });
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
