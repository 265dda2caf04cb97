// Owns the options several commands share, declared once: the model registry (--models-dir, whose
// default is $RECS_MODELS_DIR, else ./models, for every command; --registry), the event store
// (--events-store, --events-db), the serving store to load (--load, --store) and output (--json,
// --quiet). A command takes a group as it is or builds one with its own wording.

import { EVENT_STORE_KINDS } from '../events/open.js';
import { loadableStoreKinds } from '../store/registry.js';
import { choice, flag, group, num, text } from '../options/index.js';
import { numberOption, UsageError } from './command.js';

/** Stores a version's lists are bulk-loaded into: the store registry's back ends that have a bulk load. */
export const LOADABLE_STORES: readonly string[] = loadableStoreKinds();

/** --models-dir: one default for every command; `more` says what the command does with it. */
export function modelsDirOption(more = '') {
  return text({ metavar: 'DIR', env: 'RECS_MODELS_DIR', default: './models', help: `model registry directory${more}` });
}

/** --registry; `more` says how the command uses a blob registry. */
export function registryOption(more: string) {
  return text({
    metavar: 'SPEC',
    defaultHelp: '$RECS_REGISTRY, else local',
    help: `where the registry lives
  local                          the --models-dir directory
  blob://<container>[/<prefix>]  Azure Blob Storage, the source of truth;
                                 --models-dir is its local cache.
The blob account: AZURE_STORAGE_CONNECTION_STRING (account key or SAS), else RECS_BLOB_ACCOUNT_URL (https://<account>.blob.core.windows.net) with Entra ID (DefaultAzureCredential: AKS workload identity, managed identity, az login). ${more}`,
  });
}

/** The registry group: --models-dir and --registry. */
export function registryGroup(o: { modelsDir?: string; registry: string }) {
  return group('Registry', { 'models-dir': modelsDirOption(o.modelsDir), registry: registryOption(o.registry) });
}

/** --events-store; `more` says what the command does with the store. */
export function eventsStoreOption(more: string) {
  return choice({
    choices: EVENT_STORE_KINDS,
    metavar: 'KIND',
    defaultHelp: '$RECS_EVENTS_STORE, else sqlite',
    help: `${EVENT_STORE_KINDS.join(' or ')}. cosmos: the events container in Azure Cosmos DB (RECS_EVENTS_COSMOS_CONTAINER, default events, partitioned by /userId) reached with the RECS_COSMOS_* settings of --store cosmos. ${more}`,
  });
}

/** --events-db PATH, with the command's own default. */
export function eventsDbOption(help: string, aliases?: readonly string[]) {
  return text({ metavar: 'PATH', help, ...(aliases ? { aliases } : {}) });
}

/** --load redis|cosmos, as train and retrain take it. */
export function loadOption(help: string) {
  return choice({ choices: LOADABLE_STORES, help });
}

/** Output: --json (`json` says what it prints) and --quiet. */
export function outputGroup(json: string) {
  return group('Output', { json: flag({ help: json }), quiet: flag({ help: 'no progress bars' }) });
}

/** --shards N and --shard I (default $JOB_COMPLETION_INDEX, which Kubernetes Indexed Jobs set); `one` says what a single shard does. */
export function shardOptions(one: string) {
  return {
    shards: num({ metavar: 'N', integer: true, min: 1, default: 1, help: `the number of shards (1: ${one})` }),
    shard: text({ metavar: 'I', env: 'JOB_COMPLETION_INDEX', defaultHelp: '$JOB_COMPLETION_INDEX, set by Kubernetes Indexed Jobs, else 0', help: 'this shard, 0…N-1' }),
  };
}

/** The shard the options of shardOptions name; $JOB_COMPLETION_INDEX is read only when sharded. */
export function resolveShard(v: { shards: number; shard: string | undefined }, given: boolean): { shard: number; shards: number } {
  const shards = v.shards;
  const text = given || shards > 1 ? v.shard : undefined;
  if (text === undefined && shards > 1) throw new UsageError('--shard I is required with --shards N (or set JOB_COMPLETION_INDEX)');
  return { shard: numberOption('shard', text, 0, { integer: true, min: 0, max: shards - 1 }), shards };
}
