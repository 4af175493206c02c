import { MAX_NESTING_DEPTH } from './nestingDepth.js';

/** Data as it comes from a client: what JSON and forms can express, nothing else. */
export type PlainData = string | number | boolean | null | PlainData[] | { [key: string]: PlainData };

/** Why a value is not plain data: the JSON path of the offending part and what is wrong with it. */
export class NotPlainDataError extends Error {
  override readonly name = 'NotPlainDataError';

  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || '/'} ${problem}`);
  }
}

/**
 * A copy of `value` in which every object has a null prototype: a client's key named `toString`,
 * `constructor` or `__proto__` is an own data property like any other, and a lookup of a key the client
 * did not send finds nothing (not an `Object.prototype` member). Refuses values nested deeper than
 * `maxDepth` and anything JSON cannot carry (functions, symbols, class instances).
 */
export function nullPrototypeCopy(value: unknown, maxDepth: number = MAX_NESTING_DEPTH): unknown {
  return copy(value, '', undefined, 0, maxDepth, () => Object.create(null) as Record<string, unknown>);
}

/**
 * The same walk into ordinary objects (for code that expects `{}`), copying own enumerable data only:
 * `compileSchema` validates this copy, so inherited members and non-data values never reach a schema.
 * `undefined` property values are kept (a config overlay may leave a key unset).
 */
export function plainCopy(value: unknown, maxDepth: number = MAX_NESTING_DEPTH): unknown {
  return copy(value, '', undefined, 0, maxDepth, () => ({}) as Record<string, unknown>);
}

/** A string, a boolean, null or undefined: copied as is, with no path to work out (the common case of a field). */
const isSimple = (value: unknown): value is string | boolean | null | undefined =>
  value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean';

/**
 * The JSON pointer of a value is its parent's and its key: worked out only for a value that needs one (an object
 * or array to recurse into, or one to name in an error), never for the strings and booleans most fields are.
 */
function copy(
  value: unknown,
  parent: string,
  key: string | number | undefined,
  depth: number,
  maxDepth: number,
  newObject: () => Record<string, unknown>,
): unknown {
  if (isSimple(value)) return value;
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new NotPlainDataError(pointer(parent, key), 'must be a finite number');
      return value;
    case 'object':
      break;
    default:
      throw new NotPlainDataError(pointer(parent, key), `must be JSON data, not a ${typeof value}`);
  }
  const path = pointer(parent, key);
  if (depth >= maxDepth) throw new NotPlainDataError(path, `nests deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) return value.map((item: unknown, index) => copy(item, path, index, depth + 1, maxDepth, newObject));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== null && prototype !== Object.prototype) throw new NotPlainDataError(path, 'must be a plain JSON object');
  const result = newObject();
  for (const name of Object.keys(value)) {
    const copied = copy((value as Record<string, unknown>)[name], path, name, depth + 1, maxDepth, newObject);
    // a key `Object.prototype` knows (`__proto__`, `toString`, anything a polluted prototype gained) is defined,
    // never assigned: an assignment could set a prototype, hit a setter or throw on frozen intrinsics
    if (name in Object.prototype)
      Object.defineProperty(result, name, { value: copied, enumerable: true, writable: true, configurable: true });
    else result[name] = copied;
  }
  return result;
}

function pointer(parent: string, key: string | number | undefined): string {
  return key === undefined ? parent : `${parent}/${typeof key === 'number' ? key : escapePointer(key)}`;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
