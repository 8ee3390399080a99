/**
 * @module A Deployment of `process`-runtime pods that answer every GET with their pod name.
 * Process pods share the host network, so replicas share one port through SO_REUSEPORT
 * (python3's http.server; Node 20 has no reusePort). Used by the ingress, zero-downtime and
 * service tests.
 */

const server = [
  'import os, socket, http.server as h',
  'class H(h.BaseHTTPRequestHandler):',
  "  protocol_version = 'HTTP/1.1'",
  '  disable_nagle_algorithm = True',
  '  def do_GET(s):',
  "    b = os.environ['POD_NAME'].encode(); s.send_response(200); s.send_header('content-length', str(len(b))); s.end_headers(); s.wfile.write(b)",
  '  def log_message(s, *a): pass',
  'class S(h.ThreadingHTTPServer):',
  '  daemon_threads = True',
  '  def server_bind(s): s.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); super().server_bind()',
  "S(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()",
].join('\n');

export interface ProcessWebOptions {
  replicas?: number;
  labels?: Record<string, string>;
  /** Pin to this node (skips the scheduler's wait for the node to be Ready). */
  node?: string;
  /** Rolling update without unavailability (maxSurge 1, maxUnavailable 0). */
  surge?: boolean;
}

export function processWebDeployment(name: string, port: number, o: ProcessWebOptions = {}) {
  const labels = o.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas: o.replicas ?? 1, selector: { matchLabels: labels },
      ...(o.surge ? { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } : {}),
      template: {
        metadata: { labels },
        spec: {
          ...(o.node ? { nodeName: o.node } : {}), terminationGracePeriodSeconds: 2,
          containers: [{
            name: 'web', image: 'python:3', command: ['/usr/bin/python3', '-c', server],
            env: [{ name: 'PORT', value: String(port) }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            ports: [{ name: 'http', containerPort: port }],
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
          }],
        },
      },
    },
  };
}
