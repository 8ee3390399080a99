/**
 * @module IPv4 address arithmetic shared by the node components and the API server: dotted
 * quads to integers and back, CIDR membership, and the pod gateway convention (the first host
 * address of a node's podCIDR is its bridge's address).
 */
import { isIPv4 } from 'node:net';

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) throw new Error(`bad IPv4 ${ip}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const maskOf = (bits: number): number => (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);

/** `a.b.c.d/n` split and checked, or undefined. */
function parse(cidr: string): { base: number; bits: number } | undefined {
  const [base, b] = cidr.split('/');
  const bits = Number(b);
  if (!base || !isIPv4(base) || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { base: ipToInt(base), bits };
}

/** Whether a string is an IPv4 CIDR (`a.b.c.d/n`, n ≤ 32). */
export function isIPv4Cidr(cidr: string): boolean {
  return parse(cidr) !== undefined;
}

/** Whether an IPv4 address lies in an IPv4 CIDR (false for anything malformed). */
export function inCidr(addr: string, cidr: string): boolean {
  const c = parse(cidr);
  if (!c || !isIPv4(addr)) return false;
  const mask = maskOf(c.bits);
  return ((ipToInt(addr) & mask) >>> 0) === ((c.base & mask) >>> 0);
}

/** The first host address of an IPv4 CIDR (a node's podCIDR → its bridge gateway), or undefined. */
export function firstHost(cidr: string): string | undefined {
  const c = parse(cidr);
  if (!c || c.bits > 30) return undefined;
  return intToIp((((c.base & maskOf(c.bits)) >>> 0) + 1) >>> 0);
}
