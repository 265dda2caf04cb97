// Owns `pnpm bench --experiment`: the model's registry seen through a scratch registry in which an
// A/A experiment runs (the active version under two variant names, half the users each), so the
// API answers through the experiment path: a salted hash per request, the variant's own loaded
// copy of the model, the answer naming experiment and variant. The version directory is linked,
// not copied; the cached bench registry is left as it is.

import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBook } from '../../ts/model/experiments/book.js';
import { newExperiment, parseVariants } from '../../ts/model/experiments/definition.js';
import { LocalRegistry } from '../../ts/model/registry.js';
import type { BenchModel } from './models.js';

export async function withExperiment(model: BenchModel): Promise<BenchModel> {
  const root = join(mkdtempSync(join(tmpdir(), 'recs-bench-experiment-')), 'models');
  const reg = new LocalRegistry(root);
  reg.ensureRoot();
  symlinkSync(new LocalRegistry(model.modelsDir).versionDir(model.version), reg.versionDir(model.version), 'dir');
  reg.writePointer(model.version);
  const e = newExperiment({ name: 'bench-aa', variants: parseVariants(`a=${model.version}:0.5,b=${model.version}:0.5`) }, [model.version], [], new Date(), 'bench');
  await localBook(root).update(() => ({ list: [e], result: null }));
  return { ...model, name: `${model.name} + A/A experiment`, modelsDir: root };
}
