// Owns POST /v1/recommendations:batch: the recommendations of up to `maxBatch` users in one
// request, `{"userIds": [...], "k"?, "offset"?, "genre"?, "exclude"?: [...], "filter"?, "where"?}`, each answered
// exactly as GET /v1/users/{userId}/recommendations would (same body, in request order) within
// `{"results": [...], "modelVersion", "generatedAt"}`. All users are answered from one model
// version; a remote store reads them in one round trip (the reads of one turn share an MGET).

import { servingModel, type ServeContext } from '../context.js';
import { badRequest } from '../errors.js';
import type { Reply, RouteSpec } from '../http.js';
import { checkId, idList, jsonBody, parseK, parseOffset } from '../params.js';
import type { Recommender } from './recommendations.js';
import { generatedAtField } from '../generated-at.js';

export const BATCH_MAX_BODY = 64 * 1024;
const FIELDS = ['userIds', 'k', 'offset', 'genre', 'exclude', 'filter', 'where'];

export function batchRoute(ctx: ServeContext, recs: Recommender): RouteSpec {
  return {
    pattern: '/v1/recommendations:batch',
    label: '/v1/recommendations:batch',
    auth: true,
    maxBodyBytes: BATCH_MAX_BODY,
    async handler(r) {
      const body = jsonBody(r.body, '{"userIds": [...]}');
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object {"userIds": [...], "k"?, "offset"?, "genre"?, "exclude"?}');
      const b = body as Record<string, unknown>;
      for (const name of Object.keys(b)) if (!FIELDS.includes(name)) throw badRequest(`unknown field "${name.slice(0, 40)}"; allowed: ${FIELDS.join(', ')}`);
      const { userIds } = b;
      const max = ctx.limits.maxBatch;
      if (!Array.isArray(userIds) || userIds.length === 0) throw badRequest(`userIds must be a non-empty array of user ids (at most ${max})`);
      if (userIds.length > max) throw badRequest(`userIds lists ${userIds.length} users; the limit is ${max}`);
      userIds.forEach((u, i) => {
        if (typeof u !== 'string') throw badRequest(`userIds[${i}] is not a string`);
        checkId(u, `userIds[${i}]`, ctx.limits);
      });
      const k = parseK(numberField(b, 'k'), ctx.limits);
      const offset = parseOffset(numberField(b, 'offset'), k, ctx.limits);
      if (b['genre'] !== undefined && typeof b['genre'] !== 'string') throw badRequest('genre must be a string');
      const ex = b['exclude'];
      if (ex !== undefined && !(Array.isArray(ex) && ex.every((x) => typeof x === 'string'))) throw badRequest('exclude must be an array of item ids');
      for (const name of ['filter', 'where']) if (b[name] !== undefined && typeof b[name] !== 'string') throw badRequest(`${name} must be a string`);
      const q = {
        k,
        offset,
        genre: b['genre'] as string | undefined,
        exclude: idList(ex?.join(','), 'exclude', ctx.limits),
        filter: b['filter'] as string | undefined,
        where: b['where'] as string | undefined,
      };
      const model = servingModel(ctx);
      model.acquire();
      let replies: Reply[];
      try {
        replies = await Promise.all((userIds as string[]).map((u) => recs.answerUser(u, q, model)));
      } finally {
        model.release();
      }
      const parts: Buffer[] = [OPEN];
      replies.forEach((x, i) => {
        if (i > 0) parts.push(COMMA);
        parts.push(typeof x.body === 'string' ? Buffer.from(x.body) : Buffer.from(x.body.buffer, x.body.byteOffset, x.body.byteLength));
      });
      parts.push(Buffer.from(`],"modelVersion":${JSON.stringify(model.version)}`), generatedAtField());
      return { status: 200, body: Buffer.concat(parts) };
    },
  };
}

const OPEN = Buffer.from('{"results":[');
const COMMA = Buffer.from(',');

/** A numeric field as the query parser's text (so k and offset share its checks and messages). */
function numberField(b: Record<string, unknown>, name: string): string | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw badRequest(`${name} must be a number`);
  return String(v);
}
