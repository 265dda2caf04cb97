// Owns POST /v1/impressions: what a client actually showed of a recommendation — {recommendationId,
// userId, items: [{itemId, position}], timestamp?} or an array of up to 100 — validated as a whole
// (400 naming each bad field by index; a recommendationId this service cannot have issued is one),
// stored durably in the event store, idempotent per recommendationId and position, and answered
// 202 {accepted, duplicates}. Counted per experiment variant for /metrics. Reads never write:
// impressions are stored only when a client reports them.

import { validateImpressions, type ImpressionError } from '../../events/impressions.js';
import type { EventStore } from '../../events/types.js';
import type { ServeContext } from '../context.js';
import type { RouteSpec } from '../http.js';
import { jsonBody } from '../params.js';
import { RECOMMENDATION_ID_PATTERN } from '../recommendation-id.js';
import { EVENTS_MAX_BODY } from './events.js';

export function impressionsRoute(ctx: ServeContext, events: EventStore): RouteSpec {
  return {
    pattern: '/v1/impressions',
    label: '/v1/impressions',
    auth: true,
    scope: 'events',
    maxBodyBytes: EVENTS_MAX_BODY,
    async handler(r) {
      const body = jsonBody(r.body, 'an impression or an array of impressions');
      const v = validateImpressions(body, { maxIdLength: ctx.limits.maxIdLength });
      const errors: ImpressionError[] = v.ok ? [] : v.errors;
      (Array.isArray(body) ? body : [body]).forEach((x: unknown, index) => {
        const id = (x as { recommendationId?: unknown } | null)?.recommendationId;
        if (typeof id === 'string' && id !== '' && !RECOMMENDATION_ID_PATTERN.test(id))
          errors.push({ index, field: 'recommendationId', message: 'not an id this service issued (32 lowercase hex digits, from a response)' });
      });
      if (!v.ok || errors.length > 0) {
        const message = `${new Set(errors.map((e) => e.index)).size} impression(s) are not valid; nothing was stored`;
        return { status: 400, body: JSON.stringify({ error: 'invalid_impressions', message, status: 400, errors: errors.sort((a, b) => a.index - b.index) }) };
      }
      const result = await events.appendImpressions(v.impressions);
      if (ctx.experiments?.running) {
        const fresh = new Map<string, number>();
        for (const i of v.impressions) fresh.set(i.userId, (fresh.get(i.userId) ?? 0) + 1);
        // a resend is not counted again; a batch mixing users and resends is split in proportion
        if (result.accepted > 0) for (const [userId, n] of fresh) ctx.experiments.countImpressions(userId, Math.round((n * result.accepted) / v.impressions.length));
      }
      return { status: 202, body: JSON.stringify(result) };
    },
  };
}
