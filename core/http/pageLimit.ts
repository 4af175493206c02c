import { badRequest } from './httpError.js';

/** The `limit` query parameter of a paged route: `fallback` when absent, else a whole number from 1 to `max` (400 otherwise). */
export function pageLimit(value: unknown, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) throw badRequest(`limit must be a whole number from 1 to ${max}`);
  return limit;
}
