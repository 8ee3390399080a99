/**
 * @module The `serviceAccountToken` source of a projected volume (upstream
 * pkg/volume/projected): a token for the pod's ServiceAccount from the TokenRequest API, bound
 * to the pod (kind Pod, name, uid) so it dies with it, for the source's audience (none: the API
 * server's own) and lifetime, written at the source's path with the volume's defaultMode.
 */
import type { TokenRequestSpec } from 'kubernetes-types/authentication/v1.js';
import type { Pod, ServiceAccountTokenProjection } from 'kubernetes-types/core/v1.js';
import type { FileProjection } from './atomic-writer.ts';
import type { TokenSource } from './service-account-token.ts';

/** The API server's default for a projection without expirationSeconds. */
const defaultExpirationSeconds = 3600;

export async function serviceAccountTokenFile(
  pod: Pod,
  source: ServiceAccountTokenProjection,
  mode: number,
  tokens: TokenSource | undefined,
): Promise<[string, FileProjection]> {
  if (!tokens) throw new Error('serviceAccountToken projection is not available on this node (no API client)');
  const spec: TokenRequestSpec = {
    audiences: source.audience ? [source.audience] : [],
    expirationSeconds: source.expirationSeconds ?? defaultExpirationSeconds,
    boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  };
  const sa = pod.spec?.serviceAccountName || 'default';
  const token = await tokens(pod.metadata?.namespace ?? 'default', sa, spec);
  return [source.path, { data: Buffer.from(token), mode }];
}
