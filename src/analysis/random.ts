// A small seeded pseudo-random generator, so that a seed typed in the app gives the same draws in
// every browser and in Node: Math.random cannot be seeded, and the labs promise that a seed
// reproduces an example exactly. Mulberry32 (Tommy Ettinger, public domain): 32 bits of state,
// period 2^32, good enough statistics for sampling teaching examples, a few integer operations per
// draw and nothing that depends on the engine.

/** A generator of uniform numbers in [0, 1). */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The seed of an independent stream `stream` of the user's `seed`, so that one seed can drive
 * several draws (an example, a batch of pairs, each pair's masks) without them sharing numbers.
 */
export function mixSeed(seed: number, stream: number): number {
  return fmix32((seed >>> 0) ^ fmix32((stream + 0x9e3779b9) >>> 0));
}

/** A whole number in [0, n). */
export const randomInt = (random: Random, n: number): number => Math.floor(random() * n);

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
