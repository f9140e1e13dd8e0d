// syncRouter: the level-triggered translation entry point (stub: to be implemented).
// Called inside the northbound write transaction whenever anything that shapes a router's VPN changes.
import type { Db } from '../db/client';
import type { Clock } from '../../shared/clock';
import type { Ids } from '../../shared/ids';

export interface TranslateDeps { clock: Clock; ids: Ids }

/**
 * Brings the router's southbound objects (service port, routes, local-redirect chain and REDIRECT rules,
 * container group and container) and its VPN services' external_v4_ip/external_v6_ip in line with the
 * router's current northbound state. Idempotent; keeps ids of unchanged objects.
 */
export async function syncRouter(_tx: Db, _deps: TranslateDeps, _routerId: string): Promise<void> {}
