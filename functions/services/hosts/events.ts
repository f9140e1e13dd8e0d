// The one shape of an event about a host alone (GET /v1/events with no containerId): recorded by whoever changes
// the host, in the same transaction as the change (functions/services/events/record.ts).
import type { HostEventType } from '../../../shared/model/events';
import { recordEvents, type ContainerEvent } from '../events/record';
import type { Db } from '../../db/client';

export const hostEvent = (type: HostEventType, hostId: string, reason: string, at: number): ContainerEvent =>
  ({ containerId: null, type, hostId, reason, at });

/** Records one host event inside the caller's write transaction. */
export const recordHostEvent = (tx: Db, type: HostEventType, hostId: string, reason: string, at: number) =>
  recordEvents(tx, [hostEvent(type, hostId, reason, at)]);
