/**
 * @module A range of `size` offsets, each free or taken (upstream's allocator bitmap). Shared by
 * the ClusterIP and NodePort allocators; all operations are synchronous, so within one process
 * a check-and-take can never interleave with another request's.
 */
export class RangeBitmap {
  private readonly taken = new Set<number>();

  constructor(readonly size: number) {}

  has(offset: number): boolean {
    return this.taken.has(offset);
  }

  /** Takes `offset`; false when it is out of range or already taken. */
  take(offset: number): boolean {
    if (offset < 0 || offset >= this.size || this.taken.has(offset)) return false;
    this.taken.add(offset);
    return true;
  }

  /**
   * Takes a free offset, scanning from a random start as upstream does, so that two servers
   * or a restarted one rarely race for the same address. `reserved` offsets are skipped.
   */
  takeNext(random: () => number = Math.random, reserved: (offset: number) => boolean = () => false): number | undefined {
    if (this.taken.size >= this.size) return undefined;
    const start = Math.floor(random() * this.size);
    for (let i = 0; i < this.size; i++) {
      const o = (start + i) % this.size;
      if (!this.taken.has(o) && !reserved(o)) {
        this.taken.add(o);
        return o;
      }
    }
    return undefined;
  }

  release(offset: number): void {
    this.taken.delete(offset);
  }

  get used(): number {
    return this.taken.size;
  }
}
