// The control plane's publisher under a burst (the controller's events when thousands of hosts die at once, the
// relay's documents after a restart): everything handed over at once must go out, without piling a 'drain'
// listener per packet on the control client's socket (mqtt.js adds one per QoS 0 packet written to a full socket:
// Node's MaxListenersExceededWarning, seen in the 10,000-agent benchmark).
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { MqttPublisher } from './mqtt';

let server: Server | undefined;
let broker: Aedes | undefined;
let client: MqttClient | undefined;
afterEach(async () => {
  client?.end(true);
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  broker?.close();
});

it.each([0, 1] as const)('publishes a burst at QoS %i, all sent, without a drain listener per packet', async (qos) => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 0 });
  await new Promise<void>((r, j) => { client!.once('connect', () => r()); client!.once('error', j); });
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    const publisher = new MqttPublisher(client);
    const doc = 'x'.repeat(32 * 1024);
    let peak = 0;
    const watch = setInterval(() => { peak = Math.max(peak, client!.stream.listenerCount('drain')); }, 0);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => publisher.publish(`t/${i}`, doc, { qos, retain: qos === 1 })));
    clearInterval(watch);
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    expect(peak).toBeLessThanOrEqual(2);
  } finally {
    process.off('warning', onWarning);
  }
});
