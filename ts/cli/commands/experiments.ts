// The `experiments` command: A/B experiments between registry versions (or the popularity
// baseline), held in the registry (EXPERIMENTS.json, local or Blob) — create one, list them, show
// one, stop one (the servers then revert to the active version), report its online result from
// the event store's impressions and events, and conclude it (promote the winner through the gate).

import { experimentNamed, ExperimentError, newExperiment, parseEventTypes, parseVariants, type Experiment } from '../../model/experiments/definition.js';
import { localBook, remoteBook, type ExperimentBook } from '../../model/experiments/book.js';
import { registryFromEnv } from '../../model/registry/config.js';
import { openRegistry, type RegistrySession } from '../../model/registry/open.js';
import { choice, flag, group, num, text } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { eventsDbOption, eventsStoreOption, registryGroup } from '../option-groups.js';
import { writeFileSync } from 'node:fs';
import { defaultEventsDb, eventStoreOption } from '../events-db.js';
import { openEventStore } from '../../events/open.js';
import { DEFAULT_TOLERANCE, GATE_METRIC } from '../../model/lifecycle/gate.js';
import { conclude } from '../../model/experiments/conclude.js';
import { DEFAULT_WINDOW_MS, experimentReport, type ExperimentReport } from '../../model/experiments/report.js';
import { reportHtml, reportText } from '../../model/experiments/render.js';
import type { TrackedEvent } from '../../events/types.js';

const create = group('Create', {
  variants: text({ metavar: 'LIST', help: 'name=version:share,… — two or more; the first is the control; version "popularity" is the baseline list; shares sum to 1' }),
  salt: text({ metavar: 'TEXT', defaultHelp: 'random', help: "the hash salt of the users' assignment (a new salt reshuffles who gets which variant)" }),
  'click-types': text({ metavar: 'TYPES', default: 'click', help: 'event types counted as clicks (comma-separated)' }),
  'conversion-types': text({ metavar: 'TYPES', default: 'purchase', help: 'event types counted as conversions (comma-separated)' }),
  'baseline-rate': num({ metavar: 'X', min: 0, max: 1, default: 0.05, help: "the control's expected click rate per impression (plans the sample size)" }),
  mde: num({ metavar: 'X', min: 0, max: 1, default: 0.01, help: 'the smallest absolute difference in click rate worth detecting (plans the sample size)' }),
  alpha: num({ metavar: 'X', min: 0.0001, max: 0.5, default: 0.05, help: 'significance of the two-sided test' }),
  power: num({ metavar: 'X', min: 0.5, max: 0.9999, default: 0.8, help: 'power of the test at the minimum detectable effect' }),
});
const results = group('Report and conclude', {
  'attribution-window': num({
    metavar: 'SECONDS',
    min: 1,
    integer: true,
    env: 'RECS_ATTRIBUTION_WINDOW',
    default: DEFAULT_WINDOW_MS / 1000,
    help: 'how long after an impression an event naming its recommendationId is attributed to it; later ones (and unknown ids) are counted as not attributed',
  }),
  format: choice({ choices: ['text', 'json', 'html'] as const, default: 'text', help: 'report as text, JSON or an HTML page with the curves over time (report)' }),
  out: text({ metavar: 'FILE', help: 'write the report there instead of printing it (report)' }),
  tolerance: num({ metavar: 'X', min: 0, default: DEFAULT_TOLERANCE, help: `how far below the active model's ${GATE_METRIC} the winner may be (conclude: the gate of "recs models promote")` }),
  force: flag({ help: 'promote the online winner past the offline gate (conclude)' }),
  'events-store': eventsStoreOption('Impressions and events are read from it.'),
  'events-db': eventsDbOption("the SQLite event store (default $RECS_EVENTS_DB, else the server's <models-dir>/../events.sqlite)"),
});
const output = group('Output', { json: flag({ help: 'print as JSON (list, show)' }) });

const REGISTRY = registryGroup({
  modelsDir: '; holds EXPERIMENTS.json (the cache of a blob registry)',
  registry: 'Experiments are EXPERIMENTS.json in the registry; changes to a blob one are conditional on its ETag.',
});

