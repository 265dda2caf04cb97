// The `score` command: sharded batch scoring for large user bases. Writes the top-k of one slice
// of users (shard i of N) from the active model (or --version) to a JSON-lines file, so a
// Kubernetes Indexed Job spreads the users over pods.

import { parseArgs } from 'node:util';
import { scoreShard } from '../../model/lifecycle/score.js';
import { LocalRegistry } from '../../model/registry.js';
import { numberOption, UsageError, type Command } from '../command.js';

const help = `recs score — top-k recommendations for one shard of the users, as JSON lines
({"user", "modelVersion", "items": [{"item", "score"}]}) written atomically to a file.

Options:
  --shard I               this shard, 0…N-1 (default $JOB_COMPLETION_INDEX, set by Kubernetes Indexed Jobs)
  --shards N              the number of shards (required)
  --k N                   recommendations per user (default 10; at most the model's stored depth)
  --out PATH              output file (default scores/<version>/shard-<I>-of-<N>.jsonl)
  --version V             score this version instead of the active one
  --models-dir DIR        model registry directory (default $RECS_MODELS_DIR or ./models)
  --json                  print the outcome as JSON
`;

export const scoreCommand: Command = {
  name: 'score',
  summary: 'batch top-k for one shard of the users (for Kubernetes Indexed Jobs)',
  help,
  async run(argv) {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      options: { shard: { type: 'string' }, shards: { type: 'string' }, k: { type: 'string' }, out: { type: 'string' }, version: { type: 'string' }, 'models-dir': { type: 'string' }, json: { type: 'boolean' } },
    });
    if (v.shards === undefined) throw new UsageError('--shards N is required');
    const shards = numberOption('shards', v.shards, 1, { integer: true, min: 1 });
    const shardText = v.shard ?? process.env.JOB_COMPLETION_INDEX;
    if (shardText === undefined) throw new UsageError('--shard I is required (or set JOB_COMPLETION_INDEX)');
    const shard = numberOption('shard', shardText, 0, { integer: true, min: 0, max: shards - 1 });
    const k = numberOption('k', v.k, 10, { integer: true, min: 1, max: 1000 });
    const registry = new LocalRegistry(v['models-dir'] ?? process.env.RECS_MODELS_DIR ?? './models');
    const version = v.version ?? registry.activeVersion();
    if (version === null) throw new UsageError(`no active model in ${registry.root}; pass --version`);
    const out = v.out ?? `scores/${version}/shard-${shard}-of-${shards}.jsonl`;
    const r = scoreShard(registry, { shard, shards, k, out, version });
    if (v.json) console.log(JSON.stringify(r));
    else console.log(`scored ${r.users} users (${r.first}…${r.end - 1}) with ${r.version}, shard ${shard} of ${shards} → ${r.out}`);
    return 0;
  },
};
