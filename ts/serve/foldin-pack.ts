// Owns the packed form of one fold-in batch's results, the one message the fold-in worker posts
// back per batch: every user's list (items, scores, seen rows and, when there is one, the
// folded-in vector that scores new items) in one ArrayBuffer, transferred,
// with per-user lengths beside it, instead of an object and three typed arrays per user. The
// serving thread unpacks each list as views of that buffer; the overlay copies what it keeps into
// a record of its own (./foldin-overlay.ts), so evicting one user frees only that user's list.

/** One user's ready-to-serve list. */
export interface PackedList {
  items: Uint32Array;
  scores: Float32Array;
  seen: Uint32Array;
  /** The user's folded-in vector (scores new items against the list, ./new-items-mix.ts). */
  vector?: Float32Array | undefined;
}

export interface PackedBatch {
  version: string;
  /** Three per user, in the order the users were asked for (their ids stay with the caller: not sent back): the list's length (−1: no list: no event of a known item, or an error), its seen rows' count and its vector's length (0: none). */
  counts: Int32Array;
  /** Per user with a list, in order: items (u32 × n), scores (f32 × n), seen (u32 × s), vector (f32 × v). */
  data: ArrayBuffer;
  /** Seconds of engine work per user (the fold-in duration histogram). */
  seconds: Float64Array;
  /** User index → why their fold-in failed. */
  errors: Record<number, string>;
}

/** One user's outcome, unpacked. */
export interface UnpackedOutcome {
  userId: string;
  list: PackedList | null;
  error?: string;
  seconds: number;
}

/** Collects a batch's outcomes in order, then packs them into one buffer. */
export class PackedBatchBuilder {
  private readonly lists: (PackedList | null)[] = [];
  private readonly secs: number[] = [];
  private readonly errors: Record<number, string> = {};
  private words = 0;

  /** The next user's outcome (users in the order they were asked for). */
  add(list: PackedList | null, seconds = 0, error?: string): void {
    if (error !== undefined) this.errors[this.lists.length] = error;
    this.lists.push(list);
    this.secs.push(seconds);
    if (list) this.words += 2 * list.items.length + list.seen.length + (list.vector?.length ?? 0);
  }

  finish(version: string): PackedBatch {
    const n = this.lists.length;
    const counts = new Int32Array(3 * n);
    const data = new ArrayBuffer(4 * this.words);
    const u32 = new Uint32Array(data);
    const f32 = new Float32Array(data);
    let at = 0;
    this.lists.forEach((l, i) => {
      if (!l) return void (counts[3 * i] = -1);
      const [k, s, v] = [l.items.length, l.seen.length, l.vector?.length ?? 0];
      counts.set([k, s, v], 3 * i);
      u32.set(l.items, at);
      f32.set(l.scores, at + k);
      u32.set(l.seen, at + 2 * k);
      if (l.vector) f32.set(l.vector, at + 2 * k + s);
      at += 2 * k + s + v;
    });
    return { version, counts, data, seconds: Float64Array.from(this.secs), errors: this.errors };
  }
}

/** Each user's outcome, in order; each list as views of the batch's buffer (no copy). No object spread per user: the serving thread runs this for every fold-in. */
export function* unpackBatch(b: PackedBatch, users: readonly string[]): Generator<UnpackedOutcome> {
  if (3 * users.length !== b.counts.length) throw new Error(`fold-in batch: ${b.counts.length / 3} outcomes for ${users.length} users`);
  let at = 0;
  for (let i = 0; i < users.length; i++) {
    const k = b.counts[3 * i]!;
    const error = b.errors[i];
    let list: PackedList | null = null;
    if (k >= 0) {
      const s = b.counts[3 * i + 1]!;
      const v = b.counts[3 * i + 2]!;
      const start = 4 * at;
      at += 2 * k + s + v;
      list = {
        items: new Uint32Array(b.data, start, k),
        scores: new Float32Array(b.data, start + 4 * k, k),
        seen: new Uint32Array(b.data, start + 8 * k, s),
        vector: v > 0 ? new Float32Array(b.data, start + 4 * (2 * k + s), v) : undefined,
      };
    }
    const o: UnpackedOutcome = { userId: users[i]!, list, seconds: b.seconds[i]! };
    if (error !== undefined) o.error = error;
    yield o;
  }
}
