// A small seeded PRNG (string key → cyrb53-style hash → mulberry32): the same key always draws the same
// numbers, on Node and Workers alike, so a weighted decision can be replayed from its recorded seed.

/** 32-bit hash of a string (FNV-1a then an avalanche mix): spreads similar keys apart. */
export function hashSeed(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform numbers in [0, 1) seeded by a string (the scheduler's `weighted` draws). */
export const seededRandom = (key: string): (() => number) => mulberry32(hashSeed(key));

/** mulberry32: uniform numbers in [0, 1) from a 32-bit state (also the simulation's and the chaos soak's source). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
