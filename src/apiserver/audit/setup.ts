/**
 * @module The audit flags (`--audit-policy-file`, `--audit-log-path`, `--audit-log-maxsize`,
 * `--audit-log-maxbackup`) turned into an Auditor. As kube-apiserver, both a policy and a log
 * path are needed; `-` logs to stdout.
 */
import { readFile } from 'node:fs/promises';
import { Auditor, type AuditSink } from './auditor.ts';
import { LogBackend } from './log-backend.ts';
import { parsePolicy } from './policy.ts';

export interface AuditOptions {
  policyFile?: string;
  logPath?: string;
  logMaxSizeMB?: number;
  logMaxBackups?: number;
}

export async function createAuditor(opts: AuditOptions, now?: () => Date): Promise<{ auditor: Auditor; close(): void } | undefined> {
  if (!opts.policyFile || !opts.logPath) return undefined;
  const policy = parsePolicy(await readFile(opts.policyFile, 'utf8'));
  if (opts.logPath === '-') {
    const sink: AuditSink = { write: (e) => void process.stdout.write(JSON.stringify(e) + '\n') };
    return { auditor: new Auditor(policy, sink, now), close() {} };
  }
  const file = new LogBackend({ path: opts.logPath, maxSizeMB: opts.logMaxSizeMB, maxBackups: opts.logMaxBackups });
  return { auditor: new Auditor(policy, file, now), close: () => file.close() };
}
