// Owns what the server knows of a user's past interactions, so it never recommends one of them:
// their training items, carried by the artifact in CSR form (one 16-bit entry per interaction
// when the catalog has at most 65,536 items, else 32-bit, plus 4 bytes per user; found through
// the model's user index), and the items of their events (a fold-in list's `seen`). Membership is
// a binary search over each sorted run. Only lists that need filtering or filling ask.

import { IdIndex } from '../store/embedded-ids.js';
import type { PreparedModel } from './prepared.js';

type Sorted = Uint16Array | Uint32Array;
const NONE = new Uint32Array(0);

/** The items one user has interacted with. */
export class Seen {
  constructor(
    /** Training items, sorted. */
    readonly training: Sorted,
    /** Event items (fold-in), sorted. */
    readonly events: Sorted,
  ) {}

  has(item: number): boolean {
    return contains(this.training, item) || contains(this.events, item);
  }
}

export class History {
  private readonly users: IdIndex;
  private readonly csr: PreparedModel['history'];

  constructor(p: PreparedModel) {
    this.users = new IdIndex(p.table.users);
    this.csr = p.history;
  }

  /** False for models whose artifact carries no history (trained before it existed): nothing is filled for their known users. */
  get available(): boolean {
    return this.csr !== null;
  }

  /** The user's row in the model, or -1. */
  rowOf(userId: string): number {
    return this.users.rowOf(userId);
  }

  /** The user's training items (empty for a user the model does not know) and `events` items. */
  seen(userId: string, events: Sorted | null | undefined): Seen {
    const row = this.csr ? this.users.rowOf(userId) : -1;
    const training = row >= 0 ? this.csr!.items.subarray(this.csr!.offsets[row]!, this.csr!.offsets[row + 1]!) : NONE;
    return new Seen(training, events ?? NONE);
  }

  /** Up to n user ids spread over the model's users (the store's integrity check reads their lists). */
  sample(n: number): string[] {
    const size = this.users.size;
    const out = new Set<string>();
    for (let i = 0; i < n && i < size; i++) out.add(this.users.idAt(Math.floor((i * (size - 1)) / Math.max(1, n - 1))));
    return [...out];
  }

  /** Bytes held (for the README's per-interaction figure and /metrics). */
  get bytes(): number {
    return this.csr ? this.csr.offsets.byteLength + this.csr.items.byteLength : 0;
  }
}

function contains(a: Sorted, x: number): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
