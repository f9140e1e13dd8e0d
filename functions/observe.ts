// What the control plane measures, as a small runtime-neutral interface: functions/ calls it at the points that
// matter, and a runtime plugs in what records (berth serve: prom-client, functions/node/observer.ts; Workers and
// tests: nothing). So no metrics library leaks into functions/ and the measuring code is the same everywhere.
// Every call happens after the work it measures has committed (never inside a transaction that may be retried).

export interface Observer {
  /** One API request: the route pattern (never the raw path: ids would explode the label set). */
  httpRequest(o: { method: string; route: string; status: number; seconds: number }): void;
  /** One controller step (leader or not), and the events it recorded (placements, failovers). */
  controllerStep(o: { seconds: number; leader: boolean; events: readonly { type: string; reason: string }[] }): void;
  /** A container RUNNING again elsewhere after its host died: seconds since the dead host was last heard. */
  failover(seconds: number): void;
  /** One ingest batch committed: how long its oldest message waited, and how many it held. */
  ingestBatch(o: { lagSeconds: number; messages: number }): void;
  /** One desired document handed to the broker (or not). */
  relayPublish(o: { seconds: number; ok: boolean }): void;
}

export const nullObserver: Observer = {
  httpRequest: () => undefined,
  controllerStep: () => undefined,
  failover: () => undefined,
  ingestBatch: () => undefined,
  relayPublish: () => undefined,
};

/** Seconds since a performance.now() reading (monotonic, present on Node and Workers). */
export const secondsSince = (start: number) => (performance.now() - start) / 1000;
