// Fault injection for the sim driver: the shape of --sim-faults JSON (also settable programmatically).
import { z } from 'zod';
import { zId } from '../../../shared/protocol/messages';

/** true = every container; a list = only these container ids. */
const zWhich = z.union([z.boolean(), z.array(zId)]);

export const zSimFaults = z.strictObject({
  /** create() fails (not retryable) — the container goes to ERROR until its desired spec changes. */
  failCreate: zWhich.optional(),
  /** The next N create() calls fail with a retryable error (the agent backs off and retries). */
  flakyCreate: z.number().int().min(0).optional(),
  /** Containers stay STARTING this long after create() before they are RUNNING. */
  slowStartMs: z.number().int().min(0).max(600_000).optional(),
  /** These containers crash (ERROR) as soon as they exist. */
  crash: z.array(zId).optional(),
  /** health() never answers (until the driver closes) — the agent must time it out. */
  hangHealth: zWhich.optional(),
});

export type SimFaults = z.infer<typeof zSimFaults>;

export const faultApplies = (which: boolean | string[] | undefined, id: string): boolean =>
  which === true || (Array.isArray(which) && which.includes(id));

/** Parse the --sim-faults flag; throws a message fit for the command line. */
export function parseSimFaults(json: string): SimFaults {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error(`--sim-faults must be JSON, e.g. '{"failCreate":true,"slowStartMs":500}'`);
  }
  const r = zSimFaults.safeParse(raw);
  if (!r.success) {
    throw new Error(`--sim-faults: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')} (allowed: failCreate, flakyCreate, slowStartMs, crash, hangHealth)`);
  }
  return r.data;
}
