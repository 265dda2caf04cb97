// Owns opening the registry a command works on — the local directory, or a remote one mirrored
// into that directory — behind one small interface, so commands read and change the registry the
// same way whichever backend holds it:
//
//   read(fn)      run fn on an up-to-date registry (a remote one is pulled first)
//   change(fn)    run a registry change (promote, rollback, gc) and make it durable (a remote one
//                 is pushed; rerun on a fresh pull when another writer moved the pointer)
//   publish(fn)   run a long operation that adds a version (train) once, then push it

import { LocalRegistry } from '../registry.js';
import { openBlobStore, type RegistryLocation } from './config.js';
import type { ObjectStore } from './object-store.js';
import { RemoteRegistry } from './remote.js';

export interface RegistrySession {
  /** The local directory: the registry itself, or the remote one's cache. */
  readonly local: LocalRegistry;
  /** The remote object store, or null for a local registry. */
  readonly remote: ObjectStore | null;
  /** Where the registry is, for messages. */
  readonly description: string;
  read<T>(fn: (reg: LocalRegistry) => T): Promise<T>;
  change<T>(fn: (reg: LocalRegistry) => T, o?: { fetch?: (reg: LocalRegistry) => Array<string | null> }): Promise<T>;
  publish<T>(fn: (reg: LocalRegistry) => Promise<T>, o?: { fetch?: (reg: LocalRegistry) => Array<string | null> }): Promise<T>;
  /** Warnings of the last pull (e.g. a corrupt active version in the remote); [] for a local registry. */
  warnings(): string[];
}

export function openRegistry(loc: RegistryLocation, modelsDir: string, env: NodeJS.ProcessEnv = process.env): RegistrySession {
  const local = new LocalRegistry(modelsDir);
  if (loc.kind === 'local') {
    return {
      local,
      remote: null,
      description: local.root,
      read: async (fn) => fn(local),
      change: async (fn) => fn(local),
      publish: (fn) => fn(local),
      warnings: () => [],
    };
  }
  return remoteSession(openBlobStore(loc, env), local);
}

/** A session over any object store mirrored into `local` (tests pass their own store). */
export function remoteSession(store: ObjectStore, local: LocalRegistry): RegistrySession {
  const remote = new RemoteRegistry(store, local);
  return {
    local,
    remote: store,
    description: `${store.description} (cache ${local.root})`,
    read: async (fn) => {
      await remote.pull();
      return fn(local);
    },
    change: (fn, o) => remote.change(fn, o),
    publish: (fn, o) => remote.publish(fn, o),
    warnings: () => remote.warnings,
  };
}
