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
import { presentedKey, type ApiKeyAuth } from './auth.js';

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
  query = '';
  readonly params: string[] = [];
  body: Buffer = EMPTY;
  ifNoneMatch = '';
}

export type RouteHandler = (req: RequestInfo) => Reply | Promise<Reply>;

export interface RouteSpec {
  /** uWS pattern, e.g. /v1/users/:userId/recommendations */
  pattern: string;
  /** Metrics and log label, e.g. /v1/users/{userId}/recommendations */
  label: string;
  auth: boolean;
  handler: RouteHandler;
  /** Largest body this route reads, bytes; set it to read bodies (default: none read). */
  maxBodyBytes?: number;
  /** Read If-None-Match (conditional GETs). */
  conditional?: boolean;
}

type Method = 'get' | 'post' | 'del';
const METHOD_NAME: Record<Method, string> = { get: 'GET', post: 'POST', del: 'DELETE' };

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
}

/** Header names and the common value, encoded once (a JS string costs a UTF-8 conversion per native call). */
const H = {
  contentLength: Buffer.from('content-length'),
  transferEncoding: Buffer.from('transfer-encoding'),
  authorization: Buffer.from('authorization'),
  apiKey: Buffer.from('x-api-key'),
  contentType: Buffer.from('content-type'),
  json: Buffer.from('application/json'),
};

const STATUS: Record<number, string> = {
  200: '200 OK',
  202: '202 Accepted',
  304: '304 Not Modified',
  400: '400 Bad Request',
  401: '401 Unauthorized',
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
  private idleWaiters: (() => void)[] = [];

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

  /** A DELETE route; other methods on its path get 405. */
  del(spec: RouteSpec): this {
    return this.add('del', spec);
  }

  private add(method: Method, spec: RouteSpec): this {
    const metrics = this.o.metrics.route(spec.label);
    const route = new Route(spec.label, spec.pattern, spec.auth, spec.handler, metrics, false, spec.maxBodyBytes ?? null, spec.conditional ?? false);
    this.app[method](spec.pattern, (res, req) => this.serve(res, req, route));
    const name = METHOD_NAME[method];
    const refuse = (): Reply => error(new HttpError(405, 'method_not_allowed', `${spec.label} accepts ${name} only`, { allow: name }));
    const other = new Route(spec.label, spec.pattern, false, refuse, metrics, true);
    this.app.any(spec.pattern, (res, req) => this.serve(res, req, other));
    return this;
  }

  /** 404 for every path no route matched. */
  notFound(): this {
    const handler = (r: RequestInfo): Reply => error(new HttpError(404, 'not_found', `no route for ${r.method.toUpperCase()} ${clip(r.url)}; see /openapi.json`));
    const route = new Route('unmatched', '/*', false, handler, this.o.metrics.route('unmatched'), true);
    this.app.any('/*', (res, req) => this.serve(res, req, route));
    return this;
  }

  private serve(res: HttpResponse, req: HttpRequest, route: Route): void {
    const x = new Exchange(this, res, route);
    // everything needed from req is read now: it is invalid once this callback returns
    const contentLength = req.getHeader(H.contentLength);
    const chunked = req.getHeader(H.transferEncoding) !== '';
    if (route.auth) {
      const bearer = presentedKey(req.getHeader(H.authorization), '');
      x.key = bearer !== '' ? bearer : presentedKey('', req.getHeader(H.apiKey));
    }
    const { info } = x;
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
    if (route.auth && !this.authorized(x.key)) return x.run(true);
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
  authorized(key: string): boolean {
    return !this.o.auth.enabled || this.o.auth.check(key);
  }

  get closing(): boolean {
    return this.o.draining();
  }

  fail(e: unknown, route: Route, r: RequestInfo): Reply {
    if (e instanceof HttpError) return error(e);
    this.o.log.error({ err: e, route: route.label, method: r.method || undefined, url: r.url || undefined }, 'request failed');
    return error(new HttpError(500, 'internal_error', 'internal error; see the server log'));
  }

  finish(route: Route, r: RequestInfo, status: number, t0: number): void {
    const ms = performance.now() - t0;
    route.metrics.observe(status, ms / 1000);
    if (this.o.log.levelVal <= 20) this.o.log.debug({ route: route.label, method: r.method, url: r.url, status, ms: Math.round(ms * 1000) / 1000 }, 'request');
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
  private watching = false;
  readonly info: RequestInfo = new Request();
  private readonly t0 = performance.now();

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
    if (route.auth && !front.authorized(this.key)) {
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
    res.writeHeader(H.contentType, reply.type ?? H.json);
    if (reply.headers) for (const h in reply.headers) res.writeHeader(h, reply.headers[h]!);
    res.end(reply.body, close || this.front.closing);
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
