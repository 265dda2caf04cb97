// Owns merging an event store (SQLite or Cosmos DB, opened by the caller: ts/events/open.ts) into the
// training data (`train --events PATH`, `retrain`): the base rows of
// users erased with DELETE /v1/users/{id} are dropped, and each stored (user, item) pair of events
// becomes one row appended through the dataset's id maps (new users and items get new indices). A
// pair's value follows ts/events/foldin.ts (the latest rating when the item was rated, else the sum
// of its implicit weights); its timestamp is the pair's latest event. Preparation's dedupe (latest
// timestamp wins) then resolves pairs that are also in the base data.
//
// Event timestamps are ms since the epoch; when the base data's timestamps look like seconds
// (MovieLens), they are converted to seconds so the dedupe compares like with like.
//
// Events still stored for an erased user were sent after the erasure (deleteUser removes the rest),
// so they are kept; only the base data's rows from before the erasure are dropped.

import type { Agent } from 'node:https';
import { DatasetBuilder, type Dataset } from '../../data/index.js';
import { interactions } from '../../events/foldin.js';
import { DEFAULT_FEEDBACK, type FeedbackSettings } from '../../events/feedback.js';
import { describeEventStore, withEventStore, type EventStoreConfig } from '../../events/open.js';
import { StoredRowSkips, type StoredRowProblem } from '../../events/stored-check.js';
import type { EventStore, TrackedEvent } from '../../events/types.js';

export interface EventsMergeStats {
  /** Where the event store is: its SQLite path, or the Cosmos DB account, database and container. */
  store: string;
  /** Events read from the store. */
  events: number;
  /** Rows appended to the data: one per (user, item) pair of events. */
  rows: number;
  /** Distinct users with events. */
  eventUsers: number;
  /** Users with events that the base data did not have. */
  newUsers: number;
  /** Users the store remembers as erased. */
  erasedUsers: number;
  /** Erased users found (and dropped) in the base data. */
  erasedUsersExcluded: number;
  /** Base rows dropped with them. */
  baseRowsExcluded: number;
  /** Unit the event timestamps were converted to, matching the base data. */
  timestampUnit: 's' | 'ms';
  /** Stored events no model can use (e.g. a value of 1e39 from before values were bounded), skipped. */
  skippedRows: number;
  /** The first few of them. */
  skipped: StoredRowProblem[];
}

/** What the merge reads: the erased users, then every event grouped by user. */
export type EventsToMerge = Pick<EventStore, 'erased' | 'all'>;

/** The base data with erased users' rows dropped and the store's events appended; `where` names the store. */
export async function mergeEvents(base: Dataset, store: EventsToMerge, where: string, feedback: FeedbackSettings = DEFAULT_FEEDBACK): Promise<{ dataset: Dataset; stats: EventsMergeStats }> {
  const erased = await store.erased();
  const baseUsers = base.userIds.length;
  const drop = new Uint8Array(baseUsers);
  let erasedUsersExcluded = 0;
  for (const id of erased.keys()) {
    const u = base.userMap.get(id);
    if (u !== undefined) {
      drop[u] = 1;
      erasedUsersExcluded++;
    }
  }

  let maxTs = -Infinity;
  for (let r = 0; r < base.length; r++) {
    const t = base.timestamps[r]!;
    if (t > maxTs) maxTs = t;
  }
  const timestampUnit: 's' | 'ms' = Number.isFinite(maxTs) && maxTs < 1e11 ? 's' : 'ms';
  const scale = timestampUnit === 's' ? 1 / 1000 : 1;

  // Shares (and grows) the base's id maps: indices of base rows stay valid.
  const b = new DatasetBuilder({ userMap: base.userMap, itemMap: base.itemMap, capacity: base.length + 1024 });
  let baseRowsExcluded = 0;
  for (let r = 0; r < base.length; r++) {
    const u = base.users[r]!;
    if (drop[u] === 1) {
      baseRowsExcluded++;
      continue;
    }
    b.push(u, base.items[r]!, base.ratings[r]!, base.timestamps[r]!);
  }

  let events = 0;
  let rows = 0;
  let eventUsers = 0;
  let newUsers = 0;
  let current: string | null = null;
  let batch: TrackedEvent[] = [];
  const flush = () => {
    if (current === null || batch.length === 0) return;
    eventUsers++;
    const existing = b.userMap.get(current);
    if (existing === undefined || existing >= baseUsers) newUsers++;
    const u = b.userMap.intern(current);
    const latest = new Map<number, number>();
    for (const e of batch) {
      const i = b.itemMap.intern(e.itemId);
      latest.set(i, Math.max(latest.get(i) ?? -Infinity, e.timestamp));
    }
    const x = interactions(batch, (id) => b.itemMap.intern(id), feedback, now);
    for (let k = 0; k < x.items.length; k++) {
      const i = x.items[k]!;
      b.push(u, i, x.values[k]!, latest.get(i)! * scale);
      rows++;
    }
  };
  const skips = new StoredRowSkips();
  const now = Date.now(); // ages of the decay are measured from now, as fold-in's
  for await (const e of store.all()) {
    events++;
    if (!skips.accept(e)) continue;
    if (e.userId !== current) {
      flush();
      current = e.userId;
      batch = [];
    }
    batch.push(e);
  }
  flush();

  return {
    dataset: b.build(),
    stats: { store: where, events, rows, eventUsers, newUsers, erasedUsers: erased.size, erasedUsersExcluded, baseRowsExcluded, timestampUnit, skippedRows: skips.count, skipped: skips.first },
  };
}

/** `mergeEvents` on the configured event store (opened for the merge, then closed). */
export function mergeConfiguredEvents(base: Dataset, cfg: EventStoreConfig, feedback: FeedbackSettings, extra: { agent?: Agent } = {}): Promise<{ dataset: Dataset; stats: EventsMergeStats }> {
  return withEventStore(cfg, (store) => mergeEvents(base, store, describeEventStore(cfg), feedback), extra);
}
