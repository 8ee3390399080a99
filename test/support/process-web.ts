/**
 * @module A Deployment of `process`-runtime pods that answer every GET with their pod name.
 * Process pods share the host network, so replicas share one port through SO_REUSEPORT
 * (python3's http.server; Node 20 has no reusePort). They stop gracefully on SIGTERM, as an
 * application must for zero-downtime updates when its replicas cannot be told apart by
 * address: stop listening, finish the answers in flight, close idle keep-alive connections.
 * Used by the ingress, zero-downtime and service tests.
 */

const server = [
  'import os, signal, socket, threading, time, http.server as h',
  'lock = threading.Lock(); stopping = threading.Event(); conns = {}',
  'class H(h.BaseHTTPRequestHandler):',
  "  protocol_version = 'HTTP/1.1'",
  '  disable_nagle_algorithm = True',
  '  def setup(s):',
  '    super().setup()',
  '    with lock: conns[s.connection] = False',
  '  def finish(s):',
  '    with lock: conns.pop(s.connection, None)',
  '    super().finish()',
  '  def do_GET(s):',
  '    with lock:',
  '      if s.connection not in conns: return',
  '      conns[s.connection] = True',
  '    try:',
  "      b = os.environ['POD_NAME'].encode(); s.send_response(200); s.send_header('content-length', str(len(b)))",
  "      if stopping.is_set(): s.send_header('connection', 'close')",
  '      s.end_headers(); s.wfile.write(b); s.wfile.flush()',
  '    finally:',
  '      with lock:',
  '        if s.connection in conns: conns[s.connection] = False',
  '  def log_message(s, *a): pass',
  'class S(h.ThreadingHTTPServer):',
  '  daemon_threads = True',
  '  def server_bind(s): s.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); super().server_bind()',
  "srv = S(('127.0.0.1', int(os.environ['PORT'])), H)",
  'def term(*a): stopping.set(); threading.Thread(target=srv.shutdown).start()',
  'signal.signal(signal.SIGTERM, term)',
  'srv.serve_forever()',
  'srv.server_close()',
  // Graceful stop: no answer is cut. Idle keep-alive connections are closed (a request racing
  // the close gets no byte back, so the proxy may send it elsewhere); busy ones close after
  // their answer (`connection: close`).
  'deadline = time.time() + 1.5',
  'while time.time() < deadline:',
  '  with lock:',
  '    for c, busy in list(conns.items()):',
  '      if not busy:',
  '        conns.pop(c, None)',
  '        try: c.shutdown(socket.SHUT_RDWR)',
  '        except OSError: pass',
  '    if not conns: break',
  '  time.sleep(0.02)',
  'os._exit(0)',
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
