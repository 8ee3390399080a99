/**
 * @module CEL for admission (@marcbachmann/cel-js): compiled programs cached by expression
 * text, and JSON → CEL values (whole numbers become CEL ints, as Kubernetes' structural
 * schemas type `integer` fields) so `object.spec.replicas <= 5` compares int with int.
 * The environment carries Kubernetes' CEL libraries (./cel-lib); regular expressions, `matches`
 * included, run on RE2 (./cel-lib/regex.ts). An expression that calls an
 * asynchronous function (authorizer checks) evaluates to a Promise: the `…Async` evaluators
 * await it; the synchronous ones (webhook matchConditions, which have no authorizer) do not.
 */
import { Environment, serialize } from '@marcbachmann/cel-js';
import { registerKubernetesLibraries } from './cel-lib/index.ts';
import { rewriteMatches } from './cel-lib/regex.ts';

export type CelValue = unknown;
type Program = (ctx: Record<string, CelValue>) => unknown;

const env = registerKubernetesLibraries(new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false, enableOptionalTypes: true }));
const cache = new Map<string, Program>();
const maxCached = 5000;

/** Parses (once per distinct text) and returns a program; throws the parse error. */
export function compile(expression: string): Program {
  let p = cache.get(expression);
  if (!p) {
    let parsed = env.parse(expression);
    // `matches` on RE2, not cel-js's RegExp (see cel-lib/regex.ts).
    if (rewriteMatches(parsed.ast)) parsed = env.parse(serialize(parsed.ast));
    const program = parsed;
    p = (ctx) => program(ctx);
    if (cache.size >= maxCached) cache.clear();
    cache.set(expression, p);
  }
  return p;
}

/** Deep copy of a JSON value with integral numbers as bigint. */
export function toCel(v: unknown): CelValue {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === 'object') {
    const out: Record<string, CelValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toCel(x);
    return out;
  }
  return v === undefined ? null : v;
}

/** Evaluates; a result that is not a boolean is an error, as upstream's type check would say. */
export function evalBool(expression: string, ctx: Record<string, CelValue>): boolean {
  const r = compile(expression)(ctx);
  if (typeof r !== 'boolean') throw new Error(`expression '${expression}' resulted in error: got ${typeof r}, want bool`);
  return r;
}

export function evalString(expression: string, ctx: Record<string, CelValue>): string {
  const r = compile(expression)(ctx);
  if (typeof r !== 'string') throw new Error(`messageExpression '${expression}' must evaluate to string`);
  return r;
}

export function evalAny(expression: string, ctx: Record<string, CelValue>): CelValue {
  return compile(expression)(ctx);
}

export async function evalAnyAsync(expression: string, ctx: Record<string, CelValue>): Promise<CelValue> {
  return await compile(expression)(ctx);
}

export async function evalBoolAsync(expression: string, ctx: Record<string, CelValue>): Promise<boolean> {
  const r = await evalAnyAsync(expression, ctx);
  if (typeof r !== 'boolean') throw new Error(`expression '${expression}' resulted in error: got ${typeof r}, want bool`);
  return r;
}

export async function evalStringAsync(expression: string, ctx: Record<string, CelValue>): Promise<string> {
  const r = await evalAnyAsync(expression, ctx);
  if (typeof r !== 'string') throw new Error(`messageExpression '${expression}' must evaluate to string`);
  return r;
}
