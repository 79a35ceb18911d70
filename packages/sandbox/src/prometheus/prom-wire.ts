// Prometheus HTTP API wire formats: parameter parsing and value rendering.

export type ErrorType = 'bad_data' | 'execution' | 'unavailable' | 'timeout' | 'internal' | 'canceled';

/** HTTP status Prometheus uses for each errorType (web/api/v1 returnAPIError). */
export const STATUS_FOR_ERROR: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  unavailable: 503,
  timeout: 503,
  internal: 500,
  canceled: 499,
};

export class ApiError extends Error {
  constructor(
    readonly errorType: ErrorType,
    message: string,
    readonly status: number = STATUS_FOR_ERROR[errorType],
  ) {
    super(message);
  }

  toBody(): { status: 'error'; errorType: ErrorType; error: string } {
    return { status: 'error', errorType: this.errorType, error: this.message };
  }
}

export function badParam(name: string, reason: string): ApiError {
  return new ApiError('bad_data', `invalid parameter "${name}": ${reason}`);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parse a `time`/`start`/`end` value (unix seconds or RFC3339) to epoch milliseconds. */
export function parseTime(name: string, raw: string): number {
  // Prometheus keeps millisecond precision.
  if (FLOAT.test(raw)) return Math.round(Number(raw) * 1000);
  if (RFC3339.test(raw)) {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return ms;
  }
  throw badParam(name, `cannot parse "${raw}" to a valid timestamp`);
}

const UNIT_MS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
const DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

/** Parse a `step`/`timeout` value (float seconds or a Prometheus duration) to milliseconds. */
export function parseDuration(name: string, raw: string): number {
  if (FLOAT.test(raw)) return Number(raw) * 1000;
  const match = raw === '' ? null : DURATION.exec(raw);
  if (match === null) throw badParam(name, `cannot parse "${raw}" to a valid duration`);
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let total = 0;
  units.forEach((unit, i) => {
    const n = match[2 * i + 2];
    if (n !== undefined) total += Number(n) * (UNIT_MS[unit] as number);
  });
  return total;
}

/** Render a sample value like Go's strconv.FormatFloat(v, 'f', -1, 64). */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  const text = String(value);
  const [mantissa = '', expText] = text.split('e');
  if (expText === undefined) return text;
  const negative = mantissa.startsWith('-');
  const unsigned = negative ? mantissa.slice(1) : mantissa;
  const dot = unsigned.indexOf('.');
  const digits = unsigned.replace('.', '');
  const point = (dot === -1 ? unsigned.length : dot) + Number(expText);
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${plain}` : plain;
}
