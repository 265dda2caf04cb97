// The `train` command: its options (the shared data/split/ALS groups, plus events, --auto, the
// registry and publishing), then the body: runs the training pipeline with progress bars and prints
// the metrics beside the popularity baseline.

import { loadEngine } from '../../engine/index.js';
import type { TrainOptions } from '../../model/pipeline/options.js';
import { trainAndPublish } from '../../model/lifecycle/publish.js';
import { describeBulkLoad } from '../../store/config.js';
import { storeLoadOption } from '../store-option.js';
import { DEFAULT_TOLERANCE } from '../../model/lifecycle/gate.js';
import { registryFromEnv, type RegistryLocation } from '../../model/registry/config.js';
import { openRegistry } from '../../model/registry/open.js';
import { AUTO_DEFAULTS, autoTune, type AutoOptions } from '../../model/tune/auto.js';
import { describeTrial } from '../../model/tune/space.js';
import { defaultConcurrency } from '../../model/tune/tune.js';
import { flag, group, num, type Parsed, type Values } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { createProgress } from '../progress.js';
import { metricsTable } from '../metrics-table.js';
import { defaultEventsDb, EVENTS_DB_ENV, eventStoreOption } from '../events-db.js';
import { eventsDbOption, eventsStoreOption, LOADABLE_STORES, loadOption, outputGroup, registryGroup } from '../option-groups.js';
import { buildTrainOptions, TRAIN_GROUPS } from './train-options.js';

const events = group('Events', {
  'events-db': eventsDbOption(
    'merge the events in this SQLite event store (the server\'s events file) into the data: one row per (user, item) pair (the latest rating, else the sum of the implicit weights; the later of an event and a data row wins), new users and items included; the data rows of users erased with DELETE /v1/users/{id} are left out (only events sent after the erasure remain). Counts go to the manifest\'s data.events. Stored events no model can use (e.g. a value of 1e39 from an older version) are skipped, counted and named. train merges events only when given this or --events-store; $RECS_EVENTS_DB is read by "recs serve" and "recs retrain", not here.',
    ['events'],
  ),
  'events-store': eventsStoreOption("Given, train merges that store's events (sqlite: --events-db, else the server's default <models-dir>/../events.sqlite)."),
});

const autoGroup = group('Automatic parameters', {
  auto: flag({
    help: `choose the implicit parameters for this data: a bounded search on a validation split carved from the training data (confidence linear or log, α, λ, rank, α0, regularisation convention, feedback), probe fits prune hopeless trials, then α and λ are refined around the best (halved, doubled); prints what it chose. No trial starts after --auto-budget seconds`,
  }),
  'auto-trials': num({ metavar: 'N', integer: true, min: 1, max: 1000, default: AUTO_DEFAULTS.trials, help: "trials of --auto, the defaults' included" }),
  'auto-budget': num({ metavar: 'S', min: 1, default: AUTO_DEFAULTS.budgetSeconds, help: 'seconds after which --auto starts no new trial' }),
});

const BLOB_NOTE =
  'With a blob registry the registry is pulled first (the gate compares with the active version there) and the new version pushed after training; the pointer moves only if no other writer moved it meanwhile.';

const publishing = group('Publishing', {
  'no-activate': flag({ help: 'register the version without making it the active one' }),
  gate: flag({
    help: "register the version as a candidate and make it active only if it passes the quality gate (ndcg@10 ≥ the active model's − tolerance, and above the popularity baseline); the reason is printed and recorded in the registry",
  }),
  tolerance: num({ metavar: 'X', min: 0, default: DEFAULT_TOLERANCE, help: "the gate's tolerance" }),
  load: loadOption(
    `before the version becomes active (after the gate, if any), bulk-load its top-k lists into that store (${LOADABLE_STORES.join(' or ')}) as "recs load" does (write beside, verify, flip the store's pointer, keep one older version), with a progress bar and a users/s line; connection settings from the same environment as "recs load" (RECS_REDIS_URL, RECS_REDIS_PREFIX, RECS_COSMOS_*). Skipped when the gate refuses the version.`,
  ),
});

const GROUPS = [...TRAIN_GROUPS, events, autoGroup, registryGroup({ registry: BLOB_NOTE }), publishing, outputGroup('print the manifest as JSON on stdout (no progress bars)')] as const;

type TrainCommandValues = Values<typeof GROUPS>;

