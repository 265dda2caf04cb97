// Owns POST /v1/events: one event or a batch (up to 1,000) in a JSON body of up to 1 MiB,
// validated as a whole (400 lists every bad event by index and field, values out of their range
// included; nothing is stored), stored durably and idempotently by eventId, then answered 202
// {accepted, duplicates}. An eventId reused for a different event, or an event of an erased user
// dated before the erasure (a replay), is a 409 listing each by index (the SQLite store then
// stores nothing of the batch). The users' fold-ins are queued after the acknowledgement; they run
// in the fold-in worker, never on the request thread; until then the events' items are the users'
// pending seen items, never recommended to them. An event may name the recommendation that
// led to it (recommendationId, position: a malformed id is a 400); such events are counted per
// experiment variant for /metrics (batches with no duplicate; attribution proper is the report's).

import type { AppendResult, EventStore } from '../../events/types.js';
import { validateEvents, type ValidateOptions } from '../../events/validate.js';
import type { ServeContext } from '../context.js';
import type { RouteSpec } from '../http.js';
import { jsonBody } from '../params.js';
import { RECOMMENDATION_ID_PATTERN } from '../recommendation-id.js';
import type { Personalizer } from '../personal.js';

export const EVENTS_MAX_BODY = 1 << 20;

export function eventsRoute(ctx: ServeContext, events: EventStore, personal: Personalizer, rules: Pick<ValidateOptions, 'limits'> = {}): RouteSpec {
  return {
    pattern: '/v1/events',
    label: '/v1/events',
    auth: true,
    scope: 'events',
    maxBodyBytes: EVENTS_MAX_BODY,
    async handler(r) {
      const body = jsonBody(r.body, 'an event or an array of events');
      const v = validateEvents(body, { maxIdLength: ctx.limits.maxIdLength, ...rules });
      if (v.ok) {
        const bad = v.events.flatMap((e, index) =>
          e.recommendationId !== undefined && !RECOMMENDATION_ID_PATTERN.test(e.recommendationId)
            ? [{ index, field: 'recommendationId', message: 'not an id this service issued (32 lowercase hex digits, from a response)' }]
            : [],
        );
        if (bad.length > 0) return { status: 400, body: JSON.stringify({ error: 'invalid_events', message: `${bad.length} event(s) are not valid; nothing was stored`, status: 400, errors: bad }) };
      }
      if (!v.ok) {
        const message = `${new Set(v.errors.map((e) => e.index)).size} event(s) are not valid; nothing was stored`;
        return { status: 400, body: JSON.stringify({ error: 'invalid_events', message, status: 400, errors: v.errors }) };
      }
      // the SQLite store also tells which users are new to it: their events travel with the fold-in hand-off
      const result: AppendResult & { newUsers?: number[] } = events.appendTellingNew ? await events.appendTellingNew(v.events) : await events.append(v.events);
      ctx.metrics.countEvents(result.accepted, result.duplicates);
      if (result.conflicts) {
        const stored = result.accepted > 0 ? `; the other ${result.accepted} new event(s) were stored` : '; nothing was stored';
        const refused = new Set(result.conflicts.map((c) => c.index));
        if (result.accepted > 0) personal.acknowledged(v.events.filter((_, i) => !refused.has(i)));
        if (result.accepted > 0) ctx.newItems?.observe(v.events.filter((_, i) => !refused.has(i)));
        return {
          status: 409,
          body: JSON.stringify({ error: 'conflicting_events', message: `${result.conflicts.length} event(s) conflict with what is stored${stored}`, status: 409, errors: result.conflicts }),
        };
      }
      personal.acknowledged(v.events, result.duplicates === 0 ? result.newUsers : undefined);
      ctx.newItems?.observe(v.events);
      if (ctx.experiments?.running && result.accepted > 0 && result.duplicates === 0) for (const e of v.events) if (e.recommendationId !== undefined) ctx.experiments.countEvent(e.userId, e.type);
      return { status: 202, body: JSON.stringify({ accepted: result.accepted, duplicates: result.duplicates }) };
    },
  };
}
