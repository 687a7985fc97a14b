// A tiny runtime schema helper for IPC payloads. It lives beside the contract (and imports
// nothing from Node or Electron) so the renderer, the preload and main share one definition of
// "valid". Objects reject unknown keys: a payload carrying extra fields is a bug or an attack.

export interface Schema<T> {
  /** Returns null when `value` is valid, else a message naming the offending path. */
  check(value: unknown, at: string): string | null;
  /** Phantom field so TypeScript can infer T; never read at run time. */
  readonly _type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'Uint8Array';
  return typeof value;
}

export interface StringOptions {
  min?: number;
  max?: number;
  /** Path-like strings: refuse NUL bytes, which truncate paths in native code. */
  noNul?: boolean;
}

export function str(options: StringOptions = {}): Schema<string> {
  const { min = 0, max = 4096, noNul = true } = options;
  return {
    check(v, at) {
      if (typeof v !== 'string') return `${at}: expected string, got ${describe(v)}`;
      if (v.length < min) return `${at}: shorter than ${min}`;
      if (v.length > max) return `${at}: longer than ${max}`;
      if (noNul && v.includes('\0')) return `${at}: contains a NUL character`;
      return null;
    },
  };
}

export interface NumberOptions {
  min?: number;
  max?: number;
  integer?: boolean;
}

export function num(options: NumberOptions = {}): Schema<number> {
  const { min = -Number.MAX_VALUE, max = Number.MAX_VALUE, integer = false } = options;
  return {
    check(v, at) {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `${at}: expected finite number, got ${describe(v)}`;
      if (integer && !Number.isInteger(v)) return `${at}: expected integer`;
      if (v < min || v > max) return `${at}: ${v} outside [${min}, ${max}]`;
      return null;
    },
  };
}

export const bool: Schema<boolean> = {
  check: (v, at) => (typeof v === 'boolean' ? null : `${at}: expected boolean, got ${describe(v)}`),
};

export function literal<const T extends readonly (string | number | boolean)[]>(...values: T): Schema<T[number]> {
  return {
    check: (v, at) =>
      (values as readonly unknown[]).includes(v) ? null : `${at}: expected one of ${values.map(String).join('|')}`,
  };
}

export function bytes(options: { max?: number } = {}): Schema<Uint8Array> {
  const { max = 2 ** 31 } = options;
  return {
    check(v, at) {
      if (!(v instanceof Uint8Array)) return `${at}: expected Uint8Array, got ${describe(v)}`;
      if (v.byteLength > max) return `${at}: more than ${max} bytes`;
      return null;
    },
  };
}

export function arr<T>(item: Schema<T>, options: { min?: number; max?: number } = {}): Schema<T[]> {
  const { min = 0, max = 100_000 } = options;
  return {
    check(v, at) {
      if (!Array.isArray(v)) return `${at}: expected array, got ${describe(v)}`;
      if (v.length < min) return `${at}: fewer than ${min} items`;
      if (v.length > max) return `${at}: more than ${max} items`;
      for (let i = 0; i < v.length; i++) {
        const e = item.check(v[i], `${at}[${i}]`);
        if (e) return e;
      }
      return null;
    },
  };
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> & { optional: true } {
  return { optional: true, check: (v, at) => (v === undefined ? null : inner.check(v, at)) };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return { check: (v, at) => (v === null ? null : inner.check(v, at)) };
}

/** Exactly `undefined`: for channels that take no payload. */
export const none: Schema<undefined> = {
  check: (v, at) => (v === undefined ? null : `${at}: expected no payload, got ${describe(v)}`),
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

type Shape<T> = { [K in keyof T]-?: Schema<T[K]> };

/** A plain object with exactly these keys (keys whose schema is `optional` may be absent). */
export function obj<T extends object>(shape: Shape<T>): Schema<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return {
    check(v, at) {
      if (!isPlainObject(v)) return `${at}: expected object, got ${describe(v)}`;
      for (const k of Object.keys(v)) {
        if (!Object.prototype.hasOwnProperty.call(shape, k)) return `${at}: unexpected key "${k}"`;
      }
      for (const k of keys) {
        const schema = shape[k] as Schema<unknown> & { optional?: true };
        if (!Object.prototype.hasOwnProperty.call(v, k) && !schema.optional) return `${at}.${k}: missing`;
        const e = schema.check(v[k], `${at}.${k}`);
        if (e) return e;
      }
      return null;
    },
  };
}

/** A union discriminated by a literal `tag` field. */
export function tagged<T extends object>(tag: string, variants: Record<string, Schema<T>>): Schema<T> {
  return {
    check(v, at) {
      if (!isPlainObject(v)) return `${at}: expected object, got ${describe(v)}`;
      const t = v[tag];
      if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(variants, t)) {
        return `${at}.${tag}: expected one of ${Object.keys(variants).join('|')}`;
      }
      return variants[t].check(v, at);
    },
  };
}

export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

export function isValid<T>(schema: Schema<T>, value: unknown): value is T {
  return schema.check(value, 'payload') === null;
}

export function assertValid<T>(schema: Schema<T>, value: unknown, what = 'payload'): T {
  const error = schema.check(value, what);
  if (error) throw new PayloadError(error);
  return value as T;
}
