// Owns the feedback settings that turn events into interaction strengths, the same for training's
// merge (ts/model/pipeline/events-source.ts) and fold-in (./foldin.ts), and the one function that
// applies them (`strength`). The CLI's --event-weights, --event-half-life-days and --negative-below
// (serve, train, retrain) set them; the environment gives the defaults:
//
//   RECS_EVENT_WEIGHTS          per-type weights, e.g. "view=0.5,click=1,purchase=3,like=2,dislike=1"
//                               (each > 0). An event is stored with its multiplier (value, default 1;
//                               negative for a dislike); its strength is weight × multiplier, so a
//                               new weight applies to the stored history at the next retrain
//   RECS_EVENT_HALF_LIFE_DAYS   time decay: an implicit value is multiplied by 2^(−age / half-life),
//                               age = (the time of the training or fold-in) − the event's time; off
//                               when unset (each event counts fully); must be > 0
//   RECS_NEGATIVE_BELOW         a rating below it counts as a dislike (−weight of dislike); unset: off
//
// The strength of a (user, item) pair is then: its latest rating or dislike when it has one (a
// dislike, like a rating ≤ 0, is a negative signal: preference 0 with its confidence in implicit
// models, a low rating in explicit ones), else the sum of its decayed implicit values. An item a
// user interacted with, disliked included, is never recommended back to them.

import type { EventType } from './types.js';

export type EventWeights = Record<Exclude<EventType, 'rating'>, number>;
export const DEFAULT_WEIGHTS: EventWeights = { click: 1, view: 0.5, purchase: 3, like: 2, dislike: 1 };

export interface Decay {
  /** Half-life, ms (Infinity: no decay). */
  halfLifeMs: number;
  /** The time ages are measured from, ms. */
  now: number;
}

export const NO_DECAY: Decay = { halfLifeMs: Infinity, now: 0 };

/** How events and ratings become strengths: the per-type weights, the half-life (ms; Infinity: none), the low-rating threshold (null: none). */
export interface FeedbackSettings {
  weights: EventWeights;
  halfLifeMs: number;
  negativeBelow: number | null;
}

export const DEFAULT_FEEDBACK: FeedbackSettings = { weights: DEFAULT_WEIGHTS, halfLifeMs: Infinity, negativeBelow: null };

/**
 * The strength of one event of `type` with its stored `value`, `factor` its decay: a rating is its
 * value (−the weight of dislike when below the negative threshold), anything else weight × value × factor.
 */
export function strength(type: EventType, value: number, factor: number, s: FeedbackSettings): number {
  if (type === 'rating') return ratingStrength(value, s);
  return s.weights[type] * value * factor;
}

/** A rating's strength: itself, or −the weight of dislike when it is positive and below `negativeBelow` (ratings ≤ 0 are negative already). */
export function ratingStrength(rating: number, s: Pick<FeedbackSettings, 'weights' | 'negativeBelow'>): number {
  return s.negativeBelow !== null && rating > 0 && rating < s.negativeBelow ? -s.weights.dislike : rating;
}

/** The settings from the environment (RECS_EVENT_WEIGHTS, RECS_EVENT_HALF_LIFE_DAYS, RECS_NEGATIVE_BELOW), each a precise error when bad. */
export function feedbackFromEnv(env: NodeJS.ProcessEnv): FeedbackSettings {
  return { weights: weightsFromEnv(env), halfLifeMs: halfLifeFromEnv(env), negativeBelow: negativeBelowFromEnv(env) };
}

/** The decay factor of an event at `timestamp`: 2^(−age / half-life), 1 for events in the future or without decay. */
export function decayFactor(d: Decay, timestamp: number): number {
  if (!Number.isFinite(d.halfLifeMs)) return 1;
  const age = d.now - timestamp;
  return age <= 0 ? 1 : 2 ** (-age / d.halfLifeMs);
}

/** Feedback options as the server and the CLI take them (each absent one keeps its default). */
export interface FeedbackOptions {
  eventWeights?: Partial<EventWeights>;
  eventHalfLifeDays?: number;
  negativeBelow?: number;
}

/** `base` (the environment's settings) with `o` over it, each value checked; errors name the option (`names`: the CLI's flags). */
export function resolveFeedback(base: FeedbackSettings, o: FeedbackOptions, names = { weights: 'eventWeights', halfLife: 'eventHalfLifeDays', negativeBelow: 'negativeBelow' }): FeedbackSettings {
  const weights = { ...base.weights, ...o.eventWeights };
  for (const [type, w] of Object.entries(weights)) checkWeight(type, w, names.weights);
  const days = o.eventHalfLifeDays;
  if (days !== undefined && !(Number.isFinite(days) && days > 0)) throw new Error(`${names.halfLife} must be a number of days > 0 (leave it out for no decay), got ${days}`);
  const below = o.negativeBelow;
  if (below !== undefined && !Number.isFinite(below)) throw new Error(`${names.negativeBelow} must be a rating (a number), got ${below}`);
  return { weights, halfLifeMs: days === undefined ? base.halfLifeMs : days * 86_400_000, negativeBelow: below ?? base.negativeBelow };
}

/** Weights from RECS_EVENT_WEIGHTS over the defaults (throws with the variable and the entry at fault). */
export function weightsFromEnv(env: NodeJS.ProcessEnv): EventWeights {
  return parseWeights(env['RECS_EVENT_WEIGHTS'], 'RECS_EVENT_WEIGHTS');
}

/** Weights from "type=weight,…" over the defaults (`where` names the variable or flag in errors). */
export function parseWeights(raw: string | undefined, where: string, base: EventWeights = DEFAULT_WEIGHTS): EventWeights {
  const w = { ...base };
  if (raw === undefined || raw.trim() === '') return w;
  for (const part of raw.split(',')) {
    const [name, value, extra] = part.split('=').map((s) => s.trim());
    if (!name || value === undefined || value === '' || extra !== undefined) throw new Error(`${where}: "${part}" is not type=weight (e.g. view=0.5,click=1,purchase=3)`);
    if (!(name in DEFAULT_WEIGHTS)) throw new Error(`${where}: unknown event type "${name}"; types with weights: ${Object.keys(DEFAULT_WEIGHTS).join(', ')} (a rating is worth its value)`);
    checkWeight(name, Number(value), where);
    w[name as keyof EventWeights] = Number(value);
  }
  return w;
}

/** Throws unless `w` is a finite weight > 0. */
export function checkWeight(type: string, w: number, where: string): void {
  if (!Number.isFinite(w) || w <= 0) throw new Error(`${where}: the weight of ${type} must be a number > 0, got ${w}`);
}

/** The half-life from RECS_EVENT_HALF_LIFE_DAYS, ms (Infinity when unset; throws when not > 0). */
export function halfLifeFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env['RECS_EVENT_HALF_LIFE_DAYS'];
  if (raw === undefined || raw.trim() === '') return Infinity;
  const days = Number(raw);
  if (!Number.isFinite(days) || days <= 0) throw new Error(`RECS_EVENT_HALF_LIFE_DAYS must be a number of days > 0 (unset: no decay), got "${raw}"`);
  return days * 86_400_000;
}

/** The threshold from RECS_NEGATIVE_BELOW (null when unset; throws when not a finite number). */
export function negativeBelowFromEnv(env: NodeJS.ProcessEnv): number | null {
  const raw = env['RECS_NEGATIVE_BELOW'];
  if (raw === undefined || raw.trim() === '') return null;
  const r = Number(raw);
  if (!Number.isFinite(r)) throw new Error(`RECS_NEGATIVE_BELOW must be a rating (a number; unset: off), got "${raw}"`);
  return r;
}
