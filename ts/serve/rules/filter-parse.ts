// Owns the filter language's syntax: a small expression over an item's catalogue fields, parsed
// into a tree, every error naming the character position (1-based) where it was found.
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := unary ("and" unary)*
//   unary   := "not" unary | primary
//   primary := "(" expr ")" | "available" | "true" | "false"
//            | field ["not"] "in" "(" value ("," value)* ")"
//            | field op value            op: = != < <= > >=
//            | field                     a boolean attribute that is true
//   field   := category | itemId | title | an attribute name (letters, digits, _)
//   value   := 'text' | "text" (\ escapes the quote and \) | a number | true | false
//
// Keywords are case-insensitive. `category in (…)` is true when the item has any of the listed
// categories (compared case-insensitively, as the genre parameter is).

export type Value = string | number | boolean;
export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'const'; value: boolean }
  | { kind: 'available' }
  | { kind: 'in'; field: string; values: Value[]; pos: number }
  | { kind: 'cmp'; field: string; op: CmpOp; value: Value; pos: number }
  | { kind: 'flag'; field: string; pos: number };

/** A malformed expression: `position` is the 1-based character where the problem is. */
export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
  constructor(
    readonly position: number,
    message: string,
  ) {
    super(`${message} at position ${position}`);
  }
}

type Token = { t: 'word'; v: string; pos: number } | { t: 'str'; v: string; pos: number } | { t: 'num'; v: number; pos: number } | { t: 'op'; v: string; pos: number } | { t: 'end'; pos: number };

const MAX_LENGTH = 4000;
const MAX_DEPTH = 64;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const pos = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))![0];
      out.push({ t: 'word', v: m, pos });
      i += m.length;
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '.') && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i))![0];
      out.push({ t: 'num', v: Number(m), pos });
      i += m.length;
    } else if (c === "'" || c === '"') {
      let v = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== c; j++) v += src[j] === '\\' && j + 1 < src.length ? src[++j] : src[j];
      if (j >= src.length) throw new FilterSyntaxError(pos, 'unterminated string');
      out.push({ t: 'str', v, pos });
      i = j + 1;
    } else {
      const two = src.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two, pos });
        i += 2;
      } else if ('()=<>,'.includes(c)) {
        out.push({ t: 'op', v: c, pos });
        i++;
      } else throw new FilterSyntaxError(pos, `unexpected character "${c}"`);
    }
  }
  out.push({ t: 'end', pos: src.length + 1 });
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'available']);
const describe = (t: Token) => (t.t === 'end' ? 'the end' : t.t === 'str' ? `'${t.v}'` : `"${t.v}"`);

/** Parses a filter expression (throws FilterSyntaxError). */
export function parseFilter(src: string): FilterNode {
  if (src.length > MAX_LENGTH) throw new FilterSyntaxError(MAX_LENGTH + 1, `the expression is longer than ${MAX_LENGTH} characters`);
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;
  const peek = () => toks[p]!;
  const isWord = (t: Token, w: string) => t.t === 'word' && t.v.toLowerCase() === w;
  const expectOp = (v: string) => {
    const t = peek();
    if (t.t !== 'op' || t.v !== v) throw new FilterSyntaxError(t.pos, `expected "${v}" but found ${describe(t)}`);
    p++;
  };
  const value = (): Value => {
    const t = peek();
    p++;
    if (t.t === 'str' || t.t === 'num') return t.v;
    if (isWord(t, 'true')) return true;
    if (isWord(t, 'false')) return false;
    throw new FilterSyntaxError(t.pos, `expected a value (a quoted string, a number, true or false) but found ${describe(t)}`);
  };
  const or = (): FilterNode => {
    if (++depth > MAX_DEPTH) throw new FilterSyntaxError(peek().pos, `the expression nests deeper than ${MAX_DEPTH} levels`);
    let left = and();
    while (isWord(peek(), 'or')) {
      p++;
      left = { kind: 'or', left, right: and() };
    }
    depth--;
    return left;
  };
  const and = (): FilterNode => {
    let left = unary();
    while (isWord(peek(), 'and')) {
      p++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): FilterNode => {
    if (isWord(peek(), 'not')) {
      p++;
      if (++depth > MAX_DEPTH) throw new FilterSyntaxError(peek().pos, `the expression nests deeper than ${MAX_DEPTH} levels`);
      const operand = unary();
      depth--;
      return { kind: 'not', operand };
    }
    return primary();
  };
  const primary = (): FilterNode => {
    const t = peek();
    if (t.t === 'op' && t.v === '(') {
      p++;
      const inner = or();
      expectOp(')');
      return inner;
    }
    if (t.t !== 'word') throw new FilterSyntaxError(t.pos, `expected a condition (a field, "available", "not" or "(") but found ${describe(t)}`);
    const w = t.v.toLowerCase();
    if (w === 'true' || w === 'false') {
      p++;
      return { kind: 'const', value: w === 'true' };
    }
    if (w === 'available') {
      p++;
      return { kind: 'available' };
    }
    if (KEYWORDS.has(w)) throw new FilterSyntaxError(t.pos, `expected a condition but found the keyword "${t.v}"`);
    p++;
    const field = w === 'category' || w === 'categories' ? 'category' : t.v;
    const next = peek();
    const negated = isWord(next, 'not') && isWord(toks[p + 1]!, 'in');
    if (negated || isWord(next, 'in')) {
      p += negated ? 2 : 1;
      expectOp('(');
      const values = [value()];
      while (peek().t === 'op' && (peek() as { v: string }).v === ',') {
        p++;
        values.push(value());
      }
      expectOp(')');
      const node: FilterNode = { kind: 'in', field, values, pos: t.pos };
      return negated ? { kind: 'not', operand: node } : node;
    }
    if (next.t === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(next.v)) {
      p++;
      return { kind: 'cmp', field, op: next.v as CmpOp, value: value(), pos: t.pos };
    }
    if (field === 'category') throw new FilterSyntaxError(next.pos, `expected "in (…)" after category but found ${describe(next)}`);
    return { kind: 'flag', field, pos: t.pos };
  };
  const tree = or();
  const rest = peek();
  if (rest.t !== 'end') throw new FilterSyntaxError(rest.pos, `expected "and", "or" or the end but found ${describe(rest)}`);
  return tree;
}

/** The fields a tree refers to, with the position of their first use. */
export function fieldsOf(node: FilterNode, out = new Map<string, number>()): Map<string, number> {
  if (node.kind === 'and' || node.kind === 'or') {
    fieldsOf(node.left, out);
    fieldsOf(node.right, out);
  } else if (node.kind === 'not') fieldsOf(node.operand, out);
  else if (node.kind === 'in' || node.kind === 'cmp' || node.kind === 'flag') {
    if (!out.has(node.field)) out.set(node.field, node.pos);
  }
  return out;
}
