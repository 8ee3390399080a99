/**
 * @module Where the `process` runtime finds python3 and its stdio shim: the interpreter is
 * resolved once from the kubelet's own PATH to its real path (a pyenv or asdf shim on PATH would
 * need the kubelet's environment, and the shim runs with the container's). The script sits next
 * to this module (in the bundle: next to dist/skiff.mjs, where the build copies it).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const stdioShimPath = fileURLToPath(new URL('./stdio-shim.py', import.meta.url));

let found: Promise<string | undefined> | undefined;

/** The python3 executable, or undefined when there is none or no shim script (containers then run with stdin closed). */
export function python3(): Promise<string | undefined> {
  found ??= new Promise((resolve) => {
    if (!existsSync(stdioShimPath)) return resolve(undefined);
    execFile('python3', ['-I', '-c', 'import sys; print(sys.executable)'], { timeout: 10_000 }, (err, stdout) => {
      const path = stdout.trim();
      resolve(err || !path ? undefined : path);
    });
  });
  return found;
}
