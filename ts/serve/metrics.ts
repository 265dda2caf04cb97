// Owns the server's Prometheus metrics and their text exposition (format 0.0.4): request
// duration histograms per route and status, responses by source, store errors, model version
// info, reloads, requests in flight, events ingested, fold-ins (count and latency) and the time
// from an event's acknowledgement to its fold-in being visible, and the in-process store cache's
// hits, misses, coalesced waits, evictions, entries and bytes, and the running experiment's
// counters per variant, and the request thread's event-loop delay (./loop-delay.ts). Recording is
// a few array operations per request.

import type { CacheStats } from '../store/cache-stats.js';
import type { LoopDelayWindow } from './loop-delay.js';

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

class Histogram {
  readonly counts = new Float64Array(BUCKETS.length);
  sum = 0;
  count = 0;
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) {
      if (v <= BUCKETS[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
}

/** The per-status histograms of one route (handed to the route when it is registered). */
export class RouteMetrics {
  readonly byStatus: (Histogram | undefined)[] = [];
  constructor(readonly route: string) {}
  observe(status: number, seconds: number): void {
    (this.byStatus[status] ??= new Histogram()).observe(seconds);
  }
}

export interface ModelInfo {
  version: string;
  store: string;
  users: number;
  items: number;
  loadedAt: Date;
}

/** The fold-in queue's and result overlay's state (./personal.ts, ./foldin-overlay.ts). */
export interface FoldInQueueStats {
  /** Users waiting for a fold-in. */
  queued: number;
  /** Users in the batch being folded in now. */
  inFlight: number;
  /** Users not queued because the queue was full (folded in on their next GET). */
  deferred: number;
  /** Batches handed to the fold-in worker. */
  batches: number;
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
  evictions: number;
}

export class Metrics {
  private readonly routes = new Map<string, RouteMetrics>();
  /** Responses by source: one counter field each (recorded on every recommendation). */
  private readonly sources = { precomputed: 0, foldin: 0, fallback: 0 };
  private readonly storeErrors = new Map<string, number>();
  private readonly reloads = new Map<string, number>();
  private model: ModelInfo | null = null;
  private readonly foldIn = new Histogram();
  private readonly eventVisible = new Histogram();
  private readonly events = { accepted: 0, duplicate: 0 };
  inFlight: () => number = () => 0;
  /** The in-process caches in front of a remote store (set by the server; see ts/store/cached.ts). */
  caches: () => readonly CacheStats[] = () => [];
  /** Whether the serving store lost the model version (set by the server; see ./integrity.ts). */
  integrity: () => { store: string; degraded: boolean; transitions: number } | null = () => null;
  /** The fold-in queue and results (set by the server; see ./personal.ts). */
  foldInQueue: () => FoldInQueueStats | null = () => null;
  /** The running experiment's per-variant series (set by the server; see ./experiments.ts). */
  experiments: (esc: (s: string) => string) => string[] = () => [];
  /** The request thread's event-loop delay over the last complete window (set by the server). */
  loopDelay: () => LoopDelayWindow | null = () => null;
  readonly startedAt = Date.now();

  route(route: string): RouteMetrics {
    let r = this.routes.get(route);
    if (!r) this.routes.set(route, (r = new RouteMetrics(route)));
    return r;
  }

  countSource(source: 'precomputed' | 'foldin' | 'fallback'): void {
    this.sources[source]++;
  }

  countStoreError(store: string, reason: string): void {
    const key = `store="${esc(store)}",reason="${esc(reason)}"`;
    this.storeErrors.set(key, (this.storeErrors.get(key) ?? 0) + 1);
  }

  countReload(result: 'success' | 'failure'): void {
    this.reloads.set(result, (this.reloads.get(result) ?? 0) + 1);
  }

  countEvents(accepted: number, duplicates: number): void {
    this.events.accepted += accepted;
    this.events.duplicate += duplicates;
  }

  observeFoldIn(seconds: number): void {
    this.foldIn.observe(seconds);
  }

  observeEventVisible(seconds: number): void {
    this.eventVisible.observe(seconds);
  }

  setModel(info: ModelInfo | null): void {
    this.model = info;
  }

  render(): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    head('recs_http_request_duration_seconds', 'histogram', 'Time from request to response, by route and status.');
    for (const r of this.routes.values()) {
      r.byStatus.forEach((h, status) => {
        if (!h) return;
        const l = `route="${esc(r.route)}",status="${status}"`;
        let cum = 0;
        BUCKETS.forEach((b, i) => {
          cum += h.counts[i]!;
          out.push(`recs_http_request_duration_seconds_bucket{${l},le="${b}"} ${cum}`);
        });
        out.push(`recs_http_request_duration_seconds_bucket{${l},le="+Inf"} ${h.count}`);
        out.push(`recs_http_request_duration_seconds_sum{${l}} ${h.sum}`, `recs_http_request_duration_seconds_count{${l}} ${h.count}`);
      });
    }
    head('recs_recommendations_total', 'counter', 'Recommendation responses by source (precomputed or fallback).');
    for (const s of ['precomputed', 'foldin', 'fallback'] as const) out.push(`recs_recommendations_total{source="${s}"} ${this.sources[s]}`);
    head('recs_store_errors_total', 'counter', 'Store lookups that failed or timed out (answered from the fallback list).');
    for (const [k, v] of this.storeErrors) out.push(`recs_store_errors_total{${k}} ${v}`);
    const integrity = this.integrity();
    if (integrity) {
      head('recs_store_degraded', 'gauge', 'The serving store has lost the served model version (1): answers are flagged degraded and /readyz fails.');
      out.push(`recs_store_degraded{store="${esc(integrity.store)}"} ${integrity.degraded ? 1 : 0}`);
      head('recs_store_degraded_transitions_total', 'counter', 'Times the store was found to have lost the serving version, or to hold it again.');
      out.push(`recs_store_degraded_transitions_total ${integrity.transitions}`);
    }
    head('recs_model_reloads_total', 'counter', 'Hot reloads of the active model, by result.');
    for (const r of ['success', 'failure']) out.push(`recs_model_reloads_total{result="${r}"} ${this.reloads.get(r) ?? 0}`);
    head('recs_model_info', 'gauge', 'The model version being served (value 1).');
    if (this.model) out.push(`recs_model_info{version="${esc(this.model.version)}",store="${esc(this.model.store)}"} 1`);
    head('recs_model_loaded_timestamp_seconds', 'gauge', 'When the served model was loaded.');
    if (this.model) out.push(`recs_model_loaded_timestamp_seconds ${this.model.loadedAt.getTime() / 1000}`);
    head('recs_model_users', 'gauge', 'Users with precomputed lists in the served model.');
    if (this.model) out.push(`recs_model_users ${this.model.users}`);
    head('recs_model_items', 'gauge', 'Items in the served model.');
    if (this.model) out.push(`recs_model_items ${this.model.items}`);
    head('recs_events_total', 'counter', 'Events received, by result (accepted = stored now, duplicate = eventId already stored).');
    for (const r of ['accepted', 'duplicate'] as const) out.push(`recs_events_total{result="${r}"} ${this.events[r]}`);
    head('recs_foldins_total', 'counter', 'Fold-ins of a user from their events.');
    out.push(`recs_foldins_total ${this.foldIn.count}`);
    histogram(out, 'recs_foldin_duration_seconds', 'Time of one fold-in (user vector and top-k).', this.foldIn);
    histogram(out, 'recs_event_visible_seconds', "Time from acknowledging a user's events to their fold-in being served.", this.eventVisible);
    const q = this.foldInQueue();
    if (q) {
      const series: [string, 'counter' | 'gauge', string, number][] = [
        ['recs_foldin_queue_depth', 'gauge', 'Users waiting for a fold-in.', q.queued],
        ['recs_foldin_in_flight', 'gauge', 'Users in the batches handed to the fold-in worker and not back yet.', q.inFlight],
        ['recs_foldin_deferred_total', 'counter', 'Users not queued because the queue was full (folded in on their next request).', q.deferred],
        ['recs_foldin_batches_total', 'counter', 'Batches of users handed to the fold-in worker.', q.batches],
        ['recs_foldin_results', 'gauge', 'Fold-in lists held in memory.', q.entries],
        ['recs_foldin_results_bytes', 'gauge', 'Estimated bytes of the fold-in lists held.', q.bytes],
        ['recs_foldin_results_max_entries', 'gauge', 'Entry bound of the fold-in lists.', q.maxEntries],
        ['recs_foldin_results_max_bytes', 'gauge', 'Byte bound of the fold-in lists.', q.maxBytes],
        ['recs_foldin_evictions_total', 'counter', 'Fold-in lists evicted by the bounds (folded in again on demand).', q.evictions],
      ];
      for (const [name, type, help, v] of series) {
        head(name, type, help);
        out.push(`${name} ${v}`);
      }
    }
    renderCaches(out, this.caches());
    out.push(...this.experiments(esc));
    const loop = this.loopDelay();
    if (loop) {
      head(
        'recs_event_loop_delay_seconds',
        'gauge',
        `How late the request thread's 10 ms timer fired (how long work on that thread held every request), quantiles of the last ${loop.windowSeconds} s.`,
      );
      for (const [q, v] of [
        ['0.5', loop.p50],
        ['0.99', loop.p99],
        ['0.999', loop.p999],
      ] as const)
        out.push(`recs_event_loop_delay_seconds{quantile="${q}"} ${v}`);
      head('recs_event_loop_delay_max_seconds', 'gauge', `Longest event-loop delay of the last ${loop.windowSeconds} s: a stall of the request thread.`);
      out.push(`recs_event_loop_delay_max_seconds ${loop.max}`);
    }
    head('recs_http_requests_in_flight', 'gauge', 'Requests being handled.');
    out.push(`recs_http_requests_in_flight ${this.inFlight()}`);
    head('recs_process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch.');
    out.push(`recs_process_start_time_seconds ${this.startedAt / 1000}`);
    head('recs_process_resident_memory_bytes', 'gauge', 'Resident memory size.');
    out.push(`recs_process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    return out.join('\n') + '\n';
  }
}

function histogram(out: string[], name: string, help: string, h: Histogram): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  let cum = 0;
  BUCKETS.forEach((b, i) => {
    cum += h.counts[i]!;
    out.push(`${name}_bucket{le="${b}"} ${cum}`);
  });
  out.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
}

function renderCaches(out: string[], caches: readonly CacheStats[]): void {
  const series: [string, 'counter' | 'gauge', string, (c: CacheStats) => number][] = [
    ['recs_store_cache_hits_total', 'counter', 'Store lookups answered from the in-process cache.', (c) => c.hits],
    ['recs_store_cache_misses_total', 'counter', 'Store lookups the in-process cache passed to the store.', (c) => c.misses],
    ['recs_store_cache_coalesced_total', 'counter', 'Store lookups that waited for a read of the same user already in flight.', (c) => c.coalesced],
    ['recs_store_cache_evictions_total', 'counter', 'Cache entries evicted (least recently used) to stay within the entry and byte bounds.', (c) => c.evictions],
    ['recs_store_cache_entries', 'gauge', 'Entries in the in-process cache.', (c) => c.entries],
    ['recs_store_cache_bytes', 'gauge', 'Estimated bytes held by the in-process cache.', (c) => c.bytes],
    ['recs_store_cache_max_entries', 'gauge', 'Entry bound of the in-process cache.', (c) => c.maxEntries],
    ['recs_store_cache_max_bytes', 'gauge', 'Byte bound of the in-process cache.', (c) => c.maxBytes],
  ];
  for (const [name, type, help, value] of series) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const c of caches) out.push(`${name}{store="${esc(c.store)}"} ${value(c)}`);
  }
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
