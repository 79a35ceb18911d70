import { z } from 'zod';
import type { IncidentType, Severity } from '../../config/incident-policy.ts';

export type { IncidentType, Severity } from '../../config/incident-policy.ts';

export const incidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const incidentStatusSchema = z.enum(incidentStatuses);
export type IncidentStatus = z.infer<typeof incidentStatusSchema>;

/** `INC-20261123-003` */
export const incidentIdPattern = /^INC-\d{8}-\d{3,}$/;

/** War-room set-up steps, recorded as they complete so a retry resumes after the last one. */
export type SetupStep = 'purpose' | 'topic' | 'invited' | 'pinned' | 'announced' | 'checklist' | 'timers';

export interface Incident {
  id: string;
  requestId: string;
  title: string;
  description: string;
  severity: Severity;
  type: IncidentType;
  systems: string[];
  status: IncidentStatus;
  requestedBy: string;
  teamId: string;
  originChannel?: string;
  commander?: string;
  channelName?: string;
  channelId?: string;
  templateTs?: string;
  checklistTs?: string;
  setup: Partial<Record<SetupStep, unknown>>;
  /** Security phase index → who ticked it and when. */
  phasesDone: Record<string, { by: string; at: string }>;
  escalationLevel: number;
  acknowledgedBy?: string;
  acknowledgedAt?: Date;
  reminderSeq: number;
  nextUpdateDue?: Date;
  summary?: string;
  resolvedBy?: string;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt?: Date;
}

export interface NewIncident {
  requestId: string;
  title: string;
  description: string;
  severity: Severity;
  type: IncidentType;
  systems: string[];
  requestedBy: string;
  teamId: string;
  originChannel?: string;
  /**
   * At most one open incident of this title: while one is open, it is returned instead of a new one
   * (buttons that declare what their message is about; declarations asked this way are serialised per title).
   */
  onePerOpenTitle?: boolean;
}

export type IncidentEventKind =
  | 'declared'
  | 'war-room'
  | 'invite-failed'
  | 'update'
  | 'status'
  | 'commander'
  | 'acknowledged'
  | 'reminder'
  | 'escalated'
  | 'phase'
  | 'containment'
  | 'approval'
  | 'run'
  | 'resolved';

export interface IncidentEvent {
  at: Date;
  kind: IncidentEventKind | string;
  /** A user id, or `system` for the bot's own doings. */
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

export interface NewIncidentEvent extends IncidentEvent {
  incidentId: string;
  /** Events with a once-key are recorded at most once per incident. */
  onceKey?: string;
}

/** Incidents and their timelines in Postgres; every transition that must happen once is atomic here. */
export interface IncidentStore {
  /**
   * Allocates the next id of `now`'s day; with an existing request id (or, asked `onePerOpenTitle`, an
   * open incident of the same title), returns that incident instead.
   */
  create(incident: NewIncident, now: Date, nextUpdateDue: Date): Promise<{ incident: Incident; created: boolean }>;
  get(id: string): Promise<Incident | undefined>;
  byChannel(channelId: string): Promise<Incident | undefined>;
  listOpen(limit?: number): Promise<Incident[]>;
  /** Records the war-room name about to be created. */
  claimChannelName(id: string, name: string): Promise<void>;
  /** Records the war-room channel; false when another incident already owns that channel. */
  attachChannel(id: string, channelId: string, name: string): Promise<boolean>;
  markSetup(id: string, step: SetupStep, value?: unknown): Promise<void>;
  setMessages(id: string, fields: { templateTs?: string; checklistTs?: string }): Promise<void>;
  setCommander(id: string, commander: string, now: Date): Promise<Incident | undefined>;
  /** Records an update: status (optional), a new reminder sequence and the next due time. */
  recordUpdate(
    id: string,
    status: IncidentStatus | undefined,
    nextUpdateDue: Date,
    now: Date,
  ): Promise<Incident | undefined>;
  /** A reminder fired: moves the due time on, only if `seq` is still current. Returns the new incident. */
  advanceReminder(id: string, seq: number, nextUpdateDue: Date, now: Date): Promise<Incident | undefined>;
  /** The first acknowledgement wins; later ones return undefined. */
  acknowledge(id: string, by: string, now: Date): Promise<Incident | undefined>;
  /** Raises the level if the incident is open, unacknowledged and below it; undefined otherwise. */
  escalate(id: string, level: number, now: Date): Promise<Incident | undefined>;
  tickPhase(id: string, phase: number, by: string, now: Date): Promise<Incident | undefined>;
  /** The first resolution wins; later ones return undefined. */
  resolve(id: string, by: string, summary: string, now: Date): Promise<Incident | undefined>;
  /** False when an event with the same once-key is already recorded. */
  addEvent(event: NewIncidentEvent): Promise<boolean>;
  events(id: string): Promise<IncidentEvent[]>;
  /** Which of these once-keys the incident's events were recorded under. */
  recordedOnce(id: string, onceKeys: string[]): Promise<string[]>;
  /** Approvals and runs whose arguments mention the incident id, as timeline events. */
  relatedActivity(id: string): Promise<IncidentEvent[]>;
  /** Runs `work` holding a lock on the incident, so two replicas never set up one war room at once. */
  exclusive<T>(id: string, work: () => Promise<T>): Promise<T>;
}

/** Delayed incident jobs (reminders, escalations, phase deadlines); the BullMQ adapter lives in src/jobs/. */
export type TimerKind = 'reminder' | 'escalate' | 'phase' | 'setup';

export interface TimerJob {
  incidentId: string;
  kind: TimerKind;
  /** Escalation level, phase index or reminder sequence. */
  n: number;
}

export interface IncidentTimers {
  /** Idempotent: one job per (incident, kind, n), whichever replica schedules it. */
  schedule(job: TimerJob, delayMs: number): Promise<void>;
  cancel(jobs: TimerJob[]): Promise<void>;
}

/** Paging the on-call (PagerDuty Events API v2 compatible). */
export interface Pager {
  readonly configured: boolean;
  trigger(event: {
    dedupKey: string;
    summary: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    source: string;
    details: Record<string, unknown>;
    link?: string;
  }): Promise<void>;
  acknowledge(dedupKey: string): Promise<void>;
  resolve(dedupKey: string): Promise<void>;
}