const SUBCOMMANDS = ['create', 'list', 'show', 'stop', 'report', 'conclude'] as const;

/** The experiments of the registry a session opened. */
export function bookOf(session: RegistrySession): ExperimentBook {
  return session.remote ? remoteBook(session.remote, session.local.root) : localBook(session.local.root);
}

function describe(e: Experiment): string {
  const lines = [
    `experiment ${e.name}: ${e.state}${e.stoppedAt ? ` (stopped ${e.stoppedAt})` : ''}, created ${e.createdAt}`,
    `unit      ${e.unit} hashed with salt ${e.salt}`,
    ...e.variants.map((v, i) => `  ${v.name.padEnd(16)} ${v.version.padEnd(28)} ${(v.share * 100).toFixed(1)} %${i === 0 ? '  (control)' : ''}`),
    `clicks ${e.clickTypes.join(',')}; conversions ${e.conversionTypes.join(',')}`,
    `plan      two-sided two-proportion z-test, alpha ${e.plan.alpha}, power ${e.plan.power} at ${e.plan.mde} from ${e.plan.baselineRate}: ${e.plan.minImpressions} impressions per variant`,
  ];
  if (e.outcome) lines.push(`outcome   ${e.outcome.winner ?? 'control kept'} (${e.outcome.at}): ${e.outcome.reason}`);
  return lines.join('\n');
}

