// Owns DELETE /v1/users/{userId}: erasure of everything the service holds for a user — events,
// fold-in result, precomputed lists of every model version in the store (and the cache in front
// of it), the user's row in the serving model — answered 200 with counts per kind (see
// Personalizer.erase), or 503 when the store could not erase (retrying is safe). Needs a key with
// the admin scope.

import type { ServeContext } from '../context.js';
import type { RouteSpec } from '../http.js';
import { pathId } from '../params.js';
import type { Personalizer } from '../personal.js';

export function usersRoute(ctx: ServeContext, personal: Personalizer): RouteSpec {
  return {
    pattern: '/v1/users/:userId',
    label: '/v1/users/{userId}',
    auth: true,
    scope: 'admin',
    async handler(r) {
      const userId = pathId(r.params[0], 'userId', ctx.limits);
      let removed: Awaited<ReturnType<Personalizer['erase']>>;
      try {
        removed = await personal.erase(userId);
      } finally {
        ctx.newItems?.erased([[userId, Date.now()]]); // the events are gone either way: they stop teaching new items
      }
      return { status: 200, body: JSON.stringify({ userId, removed }) };
    },
  };
}
