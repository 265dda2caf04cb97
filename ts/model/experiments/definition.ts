// Owns what an experiment is and which experiments are valid: a name, a per-experiment salt, the
// unit (the user id), two or more variants (a registry version or the popularity baseline, each
// with a traffic share; the first is the control), the event types counted as clicks and
// conversions, the planned fixed-horizon sample, and its state (running, stopped, concluded).
// Every rule a new experiment must meet is checked here, each refusal naming the field: shares
// in (0, 1] summing to 1, distinct variant names, known versions (one version may be two variants:
// an A/A test), and no other
// running experiment on the same unit (every experiment covers all the unit's traffic, so two
// running ones would overlap).

import { EVENT_TYPES, type EventType } from '../../events/types.js';
import { minSampleSize } from '../../eval/ab-test.js';

export const POPULARITY = 'popularity';
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SHARE_TOLERANCE = 1e-9;

export interface Variant {
  name: string;
  /** A registry version, or "popularity" (the baseline list). */
  version: string;
  share: number;
}

export interface Plan {
  /** The control's expected click rate per impression. */
  baselineRate: number;
  /** The smallest absolute difference in click rate worth detecting. */
  mde: number;
  alpha: number;
  power: number;
  /** Impressions each variant needs before the test is read (the two-proportion z-test's fixed horizon). */
  minImpressions: number;
}

export interface Outcome {
  at: string;
  /** The variant whose version was promoted, or null (the control kept). */
  winner: string | null;
  reason: string;
}

export interface Experiment {
  name: string;
  salt: string;
  unit: 'userId';
  /** The first is the control. */
  variants: Variant[];
  state: 'running' | 'stopped' | 'concluded';
  clickTypes: EventType[];
  conversionTypes: EventType[];
  plan: Plan;
  createdAt: string;
  stoppedAt?: string;
  outcome?: Outcome;
}

export class ExperimentError extends Error {
  override name = 'ExperimentError';
}

export interface NewExperiment {
  name: string;
  variants: Variant[];
  salt?: string;
  clickTypes?: EventType[];
  conversionTypes?: EventType[];
  baselineRate?: number;
  mde?: number;
  alpha?: number;
  power?: number;
}

/** "control=v1:0.5,treatment=v2:0.5" → variants; a clear error naming the bad part. */
export function parseVariants(spec: string): Variant[] {
  return spec.split(',').map((part, i) => {
    const m = /^\s*([^=:,\s]+)=([^:,\s]+):([0-9.eE+-]+)\s*$/.exec(part);
    if (!m) throw new ExperimentError(`variant ${i + 1} "${part}" is not name=version:share (e.g. control=v20261201-000000-abc123:0.5, or baseline=popularity:0.5)`);
    const share = Number(m[3]);
    return { name: m[1]!, version: m[2]!, share };
  });
}

/** Event types from a comma-separated list, each checked. */
export function parseEventTypes(list: string, what: string): EventType[] {
  const types = list.split(',').map((t) => t.trim());
  for (const t of types) if (!(EVENT_TYPES as readonly string[]).includes(t)) throw new ExperimentError(`${what}: unknown event type "${t}"; known: ${EVENT_TYPES.join(', ')}`);
  return types as EventType[];
}

/**
 * The experiment to store, or an ExperimentError naming what is wrong. `versions`: the registry's
 * version names; `existing`: the experiments already stored.
 */
export function newExperiment(spec: NewExperiment, versions: readonly string[], existing: readonly Experiment[], now = new Date(), salt = randomSalt()): Experiment {
  if (!NAME_PATTERN.test(spec.name)) throw new ExperimentError(`experiment name "${spec.name}" must be 1–64 letters, digits, "-" or "_", starting with a letter or digit`);
  if (existing.some((e) => e.name === spec.name)) throw new ExperimentError(`an experiment named "${spec.name}" already exists; pick another name`);
  const vs = spec.variants;
  if (vs.length < 2) throw new ExperimentError(`an experiment needs two or more variants; got ${vs.length}`);
  const known = new Set(versions);
  const seen = new Set<string>();
  let sum = 0;
  vs.forEach((v, i) => {
    const where = `variant ${i + 1} ("${v.name}")`;
    if (!NAME_PATTERN.test(v.name)) throw new ExperimentError(`${where}: a variant name is 1–64 letters, digits, "-" or "_"`);
    if (seen.has(v.name)) throw new ExperimentError(`${where}: the name is used twice`);
    seen.add(v.name);
    if (v.version !== POPULARITY && !known.has(v.version))
      throw new ExperimentError(`${where}: unknown model version "${v.version}"; known: ${versions.length ? versions.join(', ') : '(none)'}, or "${POPULARITY}"`);
    if (!(Number.isFinite(v.share) && v.share > 0 && v.share <= 1)) throw new ExperimentError(`${where}: share must be a number in (0, 1]; got ${v.share}`);
    sum += v.share;
  });
  if (Math.abs(sum - 1) > SHARE_TOLERANCE) throw new ExperimentError(`the variants' shares sum to ${+sum.toFixed(6)}, not 1 (${vs.map((v) => `${v.name} ${v.share}`).join(' + ')})`);
  const running = existing.find((e) => e.state === 'running');
  if (running)
    throw new ExperimentError(
      `experiment "${running.name}" is running on the same unit (userId, all traffic): experiments on one unit would overlap; stop it first with "recs experiments stop ${running.name}"`,
    );
  const baselineRate = spec.baselineRate ?? 0.05;
  const mde = spec.mde ?? 0.01;
  const alpha = spec.alpha ?? 0.05;
  const power = spec.power ?? 0.8;
  let minImpressions: number;
  try {
    minImpressions = minSampleSize(baselineRate, mde, alpha, power);
  } catch (e) {
    throw new ExperimentError(`the plan: ${(e as Error).message} (--baseline-rate, --mde)`);
  }
  return {
    name: spec.name,
    salt: spec.salt ?? salt,
    unit: 'userId',
    variants: vs.map((v) => ({ name: v.name, version: v.version, share: v.share })),
    state: 'running',
    clickTypes: spec.clickTypes ?? ['click'],
    conversionTypes: spec.conversionTypes ?? ['purchase'],
    plan: { baselineRate, mde, alpha, power, minImpressions },
    createdAt: now.toISOString(),
  };
}

function randomSalt(): string {
  return crypto.getRandomValues(new Uint32Array(2)).reduce((s, x) => s + x.toString(16).padStart(8, '0'), '');
}

/** The running experiment, or null. */
export function runningExperiment(list: readonly Experiment[]): Experiment | null {
  return list.find((e) => e.state === 'running') ?? null;
}

/** The experiment named `name`, or an error naming the known ones. */
export function experimentNamed(list: readonly Experiment[], name: string): Experiment {
  const e = list.find((x) => x.name === name);
  if (!e) throw new ExperimentError(`no experiment named "${name}"; known: ${list.length ? list.map((x) => x.name).join(', ') : '(none)'}`);
  return e;
}
