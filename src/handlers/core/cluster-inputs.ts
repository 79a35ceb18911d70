import { z } from 'zod';

/** Inputs shared by the cluster actions; names are checked against the topology by the cluster adapter. */
export const environmentInput = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be an environment name such as production')
  .default('production')
  .describe('production, staging or dr');

export const serviceInput = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be a service name such as risk-manager')
  .describe('a service, or blue/green');

export const reasonInput = z
  .string()
  .min(5, 'give a reason of at least 5 characters')
  .describe('why, for the approver and the audit log');