export const experimentsCommand = defineCommand({
  name: 'experiments',
  summary: 'create, list, show and stop A/B experiments between model versions',
  about: `recs experiments — A/B experiments between registry versions (or the popularity baseline).

Usage:
  recs experiments create <name> --variants control=vA:0.5,treatment=vB:0.5
                                         start an experiment: every server assigns each user a
                                         variant by hashing the user id with the experiment's salt
                                         (sticky, the same on every replica); one runs at a time
  recs experiments list [--json]         every experiment, oldest first
  recs experiments show <name> [--json]  one experiment
  recs experiments stop <name>           stop it: the servers serve the active version again
  recs experiments report <name> [--format text|json|html] [--out FILE]
                                         per variant: impressions, CTR and conversion rate with
                                         95 % intervals, the difference from the control with a
                                         two-sided z-test (clustered by user), curves over time
  recs experiments conclude <name> [--tolerance X] [--force]
                                         once every variant has the planned sample: promote the
                                         significantly better treatment through the quality gate
                                         (the online result goes into the history), else keep the
                                         control; the experiment ends either way`,
  groups: [create, results, output, REGISTRY],
  positionals: true,
  async run(v, { positionals, given }) {
    const [sub, ...args] = positionals;
    if (sub === undefined) throw new UsageError(`a subcommand is required: ${SUBCOMMANDS.join(', ')}`);
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand "${sub}"; expected one of ${SUBCOMMANDS.join(', ')}`);
    const needsName = sub !== 'list';
    if (needsName && args.length !== 1) throw new UsageError(`experiments ${sub} takes one experiment name, e.g. "recs experiments ${sub} new-ranker"`);
    if (!needsName && args.length > 0) throw new UsageError(`experiments ${sub} takes no name; got "${args.join(' ')}"`);
    for (const o of ['variants', 'salt', 'click-types', 'conversion-types', 'baseline-rate', 'mde', 'alpha', 'power'] as const)
      if (given(o) && sub !== 'create') throw new UsageError(`--${o} goes with create`);
    if (v.json && sub !== 'list' && sub !== 'show') throw new UsageError('--json goes with list or show');
    for (const o of ['format', 'out'] as const) if (given(o) && sub !== 'report') throw new UsageError(`--${o} goes with report`);
    for (const o of ['tolerance', 'force'] as const) if (given(o) && sub !== 'conclude') throw new UsageError(`--${o} goes with conclude`);
    for (const o of ['attribution-window', 'events-store', 'events-db'] as const) if (given(o) && sub !== 'report' && sub !== 'conclude') throw new UsageError(`--${o} goes with report or conclude`);
    const session = openRegistry(registryFromEnv(v.registry), v['models-dir']);
    const book = bookOf(session);
    const name = args[0]!;
    try {
      switch (sub) {
        case 'create': {
          if (v.variants === undefined) throw new UsageError('create needs --variants, e.g. --variants control=vA:0.5,treatment=vB:0.5');
          const variants = parseVariants(v.variants);
          const versions = await session.read((reg) => reg.versionNames());
          const e = await book.update((list) => {
            const made = newExperiment(
              {
                name,
                variants,
                ...(v.salt !== undefined && { salt: v.salt }),
                clickTypes: parseEventTypes(v['click-types'], '--click-types'),
                conversionTypes: parseEventTypes(v['conversion-types'], '--conversion-types'),
                baselineRate: v['baseline-rate'],
                mde: v.mde,
                alpha: v.alpha,
                power: v.power,
              },
              versions,
              list,
            );
            return { list: [...list, made], result: made };
          });
          console.log(`created and started\n${describe(e)}`);
          return 0;
        }
        case 'list': {
          const { experiments } = await book.read();
          if (v.json) console.log(JSON.stringify(experiments, null, 2));
          else if (experiments.length === 0) console.log(`no experiments in ${book.description}`);
          else for (const e of experiments) console.log(`${e.name.padEnd(24)} ${e.state.padEnd(10)} ${e.variants.map((x) => `${x.name}=${x.version}:${x.share}`).join(',')}`);
          return 0;
        }
        case 'show': {
          const e = experimentNamed((await book.read()).experiments, name);
          console.log(v.json ? JSON.stringify(e, null, 2) : describe(e));
          return 0;
        }
        case 'report':
        case 'conclude': {
          const e = experimentNamed((await book.read()).experiments, name);
          const cfg = eventStoreOption({ kind: v['events-store'], name: 'events-db', path: v['events-db'], fallback: defaultEventsDb(v['models-dir']), mustExist: true }, process.env);
          if (!cfg) throw new UsageError('no event store: pass --events-db PATH or --events-store cosmos');
          const store = await openEventStore(cfg, {}, 'inline');
          let report: ExperimentReport;
          try {
            const from = Date.parse(e.createdAt);
            const events: TrackedEvent[] = [];
            for await (const x of store.all()) if (x.recommendationId !== undefined && x.timestamp >= from) events.push(x);
            report = experimentReport(e, await store.impressions(from), events, { windowMs: v['attribution-window'] * 1000 });
          } finally {
            await store.close();
          }
          if (sub === 'report') {
            const out = v.format === 'json' ? JSON.stringify(report, null, 2) : v.format === 'html' ? reportHtml(report) : reportText(report);
            if (v.out) {
              writeFileSync(v.out, out);
              console.log(`wrote ${v.out}`);
            } else console.log(out);
            return 0;
          }
          if (e.state === 'concluded') throw new ExperimentError(`${name} is already concluded: ${e.outcome?.reason ?? ''}`);
          const winner = report.variants.map((x) => x.version).filter((x) => x !== 'popularity');
          const outcome = await session.change((reg) => conclude(e, report, reg, { tolerance: v.tolerance, force: v.force ?? false }), { fetch: () => winner });
          await book.update((list) => ({
            list: list.map((x) =>
              x.name === name ? { ...x, state: 'concluded' as const, stoppedAt: x.stoppedAt ?? outcome.at, outcome: { at: outcome.at, winner: outcome.winner, reason: outcome.reason } } : x,
            ),
            result: null,
          }));
          console.log(`${reportText(report)}\n\nconcluded ${name}: ${outcome.promoted ? 'promoted' : 'kept'} — ${outcome.reason}`);
          return 0;
        }
        case 'stop': {
          const was = await book.update((list) => {
            const e = experimentNamed(list, name);
            if (e.state !== 'running') return { list, result: e.state };
            return { list: list.map((x) => (x === e ? { ...x, state: 'stopped' as const, stoppedAt: new Date().toISOString() } : x)), result: 'running' };
          });
          console.log(was === 'running' ? `stopped ${name}: the servers serve the active version again` : `${name} is already ${was}`);
          return 0;
        }
      }
    } catch (e) {
      if (e instanceof ExperimentError) {
        console.error(`error: ${e.message}`);
        return 1;
      }
      throw e;
    }
    return 2;
  },
});
