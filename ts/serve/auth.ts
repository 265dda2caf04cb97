// Owns API-key authentication: keys from a list (RECS_API_KEYS, comma-separated) and/or a mounted
// file (RECS_API_KEYS_FILE, one key per line, # comments), presented as `Authorization: Bearer
// <key>` or `x-api-key: <key>`. A presented key is compared with every stored key in constant time
// (sameKey: every character of every stored key is compared, differences OR-ed, no stop at a match
// or a mismatch), so the time taken depends on the stored keys' lengths alone and says nothing
// about which key (or how much of one) was right. No hashing: a SHA-256 per request cost more than
// the rest of authentication, and the loop's time does not depend on what is presented.
// Scopes: a key entry is `<key>` or `<key>:<scope>+<scope>…` with scopes read (recommendations,
// similar items, batch, a protected /metrics and demo), events (POST /v1/events) and admin
// (DELETE /v1/users/{id}); a key without scopes has read and events, never admin.

import { readFileSync } from 'node:fs';

export const MIN_KEY_LENGTH = 16;

export const SCOPES = ['read', 'events', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
/** The scopes of a key listed without any. */
export const DEFAULT_SCOPES: readonly Scope[] = ['read', 'events'];

export interface ApiKey {
  key: string;
  scopes: readonly Scope[];
}

/** What an authorization check found: the key may do it, is not a key, or lacks the scope. */
export type AuthResult = 'ok' | 'unauthorized' | 'forbidden';

export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

/** Parses and checks keys; throws AuthConfigError naming the source of a bad key. */
export function loadApiKeys(opts: { keys?: string | readonly string[]; keysFile?: string }): ApiKey[] {
  const out: ApiKey[] = [];
  const add = (raw: string, where: string) => {
    const entry = raw.trim();
    if (entry === '' || entry.startsWith('#')) return;
    if (!/^[\x21-\x7e]+$/.test(entry)) throw new AuthConfigError(`${where}: an API key may hold only visible ASCII characters`);
    const { key, scopes } = splitScopes(entry, where);
    if (key.length < MIN_KEY_LENGTH) throw new AuthConfigError(`${where}: an API key must be at least ${MIN_KEY_LENGTH} characters (got ${key.length})`);
    out.push({ key, scopes });
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

/** `<key>:<scope>+<scope>` → key and scopes; an entry whose text after its last ':' names no scope is all key. */
function splitScopes(entry: string, where: string): ApiKey {
  const colon = entry.lastIndexOf(':');
  if (colon < 0) return { key: entry, scopes: DEFAULT_SCOPES };
  const names = entry.slice(colon + 1).split('+');
  if (!names.some((n) => (SCOPES as readonly string[]).includes(n))) return { key: entry, scopes: DEFAULT_SCOPES };
  const bad = names.find((n) => !(SCOPES as readonly string[]).includes(n));
  if (bad !== undefined) throw new AuthConfigError(`${where}: unknown scope "${bad}"; scopes are ${SCOPES.join(', ')} (joined with +, e.g. <key>:read+events)`);
  return { key: entry.slice(0, colon), scopes: [...new Set(names as Scope[])] };
}

/** The key a request presents (Bearer token first, then x-api-key), or ''. */
export function presentedKey(authorization: string, xApiKey: string): string {
  if (authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') return authorization.slice(7).trim();
  return xApiKey.trim();
}

export class ApiKeyAuth {
  private readonly keys: string[];
  /** Per key (same order): a bit per scope, SCOPES order. */
  private readonly scopeBits: number[];

  constructor(
    keys: readonly (string | ApiKey)[],
    /** The comparison (tests count its calls to check that no match stops the loop early). */
    private readonly equal: (presented: string, stored: string) => boolean = sameKey,
  ) {
    const bits = new Map<string, number>();
    for (const k of keys) {
      const { key, scopes } = typeof k === 'string' ? { key: k, scopes: DEFAULT_SCOPES } : k;
      bits.set(key, (bits.get(key) ?? 0) | scopes.reduce((b, s) => b | bit(s), 0));
    }
    this.keys = [...bits.keys()];
    this.scopeBits = [...bits.values()];
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** True when `key` is one of the keys (any scope). Same work for every key, right or wrong. */
  check(key: string): boolean {
    return this.scopesOf(key) !== 0;
  }

  /** Whether `key` may act in `scope`. Same work for every key, right or wrong. */
  authorize(key: string, scope: Scope): AuthResult {
    const bits = this.scopesOf(key);
    return bits === 0 ? 'unauthorized' : (bits & bit(scope)) !== 0 ? 'ok' : 'forbidden';
  }

  /** The scope bits of `key` (0: not a key); every stored key is compared. */
  private scopesOf(key: string): number {
    let found = 0;
    for (let i = 0; i < this.keys.length; i++) found |= this.equal(key, this.keys[i]!) ? this.scopeBits[i]! | 0x100 : 0;
    return key === '' ? 0 : found;
  }
}

function bit(s: Scope): number {
  return 1 << SCOPES.indexOf(s);
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
