// Owns cross-origin access (CORS): which origins may call the API from a browser
// (RECS_CORS_ORIGINS / --cors-origins: a comma-separated list of origins such as
// https://app.example.com, or * for any; off by default), the headers an allowed origin's
// responses carry, and the answer to a preflight (OPTIONS with Access-Control-Request-Method).

export class Cors {
  private readonly origins: ReadonlySet<string>;
  private readonly any: boolean;

  constructor(list: readonly string[]) {
    for (const o of list) {
      if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) throw new CorsConfigError(`CORS origin "${o}" is not an origin like https://app.example.com (scheme and host, no path), nor *`);
    }
    this.any = list.includes('*');
    this.origins = new Set(list);
  }

  /** From RECS_CORS_ORIGINS (comma-separated; empty or unset: CORS off). */
  static fromEnv(value: string | undefined): Cors {
    return new Cors(
      (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );
  }

  get enabled(): boolean {
    return this.any || this.origins.size > 0;
  }

  /** The Access-Control-Allow-Origin value for a request from `origin` ('' when it is not allowed or there is none). */
  allow(origin: string): string {
    if (origin === '' || !this.enabled) return '';
    return this.any ? '*' : this.origins.has(origin) ? origin : '';
  }
}

export class CorsConfigError extends Error {
  override name = 'CorsConfigError';
}

/** Headers every response to an allowed origin carries. */
export function corsHeaders(allowed: string): Record<string, string> {
  return allowed === '*'
    ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSE }
    : { 'access-control-allow-origin': allowed, vary: 'Origin', 'access-control-expose-headers': EXPOSE };
}

/** A preflight's extra headers for an allowed origin. */
export function preflightHeaders(methods: string): Record<string, string> {
  return { 'access-control-allow-methods': methods, 'access-control-allow-headers': 'authorization, x-api-key, content-type, x-request-id', 'access-control-max-age': '600' };
}

const EXPOSE = 'x-request-id, retry-after';
