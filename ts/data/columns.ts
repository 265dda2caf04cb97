// Owns column mapping for rating files: which field is user/item/rating/timestamp, and whether
// the first line is a header.

/** A column by header name (exact, else case- and punctuation-insensitive) or 0-based index. */
export type ColumnRef = string | number;

export interface ColumnSpec {
  user?: ColumnRef;
  item?: ColumnRef;
  /** null: no rating column (rows get `implicitRating`). Default: "rating"-like header or index 2. */
  rating?: ColumnRef | null;
  /** null: no timestamp column (NaN). Default: "timestamp"-like header or index 3. */
  timestamp?: ColumnRef | null;
}

/** Field index per role (-1: absent) and the field count every line must have. */
export interface ResolvedColumns {
  user: number;
  item: number;
  rating: number;
  timestamp: number;
  fieldCount: number;
}

export type Role = 'user' | 'item' | 'rating' | 'timestamp';
export const ROLES: readonly Role[] = ['user', 'item', 'rating', 'timestamp'];

const SYNONYMS: Record<Role, readonly string[]> = {
  user: ['userid', 'user', 'uid', 'customerid', 'visitorid', 'reviewerid', 'memberid'],
  item: ['itemid', 'item', 'movieid', 'movie', 'iid', 'productid', 'product', 'asin', 'trackid', 'track', 'artistid', 'artist', 'bookid', 'isbn', 'songid', 'articleid'],
  rating: ['rating', 'score', 'stars', 'value', 'weight', 'preference', 'plays', 'playcount', 'count', 'relevance'],
  timestamp: ['timestamp', 'time', 'ts', 'unixtime', 'datetime', 'date'],
};
const DEFAULT_INDEX: Record<Role, number> = { user: 0, item: 1, rating: 2, timestamp: 3 };

const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Whether a first line looks like a header (when header: 'auto'). */
export function looksLikeHeader(first: readonly string[], spec: ColumnSpec): boolean {
  if (ROLES.some((r) => typeof spec[r] === 'string')) return true;
  const known = new Set(ROLES.flatMap((r) => SYNONYMS[r]));
  if (first.some((f) => known.has(norm(f)))) return true;
  // A non-numeric value where a rating/timestamp would be is a header, not data.
  for (const role of ['rating', 'timestamp'] as const) {
    const ref = spec[role];
    const idx = typeof ref === 'number' ? ref : ref === undefined ? DEFAULT_INDEX[role] : -1;
    const v = first[idx];
    if (v !== undefined && v.trim() !== '' && !Number.isFinite(Number(v))) return true;
  }
  return false;
}

/**
 * Field indices for each role. `names` is the header (null if none); `fieldCount` the number of
 * fields on the first line. Roles are matched by the given name or index, else by a known header
 * name (userId, movieId, artistID, rating, weight, timestamp, …); a header with other names falls
 * back to positions (user first, item second, rating third when the header has no better match).
 * Throws a descriptive error naming `source` when a column is missing.
 */
export function resolveColumns(source: string, names: readonly string[] | null, fieldCount: number, spec: ColumnSpec): ResolvedColumns {
  const out: ResolvedColumns = { user: -1, item: -1, rating: -1, timestamp: -1, fieldCount };
  const open: Role[] = [];
  for (const role of ROLES) {
    const ref = spec[role];
    const required = role === 'user' || role === 'item';
    let idx = -1;
    if (ref === null) {
      if (required) throw new Error(`${source}: the ${role} column cannot be none`);
    } else if (typeof ref === 'number') {
      idx = ref;
      if (!Number.isInteger(idx) || idx < 0 || idx >= fieldCount) {
        throw new Error(`${source}: ${role} column ${ref + 1} is out of range (lines have ${fieldCount} fields); check --columns and --delimiter`);
      }
    } else if (typeof ref === 'string') {
      if (names === null) throw new Error(`${source}: ${role} column "${ref}" given by name but the file has no header; give its position (--columns ${role}=N, 1-based)`);
      idx = findName(names, [ref]);
      if (idx < 0) throw new Error(`${source}: no ${role} column "${ref}" in header [${names.join(', ')}]`);
    } else if (names !== null) {
      idx = findName(names, SYNONYMS[role]);
      if (idx < 0) open.push(role);
    } else {
      idx = DEFAULT_INDEX[role] < fieldCount ? DEFAULT_INDEX[role] : -1;
      if (idx < 0 && required) throw new Error(`${source}: lines have ${fieldCount} field(s); need at least user and item (check --delimiter)`);
    }
    out[role] = idx;
  }
  // A header with unfamiliar names: positions, for the columns no other role took.
  const taken = new Set(ROLES.map((r) => out[r]).filter((i) => i >= 0));
  for (const role of open) {
    if (role === 'timestamp') continue; // never guessed from a position under a header
    const idx = DEFAULT_INDEX[role];
    if (idx < fieldCount && !taken.has(idx)) {
      out[role] = idx;
      taken.add(idx);
    } else if (role === 'user' || role === 'item') {
      throw new Error(`${source}: cannot tell which column is the ${role} in header [${names!.join(', ')}]; pass --columns ${role}=<name or position>`);
    }
  }
  return out;
}

/** "user=userID (1), item=artistID (2), rating=weight (3)": which field each role was read from. */
export function describeColumns(c: ResolvedColumns, names: readonly string[] | null): string {
  return ROLES.filter((r) => c[r] >= 0)
    .map((r) => `${r}=${names ? `${names[c[r]]} (${c[r] + 1})` : `column ${c[r] + 1}`}`)
    .join(', ');
}

/**
 * A column spec from a command line: "user=userID,item=2,rating=none" (names, 1-based positions,
 * or none for rating/timestamp). Throws a message naming --columns.
 */
export function parseColumnSpec(text: string): ColumnSpec {
  const spec: ColumnSpec = {};
  for (const part of text.split(',')) {
    const m = /^\s*(user|item|rating|timestamp)\s*=\s*(.*?)\s*$/.exec(part);
    if (!m) throw new Error(`--columns takes role=column pairs (user, item, rating, timestamp), e.g. user=userID,item=2; got ${JSON.stringify(part)}`);
    const role = m[1] as Role;
    const value = m[2]!;
    if (value === '') throw new Error(`--columns ${role}= needs a column name or position`);
    if (/^none$/i.test(value)) {
      if (role === 'user' || role === 'item') throw new Error(`--columns ${role}=none: the ${role} column is required`);
      spec[role] = null;
    } else if (/^\d+$/.test(value)) {
      const n = Number(value);
      if (n < 1) throw new Error(`--columns ${role}=${value}: positions start at 1`);
      spec[role] = n - 1;
    } else spec[role] = value;
  }
  return spec;
}

function findName(names: readonly string[], wanted: readonly string[]): number {
  for (const w of wanted) {
    const exact = names.indexOf(w);
    if (exact >= 0) return exact;
  }
  const normed = names.map(norm);
  for (const w of wanted) {
    const i = normed.indexOf(norm(w));
    if (i >= 0) return i;
  }
  return -1;
}
