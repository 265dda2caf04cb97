// Owns starting and stopping the recommendation API: loads uWebSockets.js (failing loudly), the
// API keys and the active model, registers the routes (one file each under ./routes), listens,
// opens the event store (fold-in personalisation, erasure, the item catalogue), watches the registry for a new
// active model (following a remote one, Azure Blob Storage, into the local directory when
// configured) and for the running experiment (./experiments.ts), and closes gracefully: stop accepting, let the
// requests in flight finish (new responses close their connections), then close whatever is
// left once they are done or the deadline passes.

import { join } from 'node:path';
import type { EventStore } from '../events/types.js';
import type { EventWeights, ValueLimits } from '../events/validate.js';
import { LocalRegistry } from '../model/registry.js';
import { ActiveFollower } from '../model/registry/follower.js';
import type { ObjectStore } from '../model/registry/object-store.js';
import { ApiKeyAuth, AuthConfigError, loadApiKeys } from './auth.js';
import type { ServeContext } from './context.js';
import { HttpFront } from './http.js';
import { Cors } from './cors.js';
import { StoreIntegrity } from './integrity.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import type { LoadMode } from './loader.js';
import { Metrics } from './metrics.js';
import { ModelManager, type LoadResult } from './model-manager.js';
import { DEFAULT_LIMITS, type Limits } from './params.js';
import { Reloader } from './reloader.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { openapiRoute } from './routes/openapi.js';
import { recommender } from './routes/recommendations.js';
import { batchRoute } from './routes/batch.js';
import { similarRoute } from './routes/similar.js';
import { demoRoutes } from './routes/demo.js';
import { eventsRoute } from './routes/events.js';
import { usersRoute } from './routes/users.js';
import { itemRoutes } from './routes/items.js';
import { LiveCatalogue } from './item-catalogue.js';
import { namedFilters, RequestFilters } from './rules/request-filters.js';
import { recommendationsPostRoute } from './routes/recommendations-post.js';
import { NewItems, type NewItemsSettings } from './new-items.js';
import { feedbackFromEnv, resolveFeedback, type FeedbackSettings } from '../events/feedback.js';
import { DEFAULT_FOLDIN_NICE, Personalizer, type FoldInSettings } from './personal.js';
import { embeddedStoreFactory, type StoreFactory } from './serving-model.js';
import { ErasedUsers } from './erasure.js';
import { eventStoreConfigFromEnv, openEventStore, type EventStoreConfig } from '../events/open.js';
import { loadUws, type us_listen_socket } from './uws.js';
import { cacheStatsOf } from '../store/cached.js';
import { ExperimentServing } from './experiments.js';
import { localBook, remoteBook } from '../model/experiments/book.js';
import { downloadVersion, isComplete } from '../model/registry/transfer.js';
import { impressionsRoute } from './routes/impressions.js';
import { LoopDelay } from './loop-delay.js';

