// Port groups as the operator API shows them.
import type { portGroups } from '../../db/schema';

export type PortGroupRow = typeof portGroups.$inferSelect;

export const portGroupView = (g: PortGroupRow, portIds: string[]) => ({ id: g.id, name: g.name, portIds });

export type PortGroupView = ReturnType<typeof portGroupView>;
