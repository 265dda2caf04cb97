// Owns the filters a request may use: an expression it sends (`where`), a named server-side filter
// (`filter`: from RECS_FILTERS, a JSON object {"name": "expression"}, or RECS_FILTERS_FILE, a JSON
// file of the same shape, or the `filters` server option), or both (both must pass). Named filters
// are parsed at start-up (a malformed one is a start-up error naming it and the position); the
// attributes they refer to are checked per request, since the catalogue changes. Every problem a
// client causes is a 400 whose message says what and where.

import { readFileSync } from 'node:fs';
import type { Catalog } from '../catalog.js';
import { badRequest } from '../errors.js';
import type { LiveCatalogue } from '../item-catalogue.js';
import { FilterFieldError, FilterMasks } from './filter-eval.js';
import { FilterSyntaxError, parseFilter } from './filter-parse.js';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Named filters from the options, else RECS_FILTERS / RECS_FILTERS_FILE; each checked (throws with the name and position). */
export function namedFilters(env: NodeJS.ProcessEnv, given?: Readonly<Record<string, string>>): Map<string, string> {
  let source = 'the filters option';
  let raw: unknown = given;
  if (raw === undefined && env['RECS_FILTERS']) {
    source = 'RECS_FILTERS';
    raw = parseJson(env['RECS_FILTERS'], source);
  } else if (raw === undefined && env['RECS_FILTERS_FILE']) {
    source = env['RECS_FILTERS_FILE'];
    let text: string;
    try {
      text = readFileSync(source, 'utf8');
    } catch (e) {
      throw new Error(`RECS_FILTERS_FILE: cannot read ${source}: ${(e as Error).message}`);
    }
    raw = parseJson(text, source);
  }
  const out = new Map<string, string>();
  if (raw === undefined) return out;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source}: must be a JSON object {"name": "filter expression"}`);
  for (const [name, expr] of Object.entries(raw as Record<string, unknown>)) {
    if (!NAME.test(name)) throw new Error(`${source}: filter name "${name.slice(0, 64)}" must be 1–64 letters, digits, _ . or -`);
    if (typeof expr !== 'string') throw new Error(`${source}: filter "${name}" must be an expression (a string)`);
    try {
      parseFilter(expr);
    } catch (e) {
      if (e instanceof FilterSyntaxError) throw new Error(`${source}: filter "${name}": ${e.message}`);
      throw e;
    }
    out.set(name, expr);
  }
  return out;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${source}: not valid JSON; expected {"name": "filter expression"}`);
  }
}

export class RequestFilters {
  private readonly masks: FilterMasks;

  constructor(
    readonly named: ReadonlyMap<string, string>,
    live: LiveCatalogue | undefined,
  ) {
    this.masks = new FilterMasks(live);
  }

  /** The rows a request's `filter` (a name) and `where` (an expression) let through, or null when neither is given. */
  allow(catalog: Catalog, filter: string | undefined, where: string | undefined): Uint8Array | null {
    let named: Uint8Array | null = null;
    if (filter !== undefined) {
      const expr = this.named.get(filter);
      if (expr === undefined)
        throw badRequest(
          this.named.size > 0
            ? `unknown filter "${filter.slice(0, 64)}"; the server's filters: ${[...this.named.keys()].sort().join(', ')}`
            : `unknown filter "${filter.slice(0, 64)}": the server has no named filters (RECS_FILTERS)`,
        );
      named = this.compile(expr, catalog, `filter "${filter}"`);
    }
    if (where === undefined) return named;
    if (where.trim() === '') throw badRequest("where is empty; send a filter expression such as category in ('Comedy')");
    const mine = this.compile(where, catalog, 'where');
    if (named === null) return mine;
    const both = new Uint8Array(mine.length);
    for (let i = 0; i < both.length; i++) both[i] = mine[i]! & named[i]!;
    return both;
  }

  private compile(expr: string, catalog: Catalog, what: string): Uint8Array {
    try {
      return this.masks.mask(expr, catalog);
    } catch (e) {
      if (e instanceof FilterSyntaxError || e instanceof FilterFieldError) throw badRequest(`${what}: ${e.message}`);
      throw e;
    }
  }
}
