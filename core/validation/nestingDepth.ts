/**
 * How deep client data may nest (objects and arrays). No request of any dialect needs more than a few
 * levels; a cap keeps deep documents (`{"a":{"a":...}}` three thousand times) from overflowing the stack
 * of whatever walks them next (cloning, validation, logging). Documented in docs/security.md.
 */
export const MAX_NESTING_DEPTH = 32;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * True when JSON text opens more than `limit` nested objects or arrays. A linear scan of the text, done
 * before `JSON.parse`, so nothing recursive ever sees a document that is too deep. Brackets inside
 * strings do not count; malformed text is left for the parser to refuse.
 */
export function jsonNestsDeeperThan(text: string, limit: number = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH) i++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_OBJECT || char === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (char === CLOSE_OBJECT || char === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}
