// Neutron conventions shared by every /v2.0 resource's view: the tenant fields and Neutron's timestamp format.
// (Listing — filters, sorting, paging, fields= — is in neutron-list.ts.)

/** The tenant fields Neutron returns on every object. */
export const tenantFields = (tenantId: string) => ({ tenant_id: tenantId, project_id: tenantId });

export const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
