/**
 * @module CycleState: per-cycle scratch space where a plugin's PreFilter/PreScore leaves data
 * for its Filter/Score. Preemption clones it before trying "what if these pods were gone".
 */
export interface StateData {
  clone(): StateData;
}

export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** Plugins whose Filter / Score PreFilter / PreScore asked to skip this cycle. */
  skipFilter = new Set<string>();
  skipScore = new Set<string>();

  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: StateData): void {
    this.data.set(key, value);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    c.skipFilter = new Set(this.skipFilter);
    c.skipScore = new Set(this.skipScore);
    return c;
  }
}
