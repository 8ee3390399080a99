/**
 * @module The Kubernetes CEL lists library (upstream apiserver/pkg/cel/library/lists.go):
 * `isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf` on lists.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { celCompare, celEquals } from './values.ts';

type Addable = { addDuration(o: unknown): unknown };

function extreme(name: 'min' | 'max', prefer: number) {
  return (list: unknown[]): unknown => {
    if (list.length === 0) throw new Error(`${name} called on empty list`);
    let best = list[0];
    for (const x of list.slice(1)) if (celCompare(best, x) === prefer) best = x;
    return best;
  };
}

export function registerLists(env: Environment): void {
  env.registerFunction('list<A>.isSorted(): bool', (list: unknown[]) => list.every((x, i) => i === 0 || celCompare(list[i - 1], x) !== 1));
  // Upstream has one overload per summable type; the first (int) also answers an untyped `[]`.
  env.registerFunction('list<int>.sum(): int', (list: bigint[]) => list.reduce((a, b) => a + b, 0n));
  env.registerFunction('list<uint>.sum(): uint', (list: unknown[]) => {
    if (list.length === 0) return env.evaluate('0u');
    return list.slice(1).reduce((a, b) => env.evaluate('a + b', { a, b }), list[0]);
  });
  env.registerFunction('list<double>.sum(): double', (list: number[]) => list.reduce((a, b) => a + b, 0));
  env.registerFunction('list<google.protobuf.Duration>.sum(): google.protobuf.Duration', (list: Addable[]) =>
    list.length === 0 ? env.evaluate('duration("0s")') : list.slice(1).reduce<unknown>((a, b) => (a as Addable).addDuration(b), list[0]),
  );
  env.registerFunction('list<A>.min(): A', extreme('min', 1));
  env.registerFunction('list<A>.max(): A', extreme('max', -1));
  env.registerFunction('list<A>.indexOf(A): int', (list: unknown[], x: unknown) => BigInt(list.findIndex((y) => celEquals(y, x))));
  env.registerFunction('list<A>.lastIndexOf(A): int', (list: unknown[], x: unknown) => {
    for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], x)) return BigInt(i);
    return -1n;
  });
}
