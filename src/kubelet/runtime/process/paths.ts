/**
 * @module How the `process` runtime shows volumes to a host process that has no mount
 * namespace: every mount is exposed as `SKIFF_VOLUME_<NAME>=<host folder>`, and wherever the
 * command, args, env values or working dir name a mount path (as a whole path segment), that
 * path is rewritten to the host folder. `/config/key` becomes `<pod>/volumes/…/key`.
 */
import type { KeyValue, Mount } from '../interface.ts';

export function volumeEnvName(volume: string): string {
  return `SKIFF_VOLUME_${volume.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rewrites occurrences of mount paths in `text`; the longest mount path wins. */
export function rewritePaths(text: string, mounts: Mount[]): string {
  const sorted = mounts.filter((m) => m.containerPath && m.containerPath !== '/').sort((a, b) => b.containerPath.length - a.containerPath.length);
  if (!sorted.length) return text;
  const re = new RegExp(`(^|[\\s'"=:;(<>|&\`])(${sorted.map((m) => escape(m.containerPath.replace(/\/+$/, ''))).join('|')})(?=$|[/\\s'"=:;)<>|&\`])`, 'g');
  return text.replace(re, (_all, pre: string, path: string) => {
    const m = sorted.find((x) => x.containerPath.replace(/\/+$/, '') === path);
    return pre + (m ? m.hostPath : path);
  });
}

export function processEnv(env: KeyValue[], mounts: Mount[], hostname: string): Record<string, string> {
  const out: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: hostname,
  };
  for (const m of mounts) if (m.volumeName) out[volumeEnvName(m.volumeName)] = m.hostPath;
  for (const kv of env) out[kv.name] = rewritePaths(kv.value, mounts);
  return out;
}
