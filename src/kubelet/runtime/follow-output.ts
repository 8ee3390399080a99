/**
 * @module Output-only attach shared by the runtimes: follow a container's CRI-format log file
 * from its current end and write each stdout/stderr line to the attach streams until the
 * container exits (its remaining output is drained first) or the caller aborts.
 */
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';

const lineRe = /^(\S+) (stdout|stderr) ([FP]) (.*)$/;

export interface AttachTarget {
  logPath: string;
  /** Resolves true once the container has exited. */
  exited(): Promise<boolean>;
}

export async function followOutput(t: AttachTarget, out: { stdout?: Writable; stderr?: Writable; signal?: AbortSignal }): Promise<void> {
  let fh = await open(t.logPath, 'r').catch(() => undefined);
  let pos = fh ? (await fh.stat()).size : 0;
  let rest = '';
  const buf = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      if (out.signal?.aborted) return;
      const done = await t.exited();
      // The log file appears when the container starts.
      fh ??= await open(t.logPath, 'r').catch(() => undefined);
      let n = 0;
      if (fh) {
        ({ bytesRead: n } = await fh.read(buf, 0, buf.length, pos));
        pos += n;
      }
      if (n > 0) {
        rest += buf.subarray(0, n).toString('utf8');
        const lines = rest.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const m = lineRe.exec(line);
          if (!m) continue;
          const w = m[2] === 'stdout' ? out.stdout : out.stderr;
          w?.write(m[3] === 'F' ? `${m[4]}\n` : m[4]);
        }
        continue;
      }
      if (done) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await fh?.close();
  }
}
