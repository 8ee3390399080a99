/**
 * @module The Kubernetes CEL quantity library (upstream apiserver/pkg/cel/library/quantity.go):
 * `quantity(string)`, `isQuantity`, comparisons, add/sub/mul, integer and float conversions.
 * Values are Skiff's quota quantities (exact milli-units, `parseMilli`), so precision below
 * one milli-unit (`1n`, `1u`) is rounded up as the quota code rounds it.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { parseMilli } from '../../../../api/quota/quantity.ts';

export const quantityType = 'kubernetes.Quantity';

/** resource.ErrFormatWrong, the error upstream's quantity() reports for unparseable text. */
const formatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const maxInt64 = 2n ** 63n - 1n;
const minInt64 = -(2n ** 63n);

/** A CEL quantity value: an exact count of milli-units. */
export class Quantity {
  constructor(readonly milli: bigint) {}

  static parse(s: string): Quantity {
    const m = parseMilli(s);
    if (m === undefined) throw new Error(formatWrong);
    return new Quantity(m);
  }

  celEquals(o: unknown): boolean {
    return o instanceof Quantity && o.milli === this.milli;
  }

  cmp(o: Quantity): bigint {
    return this.milli === o.milli ? 0n : this.milli > o.milli ? 1n : -1n;
  }

  /** Whole and within int64, as upstream's AsInt64 requires. */
  asInt64(): bigint | undefined {
    if (this.milli % 1000n !== 0n) return undefined;
    const v = this.milli / 1000n;
    return v > maxInt64 || v < minInt64 ? undefined : v;
  }
}

const Q = quantityType;

export function registerQuantity(env: Environment): void {
  env.registerType(Q, Quantity);
  env.registerFunction(`quantity(string): ${Q}`, (s: string) => Quantity.parse(s));
  env.registerFunction('isQuantity(string): bool', (s: string) => parseMilli(s) !== undefined);
  // Upstream declares sign as a global overload while documenting it as a member; accept both.
  env.registerFunction(`sign(${Q}): int`, (q: Quantity) => q.cmp(new Quantity(0n)));
  env.registerFunction(`${Q}.sign(): int`, (q: Quantity) => q.cmp(new Quantity(0n)));
  env.registerFunction(`${Q}.isGreaterThan(${Q}): bool`, (a: Quantity, b: Quantity) => a.cmp(b) === 1n);
  env.registerFunction(`${Q}.isLessThan(${Q}): bool`, (a: Quantity, b: Quantity) => a.cmp(b) === -1n);
  env.registerFunction(`${Q}.compareTo(${Q}): int`, (a: Quantity, b: Quantity) => a.cmp(b));
  env.registerFunction(`${Q}.asApproximateFloat(): double`, (q: Quantity) => Number(q.milli) / 1000);
  env.registerFunction(`${Q}.isInteger(): bool`, (q: Quantity) => q.asInt64() !== undefined);
  env.registerFunction(`${Q}.asInteger(): int`, (q: Quantity) => {
    const v = q.asInt64();
    if (v === undefined) throw new Error('cannot convert value to integer');
    return v;
  });
  env.registerFunction(`${Q}.add(${Q}): ${Q}`, (a: Quantity, b: Quantity) => new Quantity(a.milli + b.milli));
  env.registerFunction(`${Q}.add(int): ${Q}`, (a: Quantity, n: bigint) => new Quantity(a.milli + n * 1000n));
  env.registerFunction(`${Q}.sub(${Q}): ${Q}`, (a: Quantity, b: Quantity) => new Quantity(a.milli - b.milli));
  env.registerFunction(`${Q}.sub(int): ${Q}`, (a: Quantity, n: bigint) => new Quantity(a.milli - n * 1000n));
  env.registerFunction(`${Q}.mul(int): ${Q}`, (a: Quantity, n: bigint) => new Quantity(a.milli * n));
  // Upstream Quantity implements Equal with Quantity.Equal (numeric equality: 1000m == 1).
  env.registerOperator(`${Q} == ${Q}`, (a: Quantity, b: Quantity) => a.celEquals(b));
}
