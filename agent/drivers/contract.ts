// The driver contract every container implementation (sim, linux) meets; test/conformance/driver-suite.ts
// checks it. The reconciler only ever talks to a host through this interface.
import type { ContainerStatus, DesiredContainer, TunnelReport } from '../../shared/protocol/messages';

/** What the agent asks a driver to build: one desired container, exactly as the control plane sent it. */
export type ContainerSpec = DesiredContainer;

/** A container as the driver reads it back from the host. */
export interface ObservedContainer {
  id: string;
  /** The spec it was last created or updated with (drivers persist it, so a restarted agent can diff). */
  spec: ContainerSpec;
  status: ContainerStatus;
  message: string;
  namespace: string | null;
  interfaceName: string | null;
  /** The addresses the container holds on its link (CIDR notation: the /30, the IPv6 /127, the external /32 and /128). */
  addresses?: string[];
  /**
   * Opaque, changes whenever the container is (re)built from scratch and never otherwise. It is how a test
   * (or an operator) tells an incremental update or an adoption apart from a recreation.
   */
  incarnation: string;
}

export interface ContainerHealth {
  status: ContainerStatus;
  message: string;
  /** One entry per connection in the spec. */
  tunnels: TunnelReport[];
}

export type DriverErrorCode =
  | 'EXISTS' // create of an id that already exists
  | 'NOT_FOUND' // update/health of an id that does not exist
  | 'FAILED' // the host refused (bad config, missing tool); retrying the same spec will not help
  | 'UNAVAILABLE'; // transient (a busy tool, a timeout); the agent retries with backoff

export class DriverError extends Error {
  readonly code: DriverErrorCode;
  readonly retryable: boolean;
  constructor(code: DriverErrorCode, message: string, retryable = code === 'UNAVAILABLE') {
    super(message);
    this.name = 'DriverError';
    this.code = code;
    this.retryable = retryable;
  }
}

export const isDriverError = (e: unknown): e is DriverError => e instanceof DriverError;

/**
 * Rules every driver keeps:
 * - list() returns every container this driver built on the host and that still exists, including ones
 *   built by an earlier agent process (restart adoption); never containers it did not build.
 * - create(spec) builds a new container; it resolves once built (status STARTING or RUNNING — health()
 *   tells when it is up). A failed create leaves nothing behind in list(). An existing id → EXISTS.
 * - update(spec, previous) changes a container in place. A change limited to connections must not rebuild
 *   it (incarnation unchanged; other connections' tunnels stay up). A missing id → NOT_FOUND. The agent never
 *   asks update() to change the id, type, portId or interfaceName (it deletes and creates instead).
 * - delete(id) removes the container and everything it owns; deleting a missing id succeeds (idempotent).
 * - health(id) reads the live state: status, message and one tunnel report per connection (tunnels are
 *   'up' only when their SAs are; an up tunnel carries its telemetry: bytes and packets in/out, establishedAt,
 *   lastRekeyAt); a missing id → NOT_FOUND. It may be slow; the agent times it out. An empty message is fine:
 *   the agent says what is true from the status and tunnels (agent/status-message.ts).
 * - close() releases the driver's own resources; containers keep running (an agent restart adopts them).
 * No method throws anything but DriverError for expected failures.
 */
export interface Driver {
  readonly name: string;
  list(): Promise<ObservedContainer[]>;
  create(spec: ContainerSpec): Promise<ObservedContainer>;
  update(spec: ContainerSpec, previous: ContainerSpec): Promise<ObservedContainer>;
  delete(id: string): Promise<void>;
  health(id: string): Promise<ContainerHealth>;
  close(): Promise<void>;
}
