/**
 * @module The contract between the local-path provisioner and the kubelets: a released
 * Delete-policy volume's directory is listed (JSON array of paths) in its Node's annotation
 * `local-path.skiff.dev/cleanup`; the kubelet on that node removes the directory and the entry.
 */

export const annLocalPathCleanup = 'local-path.skiff.dev/cleanup';

/** The listed paths; anything that is not a JSON array of strings lists nothing. */
export function parseLocalPathCleanup(s: string | undefined): string[] {
  if (!s) return [];
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
