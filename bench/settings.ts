// Owns the training settings the speed benchmarks share: the `implicit` library's benchmark
// configuration (64 factors, CG 3 steps warm-started, λ 0.05 plain, α 1, its confidence
// convention), so every engine and kernel is timed on the same problem.

import type { AlsParams } from '../ts/engine/index.js';

export function implicitLibrarySettings(overrides: Partial<AlsParams> = {}): Partial<AlsParams> {
  return {
    rank: 64,
    regParam: 0.05,
    implicitPrefs: true,
    alpha: 1,
    solver: 'cg',
    cgSteps: 3,
    regScaling: 'plain',
    confidence: 'linear',
    seed: 1,
    ...overrides,
  };
}
