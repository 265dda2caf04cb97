// Owns DELETE /v1/users/{userId}: erasure of a user's events and fold-in results, answered with
// what was removed. (The model's precomputed list and factor row for the user are not touched
// here: they belong to the model artifact and the stores.)

import type { ServeContext } from '../context.js';
import type { RouteSpec } from '../http.js';
import { pathId } from '../params.js';
import type { Personalizer } from '../personal.js';

export function usersRoute(ctx: ServeContext, personal: Personalizer): RouteSpec {
  return {
    pattern: '/v1/users/:userId',
    label: '/v1/users/{userId}',
    auth: true,
    async handler(r) {
      const userId = pathId(r.params[0], 'userId', ctx.limits);
      const removed = await personal.erase(userId);
      return { status: 200, body: JSON.stringify({ userId, removed }) };
    },
  };
}
