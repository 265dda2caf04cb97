// Owns what a filter expression (./filter-parse.ts) means for a model's items: evaluated once per
// item row into a mask (1: the item passes), kept per model catalog and catalogue generation, so a
// request with a filter costs one byte read per candidate item. An item's categories, title and
// attributes come from its catalogue record when it has one (categories: else the model's genres;
// title: else the model's title). A comparison with an attribute the item lacks, or of another type
// (a number with a string), is false; `!=` is the negation of `=`. Referring to an attribute no
// item has is an error naming it and its position.

import type { AttributeValue, ItemRecord } from '../../events/catalogue.js';
import type { Catalog } from '../catalog.js';
import type { LiveCatalogue } from '../item-catalogue.js';
import { fieldsOf, FilterSyntaxError, parseFilter, type CmpOp, type FilterNode, type Value } from './filter-parse.js';

/** A filter that refers to something unknown (an attribute no item has): `position` is 1-based. */
export class FilterFieldError extends FilterSyntaxError {
  override name = 'FilterFieldError';
}

/** What a filter sees of one item. */
export interface ItemFacts {
  itemId: string;
  title: string | null;
  /** Lower-cased. */
  categories: readonly string[];
  attributes: Readonly<Record<string, AttributeValue>>;
  available: boolean;
}

const BUILT_IN = new Set(['category', 'itemId', 'title']);

/** Checks that every field `tree` names exists (built-in, or an attribute of some item). */
export function checkFields(tree: FilterNode, attributes: ReadonlySet<string>): void {
  for (const [field, pos] of fieldsOf(tree)) {
    if (BUILT_IN.has(field) || attributes.has(field)) continue;
    const known = [...attributes].sort().slice(0, 30);
    throw new FilterFieldError(pos, `unknown attribute "${field.slice(0, 64)}" (no item has it); fields: category, itemId, title${known.length ? `, ${known.join(', ')}` : ''}`);
  }
  checkCategoryOps(tree);
}

function checkCategoryOps(n: FilterNode): void {
  if (n.kind === 'and' || n.kind === 'or') checkCategoryOps(n.left), checkCategoryOps(n.right);
  else if (n.kind === 'not') checkCategoryOps(n.operand);
  else if (n.kind === 'cmp' && n.field === 'category' && n.op !== '=' && n.op !== '!=') throw new FilterFieldError(n.pos, `category compares with "in (…)", = or != only, not ${n.op}`);
}

/** Does the item pass? */
export function evaluate(n: FilterNode, item: ItemFacts): boolean {
  switch (n.kind) {
    case 'and':
      return evaluate(n.left, item) && evaluate(n.right, item);
    case 'or':
      return evaluate(n.left, item) || evaluate(n.right, item);
    case 'not':
      return !evaluate(n.operand, item);
    case 'const':
      return n.value;
    case 'available':
      return item.available;
    case 'flag':
      return item.attributes[n.field] === true;
    case 'in':
      return n.values.some((v) => equals(item, n.field, v));
    case 'cmp':
      return n.op === '=' ? equals(item, n.field, n.value) : n.op === '!=' ? !equals(item, n.field, n.value) : compare(fieldValue(item, n.field), n.op, n.value);
  }
}

function fieldValue(item: ItemFacts, field: string): AttributeValue | null | undefined {
  return field === 'itemId' ? item.itemId : field === 'title' ? item.title : item.attributes[field];
}

function equals(item: ItemFacts, field: string, v: Value): boolean {
  if (field === 'category') return typeof v === 'string' && item.categories.includes(v.toLowerCase());
  return fieldValue(item, field) === v;
}

function compare(a: AttributeValue | null | undefined, op: CmpOp, b: Value): boolean {
  if (a === null || a === undefined || typeof a === 'boolean' || typeof b === 'boolean' || typeof a !== typeof b) return false;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

/** The facts of item row `row` of `catalog` (a new item's too), its catalogue record `r` (if any) overriding the model's metadata. */
export function factsOf(catalog: Catalog, row: number, r: ItemRecord | undefined): ItemFacts {
  return {
    itemId: catalog.idAt(row),
    title: r?.title ?? catalog.titleOf(row),
    categories: (r?.categories ?? catalog.genresOf(row)).map((c) => c.toLowerCase()),
    attributes: r?.attributes ?? {},
    available: !catalog.isBlocked(row),
  };
}

/** The mask of a parsed, checked filter over the catalog's rows: the model's, then the new items' (../new-items.ts). */
export function maskOf(tree: FilterNode, catalog: Catalog, live: LiveCatalogue | undefined): Uint8Array {
  const n = catalog.size + catalog.extraCount;
  const mask = new Uint8Array(n);
  for (let row = 0; row < n; row++) if (evaluate(tree, factsOf(catalog, row, live?.get(catalog.idAt(row))))) mask[row] = 1;
  return mask;
}

/** Masks of filter texts per catalog, compiled again when the catalogue changes or a new item gets a row; at most `limit` texts kept per catalog. */
export class FilterMasks {
  private readonly byCatalog = new WeakMap<Catalog, { generation: number; rows: number; masks: Map<string, Uint8Array> }>();

  constructor(
    private readonly live: LiveCatalogue | undefined,
    private readonly limit = 256,
  ) {}

  /** The mask of `text` (throws FilterSyntaxError or FilterFieldError). */
  mask(text: string, catalog: Catalog): Uint8Array {
    const generation = this.live?.generation ?? 0;
    const rows = catalog.size + catalog.extraCount;
    let entry = this.byCatalog.get(catalog);
    if (!entry || entry.generation !== generation || entry.rows !== rows) this.byCatalog.set(catalog, (entry = { generation, rows, masks: new Map() }));
    let m = entry.masks.get(text);
    if (!m) {
      const tree = parseFilter(text);
      checkFields(tree, this.live?.attributeNames() ?? new Set());
      m = maskOf(tree, catalog, this.live);
      if (entry.masks.size >= this.limit) entry.masks.clear();
      entry.masks.set(text, m);
    }
    return m;
  }
}
