// Owns API-key authentication: keys from a list (RECS_API_KEYS, comma-separated) and/or a mounted
// file (RECS_API_KEYS_FILE, one key per line, # comments), presented as `Authorization: Bearer
// <key>` or `x-api-key: <key>`. A presented key is compared with every stored key in constant time
// (sameKey: every character of every stored key is compared, differences OR-ed, no stop at a match
// or a mismatch), so the time taken depends on the stored keys' lengths alone and says nothing
// about which key (or how much of one) was right. No hashing: a SHA-256 per request cost more than
// the rest of authentication, and the loop's time does not depend on what is presented.

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
  private readonly keys: string[];

  constructor(
    keys: readonly string[],
    /** The comparison (tests count its calls to check that no match stops the loop early). */
    private readonly equal: (presented: string, stored: string) => boolean = sameKey,
  ) {
    this.keys = [...new Set(keys)];
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** True when `key` is one of the keys. Same work for every key, right or wrong. */
  check(key: string): boolean {
    let ok = 0;
    for (const k of this.keys) ok |= this.equal(key, k) ? 1 : 0;
    return ok === 1 && key !== '';
  }
}

/**
 * Constant-time equality of a presented key and a stored one: every character of the stored key
 * is compared (a presented key too short reads as 0s beyond its end; its length is compared too),
 * differences are OR-ed together, nothing depends on where they differ or on the presented key's
 * length. (crypto.timingSafeEqual does the same over equal-length Buffers, but would need a Buffer
 * per request and a length check first.)
 */
export function sameKey(presented: string, stored: string): boolean {
  const p = presented.length;
  let diff = p ^ stored.length;
  for (let i = 0; i < stored.length; i++) diff |= (i < p ? presented.charCodeAt(i) : 0) ^ stored.charCodeAt(i);
  return diff === 0;
}
