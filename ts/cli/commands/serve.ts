// The `serve` command: runs the recommendation API on uWebSockets.js over the active model of a
// registry (the embedded store), hot-reloads new active versions, and shuts down gracefully on
// SIGTERM/SIGINT.

import { choice, flag, group, num, text } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { closeOnSignals, LOG_LEVELS, startServer } from '../../serve/index.js';
import { defaultEventsDb, eventStoreOption } from '../events-db.js';
import { eventsDbOption, eventsStoreOption, registryGroup } from '../option-groups.js';
import { feedbackFromValues, feedbackGroup } from '../feedback-options.js';
import { STORE_KINDS, storeConfigFromEnv, storeFactory } from '../../store/config.js';
import { openBlobStore, registryFromEnv } from '../../model/registry/config.js';

const server = group('Server', {
  port: num({ metavar: 'N', integer: true, min: 0, max: 65535, env: 'PORT', default: 8080, help: 'TCP port (0 picks a free port, logged at start-up)' }),
  host: text({ metavar: 'ADDR', default: '127.0.0.1', help: 'address to listen on (127.0.0.1: this machine only; use 0.0.0.0 in a container or to serve other machines)' }),
  'log-level': choice({ choices: LOG_LEVELS, metavar: 'LEVEL', env: 'LOG_LEVEL', default: 'info', help: `${LOG_LEVELS.join(', ')}. JSON lines on stdout; debug logs one line per request.` }),
  'shutdown-deadline': num({ metavar: 'S', min: 0, max: 3600, default: 10, help: 'seconds to finish requests in flight after SIGTERM/SIGINT' }),
  'reload-interval': num({ metavar: 'S', min: 0.05, max: 3600, default: 2, help: 'how often the ACTIVE pointer is also checked without a file event' }),
  'registry-interval': num({ metavar: 'S', min: 0.05, max: 3600, default: 10, help: "how often a blob registry's ACTIVE pointer is checked (one ETag request)" }),
});

const access = group('Access', {
  'require-auth': flag({ help: 'refuse to start without API keys (also RECS_REQUIRE_AUTH=1). Deployments set it. Without keys and without this flag the API is open, with a loud warning.' }),
  'api-keys-file': text({
    metavar: 'PATH',
    env: 'RECS_API_KEYS_FILE',
    help: 'file of API keys, one per line, # comments. Keys can also come from $RECS_API_KEYS (comma-separated); never as arguments, which other users of the machine can read. Each key is ≥ 16 visible characters. Clients send "Authorization: Bearer <key>" or "x-api-key: <key>". Scopes: <key>:read+events+admin (read: GETs and the batch; events: POST /v1/events; admin: DELETE /v1/users/{id}); a key without them has read+events. RECS_CORS_ORIGINS (comma-separated origins, or *) lets browsers on those origins call the API (CORS; default: none).',
  }),
  'no-demo': flag({ help: 'do not serve the try-it page (/ and /demo/*: item factors and titles). With --require-auth the page and its payload need a key too.' }),
  'protect-metrics': flag({ help: 'require the API key for /metrics too (default: open, like /healthz, /readyz and /openapi.json; it shows counts and the model version, no user data)' }),
});

const events = group('Events', {
  'events-db': eventsDbOption('the SQLite event store of POST /v1/events, fold-in and erasure (default $RECS_EVENTS_DB, else <models-dir>/../events.sqlite; created if missing).'),
  'events-store': eventsStoreOption('cosmos keeps events in Azure Cosmos DB instead, for many replicas and jobs (the container is created if missing where the credentials allow it).'),
  'rating-range': text({
    metavar: 'MIN..MAX',
    default: '-10..10',
    help: 'the rating scale POST /v1/events accepts (a rating ≤ 0 is a negative signal); ratings outside it are a 400 naming the event and field',
  }),
  'max-event-value': num({
    metavar: 'N',
    min: 0,
    max: 1e6,
    default: 100,
    help: 'largest value of a click, view, purchase or like (a multiplier of its weight). Fold-in runs in a worker thread, in batches: RECS_FOLDIN_QUEUE (users waiting, default 100000; beyond it events are still stored and the user is folded in on their next GET), RECS_FOLDIN_MAX_ENTRIES and RECS_FOLDIN_MAX_BYTES (fold-in lists kept, least recently used evicted first: default 100000 lists and 134217728 bytes = 128 MiB; an evicted user is folded in again on demand), RECS_FOLDIN_NICE (how many nice steps the fold-in threads run below the process on Linux, 0–19, default 5: when cores are scarce serving goes first; 0: equal priority). --event-weights, --event-half-life-days and --negative-below (Feedback) shape fold-in as they shape training. RECS_FILTERS (\'{"name": "expression"}\') or RECS_FILTERS_FILE (a JSON file) name server-side filters (?filter=name).',
  }),
});

