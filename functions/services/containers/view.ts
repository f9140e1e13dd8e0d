// Containers and their event history as the operator API shows them (camelCase, ISO times).
import type { containerEvents, containers } from '../../db/schema';
import { isoTime } from '../../../shared/clock';

export type ContainerRow = typeof containers.$inferSelect;
export type ContainerEventRow = typeof containerEvents.$inferSelect;

export const containerView = (c: ContainerRow) => ({
  id: c.id,
  groupId: c.groupId,
  portId: c.portId,
  serviceType: c.serviceType,
  configurationId: c.configurationId,
  hostId: c.hostId,
  status: c.status,
  statusMessage: c.statusMessage,
  schedulerState: c.schedulerState,
  namespace: c.namespace,
  interfaceName: c.interfaceName,
  placementGeneration: c.placementGeneration,
});

export const containerEventView = (e: ContainerEventRow) => ({
  at: isoTime(e.at),
  type: e.type,
  hostId: e.hostId,
  reason: e.reason,
});

export type ContainerView = ReturnType<typeof containerView>;
export type ContainerEventView = ReturnType<typeof containerEventView>;
