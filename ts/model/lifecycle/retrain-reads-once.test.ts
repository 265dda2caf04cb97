// `retrain` reads its data once: the source file is parsed once and the event store read once
// per run, the fingerprint it compares and the version it trains coming from that one read (a
// recording Progress counts the pipeline's "parse" and "events" stages, one per read). A rerun
// reads once more, finds the same fingerprint and trains nothing.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../engine/index.js';
import { SqliteEventStore } from '../../events/sqlite.js';
import { DEFAULT_OPTIONS, type TrainOptions } from '../pipeline/options.js';
import { prepareData } from '../pipeline/prepared-data.js';
import type { Progress } from '../pipeline/progress.js';
import { LocalRegistry } from '../registry.js';
import { retrain } from './retrain.js';

const engine = loadEngine();

function recording(): { progress: Progress; stages: string[] } {
  const stages: string[] = [];
  const stage = { update() {}, done() {} };
  return { stages, progress: { stage: (name) => (stages.push(name), stage), note() {} } };
}

/** A deterministic implicit data set: 300 users × 20 interactions over 200 items, in a TSV file. */
function dataFile(dir: string): string {
  const lines: string[] = [];
  let x = 12345;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let u = 0; u < 300; u++) {
    const taste = u % 5;
    for (let j = 0; j < 20; j++) {
      const item = rnd() < 0.7 ? taste * 40 + Math.floor(rnd() * 40) : Math.floor(rnd() * 200);
      lines.push(`u${u}\ti${item}\t1\t${1_700_000_000 + u * 100 + j}`);
    }
  }
  const path = join(dir, 'ratings.tsv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('retrain reads its data once', () => {
  it('parses the source and reads the event store once per run, and fingerprints what it trains on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retrain-once-'));
    const eventsPath = join(dir, 'events.sqlite');
    const store = new SqliteEventStore(eventsPath);
    await store.append([{ eventId: 'e1', userId: 'u1', itemId: 'i7', type: 'view', value: 1, timestamp: 1_700_100_000_000, receivedAt: 1_700_100_000_000 }]);
    await store.close();
    const o: TrainOptions = {
      ...structuredClone(DEFAULT_OPTIONS),
      dataset: { kind: 'file', path: dataFile(dir) },
      events: { kind: 'sqlite', path: eventsPath },
      beyondAccuracy: 'none',
      modelsDir: join(dir, 'models'),
      als: { ...DEFAULT_OPTIONS.als, rank: 8, maxIter: 3 },
    };

    const first = recording();
    const r = await retrain(engine, o, first.progress);
    expect(r.action).toBe('trained');
    expect(first.stages.filter((s) => s === 'parse')).toHaveLength(1);
    expect(first.stages.filter((s) => s === 'events')).toHaveLength(1);

    // the version's fingerprint is that of the data as prepared on its own (an independent read)
    const manifest = new LocalRegistry(o.modelsDir).manifest(r.version);
    expect(manifest.data.fingerprint).toBe((await prepareData(engine, o, recording().progress)).fingerprint);

    const again = recording();
    expect(await retrain(engine, o, again.progress)).toMatchObject({ action: 'unchanged', version: r.version });
    expect(again.stages.filter((s) => s === 'parse')).toHaveLength(1);
    expect(again.stages.filter((s) => s === 'events')).toHaveLength(1);
  });
});
