/**
 * @module IntOrString values that mean "a count or a share of a total" (maxSurge,
 * maxUnavailable, minAvailable): upstream's intstr.GetScaledValueFromIntOrPercent.
 */

/** Resolves v against total; a percentage rounds up or down as asked. Throws on a malformed string. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}
