import { createHash } from 'node:crypto';

/** The hash a chain starts from: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level and no whitespace, so equal content always gives equal
 * text. Only integers, strings, booleans, null, arrays and plain objects are allowed: a float or an
 * undefined value in a hashed record is a bug, and throws.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonicalJson: ${value} is not an exact integer`);
      return String(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A link of the week chain: SHA-256 over the previous hash, a newline, and the canonical payload. */
export function chainHash(prevHash: string, canonicalPayload: string): string {
  return sha256Hex(`${prevHash}\n${canonicalPayload}`);
}
