/**
 * @module Just enough of resource.Quantity for the kubelet: a quantity string as a number of
 * base units (bytes, cores), for resourceFieldRef, emptyDir sizeLimit and QoS.
 */
const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === 'number') return q;
  const m = /^([+-]?\d*\.?\d+)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return undefined;
  const mult = suffixes[m[3] ?? ''];
  if (mult === undefined) return undefined;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * mult;
}
