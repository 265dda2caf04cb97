// Owns the request pipeline every route goes through, following uWebSockets.js's rules: all of
// the request is read synchronously in the callback (HttpRequest dies when it returns),
// res.onAborted is attached before the callback returns unanswered (a body to read, or a route
// that answers later; an answer given at once needs none), and late writes happen inside res.cork.
// Around the route: the body limit (413, also for chunked bodies), API-key auth (401), 405 for
// other methods on a known path, errors as JSON, in-flight counting for graceful shutdown, the
// duration histogram and one debug log line per request. While draining, every response closes
// its connection. Routes that take a body (POST, with their own limit) get it read with
// res.onData, each chunk copied at once (uWS reuses its memory after the callback).

import { performance } from 'node:perf_hooks';
import type { Logger } from './logger.js';
import type { HttpRequest, HttpResponse, TemplatedApp } from './uws.js';
import { errorBody, HttpError } from './errors.js';
import type { Metrics, RouteMetrics } from './metrics.js';
import { presentedKey, type ApiKeyAuth, type AuthResult, type Scope } from './auth.js';
import { corsHeaders, preflightHeaders, type Cors } from './cors.js';
import { framingProblem } from './framing.js';
import { jsonAndRequestIdOf, madeRequestId, nextRequestNumber, presentedRequestId } from './request-id.js';

export interface Reply {
  status: number;
  /** A string, or bytes (sent as they are: no copy to a string, no UTF-8 encoding). */
  body: string | Uint8Array;
  /** Default application/json. */
  type?: string;
  headers?: Record<string, string>;
}

/** Everything a route may know about its request (copied out of uWS's HttpRequest). */
export interface RequestInfo {
  method: string;
  url: string;
  /** Raw query string, without "?". */
  query: string;
  /** The client's X-Request-Id, or one made for the request (echoed in the response, logged). */
  readonly requestId: string;
  /** Raw (percent-encoded) path parameters, in pattern order. */
  params: string[];
  /** The request body, for routes that read one (else empty). */
  body: Buffer;
  /** The If-None-Match header, for routes that read it (else empty). */
  ifNoneMatch: string;
}

/** The RequestInfo of a live request (a class: built with one allocation, the same shape every time). */
class Request implements RequestInfo {
  method = 'get';
  url = '';
  /** The client's sane X-Request-Id, or '' (then `madeId` names the request). */
  presentedId = '';
  /** The number of the id made for the request (./request-id.ts), 0 when the client's is used. */
  madeId = 0;
  query = '';
  readonly params: string[] = [];
  body: Buffer = EMPTY;
  ifNoneMatch = '';

  get requestId(): string {
    return this.madeId === 0 ? this.presentedId : madeRequestId(this.madeId);
  }
}

export type RouteHandler = (req: RequestInfo) => Reply | Promise<Reply>;

