// The bounded-cache eviction bench (issue 15): a full cache of N users taking new ones, each
// insert evicting the oldest, as the fold-in overlay does at its bound under a stream of new
// users. Side by side in one run: a plain Map in insertion order evicting `keys().next()` (what
// the overlay, the store cache and the fold-in queue did) and ../ts/util/lru.ts. µs per
// insert + eviction, per round of 20,000, so the Map's growth as its deleted entries pile up shows.
//
//   node dist/bench/lru.js [--entries 100000] [--rounds 6]

import { Lru } from '../ts/util/lru.js';

const args = process.argv.slice(2);
const opt = (name: string, d: number) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : d;
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`${name} must be a positive integer\nnode dist/bench/lru.js [--entries N] [--rounds N]`);
  return v;
};
const N = opt('--entries', 100_000);
const ROUNDS = opt('--rounds', 6);
const PER_ROUND = 20_000;

interface Bounded {
  set(k: string, v: number): void;
  evictOldest(): void;
}
const plainMap = (): Bounded => {
  const m = new Map<string, number>();
  return { set: (k, v) => void m.set(k, v), evictOldest: () => void m.delete(m.keys().next().value!) };
};
const lru = (): Bounded => {
  const m = new Lru<string, number>();
  return { set: (k, v) => m.set(k, v), evictOldest: () => void m.shift() };
};

function run(make: () => Bounded): number[] {
  const c = make();
  for (let i = 0; i < N; i++) c.set(`u${i}`, i);
  let next = N;
  const out: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let j = 0; j < PER_ROUND; j++) {
      c.set(`u${next++}`, j);
      c.evictOldest();
    }
    out.push(((performance.now() - t) * 1000) / PER_ROUND);
  }
  return out;
}

const map = run(plainMap);
const ours = run(lru);
console.log(`bounded cache of ${N.toLocaleString('en')} entries, each insert evicting the oldest (µs per insert + eviction):`);
console.log('| round | Map, evict keys().next() | Lru (ts/util/lru.ts) | × |');
console.log('| ---: | ---: | ---: | ---: |');
map.forEach((m, r) => console.log(`| ${r + 1} | ${m.toFixed(2)} | ${ours[r]!.toFixed(2)} | ${(m / ours[r]!).toFixed(1)} |`));
