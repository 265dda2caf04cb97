// The `retrain` command, for a Kubernetes CronJob: read the data and the event store → train →
// evaluate → quality gate → load the serving store → promote. Idempotent: rerunning on the same
// data and parameters trains nothing new, and a version left undecided by a crash is gated, loaded
// and promoted on the rerun. It takes every `train` option.

import { parseArgs } from 'node:util';
import { loadEngine } from '../../engine/index.js';
import { DEFAULT_TOLERANCE, GATE_METRIC } from '../../model/lifecycle/gate.js';
import { retrain } from '../../model/lifecycle/retrain.js';
import { REGISTRY_HELP, registryFromEnv } from '../../model/registry/config.js';
import { openRegistry } from '../../model/registry/open.js';
import type { TrainOptions } from '../../model/pipeline/options.js';
import { servingLoadKind, storeLoadOption } from '../store-option.js';
import { loadableStoreKinds } from '../../store/registry.js';
import { numberOption, UsageError, type Command } from '../command.js';
import { describeEventStore, type EventStoreConfig } from '../../events/open.js';
import { defaultEventsDb, EVENTS_DB_ENV, EVENTS_STORE_HELP, eventStoreOption } from '../events-db.js';
import { createProgress } from '../progress.js';
import { buildTrainOptions, TRAIN_OPTIONS } from './train.js';

const help = `recs retrain — the scheduled retrain: read the data and the event store → train → evaluate
→ quality gate → load the serving store → promote.

The new version becomes active only if its ${GATE_METRIC} is at least the active model's minus the
tolerance and it beats its popularity baseline; otherwise it stays a candidate and the reason is
printed and recorded in the registry history ("recs models show <version>"; "recs models promote
<version> --force" overrides). With --load, the version's lists are loaded into the store before
the registry's active pointer moves, so servers never switch to a version their store lacks; a
refused version is not loaded.

Idempotent and safe to rerun after a crash at any step: when a version with the same data
fingerprint (events included), parameters and split exists, nothing is trained; if that version
was never promoted or refused (a crash after training, or between the store load and the
promotion), it is gated, loaded (the same keys or documents are overwritten) and promoted now.

Options: every "recs train" option (see "recs train --help"; --no-activate and --no-evaluate do not
apply), plus
  ${EVENTS_STORE_HELP}.
                          The events of the store "recs serve" writes are merged into the data.
  --events-db PATH        the SQLite event store to merge into the data (as "recs train --events"):
                          default $${EVENTS_DB_ENV}, else the server's default <models-dir>/../events.sqlite
                          when that file exists (the path is printed)
  --events PATH           the same as --events-db
  --no-events             train on the base data only
  --load ${loadableStoreKinds().join('|')}     load the version into Redis or Cosmos DB before promoting it (as "recs load";
                          settings from RECS_REDIS_URL, RECS_REDIS_PREFIX, RECS_COSMOS_*). Default: the
                          serving store, $RECS_STORE, when it is redis or cosmos, so the store the servers
                          read always holds the version they switch to
  --no-load               do not load a remote store (the servers' store is loaded some other way)
  --tolerance X           how far below the active model's ${GATE_METRIC} a candidate may be (default ${DEFAULT_TOLERANCE})
  ${REGISTRY_HELP}
                          With a blob registry it is pulled first (a candidate a crashed run left
                          undecided is downloaded and resumed), and the version and pointer pushed
                          after; the pointer moves only if no other writer moved it meanwhile.
  --json                  print the outcome as JSON
`;

export const retrainCommand: Command = {
  name: 'retrain',
  summary: 'scheduled retrain: train, evaluate, gate, load the store and promote (idempotent)',
  help,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { ...TRAIN_OPTIONS, tolerance: { type: 'string' }, 'events-db': { type: 'string' }, events: { type: 'string' }, 'no-events': { type: 'boolean' }, 'events-store': { type: 'string' }, load: { type: 'string' }, 'no-load': { type: 'boolean' }, registry: { type: 'string' } },
    });
    if (values['no-activate']) throw new UsageError('--no-activate does not apply: retrain promotes through the gate');
    if (values['no-evaluate']) throw new UsageError('--no-evaluate does not apply: the gate needs the evaluation');
    const o: TrainOptions & { json: boolean; quiet: boolean } = buildTrainOptions(values);
    const tolerance = numberOption('tolerance', values.tolerance, DEFAULT_TOLERANCE, { min: 0 });
    const events = eventsOption(values, o.modelsDir);
    if (events !== undefined) o.events = events;
    const loadKind = loadOption(values.load, values['no-load'], process.env);
    if (loadKind !== undefined) o.load = storeLoadOption('load', loadKind);
    const progress = createProgress({ enabled: !o.json && !o.quiet });
    if (!o.json) progress.note(o.events === undefined ? 'events: none (base data only)' : `events: ${describeEventStore(o.events)}`);
    if (!o.json) progress.note(o.load === undefined ? 'store: none loaded (embedded store: servers read the artifact)' : `store: ${o.load.store}, loaded before the switch`);
    const session = openRegistry(registryFromEnv(values.registry), o.modelsDir);
    const r = await session.publish(() => retrain(loadEngine(), o, progress, { tolerance }), {
      // candidates never gated nor refused: a crashed run's version, resumed (verified) here
      fetch: (reg) => {
        const mentioned = new Set(reg.history().map((e) => e.version));
        return reg.infos().filter((i) => i.state === 'candidate' && !mentioned.has(i.version)).map((i) => i.version);
      },
    });
    for (const w of session.warnings()) console.error(`retrain: ${w}`);
    if (o.json) console.log(JSON.stringify({ ...r, events: o.events === undefined ? null : describeEventStore(o.events) }, null, 2));
    else console.log(`retrain ${r.action}: ${r.message}\nactive version: ${r.active ?? '(none)'}`);
    return 0;
  },
};

/** The event store to merge: the configured one (--events-store, RECS_EVENTS_STORE); for SQLite
 * --events-db / --events, RECS_EVENTS_DB, or the server's default if present. */
function eventsOption(v: { 'events-db'?: string | undefined; events?: string | undefined; 'no-events'?: boolean | undefined; 'events-store'?: string | undefined }, modelsDir: string): EventStoreConfig | undefined {
  if (v['events-db'] !== undefined && v.events !== undefined && v['events-db'] !== v.events) throw new UsageError('--events-db and --events name different event stores; give one');
  const flagName = v['events-db'] !== undefined ? 'events-db' : 'events';
  const flag = v['events-db'] ?? v.events;
  if (v['no-events']) {
    if (flag !== undefined || v['events-store'] !== undefined) throw new UsageError(`--no-events and --${flag !== undefined ? flagName : 'events-store'} contradict each other`);
    return undefined;
  }
  return eventStoreOption({ kind: v['events-store'], name: flagName, path: flag, fallback: defaultEventsDb(modelsDir), mustExist: true }, process.env);
}

/** The store to load before promoting: --load, else the serving store (RECS_STORE) when it is bulk-loaded. */
function loadOption(flag: string | undefined, off: boolean | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (off) {
    if (flag !== undefined) throw new UsageError('--load and --no-load contradict each other');
    return undefined;
  }
  return flag ?? servingLoadKind(env);
}
