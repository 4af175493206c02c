/** RFC 6901 JSON pointers, just enough for `secretFields` (`/api_key`, `/gateway_authentication/secret`). */

/**
 * The keys of a pointer, unescaped (`~1` is `/`, `~0` is `~`).
 *
 * @example
 * pointerSegments('/gateway_authentication/secret'); // ['gateway_authentication', 'secret']
 */
export function pointerSegments(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * The value at `pointer`, or `undefined` when any step is missing.
 *
 * @example
 * getAtPointer({ auth: { secret: 's3' } }, '/auth/secret'); // 's3'
 */
export function getAtPointer(value: unknown, pointer: string): unknown {
  let node = value;
  for (const key of pointerSegments(pointer)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * A copy of `value` with the value at `pointer` replaced by `map(old)`; unchanged when the pointer is missing.
 *
 * @example
 * mapAtPointer({ token: 'abcdef' }, '/token', () => '****'); // { token: '****' }
 */
export function mapAtPointer<T>(value: T, pointer: string, map: (old: unknown) => unknown): T {
  const [head, ...rest] = pointerSegments(pointer);
  if (head === undefined || value === null || typeof value !== 'object' || !Object.hasOwn(value, head)) return value;
  const record = value as Record<string, unknown>;
  const next = rest.length === 0 ? map(record[head]) : mapAtPointer(record[head], `/${rest.map(escape).join('/')}`, map);
  return { ...record, [head]: next } as T;
}

/**
 * The sub-schema describing `pointer` (through `properties`), or `undefined` when the schema has no such field.
 *
 * @example
 * schemaAtPointer({ type: 'object', properties: { token: { type: 'string' } } }, '/token'); // { type: 'string' }
 */
export function schemaAtPointer(schema: unknown, pointer: string): Record<string, unknown> | undefined {
  let node = schema as Record<string, unknown> | undefined;
  for (const key of pointerSegments(pointer)) {
    const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = properties && Object.hasOwn(properties, key) ? properties[key] : undefined;
  }
  return node;
}

function escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
