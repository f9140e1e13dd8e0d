// Container groups as the operator API shows them.
import type { containerGroups } from '../../db/schema';

export type ContainerGroupRow = typeof containerGroups.$inferSelect;

export const containerGroupView = (g: ContainerGroupRow) => ({
  id: g.id,
  policy: g.policy as 'weighted' | 'least',
  hostGroupId: g.hostGroupId,
  portGroupId: g.portGroupId,
  antiAffinity: g.antiAffinity,
  routerId: g.routerId,
});

export type ContainerGroupView = ReturnType<typeof containerGroupView>;