export interface RouteSpec {
  /** uWS pattern, e.g. /v1/users/:userId/recommendations */
  pattern: string;
  /** Metrics and log label, e.g. /v1/users/{userId}/recommendations */
  label: string;
  auth: boolean;
  /** What the key must be allowed to do (default read). */
  scope?: Scope;
  handler: RouteHandler;
  /** Largest body this route reads, bytes; set it to read bodies (default: none read). */
  maxBodyBytes?: number;
  /** Read If-None-Match (conditional GETs). */
  conditional?: boolean;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'del';
const METHOD_NAME: Record<Method, string> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', del: 'DELETE' };

/** A registered route. A class, so every route has one shape and the hot path stays monomorphic. */
class Route {
  readonly nParams: number;
  constructor(
    readonly label: string,
    readonly pattern: string,
    readonly auth: boolean,
    readonly handler: RouteHandler,
    readonly metrics: RouteMetrics,
    /** Read the method and URL even when not logging requests (their answers use them). */
    readonly needsRequestLine: boolean,
    /** Bodies up to this size are read and handed to the handler; null: none read. */
    readonly bodyLimit: number | null = null,
    /** A HEAD request: answered as the GET, without its body. */
    readonly head = false,
    readonly scope: Scope = 'read',
    /** Read If-None-Match (conditional GETs). */
    readonly conditional = false,
  ) {
    this.nParams = pattern.split(':').length - 1;
  }
}

export interface FrontOptions {
  log: Logger;
  metrics: Metrics;
  auth: ApiKeyAuth;
  maxBodyBytes: number;
  draining: () => boolean;
  cors: Cors;
}

/** Header names and the common value, encoded once (a JS string costs a UTF-8 conversion per native call). */
const H = {
  contentLength: Buffer.from('content-length'),
  transferEncoding: Buffer.from('transfer-encoding'),
  authorization: Buffer.from('authorization'),
  apiKey: Buffer.from('x-api-key'),
  contentType: Buffer.from('content-type'),
  contentLengthOut: Buffer.from('content-length'),
  json: Buffer.from('application/json'),
  requestId: Buffer.from('x-request-id'),
  origin: Buffer.from('origin'),
  preflight: Buffer.from('access-control-request-method'),
};

const STATUS: Record<number, string> = {
  200: '200 OK',
  202: '202 Accepted',
  204: '204 No Content',
  304: '304 Not Modified',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

export class HttpFront {
  private inFlight = 0;
  /** When the last request arrived (performance.now()): a drain waits for the connections to go quiet. */
  lastRequestAt = -Infinity;
  private idleWaiters: (() => void)[] = [];
  /** Methods per registered pattern (Allow headers, OPTIONS). */
  private readonly methods = new Map<string, { label: string; names: string[] }>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly o: FrontOptions,
  ) {
    o.metrics.inFlight = () => this.inFlight;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  /** A GET route; other methods on its path get 405. */
  get(spec: RouteSpec): this {
    return this.add('get', spec);
  }

  /** A POST route (reads bodies up to spec.maxBodyBytes); other methods on its path get 405. */
  post(spec: RouteSpec): this {
    return this.add('post', spec);
  }

  /** A PUT route (reads bodies up to spec.maxBodyBytes); other methods on its path get 405. */
  put(spec: RouteSpec): this {
    return this.add('put', spec);
  }

  /** A PATCH route (reads bodies up to spec.maxBodyBytes); other methods on its path get 405. */
  patch(spec: RouteSpec): this {
    return this.add('patch', spec);
  }

  /** A DELETE route; other methods on its path get 405. */
  del(spec: RouteSpec): this {
    return this.add('del', spec);
  }

  private add(method: Method, spec: RouteSpec): this {
    const metrics = this.o.metrics.route(spec.label);
    const route = new Route(spec.label, spec.pattern, spec.auth, spec.handler, metrics, false, spec.maxBodyBytes ?? null, false, spec.scope, spec.conditional ?? false);
    this.app[method](spec.pattern, (res, req) => this.serve(res, req, route));
    if (method === 'get') {
      const head = new Route(spec.label, spec.pattern, spec.auth, spec.handler, metrics, false, null, true, spec.scope, spec.conditional ?? false);
      this.app.head(spec.pattern, (res, req) => this.serve(res, req, head));
    }
    const known = this.methods.get(spec.pattern);
    if (known) {
      known.names.push(METHOD_NAME[method], ...(method === 'get' ? ['HEAD'] : []));
      return this;
    }
    const names = [METHOD_NAME[method]];
    if (method === 'get') names.push('HEAD');
    this.methods.set(spec.pattern, { label: spec.label, names });
    const refuse = (): Reply => error(new HttpError(405, 'method_not_allowed', `${spec.label} accepts ${names.join(', ')} only`, { allow: names.join(', ') }));
    const other = new Route(spec.label, spec.pattern, false, refuse, metrics, true);
    this.app.any(spec.pattern, (res, req) => this.serve(res, req, other));
    return this;
  }

  /** OPTIONS on every registered path: 204 with Allow, and the CORS preflight answer for an allowed origin. */
  private options(): void {
    for (const [pattern, { label, names }] of this.methods) {
      const allow = [...names, 'OPTIONS'].join(', ');
      const route = new Route(label, pattern, false, () => ({ status: 204, body: '', headers: { allow } }), this.o.metrics.route(label), true);
      this.app.options(pattern, (res, req) => {
        const preflight = req.getHeader(H.preflight) !== '';
        const allowed = preflight ? this.o.cors.allow(req.getHeader(H.origin)) : '';
        if (allowed === '') return this.serve(res, req, route);
        const headers = { allow, ...preflightHeaders(allow) };
        this.serve(res, req, new Route(label, pattern, false, () => ({ status: 204, body: '', headers }), route.metrics, true));
      });
    }
  }

  /** 404 for every path no route matched (call last: it also answers OPTIONS on the routes registered). */
  notFound(): this {
    this.options();
    const handler = (r: RequestInfo): Reply => error(new HttpError(404, 'not_found', `no route for ${r.method.toUpperCase()} ${clip(r.url)}; see /openapi.json`));
    const route = new Route('unmatched', '/*', false, handler, this.o.metrics.route('unmatched'), true);
    this.app.any('/*', (res, req) => this.serve(res, req, route));
    return this;
  }

  private serve(res: HttpResponse, req: HttpRequest, route: Route): void {
    const x = new Exchange(this, res, route);
    this.lastRequestAt = x.t0;
    // everything needed from req is read now: it is invalid once this callback returns
    const contentLength = req.getHeader(H.contentLength);
    const chunked = req.getHeader(H.transferEncoding) !== '';
    const { info } = x;
    info.presentedId = presentedRequestId(req.getHeader(H.requestId));
    if (info.presentedId === '') info.madeId = nextRequestNumber();
    if (this.o.cors.enabled) x.allowedOrigin = this.o.cors.allow(req.getHeader(H.origin));
    if (contentLength !== '' || chunked) {
      const problem = framingProblem(req);
      if (problem !== '') {
        // answered on the next turn: were a second request smuggled into this one's bytes, uWS
        // would parse and run it right after this callback; with this response pending it
        // aborts the connection instead (and the answer is never sent)
        this.inFlight++;
        info.method = req.getMethod();
        info.url = req.getUrl();
        x.watchAbort();
        setImmediate(() => x.respondLater(error(new HttpError(400, 'bad_request', problem)), true));
        return;
      }
    }
    if (route.auth) {
      const bearer = presentedKey(req.getHeader(H.authorization), '');
      x.key = bearer !== '' ? bearer : presentedKey('', req.getHeader(H.apiKey));
    }
    for (let i = 0; i < route.nParams; i++) info.params.push(req.getParameter(i) ?? '');
    info.query = req.getQuery() ?? '';
    if (route.conditional) info.ifNoneMatch = req.getHeader('if-none-match');
    if (route.needsRequestLine || this.o.log.levelVal <= 20) {
      info.method = req.getMethod();
      info.url = req.getUrl();
    }
    this.inFlight++;
    if (route.bodyLimit !== null) return this.readBody(res, x, route, route.bodyLimit, contentLength, chunked);
    const limit = this.o.maxBodyBytes;
    if (contentLength !== '' && !(Number(contentLength) <= limit)) return x.respond(tooLarge(limit), true);
    if (!chunked) return x.run(true);
    // a chunked body: count it as it arrives, answer when it ends (or is too large)
    x.watchAbort();
    let size = 0;
    res.onData((chunk, isLast) => {
      if (x.done) return;
      size += chunk.byteLength;
      if (size > limit) x.respondLater(tooLarge(limit), true);
      else if (isLast) x.run(false);
    });
  }

  /** Reads the whole body (up to `limit`), then runs the route with it in info.body. Unauthorised requests get their 401 first, unread. */
  private readBody(res: HttpResponse, x: Exchange, route: Route, limit: number, contentLength: string, chunked: boolean): void {
    const declared = contentLength === '' ? 0 : Number(contentLength);
    if (route.auth && this.authorize(x.key, route.scope) !== 'ok') return x.run(true);
    if (!(declared <= limit)) return x.respond(tooLarge(limit, true), true);
    if (!chunked && declared === 0) return x.run(true);
    x.watchAbort();
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (x.done) return;
      size += chunk.byteLength;
      if (size > limit) return x.respondLater(tooLarge(limit, true), true);
      // copy now: uWS reuses the chunk's memory once this callback returns
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (isLast) {
        x.info.body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        x.run(false);
      }
    });
  }

