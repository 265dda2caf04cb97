// Owns the generator's requests in flight: each holds a slot, a number into typed arrays of its mix
// entry, intended send time and virtual user, taken when it is sent and freed when its outcome
// arrives. The arrays double when every slot is taken, so a run allocates nothing per request and
// a stalled target with many requests outstanding still has room for them.

export class Slots {
  entry = new Int32Array(256);
  /** Intended send time, absolute ms. */
  intended = new Float64Array(256);
  /** Virtual user, or -1 for the open loop. */
  user = new Int32Array(256);
  private free = Int32Array.from({ length: 256 }, (_, i) => 255 - i);
  private freeLen = 256;

  /** A free slot, lowest first; doubles the arrays when none is free. */
  take(): number {
    if (this.freeLen === 0) this.grow();
    return this.free[--this.freeLen]!;
  }

  release(slot: number): void {
    this.free[this.freeLen++] = slot;
  }

  private grow(): void {
    const n = this.entry.length;
    const entry = new Int32Array(2 * n);
    const intended = new Float64Array(2 * n);
    const user = new Int32Array(2 * n);
    entry.set(this.entry);
    intended.set(this.intended);
    user.set(this.user);
    this.entry = entry;
    this.intended = intended;
    this.user = user;
    this.free = new Int32Array(2 * n);
    for (let i = 0; i < n; i++) this.free[i] = 2 * n - 1 - i;
    this.freeLen = n;
  }
}
