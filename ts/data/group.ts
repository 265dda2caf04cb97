// Owns grouping rows by a dense key (user or item index) with a stable counting sort.

/** Rows grouped by key: rows of key k are rows[offsets[k], offsets[k+1]), in their input order. */
export interface Groups {
  offsets: Uint32Array;
  rows: Uint32Array;
}

/** How many of `rows` (default: all rows) have each key. */
export function countBy(keys: Uint32Array, numKeys: number, rows?: Uint32Array): Uint32Array {
  const counts = new Uint32Array(numKeys);
  if (rows) for (let k = 0; k < rows.length; k++) counts[keys[rows[k]!]!]!++;
  else for (let r = 0; r < keys.length; r++) counts[keys[r]!]!++;
  return counts;
}

export function groupRows(keys: Uint32Array, numKeys: number, rows?: Uint32Array): Groups {
  const counts = countBy(keys, numKeys, rows);
  const offsets = new Uint32Array(numKeys + 1);
  for (let k = 0; k < numKeys; k++) offsets[k + 1] = offsets[k]! + counts[k]!;
  const next = offsets.slice(0, numKeys);
  const n = rows ? rows.length : keys.length;
  const out = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const r = rows ? rows[k]! : k;
    out[next[keys[r]!]!++] = r;
  }
  return { offsets, rows: out };
}
