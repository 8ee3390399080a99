/**
 * @module The API server's side of the pod streams: `pods/log` is validated here (upstream
 * `LogLocation`: which container, is the pod on a node), then fetched from the node's kubelet
 * endpoint over HTTPS with the API server's kubelet-client certificate and streamed back as
 * text/plain. The node address guard lives here too: kubelets are dialled only at loopback or
 * inside `--kubelet-address-cidrs`; simulated nodes (10.200.x.y, port 0) never are.
 */
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIPv4 } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { StatusError, type StatusReason } from '../../machinery/status.ts';
import { inCidr } from '../../util/ipv4.ts';
import type { KubeletClientConfig, ServerContext } from '../context.ts';
import type { ApiResponse } from '../types.ts';
import type { RequestScope } from './scope.ts';

/** Loopback, or inside one of the configured CIDRs; nothing else is ever dialled. */
export function kubeletAddressAllowed(addr: string, cidrs: string[]): boolean {
  if (addr === '::1') return true;
  if (!isIPv4(addr)) return false;
  return inCidr(addr, '127.0.0.0/8') || cidrs.some((c) => inCidr(addr, c));
}

/** host:port of the node's kubelet, or a 503 saying why it cannot be reached. */
export async function kubeletEndpoint(server: ServerContext, nodeName: string): Promise<{ host: string; port: number; client: KubeletClientConfig }> {
  const unreachable = () => StatusError.unavailable(`node "${nodeName}" has no reachable kubelet endpoint`);
  const client = server.kubeletClient;
  const nodes = server.store('', 'v1', 'nodes');
  if (!client || !nodes) throw unreachable();
  const node = (await nodes.getRaw('', nodeName))?.obj as Node | undefined;
  if (!node) throw StatusError.notFound({ group: '', resource: 'nodes' }, nodeName);
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  // Upstream's preferred address types, minus names we could not resolve anyway.
  const addrs = node.status?.addresses ?? [];
  const host = ['InternalIP', 'ExternalIP'].map((t) => addrs.find((a) => a.type === t)?.address).find((a) => a !== undefined);
  if (!host || port <= 0 || port > 65535 || !kubeletAddressAllowed(host, client.addressCidrs)) throw unreachable();
  return { host, port, client };
}

/** Upstream `ValidateContainer`: the named container, or the only one, or a 400 listing them. */
function pickContainer(pod: Pod, requested: string): string {
  const name = pod.metadata?.name ?? '';
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (requested) {
    if (!names.includes(requested)) throw StatusError.badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const main = pod.spec?.containers ?? [];
  if (main.length === 1) return main[0]!.name;
  if (main.length === 0) throw StatusError.badRequest(`pod ${name} does not have a container`);
  throw StatusError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
}

const reasonFor: Record<number, StatusReason> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 503: 'ServiceUnavailable' };
const logParams = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

async function readSome(res: IncomingMessage, max = 4096): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    chunks.push(c as Buffer);
    size += (c as Buffer).length;
    if (size >= max) break;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, max).trim();
}

/** Upstream's generic response checker: a kubelet error becomes a Status with its code and text. */
function kubeletError(code: number, body: string): StatusError {
  let message = body;
  try {
    const s = JSON.parse(body) as { kind?: string; message?: string };
    if (s.kind === 'Status' && s.message) message = s.message;
  } catch {
    // plain text, as the kubelet writes most errors
  }
  return new StatusError(code, reasonFor[code] ?? 'InternalError', message || `the kubelet answered ${code}`);
}

async function* streamBody(res: IncomingMessage, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const stop = () => res.destroy();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of res) yield chunk as Buffer;
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', stop);
    res.destroy();
  }
}

