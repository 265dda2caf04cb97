// Owns argument checking for the WASM engine, mirroring the native binding (crates/als-node:
// env/read.rs and args.rs) so both engines reject the same inputs with the same error codes and
// messages. Messages here lack the function-name prefix; the engine adds it (`inContext`).

export const U32_MAX = 4_294_967_295;
export const U64_MAX_TEXT = '18446744073709551615';

export function typeError(message: string): never {
  throw Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}

export function valueError(message: string): never {
  throw Object.assign(new Error(message), { code: 'ERR_INVALID_ARG_VALUE' });
}

/** Re-throws an error with a `code` as the same kind of error, its message prefixed by `context`. */
export function inContext(context: string, e: unknown): never {
  if (e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && !e.message.startsWith(`${context}: `)) {
    const code = (e as Error & { code: string }).code;
    const Kind = e instanceof TypeError ? TypeError : Error;
    throw Object.assign(new Kind(`${context}: ${e.message}`), { code });
  }
  throw e;
}

/** A value's type for messages, as the native binding words it: "a string", "an Array", "a Float64Array". */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v !== 'object') return `a ${typeof v}`;
  if (Array.isArray(v)) return 'an Array';
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return `a ${(v as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag]}`;
  return 'an object';
}

/** A number as JS prints it. */
export const jsNumber = (x: number): string => String(x);

export function number(v: unknown, what: string): number {
  if (typeof v !== 'number') typeError(`${what} must be a number, got ${describe(v)}`);
  return v;
}

/** A finite number, rounded to f32. */
export function finiteF32(v: unknown, what: string): number {
  const x = number(v, what);
  if (!Number.isFinite(x)) valueError(`${what} must be a finite number, got ${jsNumber(x)}`);
  return Math.fround(x);
}

/** An integer in min..=max (max also bounded by Number.MAX_SAFE_INTEGER). */
export function integer(v: unknown, what: string, min: number, max: number, maxText = String(max)): number {
  const x = number(v, what);
  if (!(Number.isInteger(x) && x >= min && x <= Math.min(max, Number.MAX_SAFE_INTEGER))) {
    valueError(`${what} must be an integer in ${min}..=${maxText}, got ${jsNumber(x)}`);
  }
  return x;
}

export function boolean(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') typeError(`${what} must be a boolean, got ${describe(v)}`);
  return v;
}

export function string(v: unknown, what: string): string {
  if (typeof v !== 'string') typeError(`${what} must be a string, got ${describe(v)}`);
  return v;
}

export function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) typeError(`${what} must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

export function func(v: unknown, what: string): (...args: never[]) => unknown {
  if (typeof v !== 'function') typeError(`${what} must be a function, got ${describe(v)}`);
  return v as (...args: never[]) => unknown;
}

/** `obj[key]`, or undefined when it is undefined or null. */
export function optional(obj: Record<string, unknown>, key: string): unknown {
  const v = obj[key];
  return v === null ? undefined : v;
}

export function typed<T extends Uint32Array | Float32Array>(v: unknown, what: string, kind: { new (n: number): T; name: string }): T {
  if (!(v instanceof kind)) typeError(`${what} must be a ${kind.name}, got ${describe(v)}`);
  return v;
}

/** Every index is below `bound`. */
export function checkIndices(indices: Uint32Array, bound: number, what: string, boundName: string): void {
  for (let i = 0; i < indices.length; i++) {
    const x = indices[i] as number;
    if (x >= bound) valueError(`${what}[${i}] = ${x} is out of range (${boundName} = ${bound})`);
  }
}

/** Every value is finite. */
export function checkFinite(values: Float32Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (!Number.isFinite(x)) valueError(`${what}[${i}] is ${jsNumber(x)}; values must be finite numbers`);
  }
}

export function checkSameLength(names: string[], lengths: number[]): void {
  if (lengths.some((n) => n !== lengths[0])) {
    const got = names.map((n, i) => `${n} ${lengths[i]}`).join(', ');
    valueError(`${names.join(', ')} must have the same length (got ${got})`);
  }
}

export interface Coo {
  nUsers: number;
  nItems: number;
  users: Uint32Array;
  items: Uint32Array;
  /** Absent when optional and not given. */
  values?: Float32Array;
}

/** `{ nUsers, nItems, users, items, values? }`: types and lengths (values required unless told). */
export function readInteractions(v: unknown, what: string, valuesRequired: boolean): Coo {
  const obj = object(v, what);
  const nUsers = integer(obj.nUsers, `${what}.nUsers`, 0, U32_MAX);
  const nItems = integer(obj.nItems, `${what}.nItems`, 0, U32_MAX);
  const [uName, iName, vName] = [`${what}.users`, `${what}.items`, `${what}.values`];
  const users = typed(obj.users, uName, Uint32Array);
  const items = typed(obj.items, iName, Uint32Array);
  if (!valuesRequired && optional(obj, 'values') === undefined) {
    checkSameLength([uName, iName], [users.length, items.length]);
    return { nUsers, nItems, users, items };
  }
  const values = typed(obj.values, vName, Float32Array);
  checkSameLength([uName, iName, vName], [users.length, items.length, values.length]);
  return { nUsers, nItems, users, items, values };
}

/** Index ranges and finite values. */
export function validateInteractions(c: Coo, what: string): void {
  checkIndices(c.users, c.nUsers, `${what}.users`, `${what}.nUsers`);
  checkIndices(c.items, c.nItems, `${what}.items`, `${what}.nItems`);
  if (c.values) checkFinite(c.values, `${what}.values`);
}

export interface Factors {
  rank: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
}

/** `{ rank, itemFactors, userFactors? }`: types, and lengths that are multiples of rank. */
export function readFactors(v: unknown, what: string, withUsers: boolean): Factors {
  const obj = object(v, what);
  const rank = integer(obj.rank, `${what}.rank`, 1, 1024);
  const read = (name: string): Float32Array => {
    const data = typed(obj[name], `${what}.${name}`, Float32Array);
    if (data.length % rank !== 0) valueError(`${what}.${name} has length ${data.length}, not a multiple of rank ${rank}`);
    return data;
  };
  const itemFactors = read('itemFactors');
  const userFactors = withUsers ? read('userFactors') : new Float32Array(0);
  return { rank, userFactors, itemFactors };
}

/** Finite factors. */
export function validateFactors(f: Factors, what: string): void {
  checkFinite(f.userFactors, `${what}.userFactors`);
  checkFinite(f.itemFactors, `${what}.itemFactors`);
}

/** An optional thread count (0..=1024; the WASM engine runs on one thread whatever it says). */
export function readThreads(v: unknown, what: string): number {
  return v === undefined || v === null ? 0 : integer(v, what, 0, 1024);
}
