/**
 * @module Reverse-lookup names: `5.0.42.10.in-addr.arpa` ↔ `10.42.0.5`, and the nibble form
 * under `ip6.arpa` for IPv6 (RFC 3596).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalIP } from './view.ts';

/** The address a full reverse name stands for; undefined for partial or malformed names. */
export function ipFromReverse(name: string): string | undefined {
  const n = name.replace(/\.$/, '').toLowerCase();
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p))) return undefined;
    const ip = parts.reverse().join('.');
    return isIPv4(ip) ? ip : undefined;
  }
  if (n.endsWith('.ip6.arpa')) {
    const nibbles = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || nibbles.some((x) => !/^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join('');
    const ip = hex.match(/.{4}/g)!.join(':');
    return isIPv6(ip) ? canonicalIP(ip) : undefined;
  }
  return undefined;
}

/** The reverse name of an address (for clients and tests). */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const full = expandIPv6(ip);
  return `${full.replace(/:/g, '').split('').reverse().join('.')}.ip6.arpa`;
}

function expandIPv6(ip: string): string {
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.padStart(4, '0')).join(':');
}