/** GET pods/NAME/log. */
export async function podLog(server: ServerContext, scope: RequestScope): Promise<ApiResponse> {
  const { namespace, name } = scope.info;
  const pod = (await scope.store.get(namespace, name)) as Pod;
  const q = scope.req.query;
  const container = pickContainer(pod, q.get('container') ?? '');
  for (const p of ['tailLines', 'limitBytes', 'sinceSeconds']) {
    const v = q.get(p);
    if (v !== null && v !== '' && (!/^-?\d+$/.test(v))) throw StatusError.badRequest(`invalid value for ${p}: ${v}`);
  }
  const text = { 'content-type': 'text/plain' };
  // Upstream: an unscheduled pod has no log location, and the answer is an empty body.
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return { status: 200, headers: text, body: new Uint8Array() };
  const { host, port, client } = await kubeletEndpoint(server, nodeName);
  const fwd = new URLSearchParams();
  for (const p of logParams) {
    const v = q.get(p);
    if (v !== null && v !== '') fwd.set(p, v);
  }
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${fwd.size ? `?${fwd}` : ''}`;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = httpsRequest({ host, port, path, method: 'GET', cert: client.cert, key: client.key, ca: client.ca, servername: isIPv4(host) ? undefined : host, signal: scope.req.signal });
    const connect = setTimeout(() => r.destroy(new Error('timeout')), 10_000);
    r.once('response', (x) => (clearTimeout(connect), resolve(x)));
    r.once('error', (err) => (clearTimeout(connect), reject(StatusError.internal(`Get "https://${host}:${port}${path}": ${err.message}`))));
    r.end();
  });
  if (res.statusCode !== 200) throw kubeletError(res.statusCode ?? 500, await readSome(res));
  return { status: 200, headers: text, body: streamBody(res, scope.req.signal) };
}

/** Request headers the kubelet needs to answer the upgrade itself (credentials stay here). */
const upgradeHeaders = ['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version'];

/**
 * pods/exec, pods/attach, pods/portforward: after the usual authorization, and — for a
 * WebSocket GET — a second check for `create` as upstream does since 1.31
 * (AuthorizePodWebsocketUpgradeCreatePermission), the client's socket is piped raw to the
 * kubelet's `/exec`, `/attach` or `/portForward`, which answers the upgrade.
 */
export async function podUpgrade(server: ServerContext, scope: RequestScope): Promise<ApiResponse> {
  const { namespace, name, subresource } = scope.info;
  const req = scope.req;
  if (!req.headers.upgrade) throw StatusError.badRequest('Upgrade request required');
  if (req.method.toUpperCase() === 'GET') {
    const d = await server.authorizer.authorize({
      user: scope.user, verb: 'create', isResourceRequest: true, namespace, apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource, name, path: req.path,
    });
    if (!d.allowed)
      throw StatusError.forbidden({ group: '', resource: 'pods' }, name, `User "${scope.user.username}" cannot create resource "pods/${subresource}" in API group "" in the namespace "${namespace}"`);
  }
  const pod = (await scope.store.get(namespace, name)) as Pod;
  const fwd = new URLSearchParams(req.query);
  let path: string;
  if (subresource === 'portforward') path = `/portForward/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  else {
    const container = pickContainer(pod, req.query.get('container') ?? '');
    fwd.delete('container');
    path = `/${subresource}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
  }
  if (!pod.spec?.nodeName) throw StatusError.badRequest(`pod ${name} does not have a host assigned`);
  const { host, port, client } = await kubeletEndpoint(server, pod.spec.nodeName);
  const target = `${path}${fwd.size ? `?${fwd}` : ''}`;
  const head = [`${req.method.toUpperCase()} ${target} HTTP/1.1`, `host: ${host}:${port}`];
  for (const h of upgradeHeaders) if (req.headers[h]) head.push(`${h}: ${req.headers[h]}`);
  return {
    status: 101,
    headers: {},
    body: new Uint8Array(),
    upgrade: (socket, first) => {
      const kubelet = tlsConnect({ host, port, cert: client.cert, key: client.key, ca: client.ca, servername: isIPv4(host) ? undefined : host }, () => {
        kubelet.write(head.join('\r\n') + '\r\n\r\n');
        if (first.length) kubelet.write(first);
        socket.pipe(kubelet);
        kubelet.pipe(socket);
      });
      const fail = () => {
        if (!kubelet.readyState || kubelet.readyState === 'opening') {
          const body = JSON.stringify(StatusError.internal(`error dialing backend: kubelet ${host}:${port} is unreachable`).toStatus());
          socket.end(`HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
        } else socket.destroy();
        kubelet.destroy();
      };
      kubelet.on('error', fail);
      kubelet.on('close', () => socket.destroy());
      socket.on('close', () => kubelet.destroy());
      socket.on('error', () => kubelet.destroy());
    },
  };
}
