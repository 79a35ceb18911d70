/** Freezes a value and everything it holds, so it can be shared and its serialisation cached. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const encoded = new WeakMap<object, Buffer>();

/**
 * `JSON.stringify(value)` as UTF-8. A deeply frozen value (a cached reply, served thousands of times) is
 * encoded once: it cannot change, so neither can its bytes.
 */
export function jsonBytes(value: unknown): Buffer {
  const frozen = value !== null && typeof value === 'object' && Object.isFrozen(value);
  const cached = frozen ? encoded.get(value) : undefined;
  if (cached) return cached;
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  if (frozen) encoded.set(value, bytes);
  return bytes;
}
