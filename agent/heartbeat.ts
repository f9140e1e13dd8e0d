// Heartbeat and presence payloads (pure builders) and the host load figure they carry.
import { cpus, loadavg } from 'node:os';
import { PROTOCOL_VERSION, type Heartbeat, type Presence } from '../shared/protocol/messages';
import type { Mark } from './fence';

/** Containers left under the limit (never negative), or -1 when the host has no limit. */
export const quotaFor = (containerLimit: number, count: number): number =>
  containerLimit < 0 ? -1 : Math.max(0, containerLimit - count);

export function buildHeartbeat(a: {
  hostId: string; bootId: string; seq: number; at: number; observedGeneration: number; fence?: Mark | null; count: number; containerLimit: number; load: number;
}): Heartbeat {
  return {
    v: PROTOCOL_VERSION, hostId: a.hostId, bootId: a.bootId, seq: a.seq, at: a.at,
    observedGeneration: a.observedGeneration, ...(a.fence ? { fence: { ...a.fence } } : {}), count: a.count, quota: quotaFor(a.containerLimit, a.count), load: a.load,
  };
}

export const buildPresence = (hostId: string, bootId: string, online: boolean, at: number): Presence =>
  ({ v: PROTOCOL_VERSION, hostId, bootId, online, at });

/** 1-minute load average per CPU in percent (0 where the OS has no load average). */
export function hostLoad(): number {
  const n = Math.max(1, cpus().length);
  return Math.max(0, Math.round((loadavg()[0] / n) * 100));
}
