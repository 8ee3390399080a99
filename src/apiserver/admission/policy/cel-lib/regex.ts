/**
 * @module Regular expressions in CEL as Kubernetes runs them: RE2 (linear time, Go regexp
 * syntax and match rules) through re2js, never JavaScript's backtracking RegExp, so a pattern
 * like `(a+)+$` cannot stall the API server on a crafted string. The Kubernetes regex library
 * (upstream apiserver/pkg/cel/library/regex.go): `<string>.find(re)` and
 * `<string>.findAll(re[, limit])` (leftmost match; findAll skips an empty match that abuts the
 * previous match). The standard `matches` is cel-js's own (a RegExp) and cannot be replaced, so
 * `rewriteMatches` renames its calls in a parsed expression to `re2Matches`, registered here.
 */
import type { ASTNode, Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';

const compiled = new Map<string, RE2JS>();

/** Compiles (cached); throws Go's message ("error parsing regexp: …"). */
function compile(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

function compileForLibrary(pattern: string): RE2JS {
  try {
    return compile(pattern);
  } catch (e) {
    throw new Error(`Illegal regex: ${(e as Error).message}`);
  }
}

/** Go's FindAllString: n < 0 means every match, n == 0 none. */
export function findAll(s: string, pattern: string, n: bigint): string[] {
  const m = compileForLibrary(pattern).matcher(s);
  const out: string[] = [];
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0n || BigInt(out.length) < n) && pos <= s.length && m.find(pos)) {
    const start = m.start();
    const end = m.end();
    let accept = true;
    if (end === pos) {
      // An empty match: none right after the previous match; step one code point on.
      if (start === prevEnd) accept = false;
      pos += pos < s.length && s.codePointAt(pos)! > 0xffff ? 2 : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) out.push(s.slice(start, end));
  }
  return out;
}

/** cel-go's `matches`: whether the pattern matches anywhere in the string. */
export function matches(s: string, pattern: string): boolean {
  let re: RE2JS;
  try {
    re = compile(pattern);
  } catch (e) {
    throw new Error((e as Error).message);
  }
  return re.matcher(s).find();
}

/** Renames every `matches` call (receiver or global) to `re2Matches`; true when there was one. */
export function rewriteMatches(node: ASTNode): boolean {
  let changed = false;
  const visit = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const n = v as { op?: string; args?: unknown };
    if ((n.op === 'call' || n.op === 'rcall') && Array.isArray(n.args) && n.args[0] === 'matches') {
      n.args[0] = 're2Matches';
      changed = true;
    }
    if (n.op !== 'value' && n.op !== 'id') visit(n.args);
  };
  visit(node);
  return changed;
}

export function registerRegex(env: Environment): void {
  env.registerFunction('string.find(string): string', (s: string, pattern: string) => {
    const m = compileForLibrary(pattern).matcher(s);
    return m.find() ? m.group() : '';
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, pattern: string) => findAll(s, pattern, -1n));
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, pattern: string, n: bigint) => findAll(s, pattern, n));
  env.registerFunction('string.re2Matches(string): bool', (s: string, pattern: string) => matches(s, pattern));
  env.registerFunction('re2Matches(string, string): bool', (s: string, pattern: string) => matches(s, pattern));
}
