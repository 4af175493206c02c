import { randomUUID } from 'node:crypto';

/** Where new ids come from. Injected, so tests can make them predictable. */
export interface Ids {
  uuid(): string;
}

export const randomIds: Ids = { uuid: () => randomUUID() };
