// Tests FitOptions.withFactors on the native engine: each report's factors are exactly the factors
// a fit stopped at that iteration ends with (the held-out curve of the report relies on it).

import { describe, expect, it } from 'vitest';
import { createNativeEngine } from './native.js';

const engine = createNativeEngine();

describe('fit with factors per iteration (native)', () => {
  it("iteration j's factors equal a fit of j iterations; no copies unless asked", async () => {
    const data = await engine.generateSynthetic({ nUsers: 120, nItems: 90, nInteractions: 2500, explicit: false, seed: 5 });
    const params = { rank: 5, maxIter: 4, regParam: 0.1, implicitPrefs: true, solver: 'cg' as const, seed: 3 };
    const seen: Array<{ u: Float32Array; i: Float32Array }> = [];
    const model = await engine.fit(data, params, { withFactors: true, onIteration: (r) => void seen.push({ u: r.userFactors!, i: r.itemFactors! }) });
    expect(seen).toHaveLength(4);
    expect(seen[3]!.u).toEqual(model.userFactors);
    expect(seen[3]!.i).toEqual(model.itemFactors);
    const two = await engine.fit(data, { ...params, maxIter: 2 });
    expect(seen[1]!.u).toEqual(two.userFactors);
    expect(seen[1]!.i).toEqual(two.itemFactors);
    expect(seen[0]!.u).not.toEqual(seen[1]!.u); // copies, not views of one buffer
    const plain: unknown[] = [];
    await engine.fit(data, params, { onIteration: (r) => void plain.push(r.userFactors) });
    expect(plain).toEqual([undefined, undefined, undefined, undefined]);
  });
});
