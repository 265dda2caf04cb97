// Owns the server's memory of erased users (DELETE /v1/users/{id}) and applies it whenever a model
// loads: the store built for a model made before a user's erasure masks that user (its precomputed
// list derives from data the user asked to remove), whatever the backend still holds for it.
//
// It holds only what masking needs, read incrementally, never the whole record at once: before a
// model serves, the erasures since that model was made (cover); every few seconds, the erasures
// since the last one seen (sync, with a margin for clocks of other replicas), which other replicas
// may have made. Start-up therefore reads the erasures made since the active model was trained,
// not every erasure ever made; erasing an unknown user records nothing (see EventStore.deleteUser).

import type { EventStore } from '../events/types.js';
import type { StoreFactory } from './serving-model.js';

/** Erasures by other replicas are read again from this long before the latest one seen (clock skew, slow writes). */
export const SYNC_MARGIN_MS = 60_000;

export class ErasedUsers {
  private readonly at = new Map<string, number>();
  /** Erasures at or after this time (ms) are known (Infinity: none read yet). */
  private coveredFrom = Infinity;
  /** The latest erasure time seen. */
  private latest = -Infinity;

  constructor(private readonly events: EventStore) {}

  get size(): number {
    return this.at.size;
  }

  /** When the user was last erased, if known (ms since the epoch; only erasures since the oldest model loaded are known). */
  erasedAt(userId: string): number | undefined {
    return this.at.get(userId);
  }

  /** Records an erasure; true when the user was not known as erased at that time or later. */
  record(userId: string, at: number): boolean {
    if (at > this.latest) this.latest = at;
    const known = this.at.get(userId);
    if (known !== undefined && known >= at) return false;
    this.at.set(userId, at);
    return true;
  }

  /** Makes sure every erasure at or after `since` (ms; NaN: all) is known (before a model made then serves). */
  async cover(since: number): Promise<void> {
    const from = Number.isNaN(since) ? -Infinity : since;
    if (from >= this.coveredFrom) return;
    for (const [userId, at] of await this.events.erased(Number.isFinite(from) ? from : undefined)) this.record(userId, at);
    this.coveredFrom = from;
  }

  /** Reads the erasures made since the latest one seen (less a margin); resolves with the users newly known as erased. */
  async sync(): Promise<string[]> {
    if (this.coveredFrom === Infinity) return [];
    const since = Math.max(this.coveredFrom, Number.isFinite(this.latest) ? this.latest - SYNC_MARGIN_MS : this.coveredFrom);
    const fresh: string[] = [];
    for (const [userId, at] of await this.events.erased(Number.isFinite(since) ? since : undefined)) if (this.record(userId, at)) fresh.push(userId);
    return fresh;
  }

  /** Users erased at or after `madeAt` (ms; NaN, an unknown time: every erased user known). */
  erasedSince(madeAt: number): string[] {
    const out: string[] = [];
    for (const [id, at] of this.at) if (Number.isNaN(madeAt) || at >= madeAt) out.push(id);
    return out;
  }

  /** `inner`, with each new store masking the users erased since its model was made (call cover first). */
  masking(inner: StoreFactory): StoreFactory {
    return (p) => {
      const store = inner(p);
      const ids = this.erasedSince(Date.parse(p.manifest.createdAt));
      if (ids.length > 0) store.mask?.(ids);
      return store;
    };
  }
}