  /** The API-key check of a request (false: answer 401). */
  authorize(key: string, scope: Scope): AuthResult {
    return this.o.auth.enabled ? this.o.auth.authorize(key, scope) : 'ok';
  }

  get closing(): boolean {
    return this.o.draining();
  }

  fail(e: unknown, route: Route, r: RequestInfo): Reply {
    if (e instanceof HttpError) return error(e);
    this.o.log.error({ err: e, route: route.label, method: r.method || undefined, url: r.url || undefined, requestId: r.requestId }, 'request failed');
    return error(new HttpError(500, 'internal_error', 'internal error; see the server log'));
  }

  finish(route: Route, r: RequestInfo, status: number, t0: number): void {
    const ms = performance.now() - t0;
    route.metrics.observe(status, ms / 1000);
    if (this.o.log.levelVal <= 20) this.o.log.debug({ route: route.label, method: r.method, url: r.url, status, ms: Math.round(ms * 1000) / 1000, requestId: r.requestId }, 'request');
    if (--this.inFlight === 0 && this.idleWaiters.length > 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }
}

/** One request and its response: answered once, synchronously or later (inside res.cork). */
class Exchange {
  done = false;
  key = '';
  /** Access-Control-Allow-Origin for this request ('' when none). */
  allowedOrigin = '';
  private watching = false;
  readonly info = new Request();
  readonly t0 = performance.now();

