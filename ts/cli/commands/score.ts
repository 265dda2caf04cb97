// The `score` command: sharded batch scoring for large user bases. Writes the top-k of one slice
// of users (shard i of N) from the active model (or --version) to a JSON-lines file, so a
// Kubernetes Indexed Job spreads the users over pods.

import { scoreShard } from '../../model/lifecycle/score.js';
import { LocalRegistry } from '../../model/registry.js';
import { flag, group, num, text } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { modelsDirOption, resolveShard, shardOptions } from '../option-groups.js';
import { IdMap, parseColumnSpec, parseDelimiterName, parseRatingsFile } from '../../data/index.js';
import { loadEngine } from '../../engine/index.js';
import { readArtifactIds } from '../../model/artifact-slice.js';

/** The rows of `path` whose user and item the model knows, as the model's indices. */
async function readExclusions(dir: string, path: string, delimiter: string | undefined, columns: string | undefined): Promise<{ users: Uint32Array; items: Uint32Array }> {
  const a = readArtifactIds(dir); // the ids alone: not the factors or the table
  const userMap = new IdMap();
  const itemMap = new IdMap();
  for (const id of a.userIds) userMap.intern(id);
  for (const id of a.itemIds) itemMap.intern(id);
  let opts: { delimiter?: ReturnType<typeof parseDelimiterName>; columns?: ReturnType<typeof parseColumnSpec> };
  try {
    opts = { ...(delimiter !== undefined ? { delimiter: parseDelimiterName(delimiter) } : {}), ...(columns !== undefined ? { columns: parseColumnSpec(columns) } : {}) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const d = (await parseRatingsFile(path, { ...opts, userMap, itemMap })).dataset;
  const keep: number[] = [];
  for (let r = 0; r < d.length; r++) if (d.users[r]! < a.userIds.length && d.items[r]! < a.itemIds.length) keep.push(r);
  return { users: Uint32Array.from(keep, (r) => d.users[r]!), items: Uint32Array.from(keep, (r) => d.items[r]!) };
}

const options = group('Options', {
  ...shardOptions('every user'),
  k: num({
    metavar: 'N',
    integer: true,
    min: 1,
    max: 10_000,
    default: 10,
    help: "recommendations per user; beyond the model's stored depth the lists are ranked from the factors over every item, which needs --exclude",
  }),
  exclude: text({ metavar: 'FILE', help: 'the interactions to leave out of the lists (the training file, read as "recs train --file" reads it; ids the model does not know are ignored)' }),
  delimiter: text({ metavar: 'SEP', help: 'how to read --exclude (as "recs train --help")' }),
  columns: text({ metavar: 'SPEC', help: 'how to read --exclude (as "recs train --help")' }),
  out: text({ metavar: 'PATH', defaultHelp: 'scores/<version>/shard-<I>-of-<N>.jsonl', help: 'output file' }),
  version: text({ metavar: 'V', help: 'score this version instead of the active one' }),
  'models-dir': modelsDirOption(),
  json: flag({ help: 'print the outcome as JSON' }),
});

export const scoreCommand = defineCommand({
  name: 'score',
  summary: 'batch top-k for one shard of the users (for Kubernetes Indexed Jobs)',
  about: `recs score — top-k recommendations for every user, or one shard of them, as JSON lines
in the API's vocabulary ({"userId", "modelVersion", "items": [{"itemId", "score"}]}) written
atomically to a file; "recs evaluate --predictions" reads the file as it is.`,
  groups: [options],
  async run(v, parsed) {
    const { shard, shards } = resolveShard(v, parsed.given('shard'));
    const k = v.k;
    const registry = new LocalRegistry(v['models-dir']);
    const version = v.version ?? registry.activeVersion();
    if (version === null) throw new UsageError(`no active model in ${registry.root}; pass --version`);
    const out = v.out ?? `scores/${version}/shard-${shard}-of-${shards}.jsonl`;
    const deep = v.exclude === undefined ? undefined : { engine: loadEngine(), exclude: await readExclusions(registry.versionDir(version), v.exclude, v.delimiter, v.columns) };
    const r = await scoreShard(registry, { shard, shards, k, out, version, ...(deep ? { deep } : {}) });
    if (v.json) console.log(JSON.stringify(r));
    else console.log(`scored ${r.users} users (${r.first}…${r.end - 1}) with ${r.version}, shard ${shard} of ${shards} → ${r.out}`);
    return 0;
  },
});
