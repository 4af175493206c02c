import type { NewEvent, RecordedEvent } from '../eventStore/types.js';
import { phoneNumberHash } from '../users/phoneNumber.js';
import { parseOtpStream } from '../../projections/streamNames.js';
import { privacyOf, type SubjectRule } from './personalData.js';
import { ERASED, isSealedValue, sealedKeyId, sealValue } from './sealedValue.js';
import type { DataKey, SubjectKeys } from './subjectKeys.js';
import { phoneSubject } from './subjects.js';

export class UncataloguedEventError extends Error {
  override readonly name = 'UncataloguedEventError';
  constructor(type: string) {
    super(
      `event type ${type} is not in the personal data catalogue (core/privacy/personalData.ts): list its personal fields there (or none) before appending it`,
    );
  }
}

type Data = Record<string, unknown>;

/**
 * Seals and opens the personal fields the catalogue names. Sealing happens before an event is hashed
 * and appended, so the hash chain covers ciphertext and still verifies once a key is destroyed.
 * Opening replaces each sealed value by its plaintext, or by `[erased]` when its key was destroyed.
 */
export class PersonalDataSealer {
  constructor(
    private readonly keys: SubjectKeys,
    private readonly hmacKey: Buffer,
  ) {}

  /** The events with their personal fields sealed (the same objects when they have none). */
  async seal(stream: string, events: readonly NewEvent[]): Promise<NewEvent[]> {
    let personal = false;
    for (const event of events) {
      const privacy = privacyOf(event.type);
      if (!privacy) throw new UncataloguedEventError(event.type);
      personal ||= privacy.personal !== undefined;
    }
    if (!personal) return events as NewEvent[]; // most appends: nothing to seal, nothing to wait for
    const keys = new Map<string, Promise<DataKey>>();
    const keyFor = (subject: string) => {
      let key = keys.get(subject);
      if (!key) keys.set(subject, (key = this.keys.keyFor(subject)));
      return key;
    };
    return Promise.all(
      events.map(async (event) => {
        const privacy = privacyOf(event.type)!;
        if (!privacy.personal) return event;
        const data = (event.data ?? {}) as Data;
        const fields = privacy.personal.fields.filter((field) => data[field] !== undefined && !isSealedValue(data[field]));
        if (fields.length === 0) return event;
        const { keyId, key } = await keyFor(this.subjectOf(privacy.personal.subject, stream, event));
        const sealed: Data = { ...data };
        for (const field of fields) sealed[field] = sealValue(keyId, key, data[field]);
        return { ...event, data: sealed };
      }),
    );
  }

  /** The events with every sealed value opened (`[erased]` where the key is gone), in one key lookup. */
  async open(events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    const opened = await this.openData(events.map((event) => event.data));
    return events.map((event, index) => (opened[index] === event.data ? event : copyWithData(event, opened[index])));
  }

  /**
   * Objects (events' data, read models' documents) with their sealed top-level values opened: the
   * plaintext, or `[erased]` once the key is destroyed. An object with nothing sealed comes back as is.
   */
  async openData<T>(objects: readonly T[]): Promise<T[]> {
    const keyIds = new Set<string>();
    for (const object of objects) {
      for (const value of Object.values((object ?? {}) as Data)) {
        const keyId = sealedKeyId(value);
        if (keyId !== undefined) keyIds.add(keyId);
      }
    }
    if (keyIds.size === 0) return [...objects];
    const { keys } = await this.keys.open(keyIds);
    return objects.map((object) => {
      let opened: Data | undefined;
      for (const [field, value] of Object.entries((object ?? {}) as Data)) {
        const keyId = sealedKeyId(value);
        if (keyId === undefined) continue;
        opened ??= { ...(object as Data) };
        const key = keys.get(keyId);
        opened[field] = key ? this.keys.openSealed(keyId, key, value as string) : ERASED;
      }
      return (opened ?? object) as T;
    });
  }

  private subjectOf(rule: SubjectRule<Data>, stream: string, event: NewEvent): string {
    if ('user' in rule) {
      if (!stream.startsWith('user-'))
        throw new Error(`${event.type} is sealed for the user of its stream, but ${stream} is not a user stream`);
      return stream;
    }
    if ('phone' in rule) {
      const otp = parseOtpStream(stream);
      if (!otp) throw new Error(`${event.type} is sealed for the phone of its OTP stream, but ${stream} is not an OTP stream`);
      return phoneSubject(otp.tenantId, otp.phoneHash);
    }
    const data = (event.data ?? {}) as Data;
    const phone = data[rule.phoneIn];
    const tenantId = typeof data.tenantId === 'string' ? data.tenantId : event.metadata?.tenantId;
    if (typeof phone !== 'string' || typeof tenantId !== 'string') {
      throw new Error(
        `${event.type} is sealed for the phone in ${rule.phoneIn}, which needs that phone and a tenant id (data or metadata)`,
      );
    }
    return phoneSubject(tenantId, phoneNumberHash(this.hmacKey, phone));
  }
}

/** A recorded event with other data (a plain object: the stores' events may be class instances). */
function copyWithData(event: RecordedEvent, data: unknown): RecordedEvent {
  return {
    id: event.id,
    type: event.type,
    data,
    metadata: event.metadata,
    streamName: event.streamName,
    revision: event.revision,
    globalPosition: event.globalPosition,
    recordedAt: event.recordedAt,
  };
}
