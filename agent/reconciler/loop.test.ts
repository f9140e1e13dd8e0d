// ReconcileLoop: single flight, rerun after a trigger during a run, periodic runs, backoff on failure.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconcileLoop, type RunResult } from './loop';

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

/** A run the test finishes by hand, recording overlap. */
function controlledRun() {
  const pending: Array<{ resolve: (r: RunResult) => void; reject: (e: unknown) => void }> = [];
  let active = 0;
  let maxActive = 0;
  const run = () => new Promise<RunResult>((resolve, reject) => {
    active += 1;
    maxActive = Math.max(maxActive, active);
    pending.push({
      resolve: (r) => { active -= 1; resolve(r); },
      reject: (e) => { active -= 1; reject(e); },
    });
  });
  return { run, pending, get maxActive() { return maxActive; } };
}

describe('ReconcileLoop', () => {
  it('runs at start, then periodically', async () => {
    const run = vi.fn(async () => ({}));
    const loop = new ReconcileLoop({ run, intervalMs: 1000 });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('never overlaps runs, and many triggers during a run cause exactly one more', async () => {
    const c = controlledRun();
    const loop = new ReconcileLoop({ run: c.run, intervalMs: 60_000 });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.pending).toHaveLength(1);
    loop.trigger();
    loop.trigger();
    loop.trigger();
    await vi.advanceTimersByTimeAsync(10);
    expect(c.pending).toHaveLength(1);
    c.pending[0].resolve({});
    await vi.advanceTimersByTimeAsync(0);
    expect(c.pending).toHaveLength(2);
    c.pending[1].resolve({});
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.pending).toHaveLength(2);
    expect(c.maxActive).toBe(1);
    await loop.stop();
  });

  it('a trigger when idle runs at once, not at the next period', async () => {
    const run = vi.fn(async () => ({}));
    const loop = new ReconcileLoop({ run, intervalMs: 60_000 });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    loop.trigger();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('backs off exponentially while runs fail, holding triggers, and resets after a success', async () => {
    let fail = true;
    const run = vi.fn(async () => { if (fail) throw new Error('driver busy'); return {}; });
    const delays: number[] = [];
    const loop = new ReconcileLoop({ run, intervalMs: 60_000, backoffBaseMs: 100, backoffMaxMs: 400, onError: (_e, d) => delays.push(d) });
    loop.start();
    await vi.advanceTimersByTimeAsync(0); // fails → 100
    loop.trigger(); // held during backoff
    await vi.advanceTimersByTimeAsync(50);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(50); // fails → 200
    await vi.advanceTimersByTimeAsync(200); // fails → 400
    await vi.advanceTimersByTimeAsync(400); // fails → 400 (capped)
    expect(delays).toEqual([100, 200, 400, 400]);
    fail = false;
    await vi.advanceTimersByTimeAsync(400);
    expect(run).toHaveBeenCalledTimes(5);
    loop.trigger();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(6);
    await loop.stop();
  });

  it('honours a run asking for an earlier retry than the period', async () => {
    const run = vi.fn(async () => ({ retryInMs: 300 }));
    const loop = new ReconcileLoop({ run, intervalMs: 60_000 });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(300);
    expect(run).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('stop waits for the run in progress and schedules nothing more', async () => {
    const c = controlledRun();
    const loop = new ReconcileLoop({ run: c.run, intervalMs: 100 });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const s = loop.stop().then(() => { stopped = true; });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    c.pending[0].resolve({});
    await s;
    loop.trigger();
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.pending).toHaveLength(1);
  });
});
