/**
 * @module Reads the Accept header: plain JSON, a server-side Table (`as=Table;g=meta.k8s.io`),
 * or aggregated discovery (`as=APIGroupDiscoveryList;g=apidiscovery.k8s.io`). Protobuf is
 * accepted as a request but always answered in JSON (clients decode by Content-Type).
 */
export interface MediaChoice {
  table: boolean;
  /** `v2` or `v2beta1` when the client asked for aggregated discovery. */
  aggregatedDiscovery?: 'v2' | 'v2beta1';
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((part) => {
    const [type, ...rest] = part.trim().split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const [k, v] = p.split('=');
      if (k && v !== undefined) params[k.trim()] = v.trim();
    }
    return { type: (type ?? '').trim().toLowerCase(), params };
  });
}

export function negotiate(accept: string | undefined): MediaChoice {
  for (const r of parseAccept(accept)) {
    if (r.type !== 'application/json' && r.type !== 'application/vnd.kubernetes.protobuf') continue;
    if (r.params.as === 'Table' && r.params.g === 'meta.k8s.io' && (r.params.v === 'v1' || r.params.v === 'v1beta1'))
      return { table: true };
    if (r.params.as === 'APIGroupDiscoveryList' && r.params.g === 'apidiscovery.k8s.io') {
      if (r.params.v === 'v2' || r.params.v === 'v2beta1') return { table: false, aggregatedDiscovery: r.params.v };
      continue;
    }
    if (!r.params.as) return { table: false };
  }
  return { table: false };
}
