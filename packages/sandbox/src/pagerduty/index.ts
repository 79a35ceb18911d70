export { PagerDutyEmulator } from './pagerduty-emulator.ts';
export type {
  EventOutcome,
  IncidentStatus,
  PagerDutyEmulatorOptions,
  PagerDutyEvent,
  PagerDutyIncident,
  PagerDutyRequestRecord,
  WaitForOptions,
} from './pagerduty-emulator.ts';
export { EVENT_ACTIONS, SEVERITIES, validateEvent } from './pagerduty-validate.ts';
export type {
  EventAction,
  PagerDutyEventBody,
  PagerDutyImage,
  PagerDutyLink,
  PagerDutyPayload,
  Severity,
} from './pagerduty-validate.ts';
