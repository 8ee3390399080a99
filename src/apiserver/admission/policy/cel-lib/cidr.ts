/**
 * @module The Kubernetes CEL CIDR library (upstream apiserver/pkg/cel/library/cidr.go): `cidr`,
 * `isCIDR`, `containsIP`, `containsCIDR`, `ip()`, `masked`, `prefixLength`, `string()`.
 * Parsing follows Go's netip.ParsePrefix: host bits after the prefix are kept (masked()
 * clears them), zones and IPv4-mapped IPv6 addresses are refused.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { IPAddr, ipType, is4In6, parseAddr, parseIP, parses } from './ip.ts';

export const cidrType = 'net.CIDR';

export class CIDR {
  constructor(readonly addr: IPAddr, readonly bits: number) {}

  celEquals(o: unknown): boolean {
    return o instanceof CIDR && o.bits === this.bits && o.addr.celEquals(this.addr);
  }

  masked(): CIDR {
    const b = Uint8Array.from(this.addr.bytes, (x, i) => {
      const keep = Math.max(0, Math.min(8, this.bits - 8 * i));
      return x & ((0xff << (8 - keep)) & 0xff);
    });
    return new CIDR(new IPAddr(b), this.bits);
  }

  containsIP(ip: IPAddr): boolean {
    return ip.is4 === this.addr.is4 && new CIDR(ip, this.bits).masked().celEquals(this.masked());
  }

  /** The other network lies inside this one: same network at this prefix length, and no shorter prefix. */
  containsCIDR(o: CIDR): boolean {
    return this.bits <= o.bits && this.containsIP(o.addr);
  }

  toString(): string {
    return `${this.addr.toString()}/${this.bits}`;
  }
}

/** Go's netip.ParsePrefix, wrapped as upstream's parseCIDR wraps it. */
export function parsePrefix(raw: string): CIDR {
  const fail = (m: string): never => {
    throw new Error(`network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(raw)}): ${m}`);
  };
  const slash = raw.lastIndexOf('/');
  if (slash < 0) fail('no \'/\'');
  const a = raw.slice(0, slash);
  let addr: IPAddr;
  try {
    const r = parseAddr(a);
    if (r.zone) fail('IPv6 zones cannot be present in a prefix');
    addr = r.addr;
  } catch (e) {
    if ((e as Error).message.startsWith('network address')) throw e;
    return fail((e as Error).message);
  }
  const bitsText = raw.slice(slash + 1);
  if (!/^\d+$/.test(bitsText) || (bitsText.length > 1 && bitsText[0] === '0')) fail(`bad bits after slash: ${JSON.stringify(bitsText)}`);
  const bits = Number(bitsText);
  if (bits > (addr!.is4 ? 32 : 128)) fail('prefix length out of range');
  if (is4In6(addr!)) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return new CIDR(addr!, bits);
}

/** cidr(): upstream wraps parseCIDR's (already prefixed) error once more. */
export function toCIDR(raw: string): CIDR {
  try {
    return parsePrefix(raw);
  } catch (e) {
    throw new Error(`network address parse error during conversion from string: ${(e as Error).message}`);
  }
}

const C = cidrType;

export function registerCIDR(env: Environment): void {
  env.registerType(C, CIDR);
  env.registerFunction(`cidr(string): ${C}`, toCIDR);
  env.registerFunction('isCIDR(string): bool', parses(parsePrefix));
  env.registerFunction(`${C}.containsIP(string): bool`, (c: CIDR, s: string) => c.containsIP(parseIP(s)));
  env.registerFunction(`${C}.containsIP(${ipType}): bool`, (c: CIDR, ip: IPAddr) => c.containsIP(ip));
  env.registerFunction(`${C}.containsCIDR(string): bool`, (c: CIDR, s: string) => c.containsCIDR(toCIDR(s)));
  env.registerFunction(`${C}.containsCIDR(${C}): bool`, (c: CIDR, o: CIDR) => c.containsCIDR(o));
  env.registerFunction(`${C}.ip(): ${ipType}`, (c: CIDR) => c.addr);
  env.registerFunction(`${C}.masked(): ${C}`, (c: CIDR) => c.masked());
  env.registerFunction(`${C}.prefixLength(): int`, (c: CIDR) => BigInt(c.bits));
  env.registerFunction(`string(${C}): string`, (c: CIDR) => c.toString());
  env.registerOperator(`${C} == ${C}`, (a: CIDR, b: CIDR) => a.celEquals(b));
}
