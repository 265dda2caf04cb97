// Owns /v1/items/{itemId}: GET (the item's record; read scope), PUT (the whole record), PATCH (the
// fields named; null removes one) and DELETE (hides the item, keeping its record; a later PUT
// brings it back) — writes need the admin scope. A change is durable in the event store before
// the answer and applies to this server's answers at once (./item-catalogue.ts; other replicas
// read it within seconds). A bad body is a 400 listing every field's problem; nothing is stored.

import { applyItemChange, deletedItem, itemView, parseItemChange } from '../../events/catalogue-validate.js';
import type { ItemRecord } from '../../events/catalogue.js';
import type { EventStore } from '../../events/types.js';
import type { ServeContext } from '../context.js';
import { HttpError } from '../errors.js';
import type { RequestInfo, RouteSpec } from '../http.js';
import type { LiveCatalogue } from '../item-catalogue.js';
import { jsonBody, parseQuery, pathId } from '../params.js';

/** Largest PUT/PATCH body, bytes. */
export const ITEM_BODY_BYTES = 64 * 1024;
const PATTERN = '/v1/items/:itemId';
const LABEL = '/v1/items/{itemId}';

export interface ItemRoutes {
  get: RouteSpec;
  put: RouteSpec;
  patch: RouteSpec;
  del: RouteSpec;
}

export function itemRoutes(ctx: ServeContext, events: EventStore, live: LiveCatalogue): ItemRoutes {
  const idOf = (r: RequestInfo) => {
    parseQuery(r.query, []);
    return pathId(r.params[0], 'itemId', ctx.limits);
  };
  /** Stores `next` (made from the stored record) and applies it here; a newer change stored meanwhile is a 409. */
  const store = async (next: ItemRecord): Promise<{ status: number; body: string }> => {
    if ((await events.putItems([next])) === 0)
      throw new HttpError(409, 'item_changed', `item ${JSON.stringify(next.itemId.slice(0, 60))} was changed by another request at the same time; read it again and retry`);
    live.learn(next);
    return { status: 200, body: JSON.stringify(itemView(next)) };
  };
  /** The stored record and a change time after it (the last change wins, so a change must be later than the one it builds on). */
  const current = async (itemId: string) => {
    const stored = await events.item(itemId);
    return { stored, at: Math.max(Date.now(), (stored?.updatedAt ?? 0) + 1) };
  };
  const write = (mode: 'put' | 'patch'): RouteSpec => ({
    pattern: PATTERN,
    label: LABEL,
    auth: true,
    scope: 'admin',
    maxBodyBytes: ITEM_BODY_BYTES,
    async handler(r) {
      const itemId = idOf(r);
      const parsed = parseItemChange(jsonBody(r.body, 'the item {title?, categories?, attributes?, available?, launchAt?}'), itemId, mode);
      if ('errors' in parsed)
        return {
          status: 400,
          body: JSON.stringify({
            error: 'invalid_item',
            message: `the item is not valid (${parsed.errors.map((e) => (e.field ? `${e.field}: ` : '') + e.message).join('; ')}); nothing was stored`,
            status: 400,
            errors: parsed.errors,
          }),
        };
      const { stored, at } = await current(itemId);
      return store(applyItemChange(itemId, stored, parsed.change, mode, at));
    },
  });
  return {
    get: {
      pattern: PATTERN,
      label: LABEL,
      auth: true,
      async handler(r) {
        const itemId = idOf(r);
        const record = live.get(itemId) ?? (await events.item(itemId));
        if (!record) throw new HttpError(404, 'item_not_found', `item ${JSON.stringify(itemId.slice(0, 60))} has no catalogue record`);
        return { status: 200, body: JSON.stringify(itemView(record)) };
      },
    },
    put: write('put'),
    patch: write('patch'),
    del: {
      pattern: PATTERN,
      label: LABEL,
      auth: true,
      scope: 'admin',
      async handler(r) {
        const itemId = idOf(r);
        const { stored, at } = await current(itemId);
        return store(deletedItem(itemId, stored, at));
      },
    },
  };
}
