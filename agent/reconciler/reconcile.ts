// One reconcile pass: read the host back through the driver, diff against the desired state, apply the
// actions, check health, and keep the status board true. The loop (loop.ts) decides when passes run.
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { ContainerReport, DesiredState, StatusMessageCode } from '../../shared/protocol/messages';
import { DriverError, isDriverError, type ContainerSpec, type Driver, type ObservedContainer } from '../drivers/contract';
import type { StatusBoard } from '../status-board';
import { diff, specFingerprint, type Action } from './diff';
import type { RunResult } from './loop';

export interface ReconcilerOptions {
  driver: Driver;
  board: StatusBoard;
  clock: Clock;
  logger: Logger;
  /** Hard container limit (enforced), or null. */
  hardLimit: number | null;
  /** A health() slower than this reports ERROR HEALTH_TIMEOUT. */
  healthTimeoutMs: number;
  /** create/update/delete/list slower than this count as a retryable failure. */
  opTimeoutMs: number;
}

interface Failure {
  fingerprint: string;
  retryable: boolean;
  attempts: number;
  notBefore: number;
}

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new DriverError('UNAVAILABLE', `${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);
/** A status message in the protocol's "CODE: detail" form. */
const coded = (code: StatusMessageCode, detail: string) => `${code}: ${detail}`;

const reportBase = (spec: ContainerSpec) => ({ id: spec.id, placementGeneration: spec.placementGeneration, namespace: null, interfaceName: null });

export class Reconciler {
  private desired: DesiredState | null = null;
  private fenceReason: string | null = null;
  /** Containers this agent stopped when it fenced itself (reported STOPPED until new desired state arrives). */
  private readonly fencedStopped = new Set<string>();
  private readonly failures = new Map<string, Failure>();
  /** Generation of the desired document the last finished pass worked from. */
  observedGeneration = 0;
  /** Containers that existed on the host after the last pass. */
  observedCount = 0;

  constructor(private readonly o: ReconcilerOptions) {}

  /** A validated, fence-checked desired document (the caller persisted its version first). */
  setDesired(doc: DesiredState): void {
    this.desired = doc;
    this.fencedStopped.clear();
  }

  /** Self-fence: stop every container and forget the desired state until a new document arrives. */
  fence(reason: string): void {
    this.fenceReason = reason;
    this.desired = null;
  }

  unfence(): void {
    this.fenceReason = null;
  }

  get fenced(): boolean {
    return this.fenceReason !== null;
  }

  async run(): Promise<RunResult> {
    const { driver, board } = this.o;
    let observed = await withTimeout(driver.list(), this.o.opTimeoutMs, 'driver list()');

    if (this.fenceReason !== null) {
      await this.stopAll(observed, this.fenceReason);
      this.observedCount = (await driver.list()).length;
      board.retainOnly(this.fencedStopped);
      board.flush();
      return {};
    }

    const desired = this.desired;
    const plan = diff({ desired: desired?.containers ?? null, observed, hardLimit: this.o.hardLimit });
    const actions = plan.actions.filter((a) => a.kind === 'delete' || !this.blocked(a.spec));

    if (actions.length > 0) {
      // Announce the transitions first (one report), then do the work.
      for (const a of actions) {
        if (a.kind === 'delete' || a.kind === 'recreate') board.patch(a.kind === 'delete' ? a.id : a.spec.id, reportBase(a.previous), { status: 'STOPPING', message: '' });
        if (a.kind === 'create') board.set({ ...reportBase(a.spec), status: 'STARTING', message: '' });
      }
      board.flush();
      for (const a of actions) await this.apply(a);
      board.flush();
      observed = await withTimeout(driver.list(), this.o.opTimeoutMs, 'driver list()');
    }
    for (const r of plan.refused) board.patch(r.spec.id, reportBase(r.spec), { status: 'ERROR', message: r.message, tunnels: undefined });

    await this.checkHealth(observed);
    const keep = new Set([...observed.map((c) => c.id), ...(desired?.containers.map((c) => c.id) ?? []), ...this.fencedStopped]);
    board.retainOnly(keep);
    for (const id of this.failures.keys()) if (!desired?.containers.some((c) => c.id === id)) this.failures.delete(id);
    board.flush();

    if (desired) this.observedGeneration = desired.generation;
    this.observedCount = observed.length;
    return { retryInMs: this.nextRetryIn() };
  }

  private async apply(a: Action): Promise<void> {
    const { driver, board, logger } = this.o;
    const op = this.o.opTimeoutMs;
    const id = a.kind === 'delete' ? a.id : a.spec.id;
    try {
      if (a.kind === 'delete' || a.kind === 'recreate') {
        logger.info({ containerId: id, reason: a.reason }, a.kind === 'delete' ? 'deleting container' : 'recreating container');
        await withTimeout(driver.delete(id), op, 'driver delete()');
        if (a.kind === 'delete') {
          board.remove(id);
          return;
        }
        board.set({ ...reportBase(a.spec), status: 'STARTING', message: '' });
        board.flush();
      }
      if (a.kind === 'create' || a.kind === 'recreate') {
        if (a.kind === 'create') logger.info({ containerId: id }, 'creating container');
        this.report(await withTimeout(driver.create(a.spec), op, 'driver create()'));
      } else {
        logger.info({ containerId: id }, 'updating container in place');
        this.report(await withTimeout(driver.update(a.spec, a.previous), op, 'driver update()'));
      }
      this.failures.delete(id);
    } catch (e) {
      const code: StatusMessageCode = a.kind === 'delete' ? 'DELETE_FAILED' : a.kind === 'update' ? 'UPDATE_FAILED' : 'CREATE_FAILED';
      const retryable = !isDriverError(e) || e.retryable;
      logger.warn({ containerId: id, action: a.kind, retryable, error: errorText(e) }, 'driver action failed');
      if (a.kind !== 'delete') this.recordFailure(a.spec, retryable);
      const base = a.kind === 'delete' ? reportBase(a.previous) : reportBase(a.spec);
      board.patch(id, base, { status: 'ERROR', message: coded(code, errorText(e)), tunnels: undefined });
    }
  }

  private async checkHealth(observed: ObservedContainer[]): Promise<void> {
    await Promise.all(observed.map(async (c) => {
      try {
        const h = await withTimeout(this.o.driver.health(c.id), this.o.healthTimeoutMs, 'driver health()');
        this.report(c, h);
      } catch (e) {
        if (isDriverError(e) && e.code === 'NOT_FOUND') return; // deleted meanwhile; the next pass sees it
        const timedOut = isDriverError(e) && /did not answer/.test(e.message);
        this.report(c, { status: 'ERROR', message: coded(timedOut ? 'HEALTH_TIMEOUT' : 'HEALTH_FAILED', errorText(e)), tunnels: undefined });
      }
    }));
  }

  private report(c: ObservedContainer, h?: Pick<ContainerReport, 'status' | 'message' | 'tunnels'>): void {
    // A container whose create/update of the current desired spec failed keeps reporting that ERROR (it runs
    // an older configuration, or none) until a retry succeeds or the desired spec changes.
    const failed = this.failures.get(c.id);
    const want = this.desired?.containers.find((d) => d.id === c.id);
    if (failed && want && failed.fingerprint === specFingerprint(want)) return;
    this.o.board.set({
      id: c.id,
      placementGeneration: c.spec.placementGeneration,
      status: h?.status ?? c.status,
      message: h?.message ?? c.message,
      namespace: c.namespace,
      interfaceName: c.interfaceName,
      ...(c.addresses ? { addresses: c.addresses } : {}),
      ...(h?.tunnels ? { tunnels: h.tunnels } : {}),
    });
  }

  private async stopAll(observed: ObservedContainer[], reason: string): Promise<void> {
    const { driver, board, logger } = this.o;
    if (observed.length === 0) return;
    for (const c of observed) board.patch(c.id, reportBase(c.spec), { status: 'STOPPING', message: coded('SELF_FENCED', reason), tunnels: undefined });
    board.flush();
    for (const c of observed) {
      try {
        await withTimeout(driver.delete(c.id), this.o.opTimeoutMs, 'driver delete()');
        this.fencedStopped.add(c.id);
        board.set({ ...reportBase(c.spec), status: 'STOPPED', message: coded('SELF_FENCED', reason) });
        logger.warn({ containerId: c.id }, 'self-fenced: container stopped');
      } catch (e) {
        logger.error({ containerId: c.id, error: errorText(e) }, 'self-fence could not stop a container; retrying');
        throw e; // the loop backs off and the next pass tries again
      }
    }
  }

  private blocked(spec: ContainerSpec): boolean {
    const f = this.failures.get(spec.id);
    if (!f || f.fingerprint !== specFingerprint(spec)) return false;
    return !f.retryable || this.o.clock.now() < f.notBefore;
  }

  private recordFailure(spec: ContainerSpec, retryable: boolean): void {
    const fingerprint = specFingerprint(spec);
    const prev = this.failures.get(spec.id);
    const attempts = prev && prev.fingerprint === fingerprint ? prev.attempts + 1 : 1;
    const notBefore = this.o.clock.now() + Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS);
    this.failures.set(spec.id, { fingerprint, retryable, attempts, notBefore });
  }

  private nextRetryIn(): number | undefined {
    const now = this.o.clock.now();
    let next: number | undefined;
    for (const f of this.failures.values()) {
      if (f.retryable) next = Math.min(next ?? Infinity, Math.max(0, f.notBefore - now));
    }
    return next;
  }
}
