// Owns where experiments are stored: EXPERIMENTS.json beside the registry's pointer and history,
// in the local registry directory or in the remote one (Azure Blob Storage, the source of truth;
// every change is a conditional write on the object's ETag, re-read and redone when another
// writer got there first). The server reads it the same way to learn which experiment runs.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PreconditionFailedError, type ObjectStore } from '../registry/object-store.js';
import { ExperimentError, type Experiment } from './definition.js';

export const EXPERIMENTS = 'EXPERIMENTS.json';
const RETRIES = 20;

export interface ExperimentBook {
  /** Where the experiments are, for messages. */
  readonly description: string;
  /** Every experiment, oldest first ([] when none), and a tag that changes with every write. */
  read(): Promise<{ experiments: Experiment[]; tag: string | null }>;
  /** Applies `change` to the stored list and stores the result (atomically; redone on a concurrent write). */
  update<T>(change: (list: Experiment[]) => { list: Experiment[]; result: T }): Promise<T>;
}

function parse(text: string, where: string): Experiment[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ExperimentError(`${where}: cannot read the experiments: ${(e as Error).message}`);
  }
  const list = (parsed as { experiments?: unknown } | null)?.experiments;
  if (!Array.isArray(list)) throw new ExperimentError(`${where}: no "experiments" list`);
  return list as Experiment[];
}

const serialise = (list: Experiment[]) => JSON.stringify({ experiments: list }, null, 2) + '\n';

/** The experiments of a local registry directory. */
export function localBook(root: string): ExperimentBook {
  const path = join(root, EXPERIMENTS);
  const read = () => {
    if (!existsSync(path)) return { experiments: [], tag: null };
    const text = readFileSync(path, 'utf8');
    return { experiments: parse(text, path), tag: text };
  };
  return {
    description: path,
    read: async () => read(),
    update: async (change) => {
      const { list, result } = change(read().experiments);
      mkdirSync(root, { recursive: true });
      const tmp = join(root, `.${EXPERIMENTS}.tmp-${process.pid}`);
      writeFileSync(tmp, serialise(list));
      renameSync(tmp, path);
      return result;
    },
  };
}

/** The experiments of a remote registry (`mirror`: the local cache directory, kept a copy). */
export function remoteBook(store: ObjectStore, mirror?: string): ExperimentBook {
  const where = `${store.description}/${EXPERIMENTS}`;
  const copy = mirror ? localBook(mirror) : null;
  const read = async () => {
    const got = await store.get(EXPERIMENTS);
    return got ? { experiments: parse(got.data.toString('utf8'), where), tag: got.etag } : { experiments: [], tag: null };
  };
  return {
    description: where,
    read,
    update: async (change) => {
      for (let i = 0; i < RETRIES; i++) {
        const { experiments, tag } = await read();
        const { list, result } = change(experiments);
        try {
          await store.put(EXPERIMENTS, Buffer.from(serialise(list)), tag === null ? { ifNoneMatch: '*' } : { ifMatch: tag });
        } catch (e) {
          if (e instanceof PreconditionFailedError) continue;
          throw e;
        }
        await copy?.update(() => ({ list, result: null }));
        return result;
      }
      throw new ExperimentError(`${where} kept changing under ${RETRIES} attempts to update it; nothing was changed`);
    },
  };
}