export interface ServerOptions {
  /** Registry root: version directories and the ACTIVE pointer (default ./models in the CLI). */
  modelsDir: string;
  /** Default 127.0.0.1 (this machine only); 0.0.0.0 listens on every interface. */
  host?: string;
  /** Default 8080; 0 picks a free port (see RunningServer.port). */
  port?: number;
  /** API keys: a comma-separated string or a list (e.g. from RECS_API_KEYS). */
  apiKeys?: string | readonly string[];
  /** A file with one API key per line (e.g. RECS_API_KEYS_FILE, a mounted secret). */
  apiKeysFile?: string;
  /** Refuse to start without API keys (the Kubernetes deployment sets it). */
  requireAuth?: boolean;
  /** Origins browsers may call the API from (CORS), or ['*']; default: RECS_CORS_ORIGINS (comma-separated), unset: none. */
  corsOrigins?: readonly string[];
  /** Serve the try-it page and its model payload at / and /demo/* (default true; the CLI's --no-demo). */
  demo?: boolean;
  /** Put /metrics behind the API key too (default false: open, like the probes). */
  protectMetrics?: boolean;
  logLevel?: LogLevel;
  /** A logger to use instead of one on stdout (tests). */
  logger?: Logger;
  /** A drain ends once no request has arrived for this long (and none is in flight), ms (default 500). */
  shutdownQuietMs?: number;
  /** Default deadline of close(), ms (default 10 000). */
  shutdownDeadlineMs?: number;
  /** How often a remote store is checked for the serving version, ms (default 10 000; every second while it is missing). */
  integrityCheckMs?: number;
  /** Period of the fallback check of the active pointer, ms (default 2 000). */
  reloadPollMs?: number;
  /**
   * A remote registry (Azure Blob Storage) to follow: its active version is downloaded into
   * modelsDir (checksum-verified) and made active there, which the reloader then picks up.
   */
  remoteRegistry?: ObjectStore;
  /** Period of the remote pointer's ETag check, ms (default 10 000). */
  remotePollMs?: number;
  /** How often the registry's experiments (EXPERIMENTS.json) are read again, ms (default: reloadPollMs, 2 000). */
  experimentsPollMs?: number;
  limits?: Partial<Limits>;
  /** Largest request body accepted by routes that read none, bytes (default 4 096; POST /v1/events takes up to 1 MiB). */
  maxBodyBytes?: number;
  /** Time a store may take per lookup before the fallback answers, ms (default 250). */
  storeTimeoutMs?: number;
  /** Builds the store for each loaded model (default: the embedded store). */
  createStore?: StoreFactory;
  /** 'worker' (default when built) or 'inline' model loading. */
  loadMode?: LoadMode;
  /** Where the try-it page's WebAssembly engine is (default <repo>/native). */
  wasmDir?: string;
  /** The OpenAPI file served at /openapi.json (default <repo>/openapi.json). */
  openapiPath?: string;
  /** The SQLite event store (default <modelsDir>/../events.sqlite). */
  eventsDb?: string;
  /** The event store to open (the CLI's choice: ts/cli/events-db.ts); default: RECS_EVENTS_STORE and eventsDb. */
  eventStoreConfig?: EventStoreConfig;
  /** An open event store to use (closed with the server); default: the one RECS_EVENTS_STORE names (ts/events/open.ts). */
  eventStore?: EventStore;
  /** Implicit weight per event type (default RECS_EVENT_WEIGHTS, else click 1, view 0.5, purchase 3, like 2, dislike 1). */
  eventWeights?: Partial<EventWeights>;
  /** Half-life of implicit events, days (default RECS_EVENT_HALF_LIFE_DAYS, else no decay). */
  eventHalfLifeDays?: number;
  /** Ratings below it count as dislikes (default RECS_NEGATIVE_BELOW, else off). */
  negativeBelow?: number;
  /** The feedback settings, resolved (the CLI's flags); given, they replace the environment's and the three options above. */
  feedback?: FeedbackSettings;
  /** How often the event store's erased users are read again, for erasures made by other replicas, ms (default 10 000; 0 = never). */
  erasureSyncMs?: number;
  /** How often the item catalogue's records are read again, for changes made by other replicas or an import, ms (default 2 000; 0 = never). */
  catalogueSyncMs?: number;
  /** New items: how often other replicas' events are read (syncMs, default 1 000; 0 = never), where item fold-in runs (tests). */
  newItems?: NewItemsSettings;
  /** Named filters clients may ask for by name (`filter=`): name → expression; default RECS_FILTERS (JSON) or RECS_FILTERS_FILE. */
  filters?: Readonly<Record<string, string>>;
  /** Bounds on event values (default ratings -10 to 10, other values at most 100). */
  eventLimits?: Partial<ValueLimits>;
  /** Fold-in queue, batches and result bounds (defaults: RECS_FOLDIN_MAX_ENTRIES, RECS_FOLDIN_MAX_BYTES, RECS_FOLDIN_QUEUE, RECS_FOLDIN_NICE, else 100,000 lists, 128 MiB, 100,000 queued users, nice 5). */
  foldIn?: FoldInSettings;
}

