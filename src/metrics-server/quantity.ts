/**
 * @module Quantity strings as metrics-server writes them: CPU from nanocores (a scaled
 * DecimalSI quantity: `250m`, `1`, `253123n`) and memory bytes as BinarySI (`64Mi`, `1234Ki`,
 * or plain bytes), each in the canonical form `resource.Quantity` prints; and Go durations
 * (`15s`, `1.5s`, `1m0.5s`) for `window`.
 */

export function cpuQuantity(nanocores: number): string {
  const n = Math.max(0, Math.round(nanocores));
  if (n === 0) return '0';
  if (n % 1e9 === 0) return String(n / 1e9);
  if (n % 1e6 === 0) return `${n / 1e6}m`;
  if (n % 1e3 === 0) return `${n / 1e3}u`;
  return `${n}n`;
}

const binary = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

export function memoryQuantity(bytes: number): string {
  let n = Math.max(0, Math.round(bytes));
  if (n === 0) return '0';
  let i = 0;
  while (i < binary.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n}${binary[i]}`;
}

/** time.Duration.String() for a non-negative number of milliseconds. */
export function goDuration(ms: number): string {
  const totalNs = Math.round(ms * 1e6);
  if (totalNs === 0) return '0s';
  if (totalNs < 1e9) {
    if (totalNs < 1e3) return `${totalNs}ns`;
    if (totalNs < 1e6) return `${trim(totalNs / 1e3)}µs`;
    return `${trim(totalNs / 1e6)}ms`;
  }
  const h = Math.floor(totalNs / 3.6e12);
  const m = Math.floor((totalNs % 3.6e12) / 6e10);
  const s = (totalNs % 6e10) / 1e9;
  const sec = `${trim(s)}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}

const trim = (v: number): string => v.toFixed(9).replace(/\.?0+$/, '');
