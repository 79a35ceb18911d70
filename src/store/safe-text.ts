/**
 * PostgreSQL refuses NUL (in TEXT and JSONB) and lone UTF-16 surrogates (in JSONB). Anything a person
 * typed that reaches a row goes through here first, so one odd character can never fail a write.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string with every unstorable character replaced by U+FFFD (visible, and obviously replaced). */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** True when the text holds a character PostgreSQL cannot store. */
export function hasUnstorableText(text: string): boolean {
  UNSTORABLE.lastIndex = 0;
  const found = UNSTORABLE.test(text);
  UNSTORABLE.lastIndex = 0;
  return found;
}

/** A JSON value with every string (keys too) made storable. */
export function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)])) as T;
  }
  return value;
}
