/**
 * @module The audit log file: one JSON event per line, appended synchronously so events keep
 * their order and survive a crash; rotated at `--audit-log-maxsize` megabytes into
 * `<name>-<timestamp><ext>` files (lumberjack's naming, as kube-apiserver), keeping the newest
 * `--audit-log-maxbackup`.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export interface LogBackendOptions {
  path: string;
  /** Megabytes before rotation; 0: never rotate. */
  maxSizeMB?: number;
  /** Rotated files to keep; 0: keep all. */
  maxBackups?: number;
}

export class LogBackend {
  private fd: number;
  private size: number;

  constructor(private readonly opts: LogBackendOptions) {
    mkdirSync(dirname(opts.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(opts.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(event: object): void {
    const line = Buffer.from(JSON.stringify(event) + '\n');
    const max = (this.opts.maxSizeMB ?? 0) * 1024 * 1024;
    if (max > 0 && this.size > 0 && this.size + line.length > max) this.rotate();
    writeSync(this.fd, line);
    this.size += line.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    const ext = extname(this.opts.path);
    const stem = basename(this.opts.path, ext);
    const stamp = new Date().toISOString().replace(/:/g, '-').replace('Z', '');
    // Two rotations within a millisecond must not overwrite the first backup.
    let target = join(dirname(this.opts.path), `${stem}-${stamp}${ext}`);
    for (let n = 1; existsSync(target); n++) target = join(dirname(this.opts.path), `${stem}-${stamp}.${n}${ext}`);
    renameSync(this.opts.path, target);
    this.fd = openSync(this.opts.path, 'a', 0o600);
    this.size = 0;
    const keep = this.opts.maxBackups ?? 0;
    if (keep > 0) {
      const backups = readdirSync(dirname(this.opts.path))
        .filter((f) => f.startsWith(`${stem}-`) && f.endsWith(ext))
        .sort();
      for (const f of backups.slice(0, Math.max(0, backups.length - keep))) rmSync(join(dirname(this.opts.path), f), { force: true });
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
