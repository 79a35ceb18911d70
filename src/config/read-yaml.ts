import { createRequire } from 'node:module';
import { CORE_SCHEMA, load } from 'js-yaml';

export type YamlRead = { ok: true; value: unknown } | { ok: false; errors: string[] };

/**
 * YAML 1.2 (core schema: no timestamps, no custom tags) to plain data. js-yaml reads the policy in a few
 * milliseconds; the `yaml` package took ~35 ms to load and ~50 ms to parse it, on every start. A file
 * js-yaml refuses is read again by `yaml`, whose messages say what to fix ("must be sufficiently indented
 * and end with a ]" rather than "unexpected end of the stream"), so a mistake reads as it always did.
 */
export function readYaml(text: string): YamlRead {
  try {
    return { ok: true, value: load(text, { schema: CORE_SCHEMA }) };
  } catch {
    const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => e.message.split('\n')[0] as string) };
    return { ok: true, value: doc.toJS() };
  }
}