/** Fold-in bounds from the environment (each optional). */
function foldInFromEnv(env: NodeJS.ProcessEnv): FoldInSettings {
  const n = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const x = Number(v);
    if (!Number.isInteger(x) || x < 0) throw new Error(`${name} must be a whole number ≥ 0; got "${v}"`);
    return x;
  };
  const maxEntries = n('RECS_FOLDIN_MAX_ENTRIES');
  const maxBytes = n('RECS_FOLDIN_MAX_BYTES');
  const maxQueue = n('RECS_FOLDIN_QUEUE');
  const nice = n('RECS_FOLDIN_NICE');
  if (nice !== undefined && nice > 19) throw new Error(`RECS_FOLDIN_NICE must be a whole number from 0 to 19; got "${env['RECS_FOLDIN_NICE']}"`);
  return {
    bounds: { ...(maxEntries !== undefined && { maxEntries }), ...(maxBytes !== undefined && { maxBytes }) },
    ...(maxQueue !== undefined && { maxQueue }),
    ...(nice !== undefined && { nice }),
  };
}

export interface CloseResult {
  /** False when the deadline passed with requests still in flight. */
  clean: boolean;
  /** Requests cut off at the deadline. */
  abandoned: number;
}

export interface RunningServer {
  host: string;
  port: number;
  /** http://host:port */
  url: string;
  log: Logger;
  metrics: Metrics;
  /** The version serving now, or null. */
  modelVersion(): string | null;
  /** Checks the active pointer now (the watcher does it by itself). */
  reload(): Promise<LoadResult>;
  requestsInFlight(): number;
  /** Graceful shutdown; the same promise on every call. */
  close(opts?: { deadlineMs?: number }): Promise<CloseResult>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const uws = loadUws();
  const log = options.logger ?? createLogger(options.logLevel ?? 'info');
  const keys = loadApiKeys({ ...(options.apiKeys !== undefined && { keys: options.apiKeys }), ...(options.apiKeysFile !== undefined && { keysFile: options.apiKeysFile }) });
  if (keys.length === 0 && options.requireAuth) {
    throw new AuthConfigError('authentication is required (requireAuth / --require-auth) but no API keys are configured: set RECS_API_KEYS or RECS_API_KEYS_FILE');
  }
  const auth = new ApiKeyAuth(keys);
  if (!auth.enabled) {
    log.warn(
      'AUTHENTICATION IS OFF: no API keys configured (RECS_API_KEYS / RECS_API_KEYS_FILE), so anyone who can reach this port can query it. Fine for a local run only; deployments use --require-auth.',
    );
  }

