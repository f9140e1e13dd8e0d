// Heartbeat payloads: quota arithmetic and schema validity.
import { describe, expect, it } from 'vitest';
import { zHeartbeat, zPresence } from '../shared/protocol/messages';
import { buildHeartbeat, buildPresence, hostLoad, quotaFor } from './heartbeat';

describe('heartbeat', () => {
  it.each([[-1, 3, -1], [5, 3, 2], [5, 5, 0], [2, 5, 0], [0, 0, 0]])('limit %i with %i containers → quota %i', (limit, count, quota) => {
    expect(quotaFor(limit, count)).toBe(quota);
  });

  it('builds messages the control plane accepts', () => {
    const hb = buildHeartbeat({ hostId: 'host0', bootId: 'b-1', seq: 3, at: 1000, observedGeneration: 2, count: 1, containerLimit: 4, load: hostLoad() });
    expect(zHeartbeat.parse(hb)).toEqual(hb);
    expect(hb.quota).toBe(3);
    expect(zPresence.parse(buildPresence('host0', 'b-1', false, 5))).toMatchObject({ online: false });
  });
});
