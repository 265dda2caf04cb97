// Owns where the commands (serve, train, retrain) find the event store. The kind is one choice:
// `--events-store` first, then RECS_EVENTS_STORE (sqlite by default, cosmos for many writers; read by
// ts/events/open.ts). For SQLite the file is `--events-db PATH` first, then the RECS_EVENTS_DB
// environment variable, then each command's own default (serve: the server's
// <models-dir>/../events.sqlite; retrain: that same file when it exists; train: none).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE_KINDS, eventStoreConfigFromEnv, type EventStoreConfig } from '../events/open.js';
import { DEFAULT_EVENT_STORE_KIND } from '../events/registry.js';
import { StoreConfigError } from '../store/config.js';
import { choiceOption, UsageError } from './command.js';

export const EVENTS_DB_ENV = 'RECS_EVENTS_DB';

/** The server's default event store for a registry (as ts/serve/server.ts opens it). */
export function defaultEventsDb(modelsDir: string): string {
  return join(modelsDir, '..', 'events.sqlite');
}

/**
 * The event store path given by `flag` (the option's value, `name` for messages) or RECS_EVENTS_DB,
 * or undefined when neither is set. An empty value is refused; with `mustExist`, so is a missing file.
 */
export function eventsDbOption(name: string, flag: string | undefined, env: NodeJS.ProcessEnv, o: { mustExist: boolean }): string | undefined {
  const fromEnv = env[EVENTS_DB_ENV];
  const [path, source] = flag !== undefined ? [flag, `--${name}`] : fromEnv !== undefined ? [fromEnv, EVENTS_DB_ENV] : [undefined, ''];
  if (path === undefined) return undefined;
  if (path === '') throw new UsageError(`${source} needs the path of a SQLite event store`);
  if (o.mustExist && !existsSync(path)) throw new UsageError(`${source}: no such event store: ${path}`);
  return path;
}

export interface EventStoreChoice {
  /** The --events-store value, if given. */
  kind: string | undefined;
  /** The SQLite path option's name (for messages) and value, if given. */
  name: string;
  path: string | undefined;
  /** The SQLite file when neither the option nor RECS_EVENTS_DB names one (undefined: no event store). */
  fallback: string | undefined;
  /** Refuse a named SQLite file that does not exist (a missing fallback means no event store). */
  mustExist: boolean;
}

/**
 * The event store a command uses, or undefined when it is SQLite and no file is named or found.
 * A SQLite path given while the kind is cosmos is a contradiction, refused.
 */
export function eventStoreOption(c: EventStoreChoice, env: NodeJS.ProcessEnv): EventStoreConfig | undefined {
  const kind = c.kind !== undefined ? choiceOption('events-store', c.kind, EVENT_STORE_KINDS, DEFAULT_EVENT_STORE_KIND) : undefined;
  try {
    const resolved = eventStoreConfigFromEnv(kind === undefined ? env : { ...env, RECS_EVENTS_STORE: kind }, '');
    if (resolved.kind === 'cosmos') {
      if (c.path !== undefined)
        throw new UsageError(`--${c.name} names a SQLite file, but the event store is cosmos (${kind !== undefined ? '--events-store' : 'RECS_EVENTS_STORE'}); give one of them`);
      return resolved;
    }
  } catch (e) {
    if (e instanceof StoreConfigError) throw new UsageError(`event store: ${e.message}`);
    throw e;
  }
  const path = eventsDbOption(c.name, c.path, env, { mustExist: c.mustExist }) ?? c.fallback;
  if (path === undefined || (c.mustExist && c.path === undefined && !env[EVENTS_DB_ENV] && !existsSync(path))) return undefined;
  return { kind: 'sqlite', path };
}
