import { formatSampleValue } from './prom-wire.ts';

export type Registered =
  | { kind: 'vector'; samples: Array<{ metric: Record<string, string>; value: number }> }
  | { kind: 'scalar'; value: number };

type Point = [number, string];

export function evaluateInstant(reg: Registered, atMs: number): unknown {
  const ts = atMs / 1000;
  if (reg.kind === 'scalar') return { resultType: 'scalar', result: [ts, formatSampleValue(reg.value)] };
  return {
    resultType: 'vector',
    result: reg.samples.map((s) => ({ metric: { ...s.metric }, value: [ts, formatSampleValue(s.value)] })),
  };
}

/** Registered values are constant over time, so every step carries the same value. */
export function evaluateRange(reg: Registered, startMs: number, endMs: number, stepMs: number): unknown {
  const points = (value: number): Point[] => {
    const text = formatSampleValue(value);
    const out: Point[] = [];
    for (let t = startMs; t <= endMs; t += stepMs) out.push([t / 1000, text]);
    return out;
  };
  const series =
    reg.kind === 'scalar'
      ? [{ metric: {}, values: points(reg.value) }]
      : reg.samples.map((s) => ({ metric: { ...s.metric }, values: points(s.value) }));
  return { resultType: 'matrix', result: series };
}
