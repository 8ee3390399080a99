/**
 * @module Port-forward: a byte stream to 127.0.0.1:port inside the pod's network namespace,
 * through a host busybox `nc` entered into that namespace with nsenter (the stream is the
 * child's stdio). With hostNetwork the node's loopback is the pod's, so a plain socket does.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';

export async function forwardPort(netnsName: string, port: number): Promise<Duplex> {
  if (!netnsName) {
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    return sock;
  }
  const child = spawn('nsenter', [`--net=/run/netns/${netnsName}`, 'busybox', 'nc', '127.0.0.1', String(port)], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  // A hand-made Duplex (not Duplex.from): nc closing its side is a normal end, not an error.
  const d = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      if (child.stdin.writable) child.stdin.write(chunk, () => cb());
      else cb();
    },
    final(cb) {
      child.stdin.end();
      cb();
    },
    read() {
      child.stdout.resume();
    },
    destroy(err, cb) {
      child.kill('SIGKILL');
      cb(err);
    },
  });
  child.stdin.on('error', () => undefined);
  child.stdout.on('data', (c: Buffer) => {
    if (!d.push(c)) child.stdout.pause();
  });
  child.stdout.on('end', () => d.push(null));
  child.on('close', () => d.push(null));
  return d;
}
