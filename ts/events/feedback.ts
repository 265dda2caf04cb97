// Owns the feedback settings that turn events into interaction strengths, the same for training's
// merge (ts/model/pipeline/events-source.ts) and fold-in (./foldin.ts), read from the environment:
//
//   RECS_EVENT_WEIGHTS          per-type weights, e.g. "view=0.5,click=1,purchase=3,like=2,dislike=1"
//                               (each > 0; the stored value of an event is weight × its value; a
//                               dislike is stored negative: −weight × value)
//   RECS_EVENT_HALF_LIFE_DAYS   time decay: an event's value is multiplied by 2^(−age / half-life),
//                               age = (the time of the training or fold-in) − the event's time; off
//                               when unset (each event counts fully); must be > 0
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

/** The decay factor of an event at `timestamp`: 2^(−age / half-life), 1 for events in the future or without decay. */
export function decayFactor(d: Decay, timestamp: number): number {
  if (!Number.isFinite(d.halfLifeMs)) return 1;
  const age = d.now - timestamp;
  return age <= 0 ? 1 : 2 ** (-age / d.halfLifeMs);
}

/** Weights from RECS_EVENT_WEIGHTS over the defaults (throws with the variable and the entry at fault). */
export function weightsFromEnv(env: NodeJS.ProcessEnv): EventWeights {
  const raw = env['RECS_EVENT_WEIGHTS'];
  const w = { ...DEFAULT_WEIGHTS };
  if (raw === undefined || raw.trim() === '') return w;
  for (const part of raw.split(',')) {
    const [name, value, extra] = part.split('=').map((s) => s.trim());
    if (!name || value === undefined || extra !== undefined) throw new Error(`RECS_EVENT_WEIGHTS: "${part}" is not type=weight (e.g. view=0.5,click=1,purchase=3)`);
    if (!(name in DEFAULT_WEIGHTS)) throw new Error(`RECS_EVENT_WEIGHTS: unknown event type "${name}"; types with weights: ${Object.keys(DEFAULT_WEIGHTS).join(', ')} (a rating is worth its value)`);
    checkWeight(name, Number(value), 'RECS_EVENT_WEIGHTS');
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
