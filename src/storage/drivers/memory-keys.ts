/**
 * @module The memory driver's ordered key index: keys kept sorted in chunks of bounded size
 * (a one-level B+ tree), so inserting a key costs a binary search plus moving at most one
 * chunk, not the whole key space (a flat sorted array's `splice` moved every later key, which
 * showed in profiles once a store held tens of thousands of events and pods).
 */

/** Largest chunk before it is split in two. */
const maxChunk = 512;

export class SortedKeys {
  /** Non-empty chunks (except a lone empty one), each sorted, all in order. */
  private chunks: string[][] = [[]];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a key not yet present. */
  insert(key: string): void {
    const c = this.chunkFor(key);
    const chunk = this.chunks[c]!;
    chunk.splice(lowerBound(chunk, key), 0, key);
    this.count++;
    if (chunk.length > maxChunk) this.chunks.splice(c + 1, 0, chunk.splice(chunk.length >> 1));
  }

  /** Keeps only the keys for which `keep` holds. */
  retain(keep: (key: string) => boolean): void {
    const all: string[] = [];
    for (const chunk of this.chunks) for (const k of chunk) if (keep(k)) all.push(k);
    this.chunks = [];
    for (let i = 0; i < all.length; i += maxChunk >> 1) this.chunks.push(all.slice(i, i + (maxChunk >> 1)));
    if (this.chunks.length === 0) this.chunks.push([]);
    this.count = all.length;
  }

  /** Keys >= `from`, in order. */
  *from(from: string): Iterable<string> {
    let c = this.chunkFor(from);
    let i = lowerBound(this.chunks[c]!, from);
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c]!;
      for (; i < chunk.length; i++) yield chunk[i]!;
    }
  }

  /** The chunk where `key` belongs: the last one whose first key is <= key (or the first). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.chunks[mid]![0]! <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Index of the first element >= k. */
function lowerBound(a: readonly string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
