/** Fields of a query string or an `application/x-www-form-urlencoded` body. */
export type UrlEncodedFields = Record<string, string | string[]>;

/**
 * `a=1&a=2&b=` as `{ a: ['1', '2'], b: '' }`, on a null prototype: a field named `toString` or
 * `__proto__` is a field like any other, and one the client did not send is `undefined`, never an
 * `Object.prototype` member. A repeated field becomes an array (in order), so a schema or a route that
 * expects one string refuses it (RFC 6749 §3.1).
 */
export function parseUrlEncoded(text: string): UrlEncodedFields {
  const fields = Object.create(null) as UrlEncodedFields;
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = fields[key];
    fields[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return fields;
}
