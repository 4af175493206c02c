import type { ApplicationEvent, TenantEvent } from '../applications/applicationEvents.js';
import type { AuditQueriedEvent } from '../audit/auditLog.js';
import type { BruteForceEvent } from '../auth0/bruteForceDecider.js';
import type { AuthorizationCodeEvent } from '../oidc/authorizationCodeEvents.js';
import type { SessionEvent } from '../oidc/sessionEvents.js';
import type { TokenIntrospectionEvent } from '../oidc/tokenIntrospection.js';
import type { OtpEvent } from '../otp/otpEvents.js';
import type { PrefixEvent } from '../protection/prefixEvents.js';
import type { SmsDeliveryEvent } from '../sms/smsDeliveryEvents.js';
import type { TenantSmsEvent } from '../sms/tenantSmsEvents.js';
import type { VerifyServiceEvent } from '../twilioVerify/verifyServiceEvents.js';
import type { IdentifierEvent, UserEvent } from '../users/userEvents.js';

/**
 * THE one place that knows which fields of which events are personal data. The sealing event store
 * (`sealingEventStore.ts`) seals exactly these fields with their subject's key before an event is
 * appended and hashed, and refuses to append an event type that is not listed here, so a new event is
 * classified before it can reach the log. `test/privacy/personalDataCatalogue.test.ts` walks every
 * event type declared in the code and fails on a field that looks personal (a phone, an email, a
 * name, a recipient, an address, free text, an open-typed bag) and is neither sealed here nor
 * explained in `notPersonal`.
 *
 * Adding an event: add its type to `CataloguedEvent` and a line to the catalogue. Personal fields are
 * top-level fields of `data` (any JSON value: an object seals whole).
 */
export type CataloguedEvent =
  | UserEvent
  | IdentifierEvent
  | OtpEvent
  | SmsDeliveryEvent
  | TenantSmsEvent
  | SessionEvent
  | AuthorizationCodeEvent
  | ApplicationEvent
  | TenantEvent
  | AuditQueriedEvent
  | BruteForceEvent
  | VerifyServiceEvent
  | PrefixEvent
  | TokenIntrospectionEvent;

type DataOf<Type extends CataloguedEvent['type']> = Extract<CataloguedEvent, { type: Type }>['data'];
type Field<Data> = keyof Data & string;

/** Whose key seals an event's personal fields (see `subjects.ts`). */
export type SubjectRule<Data> =
  /** The user whose stream this is (`user-<tenant>-<userId>`). */
  | { user: 'stream' }
  /** The phone whose OTP stream this is (`otp-<tenant>-<purpose>-<phoneHash>`). */
  | { phone: 'stream' }
  /** The phone number in this field, in the tenant of `data.tenantId` (else of the metadata). */
  | { phoneIn: Field<Data> };

export interface EventPrivacy<Data> {
  personal?: { subject: SubjectRule<Data>; fields: readonly Field<Data>[] };
  /** Fields that look personal (by name or by an open type) but are not, and why. */
  notPersonal?: { readonly [Name in Field<Data>]?: string };
}

const none = {};
const providerReference =
  "the provider's id for the message: a reference into the provider's own records (which hold the number, under the provider's retention)";
const tenantsOwn = "the tenant's own configuration (an organisation's, not a data subject's)";
const numberRange =
  'the number less its last 4 digits: a range of 10,000 numbers, what the pumping guard counts by (docs/sms-protection.md says what it narrows)';
const sendCounts = 'how many codes the stream was sent in each minute of the last day (the per-phone limits): counts, no content';
const addressHash = "a keyed hash of the caller's address (as the brute-force streams' names), never the address";

