/**
 * Server-side validation producing 422 Invalid causes, with the API server's
 * wording ("Invalid value: -1: must be greater than or equal to 0").
 */
import { k8sName } from '../bot.ts';
import { stableStringify } from './ids.ts';
import { matchLabels } from './selectors.ts';
import { badRequest } from './status.ts';
import type { StatusCause } from './status.ts';
import type { Deployment, K8sObject, Service } from './types.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${detail}` };
}

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', field, message: 'Required value' };
}

function stringMap(field: string, value: unknown, causes: StatusCause[]): void {
  if (value === undefined) return;
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    causes.push(invalidValue(field, value, `${field} in body must be a map of string to string`));
  }
}

/**
 * A value of the wrong JSON type never reaches validation in Kubernetes: decoding fails first, and
 * that is a 400 BadRequest, where a well-typed but invalid value is a 422 Invalid.
 */
export function validateReplicas(
  field: string,
  value: unknown,
  causes: StatusCause[],
  struct = 'DeploymentSpec',
): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    const type =
      typeof value === 'number'
        ? `number ${value}`
        : Array.isArray(value)
          ? 'array'
          : typeof value === 'object'
            ? 'object'
            : typeof value;
    throw badRequest(`json: cannot unmarshal ${type} into Go struct field ${struct}.${field} of type int32`);
  } else if (value < 0) {
    causes.push(invalidValue(field, value, 'must be greater than or equal to 0'));
  }
}

function validateMetadata(obj: K8sObject, causes: StatusCause[]): void {
  if (!isRecord(obj.metadata)) {
    causes.push(required('metadata'));
    return;
  }
  stringMap('metadata.labels', obj.metadata.labels, causes);
  stringMap('metadata.annotations', obj.metadata.annotations, causes);
}

export function validateDeployment(d: Deployment, old: Deployment): StatusCause[] {
  const causes: StatusCause[] = [];
  validateMetadata(d, causes);
  if (!isRecord(d.spec)) return [...causes, required('spec')];
  validateReplicas('spec.replicas', d.spec.replicas, causes);
  if (stableStringify(d.spec.selector) !== stableStringify(old.spec.selector)) {
    causes.push(invalidValue('spec.selector', d.spec.selector, 'field is immutable'));
  }
  const template = d.spec.template as unknown;
  if (!isRecord(template) || !isRecord(template.spec)) return [...causes, required('spec.template.spec')];
  const labels = isRecord(template.metadata) ? template.metadata.labels : undefined;
  stringMap('spec.template.metadata.labels', labels, causes);
  if (!matchLabels(d.spec.selector?.matchLabels, labels as Record<string, string> | undefined)) {
    causes.push(
      invalidValue('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`'),
    );
  }
  if (isRecord(template.metadata))
    stringMap('spec.template.metadata.annotations', template.metadata.annotations, causes);
  const containers = template.spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push(required('spec.template.spec.containers'));
  } else {
    containers.forEach((c: unknown, i) => {
      const field = `spec.template.spec.containers[${i}]`;
      if (!isRecord(c)) return causes.push(invalidValue(field, c, 'must be an object'));
      if (typeof c.name !== 'string' || !k8sName.safeParse(c.name).success)
        causes.push(
          invalidValue(
            `${field}.name`,
            c.name ?? '',
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
          ),
        );
      if (typeof c.image !== 'string' || c.image.trim() === '') causes.push(required(`${field}.image`));
      return undefined;
    });
  }
  const strategy = d.spec.strategy?.type;
  if (strategy !== undefined && strategy !== 'RollingUpdate' && strategy !== 'Recreate') {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.strategy.type',
      message: `Unsupported value: ${show(strategy)}: supported values: "Recreate", "RollingUpdate"`,
    });
  }
  const deadline = d.spec.progressDeadlineSeconds;
  if (
    deadline !== undefined &&
    (typeof deadline !== 'number' || !Number.isInteger(deadline) || deadline <= (d.spec.minReadySeconds ?? 0))
  ) {
    causes.push(invalidValue('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  return causes;
}

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

export function validateService(s: Service, old: Service): StatusCause[] {
  const causes: StatusCause[] = [];
  validateMetadata(s, causes);
  if (!isRecord(s.spec)) return [...causes, required('spec')];
  stringMap('spec.selector', s.spec.selector, causes);
  if (s.spec.clusterIP !== undefined && s.spec.clusterIP !== old.spec.clusterIP) {
    causes.push(invalidValue('spec.clusterIP', s.spec.clusterIP, 'field is immutable'));
  }
  if (s.spec.type !== undefined && !SERVICE_TYPES.includes(s.spec.type)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.type',
      message: `Unsupported value: ${show(s.spec.type)}: supported values: ${SERVICE_TYPES.map((t) => `"${t}"`).join(', ')}`,
    });
  }
  const ports = s.spec.ports as unknown;
  if (!Array.isArray(ports) || ports.length === 0) {
    causes.push(required('spec.ports'));
  } else {
    ports.forEach((p: unknown, i) => {
      const port = isRecord(p) ? p.port : undefined;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        causes.push(invalidValue(`spec.ports[${i}].port`, port ?? null, 'must be between 1 and 65535, inclusive'));
      }
    });
  }
  return causes;
}
