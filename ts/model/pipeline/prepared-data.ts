// Owns the prepared-data step, computed once per run: load the source → low ratings as dislikes
// (--negative-below) → merge the configured event store's events → resolve empty ratings → prepare (dedupe, minimum counts, k-core; or the
// given train/test files' fixed split) → the dataset every later step uses, and its fingerprint
// (what the manifest records, and what `retrain` compares to skip work already done).

import { prepare, type Dataset } from '../../data/index.js';
import type { Engine } from '../../engine/index.js';
import { fingerprint } from '../manifest.js';
import { feedbackFromEnv, ratingStrength } from '../../events/feedback.js';
import { mergeConfiguredEvents, type EventsMergeStats } from './events-source.js';
import { fixedSplit, type FixedSplit } from './fixed-split.js';
import { resolveMissingRatings } from './missing-ratings.js';
import type { TrainOptions } from './options.js';
import type { Progress } from './progress.js';
import { loadSource, type LoadedData } from './source.js';
import { stepTimer } from './timings.js';
import { readsImplicitFeedback } from '../algorithms/index.js';

export interface PreparedData {
  loaded: LoadedData;
  /** The merged events' counts, or null when no event store was configured. */
  events: EventsMergeStats | null;
  /** Empty ratings counted as one interaction (implicit feedback). */
  missingRatings: number;
  /** The given test file's split, when there is one (then `all` is its training and test rows). */
  fixed: FixedSplit | null;
  /** The prepared interactions: what is fitted, evaluated and fingerprinted. */
  all: Dataset;
  stats: { duplicatesRemoved: number; filteredRows: number };
  /** fingerprint(all): the manifest's data.fingerprint. */
  fingerprint: string;
  /** Seconds per step (load, events, prepare), as the manifest's timings. */
  timings: Record<string, number>;
}

export type DataOptions = Pick<TrainOptions, 'dataset' | 'events' | 'eventFeedback' | 'prepare' | 'als' | 'algorithm' | 'offline' | 'skipBadLines' | 'cacheDir'>;

export async function prepareData(engine: Engine, o: DataOptions, progress: Progress): Promise<PreparedData> {
  const timings: Record<string, number> = {};
  const time = stepTimer(timings);
  const loaded = await time('load', () => loadSource(o.dataset, engine, o, progress));
  const feedback = o.eventFeedback ?? feedbackFromEnv(process.env);
  // --negative-below: the source's low ratings become dislikes, as the events' do in the merge (ts/events/feedback.ts)
  let ratings = feedback.negativeBelow === null ? loaded.ratings : { ...loaded.ratings, ratings: loaded.ratings.ratings.map((r) => ratingStrength(r, feedback)) };
  let events: EventsMergeStats | null = null;
  if (o.events !== undefined) {
    const stage = progress.stage('events', null);
    const base = ratings;
    ({ dataset: ratings, stats: events } = await time('events', () => mergeConfiguredEvents(base, o.events!, feedback)));
    const skipped =
      events.skippedRows > 0 ? `; ${events.skippedRows} unusable stored events skipped: ${events.skipped.map((p) => `${p.eventId} (user ${p.userId}, ${p.field}: ${p.message})`).join('; ')}` : '';
    stage.done(`${events.rows} rows from ${events.events} events (${events.newUsers} new users), ${events.erasedUsersExcluded} erased users left out${skipped}`);
  }
  const implicit = readsImplicitFeedback(o);
  const missingRatings = resolveMissingRatings(ratings, implicit, loaded.description) + (loaded.test ? resolveMissingRatings(loaded.test, implicit, loaded.description) : 0);
  const minCounts = o.prepare.minUserCount || o.prepare.minItemCount ? { users: o.prepare.minUserCount || 1, items: o.prepare.minItemCount || 1 } : undefined;
  // A given test file fixes the split (fixed-split.ts); otherwise the data is prepared, then split.
  const fixed = loaded.test ? await time('prepare', () => fixedSplit(ratings, loaded.test!, { ...(minCounts ? { minCounts } : {}), kCore: o.prepare.kCore })) : null;
  const { dataset: all, stats } = fixed
    ? { dataset: fixed.all, stats: { duplicatesRemoved: fixed.duplicatesRemoved, filteredRows: fixed.filteredRows } }
    : await time('prepare', () =>
        prepare(ratings, {
          dedupe: o.prepare.dedupe,
          ...(minCounts ? { minCounts } : {}),
          ...(o.prepare.kCore ? { kCore: o.prepare.kCore } : {}),
        }),
      );
  if (all.length === 0) throw new Error('no interactions left after preparation; relax --min-user-count, --min-item-count or --k-core');
  return { loaded, events, missingRatings, fixed, all, stats, fingerprint: fingerprint(all.users, all.items, all.ratings), timings };
}
