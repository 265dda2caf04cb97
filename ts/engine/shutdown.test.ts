// Tests that process.exit() while a fit runs (with or without a progress callback) exits
// promptly instead of waiting for training to finish or deadlocking on the progress callback.

import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { nativeAddonPath } from './native.js';

function exitDuringFit(withCallback: boolean): { status: number | null; ms: number; stderr: string } {
  const script = `
    const addon = require(${JSON.stringify(nativeAddonPath())});
    addon.generateSynthetic({ nUsers: 3000, nItems: 2000, nInteractions: 300000, explicit: true, seed: 1 }).then((data) => {
      addon.fit(data, { maxIter: 100000 }, ${withCallback ? '() => true' : 'undefined'});
      setTimeout(() => process.exit(0), 200);
    });`;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['-e', script], { timeout: 60_000, encoding: 'utf8' });
  return { status: child.status, ms: performance.now() - started, stderr: child.stderr };
}

describe('process.exit during a fit', () => {
  it.each([true, false])('exits promptly (progress callback: %s)', (withCallback) => {
    const { status, ms } = exitDuringFit(withCallback);
    expect(status).toBe(0);
    expect(ms).toBeLessThan(15_000);
  });
});
