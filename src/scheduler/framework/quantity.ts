/**
 * @module Resource quantities as the scheduler counts them: CPU in millicores, everything
 * else (memory, ephemeral-storage, extended resources) in whole units, as upstream's
 * `Quantity.MilliValue()` / `Quantity.Value()` give them. Parsing is cached because the same
 * few strings ("100m", "128Mi") appear on thousands of pods.
 */

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const re = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const cache = new Map<string, number>();

/** The quantity as a float in base units (NaN when unparseable). */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'number') return q;
  let v = cache.get(q);
  if (v !== undefined) return v;
  const m = re.exec(q.trim());
  if (!m) v = NaN;
  else {
    const n = Number(m[1]);
    if (m[2]) v = n * 10 ** Number(m[2].slice(1));
    else {
      const suffix = m[3] ?? '';
      v = n * (binary[suffix] ?? decimal[suffix] ?? 1);
    }
  }
  if (cache.size < 10_000) cache.set(q, v);
  return v;
}

/** MilliValue, rounded up as upstream rounds fractional milli-quantities. */
export function milliValue(q: string | number | undefined | null): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.ceil(Math.round(v * 1e6) / 1e3) : 0;
}

/** Value, rounded up to a whole unit. */
export function value(q: string | number | undefined | null): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.ceil(Math.round(v * 1e3) / 1e3) : 0;
}
