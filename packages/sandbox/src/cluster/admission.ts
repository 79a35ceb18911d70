/**
 * What the API server does to a new object before storing it: defaulting and validation for the
 * kinds that can be created (Jobs, StatefulSets, Namespaces, CRDs and custom resources), with the
 * API server's field paths and wording so clients see the 422s they would see from Kubernetes.
 */
import type { ResourceDef } from './routes/deps.ts';
import type { Crd, ResourceRegistry } from './registry.ts';
import { invalid, type StatusCause } from './status.ts';
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  type Job,
} from './job-types.ts';
import type { StatefulSet } from './statefulset-controller.ts';
import type { Container, K8sObject } from './types.ts';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateName(name: string, max = 253): StatusCause[] {
  if (name.length > max)
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": must be no more than ${max} characters`,
      },
    ];
  if (!SUBDOMAIN.test(name)) {
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
  }
  return [];
}

function nonNegative(field: string, value: unknown, causes: StatusCause[], positive = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (positive ? 1 : 0)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: ${JSON.stringify(value)}: must be greater than ${positive ? '' : 'or equal to '}0`,
    });
  }
}

function validateContainers(containers: unknown, field: string, causes: StatusCause[]): void {
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
    return;
  }
  (containers as Partial<Container>[]).forEach((c, i) => {
    if (!c.name) causes.push({ reason: 'FieldValueRequired', field: `${field}[${i}].name`, message: 'Required value' });
    if (!c.image)
      causes.push({ reason: 'FieldValueRequired', field: `${field}[${i}].image`, message: 'Required value' });
    for (const key of ['command', 'args'] as const) {
      const v = (c as Record<string, unknown>)[key];
      if (v !== undefined && (!Array.isArray(v) || v.some((w) => typeof w !== 'string'))) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: `${field}[${i}].${key}`,
          message: 'Invalid value: must be a list of strings',
        });
      }
    }
  });
}

function admitJob(job: Job): StatusCause[] {
  const causes = validateName(job.metadata.name, 63);
  const spec = (job.spec ?? {}) as Job['spec'];
  job.spec = spec;
  nonNegative('spec.backoffLimit', spec.backoffLimit, causes);
  nonNegative('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, causes, true);
  nonNegative('spec.ttlSecondsAfterFinished', spec.ttlSecondsAfterFinished, causes);
  nonNegative('spec.parallelism', spec.parallelism, causes);
  nonNegative('spec.completions', spec.completions, causes);
  const podSpec = spec.template?.spec as Record<string, unknown> | undefined;
  validateContainers(podSpec?.containers, 'spec.template.spec.containers', causes);
  const restart = podSpec?.restartPolicy ?? 'Always';
  if (restart !== 'Never' && restart !== 'OnFailure') {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.template.spec.restartPolicy',
      message: `Unsupported value: "${String(restart)}": supported values: "OnFailure", "Never"`,
    });
  }
  if (causes.length > 0) return causes;
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name;
  const selectorLabels = { [CONTROLLER_UID_LABEL]: uid };
  const podLabels = {
    ...(spec.template.metadata?.labels ?? {}),
    [CONTROLLER_UID_LABEL]: uid,
    [JOB_NAME_LABEL]: name,
    [LEGACY_CONTROLLER_UID_LABEL]: uid,
    [LEGACY_JOB_NAME_LABEL]: name,
  };
  spec.template.metadata = { ...(spec.template.metadata ?? {}), labels: podLabels };
  spec.selector = { matchLabels: selectorLabels };
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...podLabels };
  job.metadata.generation = 1;
  return [];
}

function admitStatefulSet(sts: StatefulSet): StatusCause[] {
  const causes = validateName(sts.metadata.name, 63);
  const spec = sts.spec;
  nonNegative('spec.replicas', spec?.replicas, causes);
  validateContainers(
    (spec?.template?.spec as Record<string, unknown> | undefined)?.containers,
    'spec.template.spec.containers',
    causes,
  );
  const selector = spec?.selector?.matchLabels ?? {};
  const labels = spec?.template?.metadata?.labels ?? {};
  if (Object.keys(selector).length === 0)
    causes.push({ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' });
  else if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.template.metadata.labels',
      message: 'Invalid value: `selector` does not match template `labels`',
    });
  }
  if (causes.length > 0) return causes;
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  sts.metadata.generation = 1;
  return [];
}

function admitNamespace(ns: K8sObject): StatusCause[] {
  const causes = validateName(ns.metadata.name, 63);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns.metadata.name) && causes.length === 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${ns.metadata.name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
    });
  }
  if (causes.length > 0) return causes;
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
  ns.spec = { finalizers: ['kubernetes'] };
  ns.status = { phase: 'Active' };
  return [];
}

function admitCrd(crd: Crd, registry: ResourceRegistry): void {
  registry.register(crd);
  crd.metadata.generation = 1;
  const at = crd.metadata.creationTimestamp ?? new Date().toISOString();
  crd.status = {
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: at,
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: at,
      },
    ],
    acceptedNames: crd.spec.names,
    storedVersions: crd.spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}

/** Defaults and validates `obj` in place (uid already assigned); throws the API server's 422. */
export function admit(def: ResourceDef, obj: K8sObject, registry: ResourceRegistry): void {
  let causes: StatusCause[] = [];
  if (def.storeKey !== undefined) {
    causes = validateName(obj.metadata.name);
    obj.metadata.generation = 1;
    if (def.subresources?.status) delete obj.status;
  } else if (def.resource === 'jobs') causes = admitJob(obj as Job);
  else if (def.resource === 'statefulsets') causes = admitStatefulSet(obj as StatefulSet);
  else if (def.resource === 'namespaces') causes = admitNamespace(obj);
  else if (def.resource === 'customresourcedefinitions') admitCrd(obj as Crd, registry);
  if (def.resource === 'jobs' || def.resource === 'statefulsets') delete obj.status;
  if (causes.length > 0) throw invalid(def.kind, def.group, obj.metadata.name, causes);
}
