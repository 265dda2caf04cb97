// Owns the item co-occurrence similarity pass behind diversity and serendipity.
//
// Recommenders' `_get_cooccurrence_similarity` (item_sim_measure="item_cooccurrence_count"):
// sim(i, j) = cooc(i, j) / (sqrt(count i) · sqrt(count j)), where cooc counts the train users who
// have both items (pairs of train rows of one user) and count is the item's train rows; pairs that
// never co-occur (or involve an item absent from train) have similarity 0 (the source's fillna(0)).
//
// Only the needed pairs are computed, never the full item × item table: for each distinct
// recommended item r we build its co-occurrence row (Σ over the train users of r of their train
// items, cost Σ_{v ∋ r} |train(v)|) and read off
// - pair sums: sim(r, b) for every later item b > r in the same user's list (diversity), and
// - history means: mean over the user's train rows t of sim(r, t) (serendipity).
// When only pairs are wanted, the rows are restricted to recommended items, which is much cheaper.

import { groupBy } from './group.js';
import { itemCount, userRange, type TrainIndex } from './train-index.js';
import { idSpace, type RecsData } from './types.js';

export interface SimilarityPass {
  /** Per user id: Σ sim over pairs of the user's recommendation rows with distinct items. */
  readonly pairSum: Float64Array | null;
  /** Per user id: number of such pairs (users with < 2 distinct items have 0). */
  readonly pairCount: Float64Array | null;
  /** Per recommendation row: mean sim of its item to the user's train rows; NaN if the user has none. */
  readonly historySim: Float64Array | null;
}

/** Called now and then with row-building work done and the total (see cooccurrenceCost). */
export type ProgressFn = (done: number, total: number) => void;

export function cooccurrencePass(ix: TrainIndex, recs: RecsData, want: { pairs: boolean; history: boolean }, onProgress?: ProgressFn): SimilarityPass {
  const nRecs = recs.users.length;
  const nUsers = Math.max(idSpace(recs.users), ix.byUser.offsets.length - 1);
  const nItems = Math.max(idSpace(recs.items), ix.byItem.offsets.length - 1);
  const recByUser = groupBy(recs.users, nUsers);
  const recByItem = groupBy(recs.items, nItems);

  const invSqrt = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const c = itemCount(ix, i);
    if (c > 0) invSqrt[i] = 1 / Math.sqrt(c);
  }

  // The item lists the co-occurrence rows are built from: full train lists, or only recommended items.
  let listOffsets = ix.byUser.offsets;
  let listItems = ix.byUser.items;
  if (!want.history) [listOffsets, listItems] = restrictToRecommended(ix, recommendedMask(recs, nItems));

  const pairSum = want.pairs ? new Float64Array(nUsers) : null;
  const pairCount = want.pairs ? new Float64Array(nUsers) : null;
  const historySim = want.history ? new Float64Array(nRecs) : null;
  const row = new CooccurrenceRow(nItems, ix.byItem.offsets, ix.byItem.users, listOffsets, listItems);
  const trainItems = ix.byUser.items;
  const cnt = row.cnt;
  let total = 0;
  if (onProgress) for (let r = 0; r < nItems; r++) if (recByItem.offsets[r + 1]! > recByItem.offsets[r]!) total += row.work(r);
  let done = 0;
  let reported = 0;

  for (let r = 0; r < nItems; r++) {
    const rs = recByItem.offsets[r]!;
    const re = recByItem.offsets[r + 1]!;
    if (rs === re) continue;
    const ir = invSqrt[r]!;
    if (ir > 0) done += row.build(r);
    if (onProgress && done - reported >= 1e8) onProgress((reported = done), total);
    for (let p = rs; p < re; p++) {
      const recRow = recByItem.order[p]!;
      const u = recs.users[recRow]!;
      if (historySim) {
        const [ts, te] = userRange(ix, u);
        let s = 0;
        for (let q = ts; q < te; q++) {
          const t = trainItems[q]!;
          s += cnt[t]! * invSqrt[t]!;
        }
        historySim[recRow] = te > ts ? (s * ir) / (te - ts) : NaN;
      }
      if (pairSum && pairCount) {
        let s = 0;
        let c = 0;
        for (let q = recByUser.offsets[u]!; q < recByUser.offsets[u + 1]!; q++) {
          const b = recs.items[recByUser.order[q]!]!;
          if (b <= r) continue;
          s += cnt[b]! * invSqrt[b]!;
          c++;
        }
        pairSum[u]! += s * ir;
        pairCount[u]! += c;
      }
    }
    if (ir > 0) row.clear();
  }
  onProgress?.(done, total);
  return { pairSum, pairCount, historySim };
}

