import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMerge } from '@eafix/sandbox/cluster/patch';
import { parseFieldSelector, parseLabelSelector } from '@eafix/sandbox/cluster/selectors';
import { ApiError } from '@eafix/sandbox/cluster/status';

const template = {
  spec: {
    containers: [
      {
        name: 'app',
        image: 'a:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'sidecar', image: 's:1' },
    ],
  },
};

describe('patch formats', () => {
  it('merge patch replaces lists and deletes with null', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({
      a: { c: 2, d: 3 },
      l: [3],
    });
  });

  it('strategic merge merges containers and env by name and honours $patch directives', () => {
    const out = strategicMerge(template, {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'a:2',
            env: [
              { name: 'B', value: '3' },
              { name: 'A', $patch: 'delete' },
            ],
          },
          { name: 'sidecar', $patch: 'delete' },
        ],
      },
    }) as typeof template;
    expect(out.spec.containers).toEqual([{ name: 'app', image: 'a:2', env: [{ name: 'B', value: '3' }] }]);
    expect(
      strategicMerge(
        { selector: { app: 'x', version: 'green' } },
        { selector: { $patch: 'replace', version: 'blue' } },
      ),
    ).toEqual({ selector: { version: 'blue' } });
  });

  it('json patch applies RFC 6902 operations and fails a test op with 422', () => {
    const doc = { spec: { replicas: 1, list: ['a'] } };
    expect(
      jsonPatch(doc, [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 4 },
        { op: 'add', path: '/spec/list/-', value: 'b' },
        { op: 'copy', from: '/spec/replicas', path: '/spec/copy' },
        { op: 'move', from: '/spec/copy', path: '/spec/moved' },
        { op: 'remove', path: '/spec/list/0' },
      ]),
    ).toEqual({ spec: { replicas: 4, list: ['b'], moved: 4 } });
    expect(doc.spec.replicas).toBe(1);
    const err = (() => {
      try {
        jsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(422);
    expect(() => jsonPatch(doc, [{ op: 'replace', path: '/spec/missing/x', value: 1 }])).toThrow(/missing path/);
  });
});

describe('selectors', () => {
  it('parses equality, set and existence label selectors', () => {
    const labels = { app: 'eafix-gateway', version: 'green', tier: 'edge' };
    expect(parseLabelSelector('app=eafix-gateway,version==green')(labels)).toBe(true);
    expect(parseLabelSelector('version!=green')(labels)).toBe(false);
    expect(parseLabelSelector('version in (blue, green),tier')(labels)).toBe(true);
    expect(parseLabelSelector('version notin (green),!missing')(labels)).toBe(false);
    expect(parseLabelSelector('!tier')(labels)).toBe(false);
    expect(() => parseLabelSelector('a b c')).toThrow(ApiError);
  });

  it('matches field selectors on dotted paths', () => {
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, status: { phase: 'Running' } };
    expect(parseFieldSelector('metadata.name=p1,status.phase!=Pending')(obj)).toBe(true);
    expect(parseFieldSelector('metadata.name=p2')(obj)).toBe(false);
  });
});
