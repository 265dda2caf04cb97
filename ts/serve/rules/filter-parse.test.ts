// The filter language's syntax: every form parses to the tree it means (precedence: not > and >
// or, parentheses), and malformed expressions fail with the 1-based position of the problem.

import { describe, expect, it } from 'vitest';
import { evaluate, type ItemFacts } from './filter-eval.js';
import { FilterSyntaxError, fieldsOf, parseFilter } from './filter-parse.js';

const item = (o: Partial<ItemFacts>): ItemFacts => ({ itemId: 'x', title: null, categories: [], attributes: {}, available: true, ...o });
const passes = (expr: string, o: Partial<ItemFacts>) => evaluate(parseFilter(expr), item(o));

describe('filter language', () => {
  it('parses each form and evaluates it as written', () => {
    expect(passes("category in ('Comedy', 'drama')", { categories: ['drama'] })).toBe(true);
    expect(passes("category in ('Comedy')", { categories: ['drama'] })).toBe(false);
    expect(passes("category not in ('Comedy')", { categories: ['drama'] })).toBe(true);
    expect(passes("not category in ('drama')", { categories: ['drama'] })).toBe(false);
    expect(passes('available', { available: false })).toBe(false);
    expect(passes('not available', { available: false })).toBe(true);
    expect(passes('price < 10 and price >= 5', { attributes: { price: 7 } })).toBe(true);
    expect(passes('price <= 6.5', { attributes: { price: 7 } })).toBe(false);
    expect(passes('price > -1e1', { attributes: { price: -5 } })).toBe(true);
    expect(passes('price != 7', { attributes: { price: 7 } })).toBe(false);
    expect(passes('price = 7', { attributes: { price: '7' } })).toBe(false); // types must match
    expect(passes('price < 10', {})).toBe(false); // a missing attribute compares false
    expect(passes('price != 10', {})).toBe(true); // != is the negation of =
    expect(passes("brand = 'acme' or new", { attributes: { new: true } })).toBe(true);
    expect(passes('new', { attributes: { new: 'yes' } })).toBe(false); // a flag is a boolean true
    expect(passes('brand in (\'a\', "b\\"c")', { attributes: { brand: 'b"c' } })).toBe(true);
    expect(passes("itemId = 'x' AND NOT (title = 'T' OR false)", { title: 'U' })).toBe(true);
  });

  it('binds not tighter than and, and tighter than or', () => {
    // a or b and c = a or (b and c)
    expect(passes('a or b and c', { attributes: { a: true, b: false, c: false } })).toBe(true);
    expect(passes('(a or b) and c', { attributes: { a: true, b: false, c: false } })).toBe(false);
    expect(passes('not a and b', { attributes: { a: false, b: true } })).toBe(true);
    expect(passes('not (a and b)', { attributes: { a: true, b: true } })).toBe(false);
    expect([...fieldsOf(parseFilter("x = 1 or (y > 2 and category in ('a'))")).entries()]).toEqual([
      ['x', 1],
      ['y', 11],
      ['category', 21],
    ]);
  });

  it('reports malformed expressions with the position', () => {
    const at = (expr: string) => {
      try {
        parseFilter(expr);
      } catch (e) {
        expect(e).toBeInstanceOf(FilterSyntaxError);
        return [(e as FilterSyntaxError).position, (e as Error).message];
      }
      throw new Error(`parsed: ${expr}`);
    };
    expect(at("category in ('a'")).toEqual([17, 'expected ")" but found the end at position 17']);
    expect(at('price <')).toEqual([8, 'expected a value (a quoted string, a number, true or false) but found the end at position 8']);
    expect(at('price < 5 5')).toEqual([11, 'expected "and", "or" or the end but found "5" at position 11']);
    expect(at("title = 'open")).toEqual([9, 'unterminated string at position 9']);
    expect(at('a and or b')[0]).toBe(7);
    expect(at('price ~ 3')).toEqual([7, 'unexpected character "~" at position 7']);
    expect(at('(a or b')[0]).toBe(8);
    expect(at('category')[1]).toMatch(/expected "in \(…\)" after category/);
    expect(at('')[0]).toBe(1);
    expect(at('not '.repeat(100) + 'a')[1]).toMatch(/nests deeper than 64/);
  });
});
