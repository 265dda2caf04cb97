// Owns POST /v1/users/{userId}/recommendations: the GET's answer for requests that do not fit in a
// query string — `{"k"?, "offset"?, "genre"?, "exclude"?: [any number of item ids], "filter"?,
// "where"?, "promote"?: {...}}` (bodies up to 1 MiB; ./recommendations.ts answers it).

import { servingModel, type ServeContext } from '../context.js';
import { badRequest } from '../errors.js';
import type { RouteSpec } from '../http.js';
import { checkId, jsonBody, parseK, parseOffset, parseQuery, pathId } from '../params.js';
import { parsePromotion } from '../rules/promote.js';
import { parseDiversify, type AskQuery, type Recommender } from './recommendations.js';

export const RECOMMEND_POST_MAX_BODY = 1024 * 1024;
const FIELDS = ['k', 'offset', 'genre', 'exclude', 'filter', 'where', 'promote', 'diversity', 'maxPerCategory'];

export function recommendationsPostRoute(ctx: ServeContext, recs: Recommender): RouteSpec {
  return {
    pattern: '/v1/users/:userId/recommendations',
    label: '/v1/users/{userId}/recommendations',
    auth: true,
    maxBodyBytes: RECOMMEND_POST_MAX_BODY,
    handler(r) {
      parseQuery(r.query, []);
      const userId = pathId(r.params[0], 'userId', ctx.limits);
      const body = jsonBody(r.body, '{"k"?, "exclude"?: [...], "filter"?, "where"?, "promote"?}');
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`the body must be a JSON object with any of ${FIELDS.join(', ')}`);
      const b = body as Record<string, unknown>;
      for (const name of Object.keys(b)) if (!FIELDS.includes(name)) throw badRequest(`unknown field "${name.slice(0, 40)}"; allowed: ${FIELDS.join(', ')}`);
      const num = (name: string) => {
        const v = b[name];
        if (v === undefined) return undefined;
        if (typeof v !== 'number') throw badRequest(`${name} must be a number`);
        return String(v);
      };
      const str = (name: string) => {
        const v = b[name];
        if (v !== undefined && typeof v !== 'string') throw badRequest(`${name} must be a string`);
        return v as string | undefined;
      };
      const k = parseK(num('k'), ctx.limits);
      const offset = parseOffset(num('offset'), k, ctx.limits);
      const ex = b['exclude'] ?? [];
      if (!Array.isArray(ex)) throw badRequest('exclude must be an array of item ids');
      ex.forEach((id, i) => {
        if (typeof id !== 'string') throw badRequest(`exclude[${i}] is not a string`);
        checkId(id, `exclude[${i}]`, ctx.limits);
      });
      const q: AskQuery = {
        k,
        offset,
        exclude: ex as string[],
        genre: str('genre'),
        filter: str('filter'),
        where: str('where'),
        promote: b['promote'] === undefined ? undefined : parsePromotion(b['promote'], ctx.limits.maxWindow),
        diversify: parseDiversify(num('diversity'), num('maxPerCategory')),
      };
      return recs.answerUser(userId, q, servingModel(ctx));
    },
  };
}
