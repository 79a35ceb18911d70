/**
 * A client-node model as the bot reads it: from client-node's generated deserialiser, whose date-time
 * fields are `Date`s, or as the API server sent it (`KubeRequests.readAsSent`), where they are RFC 3339
 * strings. Code over a model typed this way works with both; a field read as a time goes through
 * `Date.parse` or `instanceof Date`.
 */
export type AsRead<T> = T extends Date
  ? Date | string
  : T extends ReadonlyArray<infer Item>
    ? AsRead<Item>[]
    : T extends object
      ? { [K in keyof T]: AsRead<T[K]> }
      : T;
