// Owns the feedback options `serve`, `train`, `tune` and `retrain` share (--event-weights,
// --event-half-life-days, --negative-below): their declaration, with the environment's settings
// as defaults, and their resolution into the settings training and fold-in share
// (ts/events/feedback.ts); a bad value is a usage error naming the flag.

import { DEFAULT_WEIGHTS, feedbackFromEnv, parseWeights, resolveFeedback, type FeedbackSettings } from '../events/feedback.js';
import { group, num, text } from '../options/index.js';
import { UsageError } from './command.js';

const DEFAULT_WEIGHTS_TEXT = Object.entries(DEFAULT_WEIGHTS)
  .map(([t, w]) => `${t}=${w}`)
  .join(',');

export const feedbackGroup = group('Feedback (how events become strengths, in training and fold-in alike; train and serve take the same)', {
  'event-weights': text({
    metavar: 'TYPE=W,…',
    defaultHelp: `$RECS_EVENT_WEIGHTS, else ${DEFAULT_WEIGHTS_TEXT}`,
    help: "per-type weights, each > 0, over the defaults: an event's strength is its type's weight × its value (applied when events are read, so new weights re-weigh the stored history)",
  }),
  'event-half-life-days': num({
    metavar: 'D',
    defaultHelp: '$RECS_EVENT_HALF_LIFE_DAYS, else no decay',
    help: 'time decay of implicit events: × 2^(−age / D), age measured from the training or the fold-in; D > 0 (ratings keep their value)',
  }),
  'negative-below': num({
    metavar: 'R',
    defaultHelp: '$RECS_NEGATIVE_BELOW, else off',
    help: 'ratings below R count as dislikes (−the weight of dislike: pushed down, never recommended back), in the training data, merged events and fold-in alike; e.g. 2 on a 1–5 scale',
  }),
});

export interface FeedbackValues {
  'event-weights'?: string | undefined;
  'event-half-life-days'?: number | undefined;
  'negative-below'?: number | undefined;
}

const NAMES = { weights: '--event-weights', halfLife: '--event-half-life-days', negativeBelow: '--negative-below' };

/** The feedback settings: the flags over the environment's (RECS_EVENT_WEIGHTS, RECS_EVENT_HALF_LIFE_DAYS, RECS_NEGATIVE_BELOW). */
export function feedbackFromValues(v: FeedbackValues, env: NodeJS.ProcessEnv = process.env): FeedbackSettings {
  try {
    const base = feedbackFromEnv(env);
    const weights = v['event-weights'] === undefined ? undefined : parseWeights(v['event-weights'], NAMES.weights, base.weights);
    const days = v['event-half-life-days'];
    const below = v['negative-below'];
    return resolveFeedback(base, { ...(weights && { eventWeights: weights }), ...(days !== undefined && { eventHalfLifeDays: days }), ...(below !== undefined && { negativeBelow: below }) }, NAMES);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
