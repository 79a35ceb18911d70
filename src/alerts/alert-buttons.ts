import type { Topology } from '../config/topology.ts';
import type { AlertGroup } from './alert-log.ts';
import { alertNameOf, diagnosisFor, environmentOf, leadAlert, serviceOf } from './alert-playbooks.ts';

/** The alert message's buttons (Slack action ids) and the actions they invoke. */
export const alertButtonIds = ['alert:diagnose', 'alert:incident', 'alert:rollback'] as const;
export type AlertButtonId = (typeof alertButtonIds)[number];

export interface ButtonInvocation {
  actionId: string;
  input: Record<string, unknown>;
}

/**
 * What a click on one of a group's buttons asks for: an action and its input, derived from the group as
 * stored (the button carries only the group's id). The action then parses, authorises, audits and asks
 * for approval like any other invocation.
 */
export function invocationFor(
  button: AlertButtonId,
  group: AlertGroup,
  topology: Topology,
  incidentSystems: readonly string[],
): ButtonInvocation | undefined {
  const name = alertNameOf(group);
  const lead = leadAlert(group);
  const summary = lead?.annotations.summary ?? name;
  switch (button) {
    case 'alert:diagnose': {
      const diagnosis = diagnosisFor(topology, group);
      return diagnosis && { actionId: diagnosis.action, input: diagnosis.input };
    }
    case 'alert:rollback':
      return {
        actionId: 'rollback',
        input: {
          environment: environmentOf(topology, lead?.labels),
          reason: `${name} alert after a recent deploy: ${summary}`.slice(0, 300),
        },
      };
    case 'alert:incident': {
      const service = serviceOf(topology, lead?.labels);
      return {
        actionId: 'incident create',
        input: {
          title: `${name}: ${summary}`.slice(0, 120),
          severity: lead?.labels.severity === 'critical' ? 'critical' : 'medium',
          type: lead?.labels.incident_type === 'security' ? 'security' : 'ops',
          systems: service && incidentSystems.includes(service) ? [service] : [],
          description: [lead?.annotations.description, lead?.annotations.runbook_url]
            .filter(Boolean)
            .join('\n')
            .slice(0, 2900),
        },
      };
    }
  }
}
