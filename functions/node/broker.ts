// The embedded MQTT broker of `berth serve` (aedes, MQTT 3.1.1) with berth's authentication and topic ACL:
// agents log in as their host id with the agent token, the control plane as berth-control; everything else is
// refused at CONNECT, and every publish, subscribe and Last Will is checked against mqtt-acl.ts.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';
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
  stats(): BrokerStats;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: { host: string; port: number; credentials: Credentials; logger: Logger }): Promise<EmbeddedBroker> {
  const { logger } = opts;
  const who = new WeakMap<Client, Identity>();
  const stats: BrokerStats = { refusedConnects: 0, deniedPublishes: 0, deniedSubscribes: 0 };

  // The CONNECT packet's Last Will, seen before authentication (aedes hands authenticate only the credentials).
  const wills = new WeakMap<Client, { topic: string } | undefined>();

  const aedes = await Aedes.createBroker({
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
  logger.info({ host: opts.host, port }, 'embedded MQTT broker listening');

  return {
    url: `mqtt://${opts.host}:${port}`,
    port,
    stats: () => ({ ...stats }),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}
