/**
 * @module Resource quantities for quota arithmetic (upstream resource.Quantity, reduced): values
 * are kept as exact integers of milli-units (bigint) so sums never drift, and printed back in
 * the canonical form upstream's `Quantity.String()` gives ("500m", "1Gi", "3").
 */

const binary: [string, bigint][] = [
  ['Ei', 2n ** 60n], ['Pi', 2n ** 50n], ['Ti', 2n ** 40n], ['Gi', 2n ** 30n], ['Mi', 2n ** 20n], ['Ki', 2n ** 10n],
];
const decimal: [string, bigint][] = [
  ['E', 10n ** 18n], ['P', 10n ** 15n], ['T', 10n ** 12n], ['G', 10n ** 9n], ['M', 10n ** 6n], ['k', 10n ** 3n],
];
const suffixScale: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const maxExponent = 1000;
const re = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The quantity in milli-units, rounded up as upstream rounds (undefined when unparseable). */
export function parseMilli(q: string | number | undefined | null): bigint | undefined {
  if (q === undefined || q === null) return undefined;
  const s = String(q).trim();
  const m = re.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = BigInt((m[2] || '0') + (m[3] ?? ''));
  let num = digits * 1000n;
  let den = 10n ** BigInt((m[3] ?? '').length);
  const bin = binary.find(([suf]) => suf === m[5]);
  if (bin) num *= bin[1];
  else {
    const exp = m[4] !== undefined ? Number(m[4]) : suffixScale[m[5] ?? ''] ?? 0;
    // Exact arithmetic on 10^exp: an exponent of millions would take the process seconds
    // (a stall any request body could cause); nothing real needs more than a few dozen.
    if (Math.abs(exp) > maxExponent) return undefined;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  const v = (num + den - 1n) / den;
  return m[1] === '-' ? -v : v;
}

/** Canonical text of a milli-unit value: milli suffix when fractional, else the largest exact suffix. */
export function formatMilli(v: bigint, preferBinary = false): string {
  if (v < 0n) return `-${formatMilli(-v, preferBinary)}`;
  if (v % 1000n !== 0n) return `${v}m`;
  const whole = v / 1000n;
  if (whole === 0n) return '0';
  for (const [suf, scale] of preferBinary ? binary : decimal) if (whole % scale === 0n) return `${whole / scale}${suf}`;
  if (preferBinary) for (const [suf, scale] of decimal) if (whole % scale === 0n) return `${whole / scale}${suf}`;
  return `${whole}`;
}

/** True when the text uses a binary suffix (so sums print in the same family, as upstream keeps the format). */
export const isBinaryFormat = (q: string | number | undefined): boolean => typeof q === 'string' && /[KMGTPE]i$/.test(q.trim());

/** A resource list whose values are exact milli-units, with the format family of each. */
export class Usage {
  readonly values = new Map<string, bigint>();
  private readonly binaryNames = new Set<string>();

  static from(list: Record<string, string | number> | undefined): Usage {
    const u = new Usage();
    for (const [k, q] of Object.entries(list ?? {})) u.add(k, parseMilli(q) ?? 0n, isBinaryFormat(q));
    return u;
  }

  add(name: string, milli: bigint, binaryFormat = false): void {
    this.values.set(name, (this.values.get(name) ?? 0n) + milli);
    if (binaryFormat) this.binaryNames.add(name);
  }

  get(name: string): bigint {
    return this.values.get(name) ?? 0n;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  isBinary(name: string): boolean {
    return this.binaryNames.has(name);
  }

  plus(other: Usage): Usage {
    const out = this.clone();
    for (const [k, v] of other.values) out.add(k, v, other.isBinary(k));
    return out;
  }

  clone(): Usage {
    const out = new Usage();
    for (const [k, v] of this.values) out.add(k, v, this.isBinary(k));
    return out;
  }

  /** Only the named resources (upstream quota.Mask). */
  mask(names: Iterable<string>): Usage {
    const out = new Usage();
    for (const n of names) if (this.values.has(n)) out.add(n, this.get(n), this.isBinary(n));
    return out;
  }

  toList(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of [...this.values.keys()].sort()) out[k] = formatMilli(this.get(k), this.isBinary(k));
    return out;
  }

  /** "a=1,b=2" in name order (upstream prettyPrint). */
  pretty(): string {
    return Object.entries(this.toList()).map(([k, v]) => `${k}=${v}`).join(',');
  }
}
