/**
 * @module Container log files in the CRI format every runtime writes
 * (`<RFC3339Nano> <stdout|stderr> <F|P> <content>`): parsing them back into a stream of
 * entries for `kubectl logs` (partial `P` lines are joined with the next), reading the tail
 * (for FallbackToLogsOnError), and rotation by rename as the kubelet's container log manager
 * does (`<file>.<timestamp>`, keeping `maxFiles` in all).
 */
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface LogEntry {
  /** The timestamp as written (RFC 3339 with nanoseconds). */
  time: string;
  stream: 'stdout' | 'stderr';
  /** The line's content including its newline (absent only for a trailing partial line). */
  content: string;
}

const lineRe = /^(\S+) (stdout|stderr) (F|P) (.*)$/;

/** Parses CRI log text; malformed lines are skipped. */
export function parseCriLog(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  // Partial (`P`) lines join the next line of the same stream, as upstream keeps them per stream.
  const partial: Partial<Record<'stdout' | 'stderr', LogEntry>> = {};
  for (const line of text.split('\n')) {
    const m = lineRe.exec(line);
    if (!m) continue;
    const [, time, stream, tag, content] = m as unknown as [string, string, 'stdout' | 'stderr', 'F' | 'P', string];
    const prior = partial[stream];
    if (tag === 'P') {
      partial[stream] = prior ? { ...prior, content: prior.content + content } : { time, stream, content };
      continue;
    }
    out.push(prior ? { ...prior, content: prior.content + content + '\n' } : { time, stream, content: content + '\n' });
    delete partial[stream];
  }
  for (const p of Object.values(partial)) if (p) out.push(p);
  return out;
}

/** The last `maxLines` lines (at most `maxBytes`) of a container's log, as plain text. */
export async function tailLog(path: string, maxLines = 80, maxBytes = 2048): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return '';
  }
  const content = parseCriLog(text).slice(-maxLines).map((e) => e.content).join('');
  return content.length > maxBytes ? content.slice(content.length - maxBytes) : content;
}

/** Rotates `path` when it is larger than maxBytes; keeps the newest maxFiles-1 rotated files. */
export async function rotateLog(path: string, maxBytes: number, maxFiles: number): Promise<boolean> {
  const size = await stat(path).then((s) => s.size, () => 0);
  if (size <= maxBytes) return false;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '.$1');
  // The writer reopens the file per line, so after the rename it starts a fresh one.
  await rename(path, `${path}.${stamp}`);
  const prefix = `${basename(path)}.`;
  const rotated = (await readdir(dirname(path))).filter((f) => f.startsWith(prefix)).sort();
  for (const old of rotated.slice(0, Math.max(0, rotated.length - (maxFiles - 1)))) await rm(join(dirname(path), old), { force: true });
  return true;
}
