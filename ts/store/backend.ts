// Owns what a recommendation-store back end is to the rest of the system (StoreBackend): its kind,
// its settings read from the environment and flags, how it makes the store of one model version,
// and, for a back end whose lists live outside the process, how it bulk-loads a version. Every
// back end implements this once, in its own file under ./backends/, and is listed in
// ./registry.ts; the CLI, the server and the training lifecycle use only this interface.

import type { StoreSource } from './factory.js';
import type { LoadTable } from './load-table.js';
import type { RecommendationStore } from './types.js';

/** Settings common to every back end (RECS_STORE_TIMEOUT_MS). */
export interface StoreCommon {
  /** Default per-lookup timeout of a remote store, ms. */
  timeoutMs: number;
}

/** Flag values that override a back end's environment settings (`--redis-url` → redisUrl, …). */
export type StoreFlags = Readonly<Record<string, string | undefined>>;

export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

export interface BulkLoadOptions {
  /** Older store versions kept besides the new one (default 1). */
  keepOld?: number;
  /** Users per write batch (default: the back end's `loadDefaults.batch`). */
  batch?: number;
  /** Batches in flight (default: the back end's `loadDefaults.concurrency`). */
  concurrency?: number;
  /** Users written so far, and a short note (e.g. request units) for a progress line. */
  onProgress?: (done: number, note?: string) => void;
}

export interface BulkLoadResult {
  /** The back end's kind. */
  store: string;
  version: string;
  users: number;
  seconds: number;
  usersPerSecond: number;
  /** Back-end specific figures for the closing line ("512 RU (3.4 RU/user), 0 retried writes"). */
  details?: string;
  /** Cosmos DB only: request units spent and operations retried (kept for JSON output). */
  requestCharge?: number;
  retried?: number;
  deletedVersions: string[];
  /** Whether the store's active-version pointer now names the version (false: a shard, others pending). */
  switched: boolean;
  /** A sharded load: which shard this was, and how far the version is ("3 of 16 shards verified"). */
  shard?: { index: number; count: number; progress?: string };
}

export interface StoreBackend<S = unknown, K extends string = string> {
  /** RECS_STORE / --store value; also the stores' metrics label. */
  readonly kind: K;
  /** One line for --help texts. */
  readonly summary: string;
  /** Lists outside the process: served through the in-process cache, bulk-loaded before a switch. */
  readonly remote: boolean;
  /**
   * This back end's settings from `env` (RECS_*) and `flags`. `chosen` is whether it is the kind
   * configured: only then are missing required settings an error (StoreConfigError naming the
   * variable); otherwise defaults are filled in (other components may still use them).
   */
  settings(env: NodeJS.ProcessEnv, flags: StoreFlags, chosen: boolean): S;
  /** A factory of this back end's stores, one per model version, sharing connections between them. */
  factory(settings: S, common: StoreCommon): (model: StoreSource) => RecommendationStore;
  /** Remote back ends: write a version beside the others, verify it, flip the store's pointer, prune. */
  load?(settings: S, table: LoadTable, o: BulkLoadOptions): Promise<BulkLoadResult>;
  /** Remote back ends: the bulk load's defaults (users per batch, batches in flight). */
  readonly loadDefaults?: { batch: number; concurrency: number };
}

/** The users/s of a load. */
export const usersPerSecond = (users: number, seconds: number): number => Math.round(users / Math.max(seconds, 1e-9));