  // feedback settings, the options over the environment's: bad ones are start-up errors
  const feedback = options.feedback ?? resolveFeedback(feedbackFromEnv(process.env), options);
  const metrics = new Metrics();
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const registry = new LocalRegistry(options.modelsDir);
  const events = options.eventStore ?? (await openEventStore(options.eventStoreConfig ?? eventStoreConfigFromEnv(process.env, options.eventsDb ?? join(options.modelsDir, '..', 'events.sqlite'))));
  const erased = new ErasedUsers(events);
  const live = new LiveCatalogue(events);
  const env = foldInFromEnv(process.env);
  const settings: FoldInSettings = { ...env, ...options.foldIn, bounds: { ...env.bounds, ...options.foldIn?.bounds } };
  // the item fold-in thread yields to serving like the user fold-in thread (RECS_FOLDIN_NICE)
  const newItems = new NewItems(live, log, events, { feedback, nice: settings.nice ?? DEFAULT_FOLDIN_NICE, ...options.newItems });
  live.onChange = (r) => newItems.recordChanged(r.itemId);
  let named: Map<string, string>;
  try {
    named = namedFilters(process.env, options.filters);
  } catch (e) {
    await newItems.close();
    await events.close();
    throw e;
  }
  try {
    await live.load();
  } catch (e) {
    await newItems.close();
    await events.close();
    throw new Error(`cannot read the item catalogue from the event store: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  let personal: Personalizer | null = null;
  const models = new ModelManager({
    beforeServe: (p) => erased.cover(Date.parse(p.manifest.createdAt)),
    prepareServe: (m) => {
      live.serve(m.catalog);
      newItems.serve(m);
    },
    prepareVariant: (m) => live.blockIn(m.catalog),
    onServe: (m) => personal?.modelLoaded(m),
    registry,
    createStore: erased.masking(options.createStore ?? embeddedStoreFactory),
    maxK: limits.maxK,
    log,
    metrics,
    ...(options.loadMode && { loadMode: options.loadMode }),
  });
  metrics.caches = () => cacheStatsOf(models.current?.store);
  const openapi = openapiRoute(options.openapiPath);
  const follower = options.remoteRegistry ? new ActiveFollower({ remote: options.remoteRegistry, cache: registry, pollMs: options.remotePollMs ?? 10_000, log }) : null;
  if (follower) await follower.syncNow();
  const first = await models.refresh();
  if (first === 'failed') {
    await newItems.close();
    await events.close();
    throw new Error(`cannot serve: the active model in ${options.modelsDir} did not load (see the log above)`);
  }
  if (first === 'none') log.warn({ modelsDir: options.modelsDir }, 'no active model yet: /readyz answers 503 and /v1 routes 503 until one is activated');

  const remote = options.remoteRegistry;
  const experiments = new ExperimentServing({
    book: remote ? remoteBook(remote) : localBook(options.modelsDir),
    models,
    log,
    registryRoot: options.modelsDir,
    ...(remote && { fetch: async (v: string) => void (isComplete(registry, v) ? undefined : await downloadVersion(remote, registry, v)) }),
  });
  metrics.experiments = (esc) => experiments.metricLines(esc);
  await experiments.sync().catch((e: unknown) => log.error({ err: e }, 'cannot read the experiments; serving the active version to every user'));
  personal = new Personalizer({ models, events, erased, metrics, log, depth: limits.maxK, feedback, ...settings, modelFor: (u) => experiments.assign(u)?.model ?? null });
  if (models.current) personal.modelLoaded(models.current);
  let draining = false;
  const integrity = new StoreIntegrity({ models, metrics, log, intervalMs: options.integrityCheckMs ?? 10_000 });
  const ctx: ServeContext = {
    models,
    metrics,
    log,
    limits,
    storeTimeoutMs: options.storeTimeoutMs ?? 250,
    draining: () => draining,
    overlay: personal,
    integrity,
    items: live,
    rules: new RequestFilters(named, live),
    newItems,
    experiments,
  };
  const app = uws.App();
  const cors = options.corsOrigins ? new Cors([...options.corsOrigins]) : Cors.fromEnv(process.env['RECS_CORS_ORIGINS']);
  const front = new HttpFront(app, { log, metrics, auth, maxBodyBytes: options.maxBodyBytes ?? 4096, draining: () => draining, cors });
  const recs = recommender(ctx);
  for (const r of [
    recs.route,
    similarRoute(ctx),
    ...healthRoutes(ctx),
    metricsRoute(ctx, options.protectMetrics ?? false),
    openapi,
    ...(options.demo === false ? [] : demoRoutes(ctx, options.wasmDir, options.requireAuth === true)),
  ])
    front.get(r);
  front
    .post(eventsRoute(ctx, events, personal, { ...(options.eventLimits && { limits: options.eventLimits }) }))
    .post(batchRoute(ctx, recs))
    .post(impressionsRoute(ctx, events))
    .del(usersRoute(ctx, personal));
  const items = itemRoutes(ctx, events, live);
  front.get(items.get).put(items.put).patch(items.patch).del(items.del).post(recommendationsPostRoute(ctx, recs));
  front.notFound();

  const host = options.host ?? '127.0.0.1';
  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(host, options.port ?? 8080, (s) => (s ? resolve(s) : reject(new Error(`cannot listen on ${host}:${options.port ?? 8080} (in use, or not an address of this machine?)`))));
  }).catch(async (e: unknown) => {
    await newItems.close();
    await events.close();
    throw e;
  });
  const port = uws.us_socket_local_port(listenSocket);
  const erasureSyncMs = options.erasureSyncMs ?? 10_000;
  const erasureSync =
    erasureSyncMs > 0
      ? setInterval(() => {
          erased.sync().then(
            (fresh) => {
              if (fresh.length === 0) return;
              personal!.erasedElsewhere(fresh);
              newItems.erased(fresh.map((u) => [u, erased.erasedAt(u) ?? Date.now()]));
            },
            (e: unknown) => log.warn({ err: e }, 'could not read the erased users again; retrying at the next interval'),
          );
        }, erasureSyncMs).unref()
      : null;
  const catalogueSyncMs = options.catalogueSyncMs ?? 2000;
  const catalogueSync =
    catalogueSyncMs > 0
      ? setInterval(() => {
          live.sync().catch((e: unknown) => log.warn({ err: e }, 'could not read the item catalogue again; retrying at the next interval'));
        }, catalogueSyncMs).unref()
      : null;
  const reloader = new Reloader({
    pointerPath: registry.pointerPath,
    pollMs: options.reloadPollMs ?? 2000,
    log,
    onChange: () =>
      models.refresh().then((r) => {
        if (r === 'loaded') void integrity.check();
        return r;
      }),
  });
  reloader.start();
  const experimentsSync = setInterval(
    () => void experiments.sync().catch((e: unknown) => log.warn({ err: e }, 'could not read the experiments again; retrying at the next interval')),
    options.experimentsPollMs ?? options.reloadPollMs ?? 2000,
  ).unref();
  integrity.start();
  follower?.start();
  const loopDelay = new LoopDelay();
  metrics.loopDelay = () => loopDelay.window();
  log.info({ url: `http://${host}:${port}`, modelVersion: models.current?.version ?? null, auth: auth.enabled, store: models.current?.store.kind ?? null }, 'listening');

  let closing: Promise<CloseResult> | null = null;
  const close = (opts: { deadlineMs?: number } = {}): Promise<CloseResult> => {
    closing ??= (async () => {
      const deadlineMs = opts.deadlineMs ?? options.shutdownDeadlineMs ?? 10_000;
      draining = true;
      uws.us_listen_socket_close(listenSocket);
      reloader.stop();
      integrity.stop();
      loopDelay.stop();
      if (erasureSync) clearInterval(erasureSync);
      if (catalogueSync) clearInterval(catalogueSync);
      clearInterval(experimentsSync);
      await follower?.stop();
      log.info({ inFlight: front.requestsInFlight, deadlineMs }, 'shutting down: no new connections; finishing requests in flight');
      const until = performance.now() + deadlineMs;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([front.idle(), new Promise<void>((r) => (timer = setTimeout(r, deadlineMs)))]);
      clearTimeout(timer);
      // keep-alive connections: each request still arriving on one (already sent, or read) is
      // answered with Connection: close, so its client closes it; once none has arrived for
      // quietMs the remaining connections are idle and are closed (no client sees a reset)
      const quietMs = options.shutdownQuietMs ?? 500;
      while (performance.now() < until && (front.requestsInFlight > 0 || performance.now() - front.lastRequestAt < quietMs)) {
        await new Promise((r) => setTimeout(r, Math.max(1, Math.min(25, until - performance.now()))));
      }
      const abandoned = front.requestsInFlight;
      const clean = abandoned === 0;
      if (!clean) log.warn({ abandoned }, 'shutdown deadline passed; closing the remaining connections');
      app.close();
      await personal!.close();
      await newItems.close();
      await events.close();
      await experiments.close();
      await models.close();
      log.info({ clean, abandoned }, 'server closed');
      return { clean, abandoned };
    })();
    return closing;
  };

  return {
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    log,
    metrics,
    modelVersion: () => models.current?.version ?? null,
    reload: () => models.refresh(),
    requestsInFlight: () => front.requestsInFlight,
    close,
  };
}
