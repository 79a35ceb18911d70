/**
 * Raw API calls for conformance tests: with the kubeconfig's credentials (TLS, bearer token), against
 * the simulator or, with KUBE_CONFORMANCE_KUBECONFIG, a real cluster. Answers carry headers (warnings).
 */
import { request as plainRequest, type IncomingHttpHeaders } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
  headers: IncomingHttpHeaders;
}

export interface CallOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
}

export async function call(kc: KubeConfig, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const server = kc.getCurrentCluster()!.server;
  const options: RequestOptions = { method, headers: {} };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const send = server.startsWith('https:') ? request : plainRequest;
    const req = send(`${server}${path}`, options, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          // plain text (logs)
        }
        resolve({ status: res.statusCode ?? 0, json, text, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.setHeader('Accept', opts.accept ?? 'application/json');
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload !== undefined) {
      req.setHeader('Content-Type', opts.contentType ?? 'application/json');
      req.setHeader('Content-Length', Buffer.byteLength(payload));
    }
    req.end(payload);
  });
}
