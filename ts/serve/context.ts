// Owns what routes share: the model manager, metrics, logger, limits and the server's state
// (ready, draining), the fold-in overlay, the item catalogue, the running experiment, plus the helper that gives a route the serving model or
// a 503.

import { HttpError } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { ModelManager } from './model-manager.js';
import type { Limits } from './params.js';
import type { FoldInOverlay } from './personal.js';
import type { StoreIntegrity } from './integrity.js';
import type { LiveCatalogue } from './item-catalogue.js';
import type { RequestFilters } from './rules/request-filters.js';
import type { NewItems } from './new-items.js';
import type { ServingModel } from './serving-model.js';
import type { ExperimentServing } from './experiments.js';

export interface ServeContext {
  models: ModelManager;
  metrics: Metrics;
  log: Logger;
  limits: Limits;
  /** Passed to the store; a remote store gives up after it and the fallback answers. */
  storeTimeoutMs: number;
  draining(): boolean;
  /** Users' lists folded in from their events, consulted before the store. */
  overlay?: FoldInOverlay;
  /** Whether the serving store still holds the serving version (./integrity.ts). */
  integrity?: StoreIntegrity;
  /** The item catalogue's records (deleted, unavailable items), when the server keeps one. */
  items?: LiveCatalogue;
  /** Filter expressions and the server's named filters (./rules). */
  rules?: RequestFilters;
  /** Items the model was not trained on, folded in from events or cold-started (./new-items.ts). */
  newItems?: NewItems;
  /** The running A/B experiment's variants (./experiments.ts). */
  experiments?: ExperimentServing;
}

export function servingModel(ctx: ServeContext): ServingModel {
  const m = ctx.models.current;
  if (!m) throw new HttpError(503, 'not_ready', 'no model is loaded yet; retry shortly', { 'retry-after': '5' });
  return m;
}

/** Calls `f` at most once per `ms`, passing how many calls were skipped since the last one. */
export function throttled(ms: number, f: (suppressed: number) => void): () => void {
  let last = -Infinity;
  let skipped = 0;
  return () => {
    const now = performance.now();
    if (now - last < ms) {
      skipped++;
      return;
    }
    last = now;
    f(skipped);
    skipped = 0;
  };
}
