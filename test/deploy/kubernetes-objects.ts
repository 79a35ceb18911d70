/**
 * Rendering the kustomize overlay with the real kubectl, and validating objects against the Kubernetes
 * OpenAPI schemas (the `kubernetes-models` package's validators, generated from those schemas).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** `kubectl kustomize DIR`, parsed. kubectl is required: a missing one fails with what to install. */
export async function renderKustomize(dir: string): Promise<KubeObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error(
        'kubectl is not installed: the manifests cannot be rendered (install kubectl 1.27+, which embeds kustomize)',
      );
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseYamlObjects(stdout);
}

export function parseYamlObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject)
    .filter((o) => o !== null);
}

/** The module of an apiVersion/kind in kubernetes-models: `apps/v1` → apps/v1/Deployment, `v1` → v1/Service. */
const modelPath = (apiVersion: string, kind: string) => `kubernetes-models/${apiVersion}/${kind}`;

/** Schema problems of one object ([] when valid); an unknown apiVersion/kind is a problem too. */
export async function schemaProblems(object: KubeObject): Promise<string[]> {
  let model: { new (data: unknown): { validate(): void } } | undefined;
  try {
    const module = (await import(modelPath(object.apiVersion, object.kind))) as Record<
      string,
      { new (data: unknown): { validate(): void } }
    >;
    model = module[object.kind];
  } catch {
    model = undefined;
  }
  if (!model) return [`${object.kind} ${object.apiVersion}: no such kind in the Kubernetes API`];
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [String(error instanceof Error ? error.message : error)];
  }
}
