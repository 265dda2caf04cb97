// Owns the server's memory of erased users (DELETE /v1/users/{id}): read from the event store's
// erased-users record at start, added to on each erasure, and applied whenever a model loads —
// the store built for a model made before a user's erasure masks that user (its precomputed list
// derives from data the user asked to remove), whatever the backend still holds for it. With a
// shared event store (Cosmos DB) and several replicas, each replica also re-reads the record
// periodically (sync) and masks the users other replicas erased.

import type { EventStore } from '../events/types.js';
import type { StoreFactory } from './serving-model.js';

export class ErasedUsers {
  private readonly at = new Map<string, number>();

  /** The users the event store remembers as erased. */
  static async load(events: EventStore): Promise<ErasedUsers> {
    const e = new ErasedUsers();
    await e.sync(events);
    return e;
  }

  get size(): number {
    return this.at.size;
  }

  /** When the user was last erased, if ever (ms since the epoch). */
  erasedAt(userId: string): number | undefined {
    return this.at.get(userId);
  }

  /** Records an erasure; true when the user was not known as erased at that time or later. */
  record(userId: string, at: number): boolean {
    const known = this.at.get(userId);
    if (known !== undefined && known >= at) return false;
    this.at.set(userId, at);
    return true;
  }

  /** Reads the event store's record again; resolves with the users erased since (e.g. by another replica). */
  async sync(events: EventStore): Promise<string[]> {
    const fresh: string[] = [];
    for (const [userId, at] of await events.erased()) if (this.record(userId, at)) fresh.push(userId);
    return fresh;
  }

  /** Users erased at or after `madeAt` (ms; NaN, an unknown time: every erased user). */
  erasedSince(madeAt: number): string[] {
    const out: string[] = [];
    for (const [id, at] of this.at) if (Number.isNaN(madeAt) || at >= madeAt) out.push(id);
    return out;
  }

  /** `inner`, with each new store masking the users erased since its model was made. */
  masking(inner: StoreFactory): StoreFactory {
    return (p) => {
      const store = inner(p);
      const ids = this.erasedSince(Date.parse(p.manifest.createdAt));
      if (ids.length > 0) store.mask?.(ids);
      return store;
    };
  }
}
