// Owns the manifest of a model artifact: what was trained, on what, how well, and the checksum
// of every file, plus how versions are named.

import { createHash } from 'node:crypto';
import type { ModelPart } from './algorithms/types.js';

export const ARTIFACT_FORMAT = 'realtime-recs/model@1';

export interface FileEntry {
  bytes: number;
  sha256: string;
}

export interface IterationRecord {
  iteration: number;
  loss: number | null;
  seconds: number;
}

export interface Manifest {
  format: typeof ARTIFACT_FORMAT;
  version: string;
  createdAt: string;
  /** The code that trained it (package version and git commit when known). */
  codeVersion: string;
  /** The algorithm that fitted it (ts/model/algorithms); absent in artifacts written before the seam: ALS. */
  algorithm?: string;
  /** The model parts the artifact holds (see ModelPart); absent: ALS's (factors, top-k, popularity, history). */
  parts?: ModelPart[];
  /** Training parameters (Spark names where Spark has them; the algorithm's schema) and solver options. */
  params: Record<string, unknown>;
  engine: { kind: string; kernel: string };
  data: {
    source: string;
    /** sha256 over the interactions the final model was fitted on. */
    fingerprint: string;
    users: number;
    items: number;
    interactions: number;
    /** Preparation and split settings and resulting counts. */
    [key: string]: unknown;
  };
  /** Metrics of the model on the evaluation split (empty when evaluation was skipped). */
  metrics: Record<string, number>;
  /** The popularity baseline's metrics on the same split. */
  baseline: Record<string, number>;
  /** Seconds per stage. */
  timings: Record<string, number>;
  iterations: IterationRecord[];
  /**
   * The evaluation fit (on the training split): its loss per iteration and the held-out metrics
   * per iteration (see model/pipeline/heldout-curve.ts). Absent when evaluation was skipped.
   */
  evaluationFit?: {
    iterations: IterationRecord[];
    heldOut: { k: number; users: number; rankedUsers: number; points: Array<{ iteration: number; ndcg: number; rmse?: number }> };
  };
  /** Depth of the precomputed top-k table. */
  topkDepth: number;
  files: Record<string, FileEntry>;
}

/** `v20261130-021533-1a2b3c`: sortable by time, unique by content. */
export function newVersion(now: Date, contentKey: string): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const hash = createHash('sha256').update(contentKey).update(String(now.getTime())).digest('hex').slice(0, 6);
  return `v${stamp}-${hash}`;
}

/** sha256 of the interactions (order-sensitive), for the manifest's data fingerprint. */
export function fingerprint(users: Uint32Array, items: Uint32Array, values: Float32Array): string {
  return sha256Of([users, items, values]);
}

/** Bytes per hash update (and per write of an artifact file): a single one of more than 2 GiB throws (10M users × rank 64 is 2.56 GB). */
export const HASH_CHUNK = 256 * 1024 * 1024;

/** sha256 of the arrays' bytes one after another, fed in chunks so any size hashes. */
export function sha256Of(arrays: readonly ArrayBufferView[], chunk = HASH_CHUNK): string {
  const h = createHash('sha256');
  for (const a of arrays) updateInChunks(h, a, chunk);
  return h.digest('hex');
}

/** Feeds a view of any size to a hash (or any sink of byte chunks) at most `chunk` bytes at a time. */
export function updateInChunks(h: { update(b: Uint8Array): unknown }, a: ArrayBufferView, chunk = HASH_CHUNK): void {
  for (let at = 0; at < a.byteLength; at += chunk) h.update(new Uint8Array(a.buffer, a.byteOffset + at, Math.min(chunk, a.byteLength - at)));
}
