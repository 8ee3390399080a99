/**
 * @module The Kubernetes CEL regex library (upstream apiserver/pkg/cel/library/regex.go):
 * `<string>.find(re)` and `<string>.findAll(re[, limit])`, with Go regexp's match rules
 * (leftmost match; findAll skips an empty match that abuts the previous match).
 */
import type { Environment } from '@marcbachmann/cel-js';

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern, 'g');
    } catch (e) {
      throw new Error(`Illegal regex: error parsing regexp: ${(e as Error).message}`);
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  re.lastIndex = 0;
  return re;
}

/** Go's FindAllString: n < 0 means every match, n == 0 none. */
export function findAll(s: string, pattern: string, n: bigint): string[] {
  const re = compile(pattern);
  const out: string[] = [];
  let prevEnd = -1;
  while (n < 0n || BigInt(out.length) < n) {
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      // Advance past an empty match ourselves (by one code point), as Go does.
      re.lastIndex = end + (s.codePointAt(end)! > 0xffff ? 2 : 1);
      if (end === prevEnd) continue;
    }
    out.push(m[0]);
    prevEnd = end;
  }
  return out;
}

export function registerRegex(env: Environment): void {
  env.registerFunction('string.find(string): string', (s: string, pattern: string) => {
    const m = compile(pattern).exec(s);
    return m ? m[0] : '';
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, pattern: string) => findAll(s, pattern, -1n));
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, pattern: string, n: bigint) => findAll(s, pattern, n));
}
