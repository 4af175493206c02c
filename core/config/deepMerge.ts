export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Overlays `overlay` on `base` without touching either: objects merge key by key, anything else
 * (scalars and arrays alike) is replaced, so an overlay can empty a list by giving `[]`.
 */
export function deepMerge(base: PlainObject, overlay: PlainObject): PlainObject {
  const merged: PlainObject = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}
