// Owns the conversion of a row-major top-k table (the engine's batch output) into PredictionData.
//
// Row r of the table holds users[r]'s list in slots items[r*k .. r*k+k), scores alongside; empty
// slots carry item EMPTY_SLOT (0xFFFFFFFF) and are dropped. Slot order is kept, so rows come out
// grouped by user in table order and, within a user, in slot order.

import type { PredictionData } from './types.js';

export const EMPTY_SLOT = 0xffffffff;

export function predictionsFromTopKTable(users: ArrayLike<number>, items: Uint32Array, scores: Float32Array, k: number): PredictionData {
  if (!Number.isInteger(k) || k < 1) throw new Error(`predictionsFromTopKTable: k must be a positive integer, got ${k}`);
  const slots = users.length * k;
  if (items.length !== slots || scores.length !== slots) {
    throw new Error(`predictionsFromTopKTable: ${users.length} users × k=${k} needs ${slots} slots, ` + `got items ${items.length}, scores ${scores.length}`);
  }
  let n = 0;
  for (let s = 0; s < slots; s++) if (items[s] !== EMPTY_SLOT) n++;
  const outUsers = new Uint32Array(n);
  const outItems = new Uint32Array(n);
  const outScores = new Float32Array(n);
  let w = 0;
  for (let r = 0; r < users.length; r++) {
    const u = users[r]!;
    for (let s = r * k; s < r * k + k; s++) {
      const item = items[s]!;
      if (item === EMPTY_SLOT) continue;
      outUsers[w] = u;
      outItems[w] = item;
      outScores[w++] = scores[s]!;
    }
  }
  return { users: outUsers, items: outItems, scores: outScores };
}
