// Ingest over HTTP (POST /v1/agent-events): how agent messages reach a control plane that holds no broker
// connection (Workers). A broker's HTTP delivery (EMQX rule + HTTP action, docs/serverless.md) or `berth bridge`
// posts what agents published; the messages go through the very same classify + applyAgentBatch as the Node
// subscriber's, in one write transaction per request. Authenticated by the control credential (or the admin
// token); a malformed body is refused whole (400, nothing applied); a database failure is 503 (retry).
import { z } from 'zod';
import type { AppContext } from '../http/env';
import { parseWith, readJson } from '../http/body';
import { AppError } from '../../shared/errors';
import { controlPassword, sameSecretHashed } from '../crypto';
import { CONTROLLER_LEASE } from '../relay/relay';
import { applyAgentBatch } from './batcher';
import { classify, type AgentMessage, type IngestDropReason } from './classify';
import type { TunnelTelemetry } from '../../shared/protocol/messages';

/** Most messages one request may carry (a bridge splits bigger batches). */
export const MAX_MESSAGES_PER_REQUEST = 2000;

// Not strict: EMQX's default body (the rule's whole output, or its Webhook event) carries more fields than these.
const zMessage = z.object({
  topic: z.string().min(1).max(1024),
  // MQTT payloads are UTF-8 JSON text; a broker template that decoded it (json_decode) sends the object itself.
  payload: z.union([z.string(), z.record(z.string(), z.unknown())]),
});
const zBatch = z.strictObject({ messages: z.array(zMessage).max(MAX_MESSAGES_PER_REQUEST) });
const zBody = z.union([zBatch, zMessage, z.array(zMessage).max(MAX_MESSAGES_PER_REQUEST)]);

export type RawAgentMessage = z.infer<typeof zMessage>;

/** The three body shapes (our batch, one EMQX message, a bare array) as one list. Throws 400 on anything else. */
export function parseAgentEvents(body: unknown): RawAgentMessage[] {
  const parsed = parseWith(zBody, body);
  return Array.isArray(parsed) ? parsed : 'messages' in parsed ? parsed.messages : [parsed];
}

export interface IngestOutcome {
  accepted: number;
  dropped: Partial<Record<IngestDropReason, number>>;
  /** Offline presences (Last Wills, clean stops) among the accepted: a host died, judge at once. */
  offline: number;
  /** How long the controller lease has left after this batch (null: no lease row yet). */
  leaseLeftMs: number | null;
  /** The accepted tunnel reports, for the caller to republish once committed (./telemetry.ts), as Node's ingest does. */
  telemetry: TunnelTelemetry[];
}

/** Whether the bearer is the control credential or the admin token (both derived from / equal to the admin token). */
async function authorised(c: AppContext): Promise<boolean> {
  const h = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  if (!m) return false;
  const token = m[1].trim();
  const admin = c.var.deps.config.adminToken;
  // Hashed first, like the API's token check: the comparison does not leak the admin token's length (issue 9).
  return (await sameSecretHashed(token, await controlPassword(admin))) || (await sameSecretHashed(token, admin));
}

/**
 * Handles one POST /v1/agent-events. `hearingWindowMs`: every accepted request stamps the lease row (even one with
 * no valid message: it proves the delivery path works). Returns the outcome beside the response, for the caller to
 * start a controller step.
 */
export async function ingestHttp(c: AppContext, opts: { hearingWindowMs: number }): Promise<{ response: Response; outcome: IngestOutcome }> {
  if (!(await authorised(c))) throw new AppError('UNAUTHENTICATED', 'agent events need Authorization: Bearer <control credential or admin token>');
  const raw = parseAgentEvents(await readJson(c));
  const dropped: Partial<Record<IngestDropReason, number>> = {};
  const batch: AgentMessage[] = [];
  for (const m of raw) {
    const r = classify(m.topic, typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload));
    if (r.ok) batch.push(r.msg);
    else dropped[r.reason] = (dropped[r.reason] ?? 0) + 1;
  }
  const { deps } = c.var;
  let leaseLeftMs: number | null;
  let telemetry: TunnelTelemetry[];
  try {
    ({ leaseLeftMs, telemetry } = await applyAgentBatch(deps, batch, { hearing: { lease: CONTROLLER_LEASE, windowMs: opts.hearingWindowMs } }));
  } catch (e) {
    deps.logger.error({ err: String((e as Error)?.message ?? e), messages: batch.length }, 'ingest batch failed');
    throw new AppError('UNAVAILABLE', 'the agent events could not be stored; nothing was applied, send them again', { retryable: true });
  }
  const offline = batch.filter((m) => m.kind === 'presence' && !m.value.online).length;
  const outcome: IngestOutcome = { accepted: batch.length, dropped, offline, leaseLeftMs, telemetry };
  return { response: c.json({ accepted: outcome.accepted, dropped }, 200), outcome };
}

/** The body of POST /v1/agent-events, for the OpenAPI document. */
export { zBody as agentEventsBody };
