/**
 * @module Whether a process id is in use: signal 0 checks without signalling. EPERM means the
 * process exists but belongs to someone else, so it counts as alive.
 */
export function pidAlive(pid: number | undefined): boolean {
  if (!pid || !(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
