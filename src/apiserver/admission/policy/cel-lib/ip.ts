/**
 * @module The Kubernetes CEL IP library (upstream apiserver/pkg/cel/library/ip.go): `ip`,
 * `isIP`, `ip.isCanonical`, `family` and the address-class predicates. Parsing follows Go's
 * netip.ParseAddr (no leading zeros in IPv4 octets, no zones, no IPv4-mapped IPv6) and the
 * string form is netip's canonical one (RFC 5952 for IPv6).
 */
import type { Environment } from '@marcbachmann/cel-js';

export const ipType = 'net.IP';

class AddrError extends Error {}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export class IPAddr {
  constructor(readonly bytes: Uint8Array) {}

  get is4(): boolean {
    return this.bytes.length === 4;
  }

  celEquals(o: unknown): boolean {
    return o instanceof IPAddr && o.bytes.length === this.bytes.length && o.bytes.every((b, i) => b === this.bytes[i]);
  }

  toString(): string {
    if (this.is4) return [...this.bytes].join('.');
    const groups = Array.from({ length: 8 }, (_, i) => (this.bytes[2 * i] << 8) | this.bytes[2 * i + 1]);
    // The longest run (first if tied) of two or more zero groups becomes "::".
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8; ) {
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) [best, bestLen] = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
    return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
  }
}

function parse4(s: string, fail: (m: string) => never): Uint8Array {
  const out = new Uint8Array(4);
  const fields = s.split('.');
  for (const [i, f] of fields.entries()) {
    if (i >= 4) fail('IPv4 address too long');
    if (f === '') fail('IPv4 field must have at least one digit');
    if (!/^\d+$/.test(f)) fail('unexpected character');
    if (f.length > 1 && f[0] === '0') fail('IPv4 field has octet with leading zero');
    if (Number(f) > 255) fail('IPv4 field has value >255');
    out[i] = Number(f);
  }
  if (fields.length < 4) fail('IPv4 address too short');
  return out;
}

function parse6(s: string, fail: (m: string) => never): Uint8Array {
  const halves = s.split('::');
  if (halves.length > 2) fail('multiple :: in address');
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const [i, f] of part.split(':').entries()) {
      if (f.includes('.') && i === part.split(':').length - 1) {
        const v4 = parse4(f, fail);
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (f === '') fail('each colon-separated field must have at least one digit');
      else if (!/^[0-9a-fA-F]+$/.test(f)) fail('unexpected character');
      else if (f.length > 4) fail('IPv6 field has value >=2^16');
      else out.push(parseInt(f, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (halves.length === 1 && head.length < 8) fail('IPv6 address too short');
  if (head.length + tail.length > (halves.length === 2 ? 7 : 8)) fail('IPv6 address too long');
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => ((out[2 * i] = g >> 8), (out[2 * i + 1] = g & 0xff)));
  return out;
}

/** Go's netip.ParseAddr; throws with its message (`ParseAddr("x"): …`). */
export function parseAddr(s: string, allowZone = true): { addr: IPAddr; zone: string } {
  const fail = (m: string): never => {
    throw new AddrError(`ParseAddr(${JSON.stringify(s)}): ${m}`);
  };
  if (s === '') fail('unable to parse IP');
  for (const c of s) {
    if (c === '.') return { addr: new IPAddr(parse4(s, fail)), zone: '' };
    if (c === ':') {
      const pct = s.indexOf('%');
      const zone = pct < 0 ? '' : s.slice(pct + 1);
      if (pct >= 0 && (zone === '' || !allowZone)) fail('zone must be a non-empty string');
      return { addr: new IPAddr(parse6(pct < 0 ? s : s.slice(0, pct), fail)), zone };
    }
    if (!/[0-9a-fA-F]/.test(c)) break;
  }
  return fail('unable to parse IP');
}

export const is4In6 = (a: IPAddr): boolean => !a.is4 && a.bytes.slice(0, 10).every((b) => b === 0) && a.bytes[10] === 0xff && a.bytes[11] === 0xff;

/** Upstream parseIPAddr: netip's parse, then refuse zones and IPv4-mapped IPv6. */
export function parseIP(raw: string): IPAddr {
  let r: { addr: IPAddr; zone: string };
  try {
    r = parseAddr(raw);
  } catch (e) {
    throw new Error(`IP Address ${JSON.stringify(raw)} parse error during conversion from string: ${(e as Error).message}`);
  }
  if (r.zone) throw new Error(`IP address ${JSON.stringify(raw)} with zone value is not allowed`);
  if (is4In6(r.addr)) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return r.addr;
}

const isZero = (a: IPAddr) => a.bytes.every((b) => b === 0);
const isLoopback = (a: IPAddr) => (a.is4 ? a.bytes[0] === 127 : a.bytes.slice(0, 15).every((b) => b === 0) && a.bytes[15] === 1);
const isMulticast = (a: IPAddr) => (a.is4 ? (a.bytes[0] & 0xf0) === 0xe0 : a.bytes[0] === 0xff);
const isLinkLocalMulticast = (a: IPAddr) => (a.is4 ? a.bytes[0] === 224 && a.bytes[1] === 0 && a.bytes[2] === 0 : a.bytes[0] === 0xff && (a.bytes[1] & 0x0f) === 0x02);
const isLinkLocalUnicast = (a: IPAddr) => (a.is4 ? a.bytes[0] === 169 && a.bytes[1] === 254 : a.bytes[0] === 0xfe && (a.bytes[1] & 0xc0) === 0x80);
const isGlobalUnicast = (a: IPAddr) => {
  if (a.is4 && (isZero(a) || a.bytes.every((b) => b === 255))) return false;
  return !isZero(a) && !isLoopback(a) && !isMulticast(a) && !isLinkLocalUnicast(a);
};

/** The `isX(string)` predicate of a parser: true when it does not throw. */
export const parses =
  (parse: (s: string) => unknown) =>
  (s: string): boolean => {
    try {
      parse(s);
      return true;
    } catch {
      return false;
    }
  };

/** The receiver of `ip.isCanonical(...)`: upstream's dotted function name, as a constant. */
export class IPLibrary {}

const T = ipType;

export function registerIP(env: Environment): void {
  env.registerType(T, IPAddr);
  env.registerType('kubernetes.net.ip', IPLibrary);
  env.registerConstant('ip', 'kubernetes.net.ip', new IPLibrary());
  env.registerFunction(`ip(string): ${T}`, parseIP);
  env.registerFunction('isIP(string): bool', parses(parseIP));
  env.registerFunction('kubernetes.net.ip.isCanonical(string): bool', (_lib: IPLibrary, s: string) => parseIP(s).toString() === s);
  env.registerFunction(`string(${T}): string`, (a: IPAddr) => a.toString());
  env.registerFunction(`${T}.family(): int`, (a: IPAddr) => (a.is4 ? 4n : 6n));
  env.registerFunction(`${T}.isUnspecified(): bool`, isZero);
  env.registerFunction(`${T}.isLoopback(): bool`, isLoopback);
  env.registerFunction(`${T}.isLinkLocalMulticast(): bool`, isLinkLocalMulticast);
  env.registerFunction(`${T}.isLinkLocalUnicast(): bool`, isLinkLocalUnicast);
  env.registerFunction(`${T}.isGlobalUnicast(): bool`, isGlobalUnicast);
  env.registerOperator(`${T} == ${T}`, (a: IPAddr, b: IPAddr) => a.celEquals(b));
}
