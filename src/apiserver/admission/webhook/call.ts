/**
 * @module Calls one webhook: resolves `clientConfig` (a URL, or a Service resolved through its
 * EndpointSlices to a ready endpoint, as the API server cannot reach ClusterIPs), POSTs the
 * AdmissionReview over HTTPS verifying against `caBundle`, within `timeoutSeconds`.
 */
import { request } from 'node:https';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { WebhookClientConfig } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import type { AdmissionRequest, AdmissionResponse } from './review.ts';
import type { ConfigLister } from './source.ts';

interface Target { url: URL; servername?: string }

/** The service port → targetPort → a ready endpoint address of the Service's EndpointSlices. */
async function resolveService(cc: WebhookClientConfig, reader: ConfigLister): Promise<Target> {
  const ref = cc.service!;
  const port = ref.port ?? 443;
  const svc = await reader.get<Service & KubeObject>('', 'v1', 'services', ref.namespace, ref.name);
  if (!svc) throw new Error(`service "${ref.name}" not found`);
  const sp = svc.spec?.ports?.find((p) => p.port === port);
  if (!sp) throw new Error(`service "${ref.name}" has no port ${port}`);
  const slices = (await reader.list<EndpointSlice & KubeObject>('discovery.k8s.io', 'v1', 'endpointslices', ref.namespace))
    .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === ref.name);
  for (const s of slices) {
    const p = s.ports?.find((x) => (x.name ?? '') === (sp.name ?? '')) ?? (s.ports?.length === 1 ? s.ports[0] : undefined);
    const ep = s.endpoints?.find((e) => e.conditions?.ready !== false && e.addresses.length);
    const targetPort = p?.port ?? (typeof sp.targetPort === 'number' ? sp.targetPort : undefined);
    if (ep && targetPort) {
      const host = ep.addresses[0]!.includes(':') ? `[${ep.addresses[0]}]` : ep.addresses[0];
      return { url: new URL(`https://${host}:${targetPort}${ref.path ?? ''}`), servername: `${ref.name}.${ref.namespace}.svc` };
    }
  }
  throw new Error(`service "${ref.namespace}/${ref.name}" has no ready endpoints`);
}

export async function webhookURL(cc: WebhookClientConfig, reader: ConfigLister): Promise<Target> {
  if (cc.url) return { url: new URL(cc.url) };
  if (cc.service) return resolveService(cc, reader);
  throw new Error('no clientConfig url or service');
}

/** Go's `Post "url": err` shape, which upstream puts in the failure message. */
export class CallError extends Error {}

export async function callWebhook(
  cc: WebhookClientConfig,
  timeoutSeconds: number,
  req: AdmissionRequest,
  reader: ConfigLister,
): Promise<AdmissionResponse> {
  const target = await webhookURL(cc, reader);
  const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: req });
  const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
  const text = await new Promise<string>((resolve, reject) => {
    const r = request(
      target.url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) },
        ca,
        servername: target.servername,
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const t = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) reject(new Error(`unexpected status code ${res.statusCode}`));
          else resolve(t);
        });
        res.on('error', reject);
      },
    );
    r.on('error', (e: Error) =>
      reject(new CallError(`Post "${target.url.href}": ${e.name === 'AbortError' || e.name === 'TimeoutError' ? 'context deadline exceeded' : e.message}`)),
    );
    r.end(body);
  });
  let review: { response?: AdmissionResponse };
  try {
    review = JSON.parse(text) as { response?: AdmissionResponse };
  } catch (e) {
    throw new Error(`received invalid webhook response: ${(e as Error).message}`);
  }
  const resp = review.response;
  if (!resp) throw new Error('webhook response was absent');
  if (resp.uid !== req.uid) throw new Error(`expected response.uid="${req.uid}", got "${resp.uid}"`);
  return resp;
}
