// Owns the real-time benchmark's scratch registry: the cached benchmark model's version linked in
// as v1 (no copy), plus a v2 that is the same artifact under another version name (its files
// linked, its manifest rewritten), so the run can hot-swap the serving model without retraining
// and without touching the cache.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRegistry } from '../../ts/model/registry.js';
import type { BenchModel } from '../serve/models.js';

export function scratchRegistry(model: BenchModel): { registry: LocalRegistry; swapTo: string } {
  const root = join(mkdtempSync(join(tmpdir(), 'recs-bench-realtime-')), 'models');
  mkdirSync(root, { recursive: true });
  const source = join(model.modelsDir, model.version);
  symlinkSync(source, join(root, 'v1'));
  const v2 = join(root, 'v2');
  mkdirSync(v2);
  for (const f of readdirSync(source)) {
    if (f === 'manifest.json') continue;
    symlinkSync(join(source, f), join(v2, f));
  }
  const manifest = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8')) as { version: string };
  writeFileSync(join(v2, 'manifest.json'), JSON.stringify({ ...manifest, version: 'v2' }, null, 2));
  if (manifest.version !== 'v1') throw new Error(`bench model ${model.name}: its version is ${manifest.version}, expected v1`);
  const registry = new LocalRegistry(root);
  registry.activate('v1');
  return { registry, swapTo: 'v2' };
}
