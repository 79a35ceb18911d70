/**
 * The resources the API serves: the built-in ones plus one per CustomResourceDefinition. Registering
 * a CRD makes its group/version/plural appear in discovery and be served generically (CRUD, watch,
 * the status subresource), as the apiextensions-apiserver does.
 */
import { RESOURCES, type ResourceDef } from './routes/deps.ts';
import { invalid, type StatusCause } from './status.ts';
import type { K8sObject } from './types.ts';

export interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: {
    plural: string;
    singular?: string;
    kind: string;
    shortNames?: string[];
    categories?: string[];
    listKind?: string;
  };
  versions: {
    name: string;
    served: boolean;
    storage: boolean;
    subresources?: { status?: Record<string, never>; scale?: Record<string, unknown> };
    additionalPrinterColumns?: { name: string; type: string; jsonPath: string; priority?: number }[];
    schema?: unknown;
  }[];
}

export interface Crd extends K8sObject {
  spec: CrdSpec;
}

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The apiextensions validation a client meets first: names, scope, exactly one storage version. */
export function validateCrd(crd: Crd): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = (crd.spec ?? {}) as Partial<CrdSpec>;
  const plural = spec.names?.plural ?? '';
  if (!spec.group || !spec.group.includes('.'))
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.group',
      message: `Invalid value: "${spec.group ?? ''}": should be a domain with at least one dot`,
    });
  if (!DNS_LABEL.test(plural))
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.names.plural',
      message: `Invalid value: "${plural}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
    });
  if (!spec.names?.kind)
    causes.push({ reason: 'FieldValueRequired', field: 'spec.names.kind', message: 'Required value' });
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.scope',
      message: `Unsupported value: "${String(spec.scope)}": supported values: "Cluster", "Namespaced"`,
    });
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.filter((v) => v.storage).length !== 1)
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.versions',
      message: 'Invalid value: must have exactly one version marked as storage version',
    });
  if (crd.metadata.name !== `${plural}.${spec.group ?? ''}`) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group`,
    });
  }
  return causes;
}

export class ResourceRegistry {
  private readonly custom = new Map<string, ResourceDef[]>();

  find(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.all().find((r) => r.group === group && r.version === version && r.resource === resource);
  }

  all(): ResourceDef[] {
    return [...RESOURCES, ...[...this.custom.values()].flat()];
  }

  /** Group/versions served from CRDs, for /apis. */
  customGroups(): { name: string; version: string }[] {
    const seen = new Map<string, { name: string; version: string }>();
    for (const def of [...this.custom.values()].flat())
      seen.set(`${def.group}/${def.version}`, { name: def.group, version: def.version });
    return [...seen.values()];
  }

  /** Serves every served version of `crd`; throws a 422 when it is invalid. */
  register(crd: Crd): void {
    const causes = validateCrd(crd);
    if (causes.length > 0) throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', crd.metadata.name, causes);
    const { group, names, scope } = crd.spec;
    const defs = crd.spec.versions
      .filter((v) => v.served)
      .map((v): ResourceDef => ({
        resource: names.plural,
        group,
        version: v.name,
        kind: names.kind,
        namespaced: scope === 'Namespaced',
        verbs: VERBS,
        ...(names.shortNames ? { shortNames: names.shortNames } : {}),
        ...(names.categories ? { categories: names.categories } : {}),
        singular: names.singular ?? names.kind.toLowerCase(),
        storeKey: `${names.plural}.${group}`,
        subresources: { status: v.subresources?.status !== undefined, scale: v.subresources?.scale !== undefined },
        ...(v.additionalPrinterColumns ? { printerColumns: v.additionalPrinterColumns } : {}),
      }));
    this.custom.set(crd.metadata.name, defs);
  }

  unregister(crdName: string): void {
    this.custom.delete(crdName);
  }
}
