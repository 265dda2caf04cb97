// Smoke test of a freshly built native addon (the release workflow runs it on each target's own
// runner): the loader takes it, and it generates data, trains, and ranks every user.
// Needs `pnpm build:ts` first. Exit code 0 when all of that works.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { chooseEngine } = await import(pathToFileURL(join(root, 'dist', 'ts', 'engine', 'index.js')).href);
const { engine, line } = chooseEngine('native');
console.log(`smoke-native: ${line}, kernel ${engine.kernelName()}`);
const data = await engine.generateSynthetic({ nUsers: 200, nItems: 100, nInteractions: 4000, seed: 1 });
const model = await engine.fit(data, { rank: 8, maxIter: 3, implicitPrefs: true });
const top = await engine.topK(model, { k: 5, exclude: data });
if (top.rows !== 200 || !model.iterations.every((r) => Number.isFinite(r.loss))) {
  console.error(`smoke-native: unexpected result (${top.rows} rows, losses ${model.iterations.map((r) => r.loss).join(', ')})`);
  process.exit(1);
}
console.log(`smoke-native: ok (final loss ${model.iterations.at(-1).loss.toFixed(4)})`);
