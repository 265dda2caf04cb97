// Owns where the commands find the SQLite event store: `--events-db PATH` first, then the
// RECS_EVENTS_DB environment variable, then each command's own default (serve: the server's
// <models-dir>/../events.sqlite; retrain: that same file when it exists; train: none).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './command.js';

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
