// Owns a model as it serves: its catalog, store and similar-items index, and its lifetime. Each
// request holds the model it started on (acquire/release), so after a hot swap the requests in
// flight finish on the old model; the old store is closed once the last of them is done.

import { EmbeddedStore } from '../store/embedded.js';
import type { RecommendationStore } from '../store/types.js';
import { Catalog } from './catalog.js';
import { History } from './history.js';
import type { PreparedModel } from './prepared.js';
import { type CachedSimilar, SimilarItems, WeightSimilarItems } from './similar.js';
import { capabilitiesOf } from '../model/algorithms/parts.js';

export type StoreFactory = (model: PreparedModel) => RecommendationStore;

export const embeddedStoreFactory: StoreFactory = (p) => new EmbeddedStore(p.table);

export class ServingModel {
  readonly version: string;
  readonly catalog: Catalog;
  readonly store: RecommendationStore;
  /** Similar items from the model's factors or item weights; null when the model has neither (GET /v1/items/{id}/similar is then a 404 saying so). */
  readonly similar: CachedSimilar | null;
  /** Users' training items: never recommended to them. */
  readonly history: History;
  readonly loadedAt = new Date();
  private refs = 0;
  private retired = false;
  private closing: Promise<void> | null = null;

  constructor(
    readonly prepared: PreparedModel,
    createStore: StoreFactory,
    maxK: number,
    private readonly onStoreCloseError: (e: unknown) => void = () => {},
  ) {
    this.version = prepared.manifest.version;
    this.catalog = new Catalog(prepared);
    this.store = createStore(prepared);
    const via = capabilitiesOf(prepared.parts).similarItems;
    this.similar =
      via === 'factors'
        ? new SimilarItems(prepared.unitItemFactors, prepared.rank, maxK)
        : via === 'itemWeights' && prepared.itemWeights
          ? new WeightSimilarItems({ n: prepared.itemCount, weights: prepared.itemWeights }, maxK)
          : null;
    this.history = new History(prepared);
  }

  get inFlight(): number {
    return this.refs;
  }

  acquire(): this {
    this.refs++;
    return this;
  }

  release(): void {
    this.refs--;
    if (this.retired && this.refs === 0) void this.close();
  }

  /** No new requests will use this model; close its store when the last one is done. */
  retire(): Promise<void> {
    this.retired = true;
    return this.refs === 0 ? this.close() : Promise.resolve();
  }

  close(): Promise<void> {
    this.closing ??= this.store.close().catch(this.onStoreCloseError);
    return this.closing;
  }
}
