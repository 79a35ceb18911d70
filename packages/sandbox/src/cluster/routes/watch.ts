/**
 * Watch streams: newline-delimited `{type, object}` events over a chunked
 * response, with the API server's semantics for labelSelector transitions
 * (an object leaving the selection is DELETED, entering it is ADDED).
 */
import type { StoreChange, K8sObject, WatchEventType } from '../types.ts';
import type { RequestContext } from './context.ts';
import { keyOf, type ApiDeps, type ResourceDef } from './deps.ts';

export interface WatchOptions {
  def: ResourceDef;
  namespace?: string;
  matches: (obj: K8sObject) => boolean;
  resourceVersion?: string;
  timeoutSeconds?: number;
}

function withType(def: ResourceDef, obj: K8sObject): K8sObject {
  return { ...obj, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind };
}

export function startWatch(ctx: RequestContext, deps: ApiDeps, opts: WatchOptions): void {
  const { res } = ctx;
  const { def } = opts;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  deps.watches.add(res);
  const send = (type: WatchEventType | 'ERROR', object: unknown) => {
    if (!res.destroyed && !res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const inScope = (obj: K8sObject) => opts.namespace === undefined || obj.metadata.namespace === opts.namespace;
  const translate = (change: StoreChange): void => {
    if (change.resource !== keyOf(def) || !inScope(change.object)) return;
    const now = opts.matches(change.object);
    const before = change.previous !== undefined && opts.matches(change.previous);
    const obj = withType(def, change.object);
    if (change.type === 'ADDED' && now) send('ADDED', obj);
    else if (change.type === 'DELETED' && before) send('DELETED', obj);
    else if (change.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', obj);
      else if (now) send('ADDED', obj);
      else if (before) send('DELETED', obj);
    }
  };

  const rv = opts.resourceVersion;
  if (rv && rv !== '0') {
    const replay = deps.store.changesSince(Number(rv));
    if (!replay) {
      send('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${rv}`,
        reason: 'Expired',
        code: 410,
      });
      res.end();
      deps.watches.delete(res);
      return;
    }
    replay.forEach(translate);
  } else {
    for (const obj of deps.store.list(keyOf(def), opts.namespace))
      if (opts.matches(obj)) send('ADDED', withType(def, obj));
  }

  deps.store.on('change', translate);
  const timer = opts.timeoutSeconds !== undefined ? setTimeout(() => res.end(), opts.timeoutSeconds * 1000) : undefined;
  timer?.unref();
  res.on('close', () => {
    deps.store.off('change', translate);
    if (timer) clearTimeout(timer);
    deps.watches.delete(res);
  });
}
