import { hash as sha256 } from 'node:crypto';
import type { EventMetadata } from './types.js';

/**
 * Tamper evidence: every event's metadata carries `chain = { prev, hash, v }`, a hash chain over its stream.
 *
 *   hash = SHA-256( prev ?? "" \n type \n json(data) \n json(metadata without chain) )
 *
 * `prev` is the hash of the stream's previous event, `null` for its first. Editing, removing or
 * reordering an event breaks the link of the event after it (or its own hash). Appending a forged
 * event at the end of a stream is not detected by the chain alone: that needs the last hashes
 * anchored elsewhere (see `otpledger audit verify`).
 *
 * Two formats, told apart by `v`; both verify (`checkLink`), new events are written in format 2:
 * - **2** (`v: 2`, since 2026-12-02): `json` is the JSON text as the store writes it, JSON.stringify's:
 *   the data's text, and the metadata's text without its last member, `chain`. Hashing the text that
 *   is stored costs one serialisation per value, nothing more. Re-serialising the parsed text gives
 *   the same text back (JSON.stringify keeps key order as read, and its own numbers and escapes read
 *   back to the same values), so a reader that only has the parsed event checks it as well.
 * - **1** (no `v`): `json` is canonical JSON, object keys sorted by UTF-16 code units and otherwise
 *   JSON.stringify's rules (`canonicalJson`). Events written before format 2 carry it.
 */
export interface ChainLink {
  prev: string | null;
  hash: string;
  /** The chain format (`CHAIN_FORMAT`); absent on format 1. */
  v?: 2;
}

/** The format new events are chained in. */
export const CHAIN_FORMAT = 2;

/** JSON with object keys sorted, so the same value always hashes the same however it was built: chain format 1. */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? 'null';
}

// Built by concatenation (no arrays of parts): `otpledger audit verify` runs it twice per format-1 event.
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

/** The metadata an event's hash covers: everything but the chain itself (key order kept). */
export function withoutChain(metadata: Partial<EventMetadata> | undefined): Record<string, unknown> {
  if (!metadata) return {};
  const { chain: _chain, ...rest } = metadata;
  return rest;
}

/** JSON.stringify's text, `null` for what has none (undefined, a function): the text format 2 hashes and stores. */
function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash of an event after `prev`, in the chain format its metadata records (`v`), or in `format`.
 * `metadata` may carry its chain: it is left out.
 */
export function chainHash(
  prev: string | null,
  type: string,
  data: unknown,
  metadata: Partial<EventMetadata> | undefined,
  format: 1 | 2 = (metadata?.chain as { v?: unknown } | undefined)?.v === 2 ? 2 : 1,
): string {
  const unchained = withoutChain(metadata);
  return format === 2
    ? textHash(prev, type, jsonText(data), jsonText(unchained))
    : textHash(prev, type, canonicalJson(data), canonicalJson(unchained));
}

/**
 * The hash over the JSON texts. One string, hashed in one call: the same UTF-8 bytes as feeding
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
  /** The data as JSON: the text the hash covers, stored as it is. */
  dataJson: string;
  /** The metadata as JSON: the text the hash covers, with `chain` added as its last member. */
  metadataJson: string;
}

/**
 * Metadata for an event about to be appended after `prev`, chained in the current format:
 * schemaVersion defaulted, any chain the caller passed replaced by the real one. Returns the
 * metadata, its hash, and both as JSON text: the text the hash covers is the text stored, so an
 * append serialises each value once.
 */
export function chainMetadata(
  prev: string | null,
  type: string,
  data: unknown,
  metadata: Partial<EventMetadata> | undefined,
): ChainedMetadata {
  const base = chainBase(metadata);
  const dataJson = jsonText(data);
  const baseJson = JSON.stringify(base);
  const hash = textHash(prev, type, dataJson, baseJson);
  // `chain` goes last, so the text without it is baseJson again; the hash is hex, prev is quoted as JSON
  const chainJson = `"chain":{"prev":${prev === null ? 'null' : JSON.stringify(prev)},"hash":"${hash}","v":${CHAIN_FORMAT}}}`;
  const metadataJson = baseJson === '{}' ? `{${chainJson}` : `${baseJson.slice(0, -1)},${chainJson}`;
  base.chain = { prev, hash, v: CHAIN_FORMAT } satisfies ChainLink;
  return { metadata: base, hash, dataJson, metadataJson };
}

/**
 * `{ schemaVersion: 1, ...withoutChain(metadata) }`, built by a loop: object spread, on every append,
 * was measured the larger part of chaining an event after the hash itself. (`__proto__` is defined,
 * not assigned, as spread does.)
 */
function chainBase(metadata: Partial<EventMetadata> | undefined): EventMetadata {
  const base: EventMetadata = { schemaVersion: 1 };
  if (!metadata) return base;
  for (const key of Object.keys(metadata)) {
    if (key === 'chain') continue;
    if (key === '__proto__')
      Object.defineProperty(base, key, { value: metadata[key], enumerable: true, writable: true, configurable: true });
    else base[key] = metadata[key];
  }
  return base;
}

/** The chain link an event carries, or undefined when it has none (or a malformed one, or a format unknown here). */
export function chainOf(metadata: EventMetadata | undefined): ChainLink | undefined {
  const chain = metadata?.chain as Partial<ChainLink> | undefined;
  if (!chain || typeof chain.hash !== 'string' || (chain.prev !== null && typeof chain.prev !== 'string')) return undefined;
  if (chain.v === undefined) return { prev: chain.prev, hash: chain.hash };
  return chain.v === 2 ? { prev: chain.prev, hash: chain.hash, v: 2 } : undefined;
}

export type LinkProblem = 'missing_chain' | 'wrong_prev' | 'wrong_hash' | 'revision_gap';

/**
 * Checks one recorded event against the previous one of its stream (`undefined` for the first), in
 * the chain format the event records. Returns what is wrong, or undefined when the link holds.
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
  if (chainHash(link.prev, event.type, event.data, event.metadata, link.v ?? 1) !== link.hash) return 'wrong_hash';
  return undefined;
}
