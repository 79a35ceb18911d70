/**
 * Deterministic identifiers: a seeded PRNG so two simulators started the same
 * way produce the same uids and pod names (stable test output and logs).
 */

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no 0/1/3). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

export class IdGenerator {
  private state: number;

  constructor(seed = 0x5eed_eaf1) {
    this.state = seed >>> 0;
  }

  /** mulberry32: tiny, fast, good enough for names. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  suffix(length = 5): string {
    let out = '';
    for (let i = 0; i < length; i++) out += SAFE[Math.floor(this.next() * SAFE.length)];
    return out;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  uid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** Stable JSON (sorted keys) so equal templates hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** FNV-1a over the template, encoded like the ReplicaSet pod-template-hash. */
const hashCache = new Map<string, string>();

/**
 * Drops nulls and empty objects, which typed clients add when they re-encode a template
 * (`creationTimestamp: null`, `resources: {}`): the template `rollout undo` sends back must hash
 * like the one it came from, as Kubernetes compares templates after defaulting.
 */
function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneEmpty);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const pruned = pruneEmpty(v);
    if (pruned === null || pruned === undefined) continue;
    if (typeof pruned === 'object' && !Array.isArray(pruned) && Object.keys(pruned).length === 0) continue;
    out[k] = pruned;
  }
  return out;
}

export function templateHash(template: unknown): string {
  const raw = JSON.stringify(template);
  const cached = hashCache.get(raw);
  if (cached) return cached;
  const hash = computeTemplateHash(stableStringify(pruneEmpty(template)));
  if (hashCache.size > 1000) hashCache.clear();
  hashCache.set(raw, hash);
  return hash;
}

function computeTemplateHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = '';
  for (let i = 0; i < 9; i++) {
    out += SAFE[h % SAFE.length];
    h = Math.floor(h / SAFE.length) ^ Math.imul(h, 31 + i);
    h >>>= 0;
  }
  return out;
}

/** Small stable string hash for picking log lines etc. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
