// The control plane's MQTT client (username berth-control) and the Publisher the relay uses through deps:
// QoS 1 publishes resolve only when the broker has acknowledged them (PUBACK).
import mqtt, { type MqttClient } from 'mqtt';
import { controlPassword } from '../crypto';
import type { Publisher } from '../deps';
import type { Logger } from '../../shared/logger';
import { CONTROL_CLIENT_PREFIX, CONTROL_USER } from './mqtt-acl';

/** The control plane's broker password (runtime-neutral home: functions/crypto.ts). */
export { controlPassword };

/**
 * tlsCa: the embedded broker's own certificate (PEM). The in-process control client trusts exactly it, whatever
 * name it was issued for: it connects to its own listener, which may be bound to 0.0.0.0.
 */
export function connectControl(url: string, password: string, logger: Logger, tlsCa?: Buffer): MqttClient {
  const client = mqtt.connect(url, {
    ...(tlsCa ? { ca: tlsCa, rejectUnauthorized: true, checkServerIdentity: () => undefined } : {}),
    protocolVersion: 4, // MQTT 3.1.1: aedes has no v5
    clientId: `${CONTROL_CLIENT_PREFIX}-${crypto.randomUUID().slice(0, 8)}`,
    username: CONTROL_USER,
    password,
    clean: true,
    reconnectPeriod: 500,
    connectTimeout: 5000,
  });
  let lastError = '';
  client.on('connect', () => {
    lastError = '';
    logger.info({ url }, 'control plane connected to the MQTT broker');
  });
  client.on('error', (e) => {
    // mqtt.js repeats the same error on every reconnect attempt: say it once.
    if (e.message !== lastError) logger.error({ url, err: e.message }, 'MQTT connection error');
    lastError = e.message;
  });
  client.on('offline', () => logger.warn({ url }, 'control plane lost the MQTT broker; reconnecting'));
  return client;
}

/**
 * Publishes wait while the socket's buffer is full, on ONE shared 'drain' listener: mqtt.js adds a 'drain'
 * listener per packet written to a full socket, and the relay publishing hundreds of documents at once (10,000
 * hosts after a restart) then tripped Node's MaxListenersExceededWarning on the control client's socket.
 */
export class MqttPublisher implements Publisher {
  private drained: Promise<void> | null = null;
  constructor(private readonly client: MqttClient) {}
  async publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    for (let stream = this.client.stream; stream?.writableNeedDrain && !stream.destroyed; stream = this.client.stream) {
      this.drained ??= new Promise<void>((resolve) => {
        const done = () => { stream.off('drain', done); stream.off('close', done); this.drained = null; resolve(); };
        stream.once('drain', done);
        stream.once('close', done);
      });
      await this.drained;
    }
    await this.client.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain });
  }
}