  constructor(
    private readonly front: HttpFront,
    private readonly res: HttpResponse,
    private readonly route: Route,
  ) {}

  /** Attaches res.onAborted (once); must happen inside uWS's callback before it returns unanswered. */
  watchAbort(): void {
    if (this.watching) return;
    this.watching = true;
    this.res.onAborted(() => this.abort());
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.front.finish(this.route, this.info, 499, this.t0);
  }

  /** Auth, then the route; `sync` is true inside uWS's callback (already corked). */
  run(sync: boolean): void {
    const { route, front, info } = this;
    const access = route.auth ? front.authorize(this.key, route.scope) : 'ok';
    if (access === 'forbidden') return this.send(sync, error(new HttpError(403, 'forbidden', `this API key lacks the "${route.scope}" scope that ${route.label} needs`)));
    if (access === 'unauthorized') {
      const reason = this.key === '' ? 'an API key is required (Authorization: Bearer <key> or x-api-key: <key>)' : 'the API key is not valid';
      return this.send(sync, error(new HttpError(401, 'unauthorized', reason), { 'www-authenticate': 'Bearer' }));
    }
    let out: Reply | Promise<Reply>;
    try {
      out = route.handler(info);
    } catch (e) {
      return this.send(sync, front.fail(e, route, info));
    }
    if (out instanceof Promise) {
      // answered later: when sync, this is still uWS's callback; otherwise a body was read and
      // onAborted is attached already
      this.watchAbort();
      out.then(
        (r) => this.respondLater(r),
        (e: unknown) => this.respondLater(front.fail(e, route, info)),
      );
    } else this.send(sync, out);
  }

  respond(reply: Reply, close = false): void {
    if (this.done) return;
    this.done = true;
    const { res } = this;
    if (reply.status !== 200) res.writeStatus(STATUS[reply.status] ?? String(reply.status));
    const { info } = this;
    // most answers: JSON and a made request id, both headers in one call (./request-id.ts)
    if (reply.status !== 204 && reply.type === undefined && info.madeId !== 0) res.writeHeader(H.contentType, jsonAndRequestIdOf(info.madeId));
    else {
      if (reply.status !== 204) res.writeHeader(H.contentType, reply.type ?? H.json);
      res.writeHeader(H.requestId, info.requestId);
    }
    if (reply.headers) for (const h in reply.headers) res.writeHeader(h, reply.headers[h]!);
    if (this.allowedOrigin !== '') {
      const cors = corsHeaders(this.allowedOrigin);
      for (const h in cors) res.writeHeader(h, cors[h]!);
    }
    const closing = close || this.front.closing;
    if (reply.status === 204 || this.route.head || this.info.method === 'head') {
      // no body. uWS 20.51's endWithoutBody(n) with n > 0, or with closeConnection and no length,
      // leaves the response unfinished; endWithoutBody() writes no Content-Length, so a HEAD
      // states its GET's length itself; when closing, endWithoutBody(0, true) is all that works
      // (it says Content-Length: 0)
      if (closing) res.endWithoutBody(0, true);
      else {
        if (reply.status !== 204) res.writeHeader(H.contentLengthOut, String(typeof reply.body === 'string' ? Buffer.byteLength(reply.body) : reply.body.byteLength));
        res.endWithoutBody();
      }
    } else res.end(reply.body, closing);
    this.front.finish(this.route, this.info, reply.status, this.t0);
  }

  respondLater(reply: Reply, close = false): void {
    if (!this.done) this.res.cork(() => this.respond(reply, close));
  }

  private send(sync: boolean, reply: Reply): void {
    if (sync) this.respond(reply);
    else this.respondLater(reply);
  }
}

export function error(e: HttpError, headers?: Record<string, string>): Reply {
  return { status: e.status, body: errorBody(e.status, e.code, e.message), headers: { ...e.headers, ...headers } };
}

const EMPTY = Buffer.alloc(0);

function tooLarge(limit: number, reads = false): Reply {
  return error(new HttpError(413, 'payload_too_large', `request bodies are limited to ${limit} bytes${reads ? '' : ' (this route reads none)'}`));
}

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
}