const store = group('Store', {
  store: choice({
    choices: STORE_KINDS,
    metavar: 'KIND',
    defaultHelp: '$RECS_STORE, else embedded',
    help: 'embedded (the top-k table in process), redis or cosmos. Remote stores are loaded with "recs load" and configured by environment: RECS_REDIS_URL, RECS_REDIS_PREFIX; RECS_COSMOS_ENDPOINT, RECS_COSMOS_AUTH (key|entra), RECS_COSMOS_KEY, RECS_COSMOS_DATABASE, RECS_COSMOS_CONTAINER; RECS_STORE_TIMEOUT_MS (default 250), RECS_STORE_CACHE_ENTRIES and RECS_STORE_CACHE_BYTES (the in-process cache\'s bounds: default 100000 entries and 268435456 bytes = 256 MiB, estimated; either 0 = off), RECS_STORE_CACHE_TTL_MS (default none). When the store fails or times out, answers come from the popularity list.',
  }),
});

const REGISTRY = registryGroup({
  modelsDir: ': version directories and the ACTIVE pointer. A new active version is loaded in the background and swapped in atomically; a corrupt one is refused and the current one keeps serving.',
  registry:
    'With a blob registry the server follows its ACTIVE pointer: a new active version is downloaded into --models-dir (every file checksum-verified; a corrupt one is refused and the current model keeps serving), then swapped in.',
});

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve recommendations over HTTP (uWebSockets.js; embedded, Redis or Cosmos DB store; hot reload)',
  about: `recs serve — serve recommendations over HTTP from the active model.

Usage: recs serve [options]`,
  groups: [REGISTRY, server, access, events, feedbackGroup, store],
  notes: `Endpoints: GET /v1/users/{userId}/recommendations?k=10&offset=0&exclude=a,b&genre=Comedy,
POST /v1/recommendations:batch, GET /v1/items/{itemId}/similar?k=10, POST /v1/events,
DELETE /v1/users/{userId}, /healthz, /readyz, /metrics, /openapi.json (see openapi.json).
Behind nginx, set proxy_http_version 1.1: the server refuses HTTP/1.0 (505).`,
  async run(values) {
    const env = process.env;
    const { port, 'log-level': logLevel, 'api-keys-file': keysFile, 'max-event-value': maxValue } = values;
    const deadline = values['shutdown-deadline'];
    const reload = values['reload-interval'];
    const storeConfig = storeConfigFromEnv(env, values.store !== undefined ? { kind: values.store } : {});
    const registry = registryFromEnv(values.registry, env);
    const registryPoll = values['registry-interval'];
    const range = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/.exec(values['rating-range']);
    if (!range || Number(range[1]) >= Number(range[2]) || Math.max(Math.abs(Number(range[1])), Math.abs(Number(range[2]))) > 1e6) {
      throw new UsageError(`--rating-range must be MIN..MAX with MIN < MAX, within ±1000000 (e.g. 0.5..5); got "${values['rating-range']}"`);
    }
    const modelsDir = values['models-dir'];
    const eventStoreConfig = eventStoreOption({ kind: values['events-store'], name: 'events-db', path: values['events-db'], fallback: defaultEventsDb(modelsDir), mustExist: false }, env)!;
    const server = await startServer({
      createStore: storeFactory(storeConfig),
      storeTimeoutMs: storeConfig.timeoutMs,
      modelsDir,
      eventStoreConfig,
      eventLimits: { rating: [Number(range[1]), Number(range[2])], maxValue },
      feedback: feedbackFromValues(values, env),
      host: values.host,
      port,
      ...(env['RECS_API_KEYS'] !== undefined && { apiKeys: env['RECS_API_KEYS'] }),
      ...(keysFile && { apiKeysFile: keysFile }),
      requireAuth: values['require-auth'] === true || /^(1|true|yes)$/i.test(env['RECS_REQUIRE_AUTH'] ?? ''),
      protectMetrics: values['protect-metrics'] === true,
      demo: values['no-demo'] !== true,
      logLevel,
      shutdownDeadlineMs: deadline * 1000,
      reloadPollMs: reload * 1000,
      ...(registry.kind === 'blob' && { remoteRegistry: openBlobStore(registry, env), remotePollMs: registryPoll * 1000 }),
    });
    if (process.stderr.isTTY) {
      process.stderr.write(`\nrecs serve: listening on ${server.url} (model ${server.modelVersion() ?? 'none yet'}); Ctrl-C stops.\n  curl ${server.url}/readyz\n\n`);
    }
    return new Promise<number>((resolve) => {
      closeOnSignals(server, {
        deadlineMs: deadline * 1000,
        exit: (code) => {
          resolve(code);
          // if something still holds the event loop, do not hang after a clean shutdown
          setTimeout(() => process.exit(code), 1000).unref();
        },
      });
    });
  },
});