export const personalDataCatalogue: { readonly [Type in CataloguedEvent['type']]: EventPrivacy<DataOf<Type>> } = {
  // a user's stream: their identifiers, under the user's key
  UserCreated: { personal: { subject: { user: 'stream' }, fields: ['phoneNumber', 'email', 'username'] } },
  PhoneVerified: { personal: { subject: { user: 'stream' }, fields: ['phoneNumber'] } },
  UserAddedToApp: none,
  UserErased: { notPersonal: { actor: 'the management client or CLI operator who erased' } },
  IdentifierClaimed: none,
  IdentifierReleased: none,

  // one phone's codes: keyed hashes only (the number itself is on the user and in the SMS events)
  OtpIssued: { notPersonal: { prefix: numberRange, sendsBefore: sendCounts } },
  OtpFailed: none,
  OtpVerified: none,
  UserLockedOut: none,
  OtpRevoked: none,
  OtpRequestedForUnknownIdentifier: { notPersonal: { sendsBefore: sendCounts } },
  // screening's refusals and hold-backs: keyed hashes, the country and type, the range
  SmsSendRefused: { notPersonal: { prefix: numberRange, ipHash: addressHash } },

  // the outcome of an SMS to a phone, perhaps before any user holds it, in the phone's OTP stream: under
  // the phone's key. No number since they moved there (`to` only in events from before, which named it);
  // a provider's failure text may quote it.
  SmsSent: { personal: { subject: { phone: 'stream' }, fields: ['to'] }, notPersonal: { providerMessageId: providerReference } },
  SmsDeliveryFailed: { personal: { subject: { phone: 'stream' }, fields: ['to', 'message'] } },
  SmsWithheld: { personal: { subject: { phone: 'stream' }, fields: ['to'] } },

  ProviderConfigured: { notPersonal: { settings: tenantsOwn, fallback: tenantsOwn } },
  ProviderValidationFailed: {
    notPersonal: { message: "a provider's answer to a check of the tenant's settings; no end user is involved" },
  },
  PasswordlessConnectionConfigured: { notPersonal: { template: "the tenant's SMS template, with a placeholder for the code" } },
  SmsProtectionConfigured: { notPersonal: { policy: tenantsOwn } },
  // the pumping guard's decisions about a whole number range (a range is no one's)
  PrefixQuarantined: {
    notPersonal: { prefix: numberRange, evidencePositions: 'positions of the events counted, each under its own phone key' },
  },
  PrefixReleased: { notPersonal: { prefix: numberRange } },

  SessionStarted: none,
  TokensIssued: none,
  SessionRevoked: none,
  // the phone a redirect login verified, before the user may exist: under the phone's key
  AuthorizationCodeIssued: { personal: { subject: { phoneIn: 'phoneNumber' }, fields: ['phoneNumber'] } },
  AuthorizationCodeRedeemed: none,
  AuthorizationCodeReplayed: none,
  // which client asked about which token id: no token, no person
  TokenIntrospected: none,

  ApplicationRegistered: { notPersonal: { name: "the application's name" } },
  ApplicationUpdated: { notPersonal: { name: "the application's name" } },
  ClientSecretRotated: none,
  TenantCreated: { notPersonal: { name: "the tenant's (an organisation's) name" } },

  AuditQueried: {
    notPersonal: {
      actor: 'the auditor client, or `cli:<operator>`',
      filters: 'the query: types, ids, times; a phone number only as "given" (`describeFilters`), never its value',
    },
  },

  // a tenant's Twilio Verify Services: configuration ("friendly name" is the tenant's app name)
  VerifyServiceCreated: none,
  VerifyServiceUpdated: { notPersonal: { changes: tenantsOwn } },
  VerifyServiceDeleted: none,

  LoginFailedFromIp: none,
  LoginSucceededFromIp: none,
  IpBlockedForUser: none,
  IpUnblockedForUser: none,
};

/** The catalogue entry of an event type, undefined for a type it does not know. */
export function privacyOf(type: string): EventPrivacy<Record<string, unknown>> | undefined {
  return Object.hasOwn(personalDataCatalogue, type)
    ? (personalDataCatalogue as Record<string, EventPrivacy<Record<string, unknown>>>)[type]
    : undefined;
}
