/**
 * Image references, as plain strings. Kept apart from the Kubernetes adapter so that an action that
 * only builds an image name (deploy's plan) does not load @kubernetes/client-node with it.
 */

/** The tag of an image reference (`repo/name:2.4.0` → `2.4.0`); undefined for a digest or no tag. */
export function imageTag(image: string | undefined): string | undefined {
  if (!image || image.includes('@')) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const at = last.lastIndexOf(':');
  return at > 0 ? last.slice(at + 1) : undefined;
}

/** The image with another tag: `repo/name:2.4.0` + `2.5.0` → `repo/name:2.5.0`. */
export function withTag(image: string, tag: string): string {
  const plain = image.split('@')[0] ?? image;
  const slash = plain.lastIndexOf('/');
  const at = plain.indexOf(':', slash + 1);
  return `${at > 0 ? plain.slice(0, at) : plain}:${tag}`;
}
