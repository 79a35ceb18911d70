/** ConfigMaps as handlers see them: the data, and the labels and annotations that say whose and why. */

export interface ConfigMapSnapshot {
  name: string;
  data: Record<string, string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  immutable: boolean;
  /** ISO time the object was created, when the API server said. */
  createdAt: string | undefined;
}

export interface ConfigMapWrite {
  name: string;
  data: Readonly<Record<string, string>>;
  /** Merged over the object's labels (a value of null removes one). */
  labels?: Readonly<Record<string, string>>;
  /** Extra annotations written with the change annotations. */
  annotations?: Readonly<Record<string, string>>;
  /** Create it immutable (kept versions); an existing immutable one is never rewritten. */
  immutable?: boolean;
}

export interface ConfigMapWriteResult {
  name: string;
  /** False when the object already held this data and these annotations (a resumed step). */
  changed: boolean;
  created: boolean;
}
