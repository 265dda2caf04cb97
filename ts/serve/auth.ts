// Owns API-key authentication: keys from a list (RECS_API_KEYS, comma-separated) and/or a mounted
// file (RECS_API_KEYS_FILE, one key per line, # comments), presented as `Authorization: Bearer
// <key>` or `x-api-key: <key>`. Keys are kept as SHA-256 digests; a presented key is hashed and
// compared with every stored digest in constant time (sameDigest), without stopping at a match,
// so the time taken says nothing about which key (or how much of one) was right.

import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const MIN_KEY_LENGTH = 16;

export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

/** Parses and checks keys; throws AuthConfigError naming the source of a bad key. */
export function loadApiKeys(opts: { keys?: string | readonly string[]; keysFile?: string }): string[] {
  const out: string[] = [];
  const add = (raw: string, where: string) => {
    const key = raw.trim();
    if (key === '' || key.startsWith('#')) return;
    if (!/^[\x21-\x7e]+$/.test(key)) throw new AuthConfigError(`${where}: an API key may hold only visible ASCII characters`);
    if (key.length < MIN_KEY_LENGTH) throw new AuthConfigError(`${where}: an API key must be at least ${MIN_KEY_LENGTH} characters (got ${key.length})`);
    out.push(key);
  };
  const list = typeof opts.keys === 'string' ? opts.keys.split(',') : (opts.keys ?? []);
  list.forEach((k, i) => add(k, `API key #${i + 1} of the list`));
  if (opts.keysFile) {
    let text: string;
    try {
      text = readFileSync(opts.keysFile, 'utf8');
    } catch (e) {
      throw new AuthConfigError(`cannot read the API keys file ${opts.keysFile}: ${(e as Error).message}`);
    }
    text.split(/\r?\n/).forEach((line, i) => add(line, `${opts.keysFile}:${i + 1}`));
  }
  return out;
}

/** The key a request presents (Bearer token first, then x-api-key), or ''. */
export function presentedKey(authorization: string, xApiKey: string): string {
  if (authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') return authorization.slice(7).trim();
  return xApiKey.trim();
}

export class ApiKeyAuth {
  private readonly digests: string[];

  constructor(
    keys: readonly string[],
    /** The comparison (tests count its calls to check that no match stops the loop early). */
    private readonly equal: (a: string, b: string) => boolean = sameDigest,
  ) {
    this.digests = [...new Set(keys)].map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** True when `key` is one of the keys. Same work for every key, right or wrong. */
  check(key: string): boolean {
    const d = digest(key);
    let ok = 0;
    for (const k of this.digests) ok |= this.equal(d, k) ? 1 : 0;
    return ok === 1 && key !== '';
  }
}

/** SHA-256 as hex, in one native call and without a Buffer (both cost more than the rest of a request). */
function digest(key: string): string {
  return hash('sha256', key, 'hex');
}

/**
 * Constant-time equality of two SHA-256 hex digests: every character is compared, differences
 * are OR-ed together, nothing depends on where they differ. (crypto.timingSafeEqual does the
 * same over Buffers, but would need a Buffer per request.)
 */
export function sameDigest(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
