// Host groups as the operator API shows them.
import type { hostGroups } from '../../db/schema';

export type HostGroupRow = typeof hostGroups.$inferSelect;

export const hostGroupView = (g: HostGroupRow, hostIds: string[]) => ({ id: g.id, name: g.name, hostIds });

export type HostGroupView = ReturnType<typeof hostGroupView>;
