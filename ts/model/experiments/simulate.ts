// Owns the online-experiment simulator: a user population whose true click probabilities are
// known, shown each variant's lists through the experiment's own assignment (./assign.ts), and
// clicking each shown item with its true probability. It produces what clients would report —
// impressions with recommendationIds and click events naming them — which the same report and
// decision code as `recs experiments report|conclude` (./report.ts, ./conclude.ts) then reads.
// The population and its truth come from the synthetic generator (ts/engine): its held-out
// interactions were drawn from the users' latent tastes, so an item the user would interact with
// is what they click more often. It calls these code paths in process; it does not go through
// the HTTP server (the server's assignment is the same Assigner, tested in ts/serve).

import type { Interactions, TopK } from '../../engine/types.js';
import type { Impression } from '../../events/impressions.js';
import type { TrackedEvent } from '../../events/types.js';
import { Rng } from '../../data/random.js';
import { Assigner } from './assign.js';
import type { Experiment } from './definition.js';

/** Each user's true click probability for an item. */
export interface Truth {
  nUsers: number;
  click(user: number, item: number): number;
}

/** A truth from held-out interactions: `liked` for an item the user would interact with, else `base`. */
export function heldOutTruth(heldOut: Pick<Interactions, 'nUsers' | 'users' | 'items'>, base: number, liked: number): Truth {
  const sets = Array.from({ length: heldOut.nUsers }, () => new Set<number>());
  for (let r = 0; r < heldOut.users.length; r++) sets[heldOut.users[r]!]!.add(heldOut.items[r]!);
  return { nUsers: heldOut.nUsers, click: (u, i) => (sets[u]!.has(i) ? liked : base) };
}

export interface SimulationOptions {
  /** Visits per user (each is one recommendation shown). */
  sessions: number;
  /** Items shown per visit (the first `shown` of the list). */
  shown: number;
  seed: number;
  /** When the first visit happens, ms (default: the experiment's creation). */
  start?: number;
  /** Time between a user's visits, ms (default 60 000). */
  everyMs?: number;
  /** Users to simulate (default all). */
  users?: number;
}

/**
 * Impressions and click events of an experiment where variant v shows user u the row u of
 * `lists[v]` (a top-k table over user rows).
 */
export function simulate(e: Experiment, lists: readonly TopK[], truth: Truth, o: SimulationOptions): { impressions: Impression[]; events: TrackedEvent[] } {
  const assigner = new Assigner(e);
  const rng = new Rng(o.seed);
  const start = o.start ?? Date.parse(e.createdAt) + 1;
  const every = o.everyMs ?? 60_000;
  const impressions: Impression[] = [];
  const events: TrackedEvent[] = [];
  let n = 0;
  const users = Math.min(o.users ?? truth.nUsers, truth.nUsers);
  for (let u = 0; u < users; u++) {
    const userId = String(u + 1);
    const list = lists[assigner.variantIndex(userId)]!;
    for (let s = 0; s < o.sessions; s++) {
      const recommendationId = (n++).toString(16).padStart(32, '0');
      const at = start + s * every + Math.floor(rng.nextFloat() * every);
      for (let p = 0; p < Math.min(o.shown, list.k); p++) {
        const item = list.items[u * list.k + p]!;
        if (item === 0xffffffff) break;
        const itemId = String(item + 1);
        impressions.push({ recommendationId, userId, itemId, position: p, shownAt: at, receivedAt: at });
        if (rng.nextFloat() < truth.click(u, item))
          events.push({ eventId: `${recommendationId}:${p}`, userId, itemId, type: 'click', value: 1, timestamp: at + 1000, receivedAt: at + 1000, recommendationId, position: p });
      }
    }
  }
  return { impressions, events };
}