/**
 * Row-building work of a pass (Σ over recommended items r of Σ over r's train users v of
 * |list(v)|), the dominant cost: ~2 ns per unit. history=false (diversity only) restricts the
 * lists to recommended items. For catalogue-wide lists this approaches Σ_v |train(v)|².
 */
export function cooccurrenceCost(ix: TrainIndex, recs: RecsData, history = true): number {
  const nItems = ix.byItem.offsets.length - 1;
  const isRec = recommendedMask(recs, nItems);
  const [lo, li] = history ? [ix.byUser.offsets, ix.byUser.items] : restrictToRecommended(ix, isRec);
  const row = new CooccurrenceRow(0, ix.byItem.offsets, ix.byItem.users, lo, li);
  let cost = 0;
  for (let r = 0; r < nItems; r++) if (isRec[r] === 1) cost += row.work(r);
  return cost;
}

/**
 * One co-occurrence row at a time: cnt[t] = Σ over train rows (v, r) of v's list rows with item t.
 * Dense rows are built branch-free and reset with fill(0); sparse ones track touched items.
 */
class CooccurrenceRow {
  readonly cnt: Uint32Array;
  private readonly touched: Uint32Array;
  private nTouched = -1; // -1: reset by fill

  constructor(
    nItems: number,
    private readonly itemOffsets: Uint32Array,
    private readonly itemUsers: Uint32Array,
    private readonly listOffsets: Uint32Array,
    private readonly listItems: Uint32Array,
  ) {
    this.cnt = new Uint32Array(nItems);
    this.touched = new Uint32Array(nItems);
  }

  /** Increments build(r) will do: Σ over the train users v of r of |list(v)|. */
  work(r: number): number {
    const { itemUsers, listOffsets } = this;
    let work = 0;
    for (let p = this.itemOffsets[r]!; p < this.itemOffsets[r + 1]!; p++) {
      const v = itemUsers[p]!;
      work += listOffsets[v + 1]! - listOffsets[v]!;
    }
    return work;
  }

  /** Fills cnt with r's row; returns the work done. */
  build(r: number): number {
    const { cnt, itemUsers, listOffsets, listItems } = this;
    const ps = this.itemOffsets[r]!;
    const pe = this.itemOffsets[r + 1]!;
    const work = this.work(r);
    if (work * 8 >= cnt.length) {
      for (let p = ps; p < pe; p++) {
        const v = itemUsers[p]!;
        const qe = listOffsets[v + 1]!;
        for (let q = listOffsets[v]!; q < qe; q++) cnt[listItems[q]!]!++;
      }
      this.nTouched = -1;
      return work;
    }
    const touched = this.touched;
    let n = 0;
    for (let p = ps; p < pe; p++) {
      const v = itemUsers[p]!;
      const qe = listOffsets[v + 1]!;
      for (let q = listOffsets[v]!; q < qe; q++) {
        const t = listItems[q]!;
        if (cnt[t]!++ === 0) touched[n++] = t;
      }
    }
    this.nTouched = n;
    return work;
  }

  clear(): void {
    if (this.nTouched < 0) this.cnt.fill(0);
    else for (let i = 0; i < this.nTouched; i++) this.cnt[this.touched[i]!] = 0;
  }
}

function recommendedMask(recs: RecsData, nItems: number): Uint8Array {
  const mask = new Uint8Array(Math.max(nItems, idSpace(recs.items)));
  for (let i = 0; i < recs.items.length; i++) mask[recs.items[i]!] = 1;
  return mask;
}

/** Train user lists cut down to recommended items (CSR over train users). */
function restrictToRecommended(ix: TrainIndex, isRec: Uint8Array): [Uint32Array, Uint32Array] {
  const { offsets, items } = ix.byUser;
  const nUsers = offsets.length - 1;
  const out = new Uint32Array(nUsers + 1);
  let n = 0;
  for (let q = 0; q < items.length; q++) if (isRec[items[q]!] === 1) n++;
  const kept = new Uint32Array(n);
  let w = 0;
  for (let u = 0; u < nUsers; u++) {
    for (let q = offsets[u]!; q < offsets[u + 1]!; q++) {
      const t = items[q]!;
      if (isRec[t] === 1) kept[w++] = t;
    }
    out[u + 1] = w;
  }
  return [out, kept];
}
