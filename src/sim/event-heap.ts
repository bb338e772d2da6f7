/**
 * The pending-event set: a 4-ary min-heap on typed arrays, ordered by (time, insertion sequence).
 *
 * Why 4-ary: half the depth of a binary heap, and the four children of a node sit next to each other,
 * so a sift-down touches fewer cache lines at 10^6 pending.
 * Why (time, seq) interleaved in one Float64Array: the tie-break and the move read the same cache line
 * as the time. Times are integer microseconds (exceed 2^31, exact in a double up to 2^53);
 * sequence numbers too. The payload is an integer slot id; no object is allocated per event.
 */
export class EventHeap {
  /** keys[2i] = time, keys[2i+1] = sequence of entry i. */
  private keys: Float64Array;
  private slots: Int32Array;
  private n = 0;
  private seq = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(4, initialCapacity | 0);
    this.keys = new Float64Array(2 * cap);
    this.slots = new Int32Array(cap);
  }

  get size(): number {
    return this.n;
  }

  /** Sequence numbers are assigned here, so equal times pop in push order. */
  push(time: number, slot: number): void {
    if (this.n === this.slots.length) this.grow();
    const keys = this.keys;
    const slots = this.slots;
    const seq = this.seq++;
    let i = this.n++;
    // The new entry has the largest sequence, so it only moves above strictly later times.
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = keys[2 * p];
      if (pt <= time) break;
      keys[2 * i] = pt;
      keys[2 * i + 1] = keys[2 * p + 1];
      slots[i] = slots[p];
      i = p;
    }
    keys[2 * i] = time;
    keys[2 * i + 1] = seq;
    slots[i] = slot;
  }

  /** Time of the earliest entry; Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.keys[0];
  }

  /** Slot of the earliest entry without removing it; -1 when empty. */
  peekSlot(): number {
    return this.n === 0 ? -1 : this.slots[0];
  }

  /** Removes the earliest entry and returns its slot; -1 when empty. */
  popSlot(): number {
    const n = this.n;
    if (n === 0) return -1;
    const slots = this.slots;
    const top = slots[0];
    const last = n - 1;
    this.n = last;
    if (last > 0) {
      const keys = this.keys;
      this.siftDown(0, keys[2 * last], keys[2 * last + 1], slots[last], last);
    }
    return top;
  }

  /**
   * Keeps only the entries whose slot passes `keep`, then restores heap order in O(n).
   * Used by the kernel to drop cancelled entries in bulk; relative order of survivors is unchanged
   * because their sequence numbers are kept.
   */
  filter(keep: (slot: number) => boolean): void {
    const keys = this.keys;
    const slots = this.slots;
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const s = slots[r];
      if (!keep(s)) continue;
      keys[2 * w] = keys[2 * r];
      keys[2 * w + 1] = keys[2 * r + 1];
      slots[w] = s;
      w++;
    }
    this.n = w;
    // Floyd's heapify: sift down every internal node, last first.
    for (let i = (w - 2) >> 2; i >= 0; i--) {
      this.siftDown(i, keys[2 * i], keys[2 * i + 1], slots[i], w);
    }
  }

  clear(): void {
    this.n = 0;
  }

  /** Places (t, s, slot) at hole i, moving smaller children up; n = number of live entries. */
  private siftDown(i: number, t: number, s: number, slot: number, n: number): void {
    const keys = this.keys;
    const slots = this.slots;
    for (;;) {
      const c = 4 * i + 1;
      if (c >= n) break;
      const end = c + 4 < n ? c + 4 : n;
      let m = c;
      let mt = keys[2 * c];
      // Sequence numbers are read only on time ties: they are rare with real time stamps.
      for (let j = c + 1; j < end; j++) {
        const jt = keys[2 * j];
        if (jt < mt || (jt === mt && keys[2 * j + 1] < keys[2 * m + 1])) {
          m = j;
          mt = jt;
        }
      }
      const ms = keys[2 * m + 1];
      if (t < mt || (t === mt && s < ms)) break;
      keys[2 * i] = mt;
      keys[2 * i + 1] = ms;
      slots[i] = slots[m];
      i = m;
    }
    keys[2 * i] = t;
    keys[2 * i + 1] = s;
    slots[i] = slot;
  }

  private grow(): void {
    const cap = this.slots.length * 2;
    const keys = new Float64Array(2 * cap);
    keys.set(this.keys);
    const slots = new Int32Array(cap);
    slots.set(this.slots);
    this.keys = keys;
    this.slots = slots;
  }
}
