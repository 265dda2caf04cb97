// Owns keeping the best `depth` (item, score) pairs of a pass over candidates, best first (ties
// keep the earlier candidate first): the factor fill of filtered answers and the new items'
// similar items share it.

/** Offers (item, score) to the descending list (items, scores) of at most `depth` entries. */
export function offerTop(items: number[], scores: number[], depth: number, item: number, score: number): void {
  if (items.length === depth && score <= scores[depth - 1]!) return;
  let p = items.length < depth ? items.length : depth - 1;
  if (items.length < depth) items.push(item), scores.push(score);
  while (p > 0 && scores[p - 1]! < score) {
    items[p] = items[p - 1]!;
    scores[p] = scores[p - 1]!;
    p--;
  }
  items[p] = item;
  scores[p] = score;
}
