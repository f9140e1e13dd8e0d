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

export class MqttPublisher implements Publisher {
  constructor(private readonly client: MqttClient) {}
  async publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain });
  }
}
