/**
 * @module The grpc probe: one `grpc.health.v1.Health/Check` call over plain HTTP/2
 * (`node:http2`), the protobuf request and response encoded by hand (one string field in,
 * one enum field out). SERVING (1) is success; anything else, or a non-zero grpc-status, fails
 * with upstream's messages.
 */
import { connect, constants } from 'node:http2';

const statusNames = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

function encodeRequest(service: string): Buffer {
  const s = Buffer.from(service);
  const msg = s.length ? Buffer.concat([Buffer.from([0x0a, s.length]), s]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(msg.length, 1);
  return Buffer.concat([frame, msg]);
}

/** The `status` field of a HealthCheckResponse frame (0 when absent). */
export function decodeStatus(body: Buffer): number {
  if (body.length < 5) return 0;
  const len = body.readUInt32BE(1);
  const msg = body.subarray(5, 5 + len);
  for (let i = 0; i < msg.length; ) {
    const tag = msg[i++]!;
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = msg[i++]!;
      v |= (b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80) || i >= msg.length) break;
    }
    if (tag === 0x08) return v;
  }
  return 0;
}

export function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const target = `${host}:${port}`;
    const session = connect(`http://${target}`);
    const timer = setTimeout(() => finish(false, `timeout: health rpc did not complete within ${Math.round(timeoutMs / 1000)}s`), timeoutMs);
    let done = false;
    function finish(ok: boolean, output: string) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.destroy();
      resolve({ ok, output });
    }
    session.on('error', (err) => finish(false, `timeout: failed to connect service "${target}" within ${Math.round(timeoutMs / 1000)}s: ${err.message}`));
    const req = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    req.on('response', (h) => (grpcStatus = h['grpc-status'] as string | undefined));
    req.on('trailers', (t) => (grpcStatus = (t['grpc-status'] as string | undefined) ?? grpcStatus));
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('error', (err) => finish(false, err.message));
    req.on('end', () => {
      if (grpcStatus !== undefined && grpcStatus !== '0') return finish(false, `rpc error: code = ${grpcStatus}`);
      const st = decodeStatus(Buffer.concat(chunks));
      if (st === 1) finish(true, '');
      else finish(false, `service unhealthy (responded with "${statusNames[st] ?? st}")`);
    });
    req.end(encodeRequest(service));
  });
}
