// The `retrain` command, for a Kubernetes CronJob: read the data and the event store → train →
// evaluate → quality gate → load the serving store → promote. Idempotent: rerunning on the same
// data and parameters trains nothing new, and a version left undecided by a crash is gated, loaded
// and promoted on the rerun. It takes every `train` option. This file: its options, then the body.

import { loadEngine } from '../../engine/index.js';
import { DEFAULT_TOLERANCE, GATE_METRIC } from '../../model/lifecycle/gate.js';
import { retrain } from '../../model/lifecycle/retrain.js';
import { registryFromEnv } from '../../model/registry/config.js';
import { openRegistry } from '../../model/registry/open.js';
import type { TrainOptions } from '../../model/pipeline/options.js';
import { servingLoadKind, storeLoadOption } from '../store-option.js';
import { flag, group, num } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { describeEventStore, type EventStoreConfig } from '../../events/open.js';
import { defaultEventsDb, EVENTS_DB_ENV, eventStoreOption } from '../events-db.js';
import { eventsDbOption, eventsStoreOption, loadOption, outputGroup, registryGroup } from '../option-groups.js';
import { createProgress } from '../progress.js';
import { buildTrainOptions, TRAIN_GROUPS } from './train-options.js';

const about = `recs retrain — the scheduled retrain: read the data and the event store → train → evaluate
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

It takes every "recs train" option (--no-activate and --no-evaluate do not apply).`;

const lifecycle = group('Events, gate and store', {
  'events-store': eventsStoreOption('The events of the store "recs serve" writes are merged into the data.'),
  'events-db': eventsDbOption(
    `the SQLite event store to merge into the data (as "recs train --events"): default $${EVENTS_DB_ENV}, else the server's default <models-dir>/../events.sqlite when that file exists (the path is printed)`,
    ['events'],
  ),
  'no-events': flag({ help: 'train on the base data only' }),
  load: loadOption(
    'load the version into Redis or Cosmos DB before promoting it (as "recs load"; settings from RECS_REDIS_URL, RECS_REDIS_PREFIX, RECS_COSMOS_*). Default: the serving store, $RECS_STORE, when it is redis or cosmos, so the store the servers read always holds the version they switch to',
  ),
  'no-load': flag({ help: "do not load a remote store (the servers' store is loaded some other way)" }),
  tolerance: num({ metavar: 'X', min: 0, default: DEFAULT_TOLERANCE, help: `how far below the active model's ${GATE_METRIC} a candidate may be` }),
});

const BLOB_NOTE =
  'With a blob registry it is pulled first (a candidate a crashed run left undecided is downloaded and resumed), and the version and pointer pushed after; the pointer moves only if no other writer moved it meanwhile.';

export const retrainCommand = defineCommand({
  name: 'retrain',
  summary: 'scheduled retrain: train, evaluate, gate, load the store and promote (idempotent)',
  about,
  groups: [...TRAIN_GROUPS, lifecycle, registryGroup({ registry: BLOB_NOTE }), outputGroup('print the outcome as JSON')],
  refused: { 'no-activate': 'retrain promotes through the gate', 'no-evaluate': 'the gate needs the evaluation' },
  async run(values, parsed) {
    const o: TrainOptions & { json: boolean; quiet: boolean } = buildTrainOptions(values);
    const tolerance = values.tolerance;
    const events = eventsOption(values, o.modelsDir, parsed.flag('events-db').slice(2));
    if (events !== undefined) o.events = events;
    const loadKind = loadStore(values.load, values['no-load'], process.env);
    if (loadKind !== undefined) o.load = storeLoadOption('load', loadKind);
    const progress = createProgress({ enabled: !o.json && !o.quiet });
    if (!o.json) progress.note(o.events === undefined ? 'events: none (base data only)' : `events: ${describeEventStore(o.events)}`);
    if (!o.json) progress.note(o.load === undefined ? 'store: none loaded (embedded store: servers read the artifact)' : `store: ${o.load.store}, loaded before the switch`);
    const session = openRegistry(registryFromEnv(values.registry), o.modelsDir);
    const r = await session.publish(() => retrain(loadEngine(), o, progress, { tolerance }), {
      // candidates never gated nor refused: a crashed run's version, resumed (verified) here
      fetch: (reg) => {
        const mentioned = new Set(reg.history().map((e) => e.version));
        return reg
          .infos()
          .filter((i) => i.state === 'candidate' && !mentioned.has(i.version))
          .map((i) => i.version);
      },
    });
    for (const w of session.warnings()) console.error(`retrain: ${w}`);
    if (o.json) console.log(JSON.stringify({ ...r, events: o.events === undefined ? null : describeEventStore(o.events) }, null, 2));
    else console.log(`retrain ${r.action}: ${r.message}\nactive version: ${r.active ?? '(none)'}`);
    return 0;
  },
});

/** The event store to merge: the configured one (--events-store, RECS_EVENTS_STORE); for SQLite
 * --events-db / --events, RECS_EVENTS_DB, or the server's default if present. */
function eventsOption(
  v: { 'events-db'?: string | undefined; 'no-events'?: boolean | undefined; 'events-store'?: string | undefined },
  modelsDir: string,
  flagName: string,
): EventStoreConfig | undefined {
  const flag = v['events-db'];
  if (v['no-events']) {
    if (flag !== undefined || v['events-store'] !== undefined) throw new UsageError(`--no-events and --${flag !== undefined ? flagName : 'events-store'} contradict each other`);
    return undefined;
  }
  return eventStoreOption({ kind: v['events-store'], name: flagName, path: flag, fallback: defaultEventsDb(modelsDir), mustExist: true }, process.env);
}

/** The store to load before promoting: --load, else the serving store (RECS_STORE) when it is bulk-loaded. */
function loadStore(flag: string | undefined, off: boolean | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (off) {
    if (flag !== undefined) throw new UsageError('--load and --no-load contradict each other');
    return undefined;
  }
  return flag ?? servingLoadKind(env);
}
