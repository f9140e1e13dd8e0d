// Host rows as the operator API shows them (camelCase, ISO times).
import type { hosts } from '../../db/schema';
import { isoTime } from '../../../shared/clock';

export type HostRow = typeof hosts.$inferSelect;

export const hostView = (h: HostRow, containerCount: number) => ({
  id: h.id,
  name: h.name,
  alive: h.alive,
  containerWeight: h.containerWeight,
  containerLimit: h.containerLimit,
  enforceContainerLimit: h.enforceContainerLimit,
  cordoned: h.cordoned,
  containerCount,
  lastHeartbeatAt: isoTime(h.lastHeartbeatAt),
  bootId: h.bootId,
  reportedCount: h.reportedCount,
  reportedQuota: h.reportedQuota,
});

export type HostView = ReturnType<typeof hostView>;
