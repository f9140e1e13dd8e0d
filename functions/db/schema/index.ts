// The whole berth schema (DESIGN section 2), one module per area.
export * from './northbound';
export * from './vpn';
export * from './southbound';
export * from './fleet';
