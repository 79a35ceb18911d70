import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/handlers/incidents/incident-types.ts';
import {
  humanDuration,
  templateFields,
  templateMessage,
  topicText,
} from '../../src/handlers/incidents/incident-template.ts';
import { postmortemMarkdown, lessonsLearnedPrompts } from '../../src/handlers/incidents/postmortem.ts';
import { validateMessageBlocks } from '@eafix/sandbox/slack';

const incident: Incident = {
  id: 'INC-20261123-003',
  requestId: 'req_1',
  title: 'Orders failing at the broker',
  description: 'Execution engine rejects orders',
  severity: 'critical',
  type: 'security',
  systems: ['execution-engine', 'risk-manager'],
  status: 'investigating',
  requestedBy: 'U0ALICE',
  teamId: 'T1',
  setup: {},
  phasesDone: {},
  escalationLevel: 1,
  reminderSeq: 0,
  nextUpdateDue: new Date('2026-11-23T10:30:00Z'),
  createdAt: new Date('2026-11-23T10:00:00Z'),
  updatedAt: new Date('2026-11-23T10:00:00Z'),
};

describe('the runbook notification template', () => {
  it('has the runbook’s fields, in its order, with the response team and next update', () => {
    const fields = templateFields(incident, {
      responseTeam: ['U0DAVE', 'S0ONCALL', '@senior-eng'],
      updateIntervalMs: 30 * 60_000,
    });
    expect(fields.map(([k]) => k)).toEqual([
      'Incident ID',
      'Severity',
      'Type',
      'Time',
      'Affected Systems',
      'Current Status',
      'Response Team',
      'Next Update',
    ]);
    const byKey = Object.fromEntries(fields);
    expect(byKey['Incident ID']).toBe('INC-20261123-003');
    expect(byKey.Severity).toBe('Critical');
    expect(byKey.Type).toBe('Security');
    expect(byKey['Affected Systems']).toBe('execution-engine, risk-manager');
    expect(byKey['Current Status']).toBe('Investigating');
    expect(byKey['Response Team']).toBe('<@U0DAVE>, <!subteam^S0ONCALL>, @senior-eng');
    expect(byKey['Next Update']).toMatch(/^In 30 minutes \(by <!date\^/);
  });

  it('is valid Block Kit with the Acknowledge button until acknowledged', () => {
    const open = templateMessage(incident, { responseTeam: [], updateIntervalMs: 1_800_000 });
    expect(validateMessageBlocks(open.blocks as never)).toEqual([]);
    expect(open.text).toContain('CRITICAL: Security Incident - Orders failing at the broker');
    expect(JSON.stringify(open.blocks)).toContain('incident:ack');
    const acked = templateMessage(
      { ...incident, acknowledgedBy: 'U0BOB' },
      { responseTeam: [], updateIntervalMs: 1_800_000 },
    );
    expect(JSON.stringify(acked.blocks)).not.toContain('incident:ack');
    expect(JSON.stringify(acked.blocks)).toContain('<@U0BOB>');
  });

  it('puts severity, status and commander in a topic within Slack’s 250 characters', () => {
    const topic = topicText({ ...incident, commander: 'U0BOB', title: 'x'.repeat(400) });
    expect(topic).toContain('CRITICAL');
    expect(topic).toContain('Investigating');
    expect(topic).toContain('<@U0BOB>');
    expect(topic.length).toBeLessThanOrEqual(250);
  });

  it('reads durations as people say them', () => {
    expect(humanDuration(30 * 60_000)).toBe('30 minutes');
    expect(humanDuration(3_600_000)).toBe('1 hour');
    expect(humanDuration(86_400_000)).toBe('1 day');
    expect(humanDuration(200)).toBe('200 ms');
  });
});

describe('the postmortem draft', () => {
  it('has the facts, the timeline as a table, and the lessons-learned prompts', () => {
    const resolved = {
      ...incident,
      status: 'resolved' as const,
      summary: 'Session renewed',
      resolvedBy: 'U0BOB',
      resolvedAt: new Date('2026-11-23T11:00:00Z'),
    };
    const markdown = postmortemMarkdown(resolved, [
      { at: new Date('2026-11-23T10:05:00Z'), kind: 'update', actor: 'U0BOB', text: 'found it | <@U0ALICE> helped' },
    ]);
    expect(markdown).toContain('# Postmortem draft: INC-20261123-003');
    expect(markdown).toContain('| Duration | 1 hour |');
    expect(markdown).toContain('| 2026-11-23 10:05:00 UTC | @U0BOB | update | found it \\| @U0ALICE helped |');
    for (const prompt of lessonsLearnedPrompts) expect(markdown).toContain(prompt);
  });
});