/** The values as training options, with the combinations that make no sense refused. */
function trainOptions(
  values: TrainCommandValues,
  parsed: Parsed<TrainCommandValues>,
): TrainOptions & { json: boolean; quiet: boolean; registry: RegistryLocation; auto?: Omit<AutoOptions, 'concurrency'> } {
  const o: TrainOptions & { json: boolean; quiet: boolean; auto?: Omit<AutoOptions, 'concurrency'> } = buildTrainOptions(values);
  if (values.auto) {
    if (o.algorithm) throw new UsageError(`--auto searches ALS parameters; it cannot go with --algorithm ${o.algorithm.name} (use "recs tune --algorithm ${o.algorithm.name}")`);
    if (!o.als.implicitPrefs) throw new UsageError('--auto searches implicit-feedback parameters; it cannot go with --explicit');
    o.auto = { trials: values['auto-trials'], budgetSeconds: values['auto-budget'], seed: AUTO_DEFAULTS.seed };
  } else if (parsed.given('auto-trials') || parsed.given('auto-budget')) throw new UsageError('--auto-trials and --auto-budget go with --auto');
  const path = values['events-db'];
  const eventsFlag = path !== undefined ? parsed.flag('events-db') : values['events-store'] !== undefined ? '--events-store' : undefined;
  if (eventsFlag !== undefined) {
    if (o.dataset.kind === 'file' && o.dataset.testPath !== undefined) throw new UsageError(`${eventsFlag} merges into the data to split: it cannot go with --test-file`);
    const fallback = defaultEventsDb(o.modelsDir);
    const events = eventStoreOption({ kind: values['events-store'], name: parsed.flag('events-db').slice(2), path, fallback, mustExist: true }, { ...process.env, [EVENTS_DB_ENV]: undefined });
    if (events === undefined) throw new UsageError(`--events-store sqlite: no event store at ${fallback}; name one with --events-db PATH`);
    o.events = events;
  }
  if (values.load !== undefined) {
    if (!o.activate) throw new UsageError('--load serves the new version: it cannot go with --no-activate');
    o.load = storeLoadOption('load', values.load);
  }
  if (parsed.given('tolerance') && !values.gate) throw new UsageError('--tolerance goes with --gate');
  if (values.gate) {
    if (!o.activate) throw new UsageError('--gate and --no-activate contradict each other');
    if (!o.evaluate) throw new UsageError('--gate needs the evaluation; drop --no-evaluate');
    o.gate = { tolerance: values.tolerance };
  }
  return { ...o, registry: registryFromEnv(values.registry) };
}

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'fit ALS (or --algorithm ease), evaluate beside a popularity baseline, precompute top-k, write a model artifact',
  about: `recs train — fit ALS (or another --algorithm), evaluate it beside a popularity baseline, precompute every user's top-k,
and write a versioned model artifact with an HTML report.`,
  groups: GROUPS,
  async run(values, parsed) {
    let o = trainOptions(values, parsed);
    const progress = createProgress({ enabled: !o.json && !o.quiet });
    const engine = loadEngine();
    if (o.auto) {
      const a = await autoTune(engine, o, { ...o.auto, concurrency: defaultConcurrency() }, progress);
      o = { ...o, ...a.options };
      const r = a.result;
      const note = `${r.results.length} trials (${r.results.filter((t) => t.pruned).length} pruned${r.skipped ? `, ${r.skipped} left out by the budget` : ''})`;
      if (!o.json) console.log(`auto: chose ${describeTrial(a.chosen)} — validation ndcg@${o.k} ${r.best.score.toFixed(4)}, ${note}`);
    }
    const session = openRegistry(o.registry, o.modelsDir);
    const r = await session.publish(() => trainAndPublish(engine, o, progress));
    if (o.json) {
      console.log(JSON.stringify({ ...r.manifest, dir: r.dir, report: r.reportPath, activated: r.activated, ...(r.gate ? { gate: r.gate } : {}), ...(r.load ? { load: r.load } : {}) }, null, 2));
      return 0;
    }
    const m = r.manifest;
    console.log(`\nmodel ${m.version} (${m.data.source}: ${m.data.users} users, ${m.data.items} items, ${m.data.interactions} interactions)`);
    if (Object.keys(m.metrics).length > 0) console.log('\n' + metricsTable(m.metrics, m.baseline));
    console.log(`\nartifact  ${r.dir}\nreport    ${r.reportPath}${r.activated ? '\nactive    yes (servers watching this registry switch to it)' : ''}`);
    if (r.gate) console.log(`gate      ${r.gate.pass ? 'passed' : 'refused (stays a candidate)'}: ${r.gate.reason}`);
    const ev = m.data.events as { skippedRows?: number; skipped?: { eventId: string; userId: string; field: string; message: string }[] } | undefined;
    if (ev?.skippedRows)
      console.log(
        `skipped   ${ev.skippedRows} unusable stored event(s), e.g. ${ev.skipped!.map((p) => `${p.eventId} (user ${p.userId}, ${p.field}: ${p.message})`).join('; ')} (manifest data.events.skipped)`,
      );
    const l = r.load;
    if (l) console.log(describeBulkLoad(l, '    '));
    else if (o.load) console.log(`loaded    no: the version is not active, ${o.load.store} still serves the previous one`);
    return 0;
  },
});
