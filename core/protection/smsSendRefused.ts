import { DomainError } from '../decider/decider.js';

export const REFUSAL_REASONS = ['cooldown', 'phone_limit', 'ip_limit', 'tenant_limit', 'country', 'number_type', 'pumping_guard'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Who a refused send was for and from, as keyed hashes and coarse facts: never a number or an address. */
export interface RefusalFacts {
  clientId: string;
  /** The phone's keyed hash; for an unknown non-phone identifier, `identifierHash` instead. */
  phoneHash?: string;
  identifierHash?: string;
  countryCallingCode?: string;
  /** ISO 3166 alpha-2 and libphonenumber type, for the country and number-type rules. */
  country?: string;
  numberType?: string;
  /** The number without its last 4 digits, for the pumping guard. */
  prefix?: string;
  /** The caller's address as a keyed hash, when the address is the end user's (a public client). */
  ipHash?: string;
}

/**
 * A send screening refused or held back (`enforce`), or would have (`monitor`: the SMS went anyway). With
 * `silent`, the caller was answered as if it was sent and nothing was (`SmsWithheld` follows).
 */
export interface SmsSendRefusedData extends RefusalFacts {
  reason: RefusalReason;
  mode: 'enforce' | 'monitor';
  silent?: boolean;
  /** How long until the rule would let a send through, when that is known. */
  retryAfterSeconds?: number;
  at: string;
}

const RATE_REASONS: ReadonlySet<RefusalReason> = new Set(['cooldown', 'phone_limit', 'ip_limit', 'tenant_limit', 'pumping_guard']);

/** A send refused by screening; the dialect answers 429 with `Retry-After` (rates) or 403 (destination rules). */
export class SmsSendRefusedError extends DomainError {
  constructor(readonly refusal: SmsSendRefusedData) {
    super(refusal.reason, describe(refusal), RATE_REASONS.has(refusal.reason) ? 'limited' : 'forbidden');
  }

  /** True for the rules that lift with time (answered 429), false for the destination rules (403). */
  get rateLimited(): boolean {
    return RATE_REASONS.has(this.refusal.reason);
  }

  get retryAfterSeconds(): number | undefined {
    return this.refusal.retryAfterSeconds;
  }
}

function describe({ reason, retryAfterSeconds: seconds, country, numberType }: SmsSendRefusedData): string {
  const again = seconds === undefined ? '' : `; try again in ${seconds} second${seconds === 1 ? '' : 's'}`;
  switch (reason) {
    case 'cooldown':
      return `a code was just sent to this number${again}`;
    case 'phone_limit':
      return `too many codes were sent to this number${again}`;
    case 'ip_limit':
      return `too many SMS were requested from this address${again}`;
    case 'tenant_limit':
      return `this tenant's SMS budget is spent for now${again}`;
    case 'pumping_guard':
      return `SMS to this number range are paused (suspected SMS pumping)${again}`;
    case 'country':
      return `SMS to ${country} is not allowed for this tenant`;
    case 'number_type':
      return `SMS to ${numberType} numbers is not allowed for this tenant`;
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}
