import { hash as sha256 } from 'node:crypto';
import type { EventMetadata } from './types.js';

/**
 * Tamper evidence: every event's metadata carries `chain = { prev, hash }`, a hash chain over its stream.
 *
 *   hash = SHA-256( prev ?? "" \n type \n canonical(data) \n canonical(metadata without chain) )
 *
 * `prev` is the hash of the stream's previous event, `null` for its first. Editing, removing or
 * reordering an event breaks the link of the event after it (or its own hash). Appending a forged
 * event at the end of a stream is not detected by the chain alone: that needs the last hashes
 * anchored elsewhere (see `otpledger audit verify`). The format is plain enough to check from any
 * language: canonical JSON sorts object keys by UTF-16 code units and otherwise follows JSON.stringify.
 */
export interface ChainLink {
  prev: string | null;
  hash: string;
}

/** JSON with object keys sorted, so the same value always hashes the same however it was built. */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? 'null';
}

// Built by concatenation (no arrays of parts): it runs on every append, twice per event.
function canonical(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt has no JSON form');
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        // an index loop, not map: a hole is null, as JSON.stringify writes it
        let out = '[';
        for (let index = 0; index < value.length; index++) out += `${index === 0 ? '' : ','}${canonical(value[index]) ?? 'null'}`;
        return `${out}]`;
      }
      const keys = Object.keys(value);
      if (keys.length > 1) keys.sort();
      let out = '';
      for (const key of keys) {
        const item = canonical((value as Record<string, unknown>)[key]);
        if (item !== undefined) out += `${out === '' ? '' : ','}${JSON.stringify(key)}:${item}`;
      }
      return `{${out}}`;
    }
    default:
      return undefined; // undefined, functions, symbols: left out, as JSON.stringify does
  }
}

/** The metadata an event's hash covers: everything but the chain itself. */
export function withoutChain(metadata: Partial<EventMetadata> | undefined): Record<string, unknown> {
  if (!metadata) return {};
  const { chain: _chain, ...rest } = metadata;
  return rest;
}

export function chainHash(prev: string | null, type: string, data: unknown, metadata: Partial<EventMetadata> | undefined): string {
  return linkHash(prev, type, data, withoutChain(metadata));
}

/** The hash itself, over metadata that already has no chain. */
function linkHash(prev: string | null, type: string, data: unknown, unchained: Record<string, unknown>): string {
  return textHash(prev, type, canonicalJson(data), canonicalJson(unchained));
}

/**
 * The hash over the canonical texts. One string, hashed in one call: the same UTF-8 bytes as feeding
 * the parts one by one (the newlines keep any two parts from joining into one character).
 */
function textHash(prev: string | null, type: string, dataJson: string, metadataJson: string): string {
  return sha256('sha256', `${prev ?? ''}\n${type}\n${dataJson}\n${metadataJson}`);
}

/** An event's metadata as a store writes it, with its chain, and the JSON texts the SQL stores write. */
export interface ChainedMetadata {
  metadata: EventMetadata;
  /** The event's hash: the next event's `prev`. */
  hash: string;
  /** The data as JSON: the canonical text the hash covers (keys sorted), stored as it is. */
  dataJson: string;
  /** The metadata as JSON: the canonical text the hash covers, with `chain` added last. */
  metadataJson: string;
}

/**
 * Metadata for an event about to be appended after `prev`: schemaVersion defaulted, any chain the caller
 * passed replaced by the real one. Returns the metadata, its hash, and both as JSON text: the canonical
 * serialisation the hash needs is also what gets stored, so an append serialises each value once.
 */
export function chainMetadata(
  prev: string | null,
  type: string,
  data: unknown,
  metadata: Partial<EventMetadata> | undefined,
): ChainedMetadata {
  const base = { schemaVersion: 1, ...withoutChain(metadata) } as EventMetadata;
  const dataJson = canonicalJson(data);
  const baseJson = canonicalJson(base);
  const hash = textHash(prev, type, dataJson, baseJson);
  const chain = { prev, hash };
  const metadataJson = `${baseJson === '{}' ? '{' : `${baseJson.slice(0, -1)},`}"chain":${JSON.stringify(chain)}}`;
  return { metadata: { ...base, chain }, hash, dataJson, metadataJson };
}

/** The chain link an event carries, or undefined when it has none (or a malformed one). */
export function chainOf(metadata: EventMetadata | undefined): ChainLink | undefined {
  const chain = metadata?.chain as Partial<ChainLink> | undefined;
  if (!chain || typeof chain.hash !== 'string' || (chain.prev !== null && typeof chain.prev !== 'string')) return undefined;
  return { prev: chain.prev, hash: chain.hash };
}

export type LinkProblem = 'missing_chain' | 'wrong_prev' | 'wrong_hash' | 'revision_gap';

/**
 * Checks one recorded event against the previous one of its stream (`undefined` for the first).
 * Returns what is wrong, or undefined when the link holds.
 */
export function checkLink(
  previous: { revision: number; hash: string } | undefined,
  event: { revision: number; type: string; data: unknown; metadata: EventMetadata },
): LinkProblem | undefined {
  const expectedRevision = previous ? previous.revision + 1 : 0;
  if (event.revision !== expectedRevision) return 'revision_gap';
  const link = chainOf(event.metadata);
  if (!link) return 'missing_chain';
  if (link.prev !== (previous?.hash ?? null)) return 'wrong_prev';
  if (chainHash(link.prev, event.type, event.data, event.metadata) !== link.hash) return 'wrong_hash';
  return undefined;
}
