/**
 * @module Serving one container's CRI log file the way the kubelet's `ReadLogs` does for
 * `/containerLogs`: `tailLines`, `sinceSeconds`/`sinceTime`, `timestamps`, `limitBytes`, and
 * `follow` (poll the file, reopen it when the log manager rotates it, stop once the container
 * is no longer running and the file is drained).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';

export interface LogQuery {
  follow: boolean;
  tailLines?: number;
  /** Only entries at or after this instant (epoch ms). */
  sinceMs?: number;
  timestamps: boolean;
  limitBytes?: number;
}

/** Parses the kubelet's query parameters; a bad value is a caller error (message for a 400). */
export function parseLogQuery(q: URLSearchParams, now = Date.now()): LogQuery | string {
  const int = (name: string): number | undefined | string => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    return Number.isInteger(n) ? n : `invalid value for ${name}: ${v}`;
  };
  const tail = int('tailLines');
  const since = int('sinceSeconds');
  const limit = int('limitBytes');
  for (const v of [tail, since, limit]) if (typeof v === 'string') return v;
  const out: LogQuery = { follow: q.get('follow') === 'true', timestamps: q.get('timestamps') === 'true' };
  if (typeof tail === 'number' && tail >= 0) out.tailLines = tail;
  if (typeof limit === 'number') {
    if (limit < 1) return 'limitBytes must be greater than zero';
    out.limitBytes = limit;
  }
  if (typeof since === 'number') {
    if (since < 1) return 'sinceSeconds must be greater than zero';
    out.sinceMs = now - since * 1000;
  }
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) return `invalid value for sinceTime: ${sinceTime}`;
    // Upstream: at most one of sinceSeconds and sinceTime.
    if (out.sinceMs !== undefined) return 'at most one of sinceTime or sinceSeconds may be specified';
    out.sinceMs = t;
  }
  return out;
}

interface Entry {
  time: string;
  /** Content as the container wrote it: a full (`F`) line gets its newline back, a partial (`P`) does not. */
  content: string;
  full: boolean;
}

const lineRe = /^(\S+) (stdout|stderr) (F|P) (.*)$/;

function parseLine(line: string): Entry | undefined {
  const m = lineRe.exec(line);
  if (!m) return undefined;
  const full = m[3] === 'F';
  return { time: m[1]!, content: full ? `${m[4]}\n` : m[4]!, full };
}

/** RFC3339Nano as Go prints it: trailing zeros of the fraction dropped. */
function goNano(time: string): string {
  return time.replace(/\.(\d*?)0+(Z|[+-]\d\d:\d\d)$/, (_m, frac: string, zone: string) => (frac ? `.${frac}${zone}` : zone));
}

/** Index of the first entry of the last `n` full lines (partial pieces belong to the line they end in). */
function tailStart(entries: Entry[], n: number): number {
  if (n === 0) return entries.length;
  let lines = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]!.full || i === entries.length - 1) {
      if (lines === n) return i + 1;
      lines++;
    }
  }
  return 0;
}

export interface LogSource {
  path: string;
  /** Whether the container is still running (follow ends once it is not and the file is drained). */
  running: () => boolean;
  pollMs?: number;
}

/** Streams the log; ends at EOF (or, with follow, when the container stops or `signal` aborts). */
export async function* readContainerLog(src: LogSource, q: LogQuery, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  let budget = q.limitBytes ?? Infinity;
  const render = (e: Entry): Buffer | undefined => {
    if (q.sinceMs !== undefined && Date.parse(e.time) < q.sinceMs) return undefined;
    let out = Buffer.from(q.timestamps ? `${goNano(e.time)} ${e.content}` : e.content);
    if (out.length > budget) out = out.subarray(0, budget);
    budget -= out.length;
    return out;
  };
  let fh: FileHandle | undefined = await open(src.path, 'r').catch(() => undefined);
  if (!fh) return;
  let ino = (await fh.stat()).ino;
  let pos = 0;
  let rest = '';
  try {
    // First pass: everything written so far, so tailLines can look at the whole file.
    const first = await fh.readFile('utf8');
    pos = Buffer.byteLength(first);
    const lines = first.split('\n');
    rest = lines.pop() ?? '';
    const entries = lines.map(parseLine).filter((e): e is Entry => !!e);
    const from = q.tailLines === undefined ? 0 : tailStart(entries, q.tailLines);
    const chunks: Buffer[] = [];
    for (const e of entries.slice(from)) {
      const b = render(e);
      if (b?.length) chunks.push(b);
      if (budget <= 0) break;
    }
    if (chunks.length) yield Buffer.concat(chunks);
    if (!q.follow || budget <= 0) return;
    const buf = Buffer.alloc(64 * 1024);
    while (!signal.aborted && budget > 0) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const lines2 = (rest + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
        rest = lines2.pop() ?? '';
        const out: Buffer[] = [];
        for (const l of lines2) {
          const e = parseLine(l);
          const b = e && render(e);
          if (b?.length) out.push(b);
          if (budget <= 0) break;
        }
        if (out.length) yield Buffer.concat(out);
        continue;
      }
      // At EOF: a rotation renamed our file away, so continue with the new one from its start.
      const now = await stat(src.path).catch(() => undefined);
      if (now && now.ino !== ino) {
        await fh.close();
        fh = await open(src.path, 'r');
        ino = (await fh.stat()).ino;
        pos = 0;
        rest = '';
        continue;
      }
      if (!src.running()) return;
      await new Promise<void>((r) => {
        const done = () => (clearTimeout(t), signal.removeEventListener('abort', done), r());
        const t = setTimeout(done, src.pollMs ?? 200);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  } finally {
    await fh?.close().catch(() => {});
  }
}
