// Events API v2 body validation, with PagerDuty's error wording where it is known.

export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];
export type Severity = (typeof SEVERITIES)[number];

export interface PagerDutyPayload {
  summary: string;
  source: string;
  severity: Severity;
  timestamp?: string;
  component?: string;
  group?: string;
  class?: string;
  custom_details?: unknown;
}

export interface PagerDutyLink {
  href: string;
  text?: string;
}

export interface PagerDutyImage {
  src: string;
  href?: string;
  alt?: string;
}

/** A request body that passed validation. */
export interface PagerDutyEventBody {
  routing_key: string;
  event_action: EventAction;
  dedup_key?: string;
  payload?: PagerDutyPayload;
  links?: PagerDutyLink[];
  images?: PagerDutyImage[];
  client?: string;
  client_url?: string;
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function requiredString(errors: string[], obj: Obj, key: string, label = key): void {
  if (blank(obj[key])) errors.push(`'${label}' is missing or blank`);
  else if (typeof obj[key] !== 'string') errors.push(`'${label}' must be a string`);
}

function optionalString(errors: string[], obj: Obj, key: string, label = key): void {
  if (obj[key] !== undefined && obj[key] !== null && typeof obj[key] !== 'string') {
    errors.push(`'${label}' must be a string`);
  }
}

function checkRoutingKey(errors: string[], body: Obj): void {
  const key = body.routing_key;
  if (blank(key)) return void errors.push("'routing_key' is missing or blank");
  if (typeof key !== 'string') return void errors.push("'routing_key' must be a string");
  if (key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!/^[A-Za-z0-9]*$/.test(key)) errors.push("'routing_key' cannot contain non-alphanumeric characters.");
}

function checkPayload(errors: string[], payload: unknown): void {
  if (blank(payload)) return void errors.push("'payload' is missing or blank");
  if (!isObject(payload)) return void errors.push("'payload' must be an object");
  requiredString(errors, payload, 'summary', 'payload.summary');
  if (typeof payload.summary === 'string' && payload.summary.length > 1024) {
    errors.push("'payload.summary' is too long (maximum is 1024 characters)");
  }
  requiredString(errors, payload, 'source', 'payload.source');
  const severity = payload.severity;
  if (blank(severity)) errors.push("'payload.severity' is missing or blank");
  else if (!SEVERITIES.includes(severity as Severity)) {
    errors.push(`'payload.severity' is invalid (must be one of: ${SEVERITIES.join(', ')})`);
  }
  const ts = payload.timestamp;
  if (ts !== undefined && (typeof ts !== 'string' || !ISO_8601.test(ts) || Number.isNaN(Date.parse(ts)))) {
    errors.push("'payload.timestamp' is invalid (must be an ISO 8601 date-time)");
  }
  for (const key of ['component', 'group', 'class']) optionalString(errors, payload, key, `payload.${key}`);
}

function checkList(errors: string[], body: Obj, key: 'links' | 'images', required: string): void {
  const list = body[key];
  if (list === undefined) return;
  if (!Array.isArray(list)) return void errors.push(`'${key}' must be an array`);
  list.forEach((item: unknown, i) => {
    if (!isObject(item)) errors.push(`'${key}[${i}]' must be an object`);
    else requiredString(errors, item, required, `${key}[${i}].${required}`);
  });
}

/** All problems with an event body, in PagerDuty's `errors` array format; [] when valid. */
export function validateEvent(body: unknown): string[] {
  if (!isObject(body)) return ['Event object must be a JSON object'];
  const errors: string[] = [];
  checkRoutingKey(errors, body);
  const action = body.event_action;
  if (blank(action)) errors.push("'event_action' is missing or blank");
  else if (!EVENT_ACTIONS.includes(action as EventAction)) {
    errors.push(`'event_action' is invalid (must be one of: ${EVENT_ACTIONS.join(', ')})`);
  }
  const dedup = body.dedup_key;
  if (dedup !== undefined && dedup !== null) {
    if (typeof dedup !== 'string') errors.push("'dedup_key' must be a string");
    else if (dedup.length > 255) errors.push("'dedup_key' is too long (maximum is 255 characters)");
  }
  if ((action === 'acknowledge' || action === 'resolve') && blank(dedup)) {
    errors.push("'dedup_key' is missing or blank");
  }
  // Acknowledge and resolve ignore the payload, as PagerDuty does.
  if (action === 'trigger') checkPayload(errors, body.payload);
  checkList(errors, body, 'links', 'href');
  checkList(errors, body, 'images', 'src');
  optionalString(errors, body, 'client');
  optionalString(errors, body, 'client_url');
  return errors;
}
