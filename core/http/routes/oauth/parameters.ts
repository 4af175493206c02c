import { badRequest } from '../../httpError.js';
import type { AppContext } from '../../types.js';

/**
 * The parameters of a request to an OAuth endpoint (token, revocation, introspection): a form
 * (`application/x-www-form-urlencoded`, RFC 6749 §3.2) or, as an extension, a JSON object. No body reads as no
 * parameters, so the endpoint's schema names what is missing; a body of another type, or JSON that is no object,
 * is 400 `invalid_request` saying how to send them. Empty values are dropped (§3.2: a parameter sent without a
 * value is treated as omitted).
 */
export function oauthParameters(ctx: AppContext): Record<string, unknown> {
  const { body } = ctx.request;
  if (body === undefined) {
    if (ctx.request.type && !ctx.request.is('application/x-www-form-urlencoded', 'application/json', '+json')) throw notAForm();
    return Object.create(null) as Record<string, unknown>;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw notAForm();
  return withoutEmptyValues(body as Record<string, unknown>);
}

const notAForm = () => badRequest('send the parameters as a form (application/x-www-form-urlencoded) or a JSON object');

function withoutEmptyValues(body: Record<string, unknown>): Record<string, unknown> {
  const kept = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(body)) if (value !== '') kept[name] = value;
  return kept;
}
