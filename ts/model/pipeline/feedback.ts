// Owns how ratings become the values ALS trains on. Explicit ALS always trains on the rating.
// Implicit ALS turns each value r into a confidence (1 + α·r by default) with preference 1 when
// r > 0, so the choice here decides what counts as a positive signal:
//   value       the rating itself (a 5 weighs more than a 1; every rating is positive)
//   binary      1 for every interaction, −1 for a negative one (a dislike, or a rating below
//               --negative-below: ts/events/feedback.ts)
//   threshold:T 1 for ratings ≥ T; −1 below (seen but disliked: preference 0, confidence 1 + α)

export type FeedbackTransform = { kind: 'value' } | { kind: 'binary' } | { kind: 'threshold'; min: number };

export function parseFeedback(text: string): FeedbackTransform {
  if (text === 'value' || text === 'binary') return { kind: text };
  const m = /^threshold:(-?\d+(?:\.\d+)?)$/.exec(text);
  if (m) return { kind: 'threshold', min: Number(m[1]) };
  throw new Error(`feedback must be value, binary or threshold:<rating>; got "${text}"`);
}

export function formatFeedback(t: FeedbackTransform): string {
  return t.kind === 'threshold' ? `threshold:${t.min}` : t.kind;
}

/** The training values for `ratings` (a new array; the input is left alone). */
export function feedbackValues(ratings: Float32Array, t: FeedbackTransform, implicit: boolean): Float32Array {
  if (!implicit || t.kind === 'value') return ratings;
  const out = new Float32Array(ratings.length);
  if (t.kind === 'binary') {
    for (let r = 0; r < ratings.length; r++) out[r] = ratings[r]! < 0 ? -1 : 1;
    return out;
  }
  for (let r = 0; r < ratings.length; r++) out[r] = ratings[r]! >= t.min ? 1 : -1;
  return out;
}
