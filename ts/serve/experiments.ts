// Owns serving the running experiment: it reads the registry's experiments (EXPERIMENTS.json, the
// local directory or the remote registry) at start and every poll, loads each variant's version
// beside the active model (the popularity variant needs none: it answers the active model's
// popularity list), and assigns each request's user a variant with the experiment's salted hash
// (../model/experiments/assign.ts: the same on every replica and after a restart; one hash and no
// allocation per request). When no experiment runs, `assign` is one null check. A stopped
// experiment's models are retired and every user is served the active version again. Per variant
// it counts answers, impressions and the clicks and conversions of events that name a
// recommendation, for /metrics. Every model variant is its own loaded model (its own catalog, even
// for the active version), so answers cached per catalog (./answer-cache.ts) never mix a variant's
// answer with the active model's.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Assigner } from '../model/experiments/assign.js';
import type { ExperimentBook } from '../model/experiments/book.js';
import { POPULARITY, runningExperiment, type Experiment } from '../model/experiments/definition.js';
import type { Logger } from './logger.js';
import type { ModelManager } from './model-manager.js';
import type { ServingModel } from './serving-model.js';

export interface ServedVariant {
  readonly name: string;
  readonly version: string;
  /** The variant's model; null for the popularity variant (the active model's popularity list). */
  readonly model: ServingModel | null;
  /** `,"experiment":…,"variant":…`, encoded once. */
  readonly field: Buffer;
  answers: number;
  impressions: number;
  clicks: number;
  conversions: number;
}

interface Running {
  experiment: Experiment;
  assigner: Assigner;
  variants: ServedVariant[];
  /** Bytes of the variant versions' files (what loading them maps into memory, about). */
  bytes: number;
}

export class ExperimentServing {
  running: Running | null = null;
  private tag: string | null | undefined = undefined;
  private syncing: Promise<void> | null = null;

  constructor(private readonly o: { book: ExperimentBook; models: ModelManager; log: Logger; registryRoot: string; fetch?: (version: string) => Promise<void> }) {}

  /** The user's variant, or null when no experiment runs. */
  assign(userId: string): ServedVariant | null {
    const r = this.running;
    return r === null ? null : r.variants[r.assigner.variantIndex(userId)]!;
  }

  /** Reads the experiments again and applies a change (concurrent calls share one read). */
  sync(): Promise<void> {
    this.syncing ??= this.apply().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async apply(): Promise<void> {
    const { experiments, tag } = await this.o.book.read();
    if (tag === this.tag) return;
    const e = runningExperiment(experiments);
    const was = this.running;
    if (was && e && was.experiment.name === e.name && was.experiment.salt === e.salt) {
      this.tag = tag;
      return;
    }
    if (!e) {
      this.tag = tag;
      if (was) this.o.log.info({ experiment: was.experiment.name }, 'the experiment stopped: every user is served the active version again');
      this.running = null;
      if (was) this.retire(was);
      return;
    }
    const models = new Map<string, ServingModel>();
    try {
      for (const v of e.variants) {
        if (v.version === POPULARITY || models.has(v.version)) continue;
        await this.o.fetch?.(v.version);
        const m = await this.o.models.loadVersion(v.version);
        if (m === null) return;
        models.set(v.version, m.acquire());
      }
    } catch (err) {
      for (const m of models.values()) m.release();
      for (const m of models.values()) void m.retire();
      this.tag = tag; // not retried until the experiments change
      this.o.log.error({ err, experiment: e.name }, 'cannot load a variant of the experiment; serving the active version to every user');
      this.running = null;
      if (was) this.retire(was);
      return;
    }
    const bytes = [...models.keys()].reduce((n, v) => n + dirBytes(join(this.o.registryRoot, v)), 0);
    const variants = e.variants.map((v) => ({
      name: v.name,
      version: v.version,
      model: models.get(v.version) ?? null,
      field: Buffer.from(`,"experiment":${JSON.stringify(e.name)},"variant":${JSON.stringify(v.name)}`),
      answers: 0,
      impressions: 0,
      clicks: 0,
      conversions: 0,
    }));
    this.running = { experiment: e, assigner: new Assigner(e), variants, bytes };
    this.tag = tag;
    this.o.log.info(
      { experiment: e.name, variants: e.variants.map((v) => `${v.name}=${v.version}:${v.share}`).join(','), modelBytes: bytes },
      `experiment running: ${models.size} variant model(s) loaded beside the active one (${(bytes / 2 ** 20).toFixed(1)} MiB of artifacts)`,
    );
    if (was) this.retire(was);
  }

  private retire(r: Running): void {
    for (const v of r.variants) {
      if (!v.model) continue;
      v.model.release();
      void v.model.retire();
    }
  }

  /** Counts an impression report's items for the user's variant. */
  countImpressions(userId: string, n: number): void {
    const v = this.assign(userId);
    if (v) v.impressions += n;
  }

  /** Counts an event naming a recommendation as a click or a conversion of the user's variant. */
  countEvent(userId: string, type: string): void {
    const r = this.running;
    if (!r) return;
    const v = r.variants[r.assigner.variantIndex(userId)]!;
    if ((r.experiment.clickTypes as string[]).includes(type)) v.clicks++;
    if ((r.experiment.conversionTypes as string[]).includes(type)) v.conversions++;
  }

  /** Prometheus lines of the running experiment's counters. */
  metricLines(esc: (s: string) => string): string[] {
    const r = this.running;
    const out: string[] = [];
    const series: [string, string, (v: ServedVariant) => number][] = [
      ['recs_experiment_answers_total', 'Recommendation answers per experiment variant.', (v) => v.answers],
      ['recs_experiment_impressions_total', 'Items reported shown (POST /v1/impressions) per experiment variant of the user.', (v) => v.impressions],
      ['recs_experiment_clicks_total', "Events of the experiment's click types naming a recommendation, per variant of the user.", (v) => v.clicks],
      ['recs_experiment_conversions_total', "Events of the experiment's conversion types naming a recommendation, per variant of the user.", (v) => v.conversions],
    ];
    for (const [name, help, f] of series) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      if (r) for (const v of r.variants) out.push(`${name}{experiment="${esc(r.experiment.name)}",variant="${esc(v.name)}",version="${esc(v.version)}"} ${f(v)}`);
    }
    out.push('# HELP recs_experiment_model_bytes Bytes of the artifacts of the variant models loaded beside the active one.', '# TYPE recs_experiment_model_bytes gauge');
    out.push(`recs_experiment_model_bytes ${r?.bytes ?? 0}`);
    return out;
  }

  /** Releases the variant models (server close). */
  async close(): Promise<void> {
    await this.syncing?.catch(() => {});
    if (this.running) this.retire(this.running);
    this.running = null;
  }
}

function dirBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}
