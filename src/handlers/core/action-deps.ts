// ActionDeps is declared with the action types: actions, their context and the registry refer to each other.
export type { ActionDeps } from './define-action.ts';

export interface IncidentRequest {
  title: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  type: 'ops' | 'security';
  systems: string[];
  description?: string;
  requestedBy: string;
  requestId: string;
}
