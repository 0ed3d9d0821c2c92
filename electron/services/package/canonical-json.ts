// The one serialisation of a manifest that gets signed. Pack writes these bytes to disk and
// signs them; the reader verifies the signature over the file's exact bytes and then insists
// they are canonical, so two parsers can never disagree about what was signed.

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no insignificant whitespace,
 * strings escaped as JSON.stringify does, integers only. For the values a manifest holds
 * this is the same text RFC 8785 (JCS) produces.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // Fractions and exponents have more than one spelling across languages; the manifest
      // never needs them, so refusing them keeps the canonical form unambiguous.
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON holds safe integers only, got ${value}`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
      const record = value as Record<string, unknown>;
      // Absent optional fields are dropped, as JSON.stringify does, so builders can spread freely.
      const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
