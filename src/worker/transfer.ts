// What a worker message can move instead of copying.

/** Every typed-array buffer in a value, so it moves to the other thread instead of being copied. */
export function buffersOf(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) found.add(value.buffer as ArrayBuffer);
  else if (Array.isArray(value)) for (const v of value) buffersOf(v, found);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) buffersOf(v, found);
  return [...found];
}
