// Owns what a recommendation store is made from: one model version's top-k table and item catalog
// (StoreSource; the server's prepared model is one), and the StoreFactory type the server calls
// once per loaded version. Kept in ts/store so store back ends need nothing from the layers above.

import type { IdIndexData } from './embedded-ids.js';
import type { EmbeddedTable } from './embedded.js';
import type { RecommendationStore } from './types.js';

/** One model version as a store needs it. */
export interface StoreSource {
  readonly manifest: { readonly version: string };
  /** The version's top-k table (user ids, item rows, scores), as the artifact holds it. */
  readonly table: EmbeddedTable;
  /** The version's item catalog (item rows ↔ ids). */
  readonly items: IdIndexData;
}

/** Makes the store of one model version (the server creates one per loaded version; its own
 * StoreFactory takes the whole prepared model, of which this is a part). */
export type StoreFactory = (model: StoreSource) => RecommendationStore;
