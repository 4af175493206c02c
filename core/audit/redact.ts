import type { RecordedEvent } from '../eventStore/types.js';
import { ERASED, isSealedValue } from '../privacy/sealedValue.js';

/** Keys whose values never leave the server through the audit API: OTP and secret hashes, credentials. */
const SECRET_KEY =
  /(^codeHash$|^secretHash$|secret|password|passcode|ciphertext|encrypted|sealed|apiKey|api_key|authToken|auth_token|privateKey|private_key)/i;
/** SecretBox output (`enc:v1:<keyId>:...`), whatever key it sits under. */
const SEALED_VALUE = /^enc:v\d+:/;

export const REDACTED = '[redacted]';

export function redactValue(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key)) return REDACTED;
  if (typeof value === 'string') {
    // a personal value still sealed when it reaches here has lost its key
    if (isSealedValue(value)) return ERASED;
    return SEALED_VALUE.test(value) ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) out[name] = redactValue(item, name);
    return out;
  }
  return value;
}

/** One event as the audit API shows it. */
export interface AuditRecord {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  recordedAt: string;
  tenantId: string | undefined;
  actor: string | undefined;
  correlationId: string | undefined;
  data: unknown;
  /** The event's link in its stream's hash chain (not secret: it proves, it does not reveal). */
  chainHash: string | undefined;
}

export function toAuditRecord(event: RecordedEvent): AuditRecord {
  const { tenantId, actor, correlationId, chain } = event.metadata;
  return {
    position: event.globalPosition,
    id: event.id,
    stream: event.streamName,
    revision: event.revision,
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    tenantId,
    actor,
    correlationId,
    data: redactValue(event.data),
    chainHash: (chain as { hash?: string } | undefined)?.hash,
  };
}
